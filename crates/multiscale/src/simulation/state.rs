//! The savable state of a run: everything needed to continue it bit for bit.
//!
//! A [`SimulationState`] holds the phase's own state (the density with its clock, or the
//! particles with their clock, per-block random streams and pending kick), the macro
//! snapshots kept for a rolled-back hand-over, the policy, the trace, and the
//! accumulators of the sample clock. Restored with [`Simulation::from_state`] (or [`SimulationBuilder::resume`] with custom components), the run
//! continues exactly as if it had never stopped: the same steps, the same random numbers,
//! the same samples, on any number of threads.

use std::collections::VecDeque;

use fp_macro::{FluxScheme, Grid, MacroSolver, MacroState};
use nlif_micro::{MicroConfig, ParticleState, ParticleSystem, Reduction, SubthresholdStepper};
use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use super::{Phase, Simulation, SimulationBuilder, SinceEvent, Tail, share};
use crate::config::{RunConfig, RunError, SolverKind, multiple_of};
use crate::policy::SwitchingPolicy;
use crate::trace::{Outcome, Trace};

/// The version of [`SimulationState`]'s layout; a state of another version is refused.
pub const SIMULATION_STATE_VERSION: u32 = 3;

/// The state of the description advancing the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PhaseState {
    /// The density.
    Macro(MacroState),
    /// The particles.
    Micro(ParticleState),
}

/// A macro state kept for the rolled-back hand-over, with the sample clock at its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotState {
    /// Its time.
    pub t: f64,
    /// Index `k` of the next sample time `k · sample_interval` after `t`.
    pub next_sample: u64,
    /// `∫ rate dt` from the last sample to `t`.
    pub accumulated: f64,
    /// The density.
    pub density: Vec<f64>,
    /// Its rate.
    pub rate: f64,
}

/// Everything a [`Simulation`] needs to continue bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimulationState<P> {
    /// [`SIMULATION_STATE_VERSION`] when written.
    pub version: u32,
    /// The model.
    pub params: ModelParams,
    /// The input.
    pub input: Input,
    /// The run's settings.
    pub config: RunConfig,
    /// The switching policy with its state.
    pub policy: P,
    /// The density or the particles.
    pub phase: PhaseState,
    /// The macro states kept for a rollback, oldest first.
    pub history: Vec<SnapshotState>,
    /// The record so far.
    pub trace: Trace,
    /// Particle phases started so far (each has its own random streams).
    pub segments: u64,
    /// `∫ rate dt` since the last sample.
    pub accumulated: f64,
    /// Index `k` of the next sample time `k · sample_interval`.
    pub next_sample: u64,
    /// The smoothed particle rate.
    pub smoothed: f64,
    /// Whether a multiple firing event occurred since the last down-switch check.
    pub mfe_since_check: bool,
    /// The particle rate since the last event of the current particle phase, if any
    /// (reset when a particle phase starts; left as it was during a density phase).
    pub since_event: Option<SinceEvent>,
    /// How the run ended, if it has.
    pub outcome: Option<Outcome>,
    /// What the final partial sample flushed (for an extension of a completed run).
    pub tail: Option<Tail>,
}

impl<P, S, T, R> Simulation<P, S, T, R>
where
    P: SwitchingPolicy + Clone,
    S: FluxScheme + Clone,
    T: SubthresholdStepper + Clone,
    R: Reduction,
{
    /// The run's state: save it (any serde format that round-trips `f64`, e.g. RON, or
    /// JSON with `serde_json`'s `float_roundtrip`), restore it with
    /// [`Simulation::from_state`] or [`SimulationBuilder::resume`]. Taking it does not
    /// change the run.
    pub fn state(&self) -> SimulationState<P> {
        SimulationState {
            version: SIMULATION_STATE_VERSION,
            params: self.params,
            input: self.input,
            config: self.config,
            policy: self.policy.clone(),
            phase: match &self.phase {
                Phase::Macro(solver) => PhaseState::Macro(solver.state()),
                Phase::Micro(system) => PhaseState::Micro(system.state()),
            },
            history: self.history.iter().cloned().collect(),
            trace: self.trace.clone(),
            segments: self.segments,
            accumulated: self.accumulated,
            next_sample: self.next_sample,
            smoothed: self.smoothed,
            mfe_since_check: self.mfe_since_check,
            since_event: self.since_event,
            outcome: self.outcome,
            tail: self.tail,
        }
    }
}

