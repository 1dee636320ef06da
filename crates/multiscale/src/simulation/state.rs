//! The savable state of a run: everything needed to continue it bit for bit.
//!
//! A [`SimulationState`] is composed of the parts' states: the phase's own state (the
//! density with its clock, or the particles with their clock, per-block random streams
//! and pending kick), the sample clock, the rollback ring, the rate monitor, the policy,
//! the hand-overs' count and the trace. It holds what changes over a run, not the problem
//! (model, input, settings): that is given back at restore, and a fingerprint of it in
//! the state refuses another. Restored with [`Simulation::from_state`] (or
//! [`SimulationBuilder::resume`] with custom components), the run continues exactly as if
//! it had never stopped: the same steps, the same random numbers, the same samples, on
//! any number of threads — or the restore is refused: a state whose bits changed (a
//! checksum), one written by other components (their identity) or for another problem
//! never continues silently.

use fp_macro::{DensityNetwork, Grid, MacroSolver, MacroState};
use nlif_micro::{NetworkPart, ParticleNetwork, ParticleState, ParticleSystem};
use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use super::clock::{ClockState, SampleClock};
use super::fingerprint::fingerprint;
use super::handover::{HandOvers, share};
use super::monitor::MonitorState;
use super::network::network_grids;
use super::ring::{RollbackRing, SnapshotState};
use super::{Problem, Simulation, SimulationBuilder};
use crate::components::{Components, Identity, With, WithPolicy};
use crate::config::{RunError, SolverKind};
use crate::phase::{
    DensityNetworkPhase, ParticleNetworkPhase, ParticlePhase, Phase, PhaseState, Schedule,
};
use crate::policy::SwitchingPolicy;
use crate::trace::{Outcome, Trace};

/// The version of [`SimulationState`]'s layout; a state of another version is refused
/// (9: a population carries its `prior_rate`; 10: the particle settings their generator of
/// normal deviates, `solver.micro.normals`).
pub const SIMULATION_STATE_VERSION: u32 = 10;

/// Everything a [`Simulation`] needs to continue bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimulationState<P> {
    /// [`SIMULATION_STATE_VERSION`] when written.
    pub version: u32,
    /// The components that wrote it.
    pub identity: Identity,
    /// FNV-1a of the state's bits (its postcard encoding with this field 0): a state
    /// that did not survive its format exactly (JSON without exact floats) is refused.
    pub checksum: u64,
    /// FNV-1a of the problem's bits (network and settings, [`Problem`]): the
    /// problem is given back at restore, and another one is refused.
    pub problem: u64,
    /// The switching policy with its state.
    pub policy: P,
    /// The density or the particles.
    pub phase: PhaseState,
    /// The sample clock.
    pub clock: ClockState,
    /// The macro states kept for a rollback, oldest first.
    pub ring: Vec<SnapshotState>,
    /// The rate monitor of the particle phases.
    pub monitor: MonitorState,
    /// Particle phases started so far (each has its own random streams).
    pub segments: u64,
    /// The record so far.
    pub trace: Trace,
    /// How the run ended, if it has.
    pub outcome: Option<Outcome>,
}

impl<P: Serialize> SimulationState<P> {
    /// The checksum of the state's bits, [`SimulationState::checksum`] left out.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `state.policy` if the policy cannot be encoded.
    pub fn compute_checksum(&self) -> Result<u64, RunError> {
        #[derive(Serialize)]
        struct Bits<'a, P> {
            version: u32,
            identity: &'a Identity,
            problem: u64,
            policy: &'a P,
            phase: &'a PhaseState,
            clock: &'a ClockState,
            ring: &'a [SnapshotState],
            monitor: &'a MonitorState,
            segments: u64,
            trace: &'a Trace,
            outcome: &'a Option<Outcome>,
        }
        let bits = Bits {
            version: self.version,
            identity: &self.identity,
            problem: self.problem,
            policy: &self.policy,
            phase: &self.phase,
            clock: &self.clock,
            ring: &self.ring,
            monitor: &self.monitor,
            segments: self.segments,
            trace: &self.trace,
            outcome: &self.outcome,
        };
        postcard::serialize_with_flavor(&bits, Fnv1a::new()).map_err(|e| RunError::Invalid {
            field: "state.policy",
            value: f64::NAN,
            reason: format!("the state cannot be encoded: {e}"),
        })
    }

    /// The same state with another phase state, checksummed anew: for a deliberate
    /// change, such as the whole network's particles joined from the parts of a
    /// distributed run ([`nlif_micro::ParticleState::join`]) for one checkpoint.
    ///
    /// # Errors
    ///
    /// As [`SimulationState::compute_checksum`].
    pub fn with_phase(mut self, phase: PhaseState) -> Result<Self, RunError> {
        self.phase = phase;
        self.checksum = self.compute_checksum()?;
        Ok(self)
    }
}

