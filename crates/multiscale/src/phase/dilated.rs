//! The time-dilated mean field as a phase (docs/model.md §13).

use coupling::Estimator;
use fp_macro::{DilatedConfig, DilatedSolver, FiringEvent, FluxScheme, MacroSolver};
use nlif_micro::Mfe;

use super::density::refusal;
use super::{Env, Phase, PhaseState, Stepped};
use crate::Components;
use crate::config::{RunConfig, RunError, SolverKind};
use crate::simulation::Problem;
use crate::trace::Mode;

/// The density advanced by [`DilatedSolver`]: each step of the run's clock (`macro.dt`)
/// is taken as sub-steps in the dilated time, and the firing events it passes through
/// are recorded as multiple firing events, as the particles' (`fired` 0 and `rounds` 0:
/// a density has no neurons to count).
#[derive(Debug)]
pub struct DilatedPhase<S: FluxScheme>(pub DilatedSolver<S>);

impl<S: FluxScheme + Send, C: Components<Scheme = S>> Phase<C> for DilatedPhase<S> {
    fn mode(&self) -> Mode {
        Mode::Macro
    }
    fn time(&self) -> f64 {
        self.0.time()
    }
    fn dt(&self) -> f64 {
        self.0.solver().config().dt
    }
    fn steps(&self) -> u64 {
        self.0.solver().steps()
    }
    fn rate(&self) -> f64 {
        self.0.rate()
    }

    /// A dilated step; a failed sub-step ends the run with its reason (there is no other
    /// description to hand over to).
    fn step(&mut self, _env: &mut Env<'_, C>) -> Stepped {
        match self.0.step() {
            Ok(step) => Stepped::Advanced {
                rate: step.rate,
                mass: Some(self.0.mass()),
                mfes: step.events.map(|event| event.map(mfe)),
            },
            Err(outcome) => refusal(outcome),
        }
    }

    fn density(&self) -> Option<&[f64]> {
        Some(self.0.solver().density())
    }

    fn estimate(
        &mut self,
        _env: &mut Env<'_, C>,
        _estimator: Estimator,
        _rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        out.copy_from_slice(self.0.solver().density());
        Ok(0.0)
    }

    /// The density solver's state: the dilated solver keeps nothing else between steps
    /// (an event takes no physical time, so none is under way at a step's end).
    fn state(&self) -> Option<PhaseState> {
        Some(PhaseState::Macro(self.0.solver().state().into_dynamics()))
    }
}

/// A firing event as a multiple firing event of the trace.
fn mfe(event: FiringEvent) -> Mfe {
    Mfe {
        t: event.t,
        fired: 0,
        fraction: event.fraction,
        rounds: 0,
    }
}

/// The density solver `solver` of a run as the phase of its kind: the dilated one for
/// [`SolverKind::Dilated`] (its dilated step fixed at the default `ds`, its events
/// reported from `solver.micro.mfe_min_fraction` up, as the particles'), the density
/// itself otherwise.
///
/// # Errors
///
/// [`RunError::Invalid`] naming `solver.micro.mfe_min_fraction` if it is not a fraction;
/// the dilated solver's other refusals are [`refuse_for_dilated`]'s, checked before.
pub(crate) fn dilated_phase<C: Components>(
    config: &RunConfig,
    solver: MacroSolver<C::Scheme>,
) -> Result<Box<dyn Phase<C>>, RunError> {
    if config.kind != SolverKind::Dilated {
        return Ok(Box::new(super::DensityPhase(solver)));
    }
    let settings = DilatedConfig {
        mfe_min_fraction: config.micro.mfe_min_fraction,
        ..DilatedConfig::default()
    };
    let solver = solver.dilated(settings).map_err(|e| match e.field() {
        "mfe_min_fraction" => RunError::Invalid {
            field: "solver.micro.mfe_min_fraction",
            value: settings.mfe_min_fraction,
            reason: "a fraction of the network, in [0, 1]".to_owned(),
        },
        _ => RunError::Macro(e),
    })?;
    Ok(Box::new(DilatedPhase(solver)))
}

/// What a [`SolverKind::Dilated`] run of `problem` cannot simulate, refused by its
/// config path: a network of several populations (`model.populations`), and
/// [`refuse_dilated`]'s, a refractory period and a synaptic delay (the event limit is
/// derived without them).
///
/// # Errors
///
/// [`RunError::Invalid`] naming `model.populations` or `model.a1`;
/// [`RunError::Network`] naming `model.populations[0].refractory` or
/// `model.delay[0][0]`.
pub(crate) fn refuse_for_dilated(problem: &Problem) -> Result<(), RunError> {
    if problem.config.kind != SolverKind::Dilated {
        return Ok(());
    }
    let network = &problem.network;
    if network.len() > 1 {
        return Err(RunError::Invalid {
            field: "model.populations",
            value: network.len() as f64,
            reason: "the Dilated solver simulates one population (its events are those of one coupling b)".to_owned(),
        });
    }
    network.refuse_refractory()?;
    network.refuse_delay()?;
    let a1 = network.a1.iter().flatten().copied().find(|&a1| a1 != 0.0);
    refuse_dilated(a1.unwrap_or(0.0), &problem.config)
}

/// What a [`SolverKind::Dilated`] run of one population with the noise slope `a1` cannot
/// simulate: a noise growing with the rate (`a1 > 0`: the event limit needs the diffusion
/// `(1 - M) a(N)` to vanish as `M → 1`).
///
/// # Errors
///
/// [`RunError::Invalid`] naming `model.a1`.
pub(crate) fn refuse_dilated(a1: f64, config: &RunConfig) -> Result<(), RunError> {
    if config.kind != SolverKind::Dilated {
        return Ok(());
    }
    if a1 != 0.0 {
        return Err(RunError::Invalid {
            field: "model.a1",
            value: a1,
            reason: "the Dilated solver needs a noise independent of the rate (a1 = 0): in a firing event the diffusion (1 - M) a(N) would not vanish".to_owned(),
        });
    }
    Ok(())
}
