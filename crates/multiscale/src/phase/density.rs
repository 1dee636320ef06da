//! The mean-field density as a phase.

use coupling::Estimator;
use fp_macro::{FluxScheme, MacroSolver, StepOutcome};

use super::PhaseState;
use super::{Env, Phase, Stepped};
use crate::Components;
use crate::config::RunError;
use crate::trace::{Mode, SwitchReason};

/// The density of the Fokker–Planck equation, advanced by [`MacroSolver`] with the run's
/// flux scheme (docs/fp-macro.md).
#[derive(Debug)]
pub struct DensityPhase<S: FluxScheme>(pub MacroSolver<S>);

impl<S: FluxScheme + Send, C: Components<Scheme = S>> Phase<C> for DensityPhase<S> {
    fn mode(&self) -> Mode {
        Mode::Macro
    }
    fn time(&self) -> f64 {
        self.0.time()
    }
    fn dt(&self) -> f64 {
        self.0.config().dt
    }
    fn steps(&self) -> u64 {
        self.0.steps()
    }
    fn rate(&self) -> f64 {
        self.0.rate()
    }

    /// A macro step under the policy's bound; a refused step names why, and whether the
    /// hand-over should roll back (the rate bound, negative or non-finite values: the
    /// recent states are suspect) or not (lost positivity, a kick: the state is sound).
    fn step(&mut self, env: &mut Env<'_, C>) -> Stepped {
        match self.0.step(env.bound) {
            StepOutcome::Advanced { rate } => Stepped::Advanced {
                rate,
                mass: Some(self.0.mass() + self.0.refractory_mass()),
                mfes: [None; 2],
            },
            outcome => refusal(outcome),
        }
    }

    fn density(&self) -> Option<&[f64]> {
        Some(self.0.density())
    }

    fn estimate(
        &mut self,
        _env: &mut Env<'_, C>,
        _estimator: Estimator,
        _rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        out.copy_from_slice(self.0.density());
        Ok(0.0)
    }

    fn state(&self) -> Option<PhaseState> {
        Some(PhaseState::Macro(self.0.state().into_dynamics()))
    }
}

/// A refused density step: why, and whether the hand-over should roll back (the rate
/// bound, negative or non-finite values: the recent states are suspect) or not (lost
/// positivity, a kick: the state is sound).
pub(super) fn refusal(outcome: StepOutcome) -> Stepped {
    let (reason, rollback) = match outcome {
        StepOutcome::RateAboveBound { rate, bound } => {
            (SwitchReason::RateAboveBound { rate, bound }, true)
        }
        StepOutcome::PositivityLost { .. } => (SwitchReason::PositivityLost, false),
        StepOutcome::SynchronousKick { fraction, .. } => {
            (SwitchReason::SynchronousKick { fraction }, false)
        }
        StepOutcome::NegativeDensity { .. } => (SwitchReason::NegativeDensity, true),
        _ => (SwitchReason::NonFinite, true),
    };
    Stepped::Refused { reason, rollback }
}