/// FNV-1a, 64 bits, of the postcard encoding as it is produced (no buffer: a state of
/// `10^7` particles is hashed without a copy of its 80 MB): a checksum against changed
/// bits, not against an adversary.
pub(super) struct Fnv1a(u64);

impl Fnv1a {
    pub(super) fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl postcard::ser_flavors::Flavor for Fnv1a {
    type Output = u64;
    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        Ok(())
    }
    fn finalize(self) -> postcard::Result<u64> {
        Ok(self.0)
    }
}

impl<C: Components> Simulation<C>
where
    C::Policy: Clone + Serialize,
{
    /// The run's state: save it (any serde format that round-trips `f64`, e.g. RON, or
    /// JSON with `serde_json`'s `float_roundtrip`), restore it with
    /// [`Simulation::from_state`] or [`SimulationBuilder::resume`]. Taking it does not
    /// change the run.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `phase` for a phase that cannot be saved (a custom
    /// one without a state), `state.policy` for a policy that cannot be encoded.
    pub fn state(&self) -> Result<SimulationState<C::Policy>, RunError> {
        let phase = self.phase.state().ok_or_else(|| RunError::Invalid {
            field: "phase",
            value: f64::NAN,
            reason: "this phase has no savable state".to_owned(),
        })?;
        let mut state = SimulationState {
            version: SIMULATION_STATE_VERSION,
            identity: Identity::of::<C>(&self.scheme, &self.stepper),
            checksum: 0,
            problem: fingerprint(&self.problem),
            policy: self.policy.clone(),
            phase,
            clock: self.clock.state.clone(),
            ring: self.ring.snapshots.iter().cloned().collect(),
            monitor: self.monitor.clone(),
            segments: self.handovers.segments,
            trace: self.trace.clone(),
            outcome: self.outcome,
        };
        state.checksum = state.compute_checksum()?;
        Ok(state)
    }
}

impl<P: SwitchingPolicy + Serialize> Simulation<With<P>> {
    /// Continues a run of `problem` with the built-in scheme, stepper and reduction from
    /// a saved state (see [`Simulation::state`]); the policy is the state's.
    ///
    /// # Errors
    ///
    /// As [`SimulationBuilder::resume`].
    pub fn from_state(
        problem: Problem,
        state: SimulationState<P>,
        parallelism: nlif_micro::Parallelism,
    ) -> Result<Self, RunError> {
        Simulation::for_problem(problem)
            .parallelism(parallelism)
            .resume(state)
    }
}

fn bad(field: &'static str, reason: impl Into<String>) -> RunError {
    RunError::Invalid {
        field,
        value: f64::NAN,
        reason: reason.into(),
    }
}

