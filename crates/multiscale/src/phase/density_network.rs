//! The densities of a network of several populations as a phase.

use coupling::Estimator;
use fp_macro::{DensityNetwork, FluxScheme, NetworkOutcome};

use super::density::refusal;
use super::{Env, Phase, PhaseState, Stepped};
use crate::Components;
use crate::config::RunError;
use crate::simulation::DensityMemory;
use crate::trace::Mode;

/// The `P` densities of a network, advanced together by [`DensityNetwork`] with the
/// run's flux scheme (docs/model.md §10): every rate frozen at the step's start, every
/// population's coefficients formed from them.
///
/// A step is refused, for the whole network, when any population refuses it (its rate
/// above its own bound, lost positivity, a kick over its threshold, a bad solve): the
/// switching policy sees every population, and the hand-over converts each.
#[derive(Debug)]
pub struct DensityNetworkPhase<S: FluxScheme + Clone>(pub DensityNetwork<S>);

impl<S: FluxScheme + Clone + Send, C: Components<Scheme = S>> Phase<C> for DensityNetworkPhase<S> {
    fn mode(&self) -> Mode {
        Mode::Macro
    }
    fn time(&self) -> f64 {
        self.0.time()
    }
    fn dt(&self) -> f64 {
        self.0.dt()
    }
    fn steps(&self) -> u64 {
        self.0.steps()
    }
    /// The network's rate, `Σ_α share_α N_α`.
    fn rate(&self) -> f64 {
        self.0.rate()
    }
    fn population_rates(&self) -> &[f64] {
        self.0.rates()
    }

    /// A step with population `α`'s rate bounded by `env.bounds[α]` (`env.bound` where
    /// none is given); the mass reported is the population's farthest from 1 (the density's
    /// and the refractory compartment's together).
    fn step(&mut self, env: &mut Env<'_, C>) -> Stepped {
        let (bounds, bound) = (env.bounds, env.bound);
        match self
            .0
            .step_with_bounds(|alpha| bounds.get(alpha).copied().unwrap_or(bound))
        {
            NetworkOutcome::Advanced { rate } => {
                let mass = (0..self.0.populations())
                    // With a refractory period the line holds `1 - R_α`.
                    .map(|alpha| self.0.mass(alpha) + self.0.refractory_mass(alpha))
                    .fold(1.0_f64, |worst, m| {
                        // A NaN mass is the worst of all.
                        if !((m - 1.0).abs() <= (worst - 1.0).abs()) {
                            m
                        } else {
                            worst
                        }
                    });
                Stepped::Advanced {
                    rate,
                    mass: Some(mass),
                    mfes: [None; 2],
                }
            }
            NetworkOutcome::Refused { outcome, .. } => refusal(outcome),
            // An outcome of a later version: the state is not known to be sound.
            _ => Stepped::Refused {
                reason: crate::trace::SwitchReason::NonFinite,
                rollback: true,
            },
        }
    }

    /// Each population's refractory compartment and rate history, where the network has
    /// a period or a delay.
    fn density_memory(&self) -> Option<DensityMemory> {
        let densities = &self.0;
        let p = densities.populations();
        let mut refractory: Vec<_> = (0..p).map(|a| densities.refractory_state(a)).collect();
        if refractory.iter().all(Option::is_none) {
            refractory.clear();
        }
        let histories = if densities.delay_steps().is_empty() {
            Vec::new()
        } else {
            (0..p).map(|beta| densities.rate_history(beta)).collect()
        };
        let memory = DensityMemory {
            refractory,
            histories,
        };
        (!memory.is_empty()).then_some(memory)
    }

    fn population_density(&self, alpha: usize) -> Option<&[f64]> {
        (alpha < self.0.populations()).then(|| self.0.density(alpha))
    }

    /// Every population's density, one after the other.
    fn estimate(
        &mut self,
        _env: &mut Env<'_, C>,
        _estimator: Estimator,
        _rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        let mut start = 0;
        for alpha in 0..self.0.populations() {
            let density = self.0.density(alpha);
            out[start..start + density.len()].copy_from_slice(density);
            start += density.len();
        }
        Ok(0.0)
    }

    fn state(&self) -> Option<PhaseState> {
        Some(PhaseState::MacroNetwork(self.0.state()))
    }
}