impl<P, S, T, R> SimulationBuilder<P, S, T, R>
where
    P: SwitchingPolicy,
    S: FluxScheme + Clone,
    T: SubthresholdStepper + Clone,
    R: Reduction,
{
    /// Continues a run from a saved state with this builder's scheme, stepper, reduction
    /// and parallelism (any number of threads gives the same results); the policy, model,
    /// input and settings come from the state.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `state.version` for a state of another layout
    /// version, or `state.history` for kept states that do not fit the grid; the checks
    /// of the settings ([`RunConfig::validate`]) and of the phase's own state (the macro
    /// solver's or the particle system's `from_state`).
    pub fn resume<Q: SwitchingPolicy>(
        self,
        state: SimulationState<Q>,
    ) -> Result<Simulation<Q, S, T, R>, RunError> {
        if state.version != SIMULATION_STATE_VERSION {
            return Err(RunError::Invalid {
                field: "state.version",
                value: f64::from(state.version),
                reason: format!(
                    "this program reads simulation states of version {SIMULATION_STATE_VERSION}; version 2 (before the switching got its own cadence) continues only with the nlif that wrote it"
                ),
            });
        }
        let config = state.config;
        state.params.validate()?;
        state.input.validate()?;
        config.validate()?;
        let m = &config.macro_config;
        let grid = Grid::for_model(&state.params, m.v_min, m.dv)?;
        let bad = |field: &'static str, reason: &str| RunError::Invalid {
            field,
            value: f64::NAN,
            reason: reason.to_owned(),
        };
        if state.next_sample == 0 {
            return Err(bad("state.next_sample", "the first sample index is 1"));
        }
        if let Some(e) = state.since_event
            && !(e.since.is_finite()
                && e.since >= 0.0
                && e.weighted.is_finite()
                && (0.0..=1.0).contains(&e.weight))
        {
            return Err(bad(
                "state.since_event",
                "the rate since the last event must be finite, its weight in [0, 1]",
            ));
        }
        match (&state.phase, config.kind) {
            (PhaseState::Macro(_), SolverKind::Micro)
            | (PhaseState::Micro(_), SolverKind::Macro) => {
                return Err(bad(
                    "state.phase",
                    "the phase does not belong to the solver kind of the config",
                ));
            }
            (PhaseState::Macro(m), SolverKind::Macro | SolverKind::Multiscale)
                if m.config != config.macro_config || m.params != state.params =>
            {
                return Err(bad(
                    "state.phase",
                    "the density's settings differ from the run's solver.macro section",
                ));
            }
            (PhaseState::Micro(p), _)
                if MicroConfig {
                    particles: config.micro.particles,
                    ..p.config
                } != config.micro
                    || p.partition.global_particles != config.micro.particles
                    || p.params != state.params =>
            {
                return Err(bad(
                    "state.phase",
                    "the particles' settings differ from the run's solver.micro section",
                ));
            }
            _ => {}
        }
        let phase = match state.phase {
            PhaseState::Macro(s) => {
                Phase::Macro(MacroSolver::from_state_with(self.scheme.clone(), s)?)
            }
            PhaseState::Micro(s) => {
                // A whole network's state (a checkpoint) is cut to this part; a part's
                // state must be this part.
                let (partition, local) = share(&config, self.part)?;
                let s = if s.partition == partition && s.config.particles == local {
                    s
                } else {
                    s.part(partition, local)?
                };
                Phase::Micro(ParticleSystem::from_state_with_stepper(
                    s,
                    self.stepper.clone(),
                    self.parallelism,
                )?)
            }
        };
        if state.history.iter().any(|s| s.density.len() != grid.len()) {
            return Err(RunError::Invalid {
                field: "state.history",
                value: f64::NAN,
                reason: "a kept macro state does not match the grid".to_owned(),
            });
        }
        if state
            .history
            .iter()
            .any(|s| s.next_sample == 0 || !s.accumulated.is_finite())
        {
            return Err(bad(
                "state.history",
                "a kept macro state's sample clock is invalid",
            ));
        }
        let history: VecDeque<SnapshotState> = state.history.into_iter().collect();
        Ok(Simulation {
            params: state.params,
            input: state.input,
            config,
            policy: state.policy,
            scheme: self.scheme,
            stepper: self.stepper,
            reduction: self.reduction,
            parallelism: self.parallelism,
            part: self.part,
            grid,
            phase,
            history,
            trace: state.trace,
            segments: state.segments,
            spare: Vec::new(),
            accumulated: state.accumulated,
            next_sample: state.next_sample,
            density_every: config
                .density_interval
                .and_then(|d| multiple_of(d, config.sample_interval)),
            smoothed: state.smoothed,
            mfe_since_check: state.mfe_since_check,
            since_event: state.since_event,
            outcome: state.outcome,
            tail: state.tail,
        })
    }
}