impl<C: Components> SimulationBuilder<C> {
    /// Continues a run from a saved state with this builder's scheme, stepper, reduction
    /// and parallelism (any number of threads gives the same results); the policy and its
    /// state come from the state.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `state.version` for a state of another layout
    /// version; `state.checksum` for a state whose bits changed since it was taken;
    /// `state.problem` for a state of another model, input or settings than this
    /// builder's; `state.identity` for a state written by another policy type, scheme or
    /// stepper; `state.clock`, `state.ring` or `state.monitor` for parts that cannot be
    /// reached; the checks of the settings and of the phase's own state.
    pub fn resume<Q: SwitchingPolicy + Serialize>(
        self,
        state: SimulationState<Q>,
    ) -> Result<Simulation<WithPolicy<C, Q>>, RunError> {
        if state.version != SIMULATION_STATE_VERSION {
            return Err(RunError::Invalid {
                field: "state.version",
                value: f64::from(state.version),
                reason: format!(
                    "this program reads simulation states of version {SIMULATION_STATE_VERSION}; a state of another version continues only with the program that wrote it"
                ),
            });
        }
        let checksum = state.compute_checksum()?;
        if checksum != state.checksum {
            return Err(bad(
                "state.checksum",
                format!(
                    "the state's bits changed since it was taken (checksum {checksum:#018x}, recorded {:#018x}): save states in a format that keeps every f64 exactly (RON, postcard, or JSON with serde_json's float_roundtrip)",
                    state.checksum
                ),
            ));
        }
        let problem = &self.problem;
        if fingerprint(problem) != state.problem {
            return Err(bad(
                "state.problem",
                "the state was taken in a run of another model, input or settings than this builder's",
            ));
        }
        let identity = Identity::of::<WithPolicy<C, Q>>(&self.scheme, &self.stepper);
        if identity != state.identity {
            return Err(bad(
                "state.identity",
                format!(
                    "the state was written by {:?} and would continue with {identity:?}: restore it with the components that wrote it",
                    state.identity
                ),
            ));
        }
        let config = problem.config;
        crate::phase::refuse_for_dilated(problem)?;
        let schedule = Schedule::of(config.kind);
        if problem.runs_as_network() {
            let grids = network_grids(&problem.network, None, &config, |switching| {
                if schedule.switching {
                    state.policy.validate(switching)
                } else {
                    Ok(())
                }
            })?;
            return self.resume_network(state, grids);
        }
        let (params, input) = problem.single_population()?;
        params.validate()?;
        input.validate()?;
        config.validate_run()?;
        if schedule.switching {
            state.policy.validate(&config.switching)?;
        }
        let grid = Grid::for_model(&params, config.macro_config.v_min, config.macro_config.dv)?;
        check_parts(&state, problem, grid.len())?;
        let phase: Box<dyn Phase<WithPolicy<C, Q>>> = match &state.phase {
            PhaseState::Macro(d) => {
                let s = MacroState::from_dynamics(params, input, config.macro_config, d.clone());
                let solver = MacroSolver::from_state_with(self.scheme.clone(), s)?;
                crate::phase::dilated_phase(&config, solver)?
            }
            PhaseState::Micro(d) => {
                let s = ParticleState::from_dynamics(params, input, config.micro, d.clone());
                // A whole network's state (a checkpoint) is cut to this part; a part's
                // state must be this part.
                let (partition, local) = share(&config, self.part)?;
                let s = if s.partition == partition && s.config.particles == local {
                    s
                } else {
                    s.part(partition, local)?
                };
                Box::new(ParticlePhase(ParticleSystem::from_state_with_stepper(
                    s,
                    self.stepper.clone(),
                    self.parallelism,
                )?))
            }
            PhaseState::MacroNetwork(_) | PhaseState::MicroNetwork(_) => {
                return Err(bad(
                    "state.phase",
                    "the state holds a network of several populations; the problem has one",
                ));
            }
        };
        let parts = Parts {
            params,
            input,
            grids: vec![grid],
            phase,
        };
        Ok(self.assemble(state, parts))
    }

    /// A run of a network of several populations from its saved state, each population
    /// on its grid of `grids`.
    fn resume_network<Q: SwitchingPolicy + Serialize>(
        self,
        state: SimulationState<Q>,
        grids: Vec<Grid>,
    ) -> Result<Simulation<WithPolicy<C, Q>>, RunError> {
        let cells = grids.iter().map(Grid::len).sum();
        check_parts(&state, &self.problem, cells)?;
        let network = &self.problem.network;
        let foreign = || {
            bad(
                "state.phase",
                "the phase holds another network than the problem's",
            )
        };
        let phase: Box<dyn Phase<WithPolicy<C, Q>>> = match &state.phase {
            PhaseState::MacroNetwork(d) => {
                if &d.network != network {
                    return Err(foreign());
                }
                let densities = DensityNetwork::from_state_with(self.scheme.clone(), d.clone())?;
                Box::new(DensityNetworkPhase(densities))
            }
            PhaseState::MicroNetwork(d) => {
                if &d.network != network {
                    return Err(foreign());
                }
                // A whole network's state (a checkpoint) is cut to this part.
                let part = NetworkPart {
                    index: self.part.0,
                    parts: self.part.1,
                };
                let d = if d.part == part {
                    d.clone()
                } else {
                    d.part(part)?
                };
                let particles = ParticleNetwork::from_state_with_stepper(
                    d,
                    self.stepper.clone(),
                    self.parallelism,
                )?;
                Box::new(ParticleNetworkPhase::new(particles))
            }
            PhaseState::Macro(_) | PhaseState::Micro(_) => {
                return Err(bad(
                    "state.phase",
                    "the state holds one population; the problem is a network of several",
                ));
            }
        };
        let parts = Parts {
            params: network.own_params(0),
            input: network.populations[0].input,
            grids,
            phase,
        };
        Ok(self.assemble(state, parts))
    }

    /// The simulation of a restored state.
    fn assemble<Q: SwitchingPolicy + Serialize>(
        self,
        state: SimulationState<Q>,
        parts: Parts<WithPolicy<C, Q>>,
    ) -> Simulation<WithPolicy<C, Q>> {
        let problem = self.problem;
        let config = problem.config;
        let schedule = Schedule::of(config.kind);
        let Parts {
            params,
            input,
            grids,
            phase,
        } = parts;
        let bounds = if grids.len() > 1 {
            vec![f64::INFINITY; grids.len()]
        } else {
            Vec::new()
        };
        let grid = grids[0];
        Simulation {
            raster: super::raster::raster_of(&problem),
            problem,
            params,
            input,
            policy: state.policy,
            scheme: self.scheme,
            stepper: self.stepper,
            reduction: self.reduction,
            parallelism: self.parallelism,
            part: self.part,
            schedule,
            grid,
            grids,
            bounds,
            phase,
            clock: SampleClock::new(&config, state.clock),
            ring: RollbackRing::new(&config, schedule.switching, state.ring),
            monitor: state.monitor,
            handovers: HandOvers {
                segments: state.segments,
                spare: Vec::new(),
            },
            trace: state.trace,
            outcome: state.outcome,
            stop: false,
        }
    }
}

/// What a restored run is made of besides the state's parts.
struct Parts<C: Components> {
    params: ModelParams,
    input: Input,
    grids: Vec<Grid>,
    phase: Box<dyn Phase<C>>,
}

/// The parts of `state` are ones a run of `problem` can reach.
fn check_parts<P>(
    state: &SimulationState<P>,
    problem: &Problem,
    cells: usize,
) -> Result<(), RunError> {
    let config = &problem.config;
    // What a network of several populations records per population; nothing for one.
    let p = if problem.network.len() > 1 {
        problem.network.len()
    } else {
        0
    };
    let clock = &state.clock;
    if clock.populations.len() != p || clock.populations.iter().any(|x| !x.is_finite()) {
        return Err(bad(
            "state.clock",
            format!(
                "the clock must hold {p} finite population rates (one per population of a network of several)"
            ),
        ));
    }
    let trace = &state.trace;
    if trace.populations.len() != p
        || trace.population_rates.len() != p * trace.samples.len()
        || trace.mfe_fractions.len() != p * trace.mfes.len()
    {
        return Err(bad(
            "state.trace",
            "the record's populations do not match the network's",
        ));
    }
    if state.clock.next_sample == 0 || !state.clock.accumulated.is_finite() {
        return Err(bad(
            "state.clock",
            "the first sample index is 1, the accumulated rate finite",
        ));
    }
    if let Some(e) = state.monitor.since_event
        && !e.is_valid()
    {
        return Err(bad(
            "state.monitor",
            "the rate since the last event must be finite, its weight in [0, 1]",
        ));
    }
    // A kept state holds the rates of the density phase: a network phase's (one per
    // population, also of one population with a period or a delay) or none.
    let phase_rates = if problem.runs_as_network() {
        problem.network.len()
    } else {
        0
    };
    if state.ring.iter().any(|s| {
        s.density.len() != cells
            || s.next_sample == 0
            || !s.accumulated.is_finite()
            || s.populations.len() != p
            || s.rates.len() != phase_rates
    }) {
        return Err(bad(
            "state.ring",
            "a kept macro state does not match the grid or the clock",
        ));
    }
    let cells_recorded = trace.population_cells.iter().sum::<usize>();
    let monitored = state.monitor.populations.len();
    // The network's phases (also of one population with a period or a delay) record
    // each population's grid and monitor each population's rate.
    if trace.population_cells.len() != phase_rates
        || (phase_rates > 0 && cells_recorded != cells)
        || !(monitored == 0 || monitored == phase_rates)
    {
        return Err(bad(
            "state.trace",
            "the record's or the monitor's populations do not match the network's grids",
        ));
    }
    let micro = matches!(
        state.phase,
        PhaseState::Micro(_) | PhaseState::MicroNetwork(_)
    );
    let kind = config.kind;
    match (&state.phase, kind) {
        _ if (micro && kind == SolverKind::Macro) || (!micro && kind == SolverKind::Micro) => {
            Err(bad(
                "state.phase",
                "the phase does not belong to the solver kind of the config",
            ))
        }
        (PhaseState::Micro(p), _) if p.partition.global_particles != config.micro.particles => {
            Err(bad(
                "state.phase",
                "the particles held are not a part of solver.micro.particles",
            ))
        }
        _ => Ok(()),
    }
}
