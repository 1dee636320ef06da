//! A phase: the description advancing the network between two hand-overs.
//!
//! A [`Simulation`](crate::Simulation) advances one phase at a time and knows phases only
//! through [`Phase`]: the density ([`DensityPhase`]) and the particles
//! ([`ParticlePhase`]) are its two built-in implementations. The solver kind maps to a
//! schedule in one place ([`Schedule::of`]): which phase starts, and whether a refused
//! step hands over to the other description or ends the run. A new kind of phase (a
//! frozen density, a reduced model) is one `impl Phase` started with
//! [`SimulationBuilder::start_with`](crate::SimulationBuilder::start_with).

pub use coupling::Estimator;
use fp_macro::{DensityDynamics, Grid, NetworkState};
use nlif_micro::{Mfe, Parallelism, ParticleDynamics, ParticleNetworkState, SpikeRaster};
use nlif_model::ModelParams;
use nlif_model::network::Network;
use serde::{Deserialize, Serialize};

use crate::Components;
use crate::config::{RunError, SolverKind};
use crate::simulation::{DensityMemory, ParticleMemory};
use crate::trace::{Mode, SwitchReason};

mod density;
mod density_network;
mod dilated;
mod particle_network;
mod particles;

pub use density::DensityPhase;
pub use density_network::DensityNetworkPhase;
pub use dilated::DilatedPhase;
pub(crate) use dilated::{dilated_phase, refuse_dilated, refuse_for_dilated};
pub use particle_network::ParticleNetworkPhase;
pub use particles::ParticlePhase;

/// The state of the description advancing the network: what changes over the run (the
/// problem is the simulation's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PhaseState {
    /// The density.
    Macro(DensityDynamics),
    /// The particles (this part's, or the whole network's in a checkpoint).
    Micro(ParticleDynamics),
    /// The densities of a network of several populations.
    MacroNetwork(NetworkState),
    /// The particles of a network of several populations (this part's, or the whole
    /// network's in a checkpoint).
    MicroNetwork(ParticleNetworkState),
}

/// What a phase may use during a step besides itself: the model, the grid, the
/// parallelism, the reduction over the parts of a distributed run, and the largest rate
/// the policy allows this step.
#[non_exhaustive]
pub struct Env<'a, C: Components> {
    /// The model (of one population; for a network of several, the first population's
    /// own parameters, which the network's phases do not read).
    pub params: &'a ModelParams,
    /// The network: its populations and the coupling between them.
    pub network: &'a Network,
    /// The grid of the density and of every estimate (of the first population).
    pub grid: &'a Grid,
    /// Each population's grid (one for a single population: `grid`).
    pub grids: &'a [Grid],
    /// The populations' rates an estimate of a network's densities sets the kinks at the
    /// resets with (empty but for an estimate of a network of several populations).
    pub rates: &'a [f64],
    /// The largest rate of each population this step may produce, for a network of
    /// several populations (empty otherwise: `bound`).
    pub bounds: &'a [f64],
    /// How the particle blocks are processed.
    pub parallelism: Parallelism,
    /// Sums over the parts of a distributed run.
    pub reduction: &'a mut C::Reduction,
    /// The largest rate this step may produce (`∞` but in a density phase of a run that
    /// can switch).
    pub bound: f64,
    /// The sampled neurons whose spikes a particle phase records in its step
    /// (`step_recording`), if the run records any; the run moves them into its trace.
    pub raster: Option<&'a mut SpikeRaster>,
}

/// What one step of a phase did.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Stepped {
    /// The phase advanced by one step.
    Advanced {
        /// The step's mean firing rate.
        rate: f64,
        /// The density's mass after the step, for a phase that holds one (checked against
        /// [`MASS_TOLERANCE`](crate::MASS_TOLERANCE)).
        mass: Option<f64>,
        /// The multiple firing events of the step.
        mfes: [Option<Mfe>; 2],
    },
    /// The phase cannot take the step (it did not advance): the run hands over to the
    /// other description, from a state kept `rollback` before if `rollback`, or ends.
    Refused {
        /// Why.
        reason: SwitchReason,
        /// Whether the hand-over should start from a state kept before (the phase's
        /// recent states are suspect).
        rollback: bool,
    },
    /// The phase advanced but broke an invariant (non-finite values): the run ends.
    Invalid {
        /// The step's rate, as far as it was counted.
        rate: f64,
    },
}

/// One description of the network, advanced step by step.
///
/// What an implementation promises: `time()` grows by `dt()` at each advanced step and
/// only then; `step` is deterministic given the phase's state and `env` (the same on every
/// part of a distributed run, whose counts it sums through `env.reduction`); `estimate`
/// does not change what the phase will compute. A phase is `Send`, so that a run can move
/// to another thread (a front end's worker; an extension that releases Python's GIL).
pub trait Phase<C: Components>: Send {
    /// Which description this is (what the samples record).
    fn mode(&self) -> Mode;
    /// The current time.
    fn time(&self) -> f64;
    /// The step.
    fn dt(&self) -> f64;
    /// Steps taken since the phase started (a switch-down is decided every
    /// [`RunConfig::switch_check_every`](crate::RunConfig::switch_check_every) of them).
    fn steps(&self) -> u64;
    /// The current firing rate (of the whole network).
    fn rate(&self) -> f64;
    /// The current firing rate of each population, for a phase of a network of several
    /// populations; empty (the default) for one population, whose rate is
    /// [`rate`](Phase::rate).
    fn population_rates(&self) -> &[f64] {
        &[]
    }
    /// One step.
    fn step(&mut self, env: &mut Env<'_, C>) -> Stepped;
    /// The fraction of each population that fired in event `which` (`0` or `1`, the
    /// index in [`Stepped::Advanced`]'s `mfes`) of the last step, for a phase of a
    /// network of several populations; empty (the default) otherwise.
    fn mfe_fractions(&self, which: usize) -> &[f64] {
        let _ = which;
        &[]
    }
    /// The density on the grid, for a phase that holds one density (one population).
    fn density(&self) -> Option<&[f64]> {
        None
    }
    /// Population `alpha`'s density on its own grid, for a phase that holds the
    /// densities of a network of several populations (`None`, the default, otherwise).
    fn population_density(&self, alpha: usize) -> Option<&[f64]> {
        let _ = alpha;
        None
    }
    /// What the phase remembers beyond its densities (each population's refractory
    /// compartment and the rate histories its delays read), for a density phase of a
    /// network that has either; `None` (the default) otherwise. The hand-over to particles
    /// and the rollback ring carry it.
    fn density_memory(&self) -> Option<DensityMemory> {
        None
    }
    /// What the phase remembers beyond its voltages (the neurons away by passes left, the
    /// spikes the delays still deliver), summed over the parts through `env.reduction`,
    /// for a particle phase of a network that has either; `None` (the default) otherwise.
    /// Every part calls it at the same point of the run.
    fn particle_memory(&mut self, env: &mut Env<'_, C>) -> Option<ParticleMemory> {
        let _ = env;
        None
    }
    /// The particle voltages held (this part's), pending kicks applied, for a phase of
    /// particles.
    fn voltages(&mut self) -> Option<&[f64]> {
        None
    }
    /// An estimate of the density on the grid into `out` (a phase's own density, or an
    /// estimate from particles by `estimator`, given the `rate` that sets the kink at the
    /// reset); returns the estimator's bandwidth (0 for a density). A phase of a network
    /// of several populations writes every population's density on its own grid
    /// (`env.grids`), one after the other, the kinks set by `env.rates`, and returns the
    /// largest bandwidth.
    ///
    /// # Errors
    ///
    /// A failed estimate ([`RunError::Coupling`]).
    fn estimate(
        &mut self,
        env: &mut Env<'_, C>,
        estimator: Estimator,
        rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError>;
    /// The phase's savable state (`None`: this phase cannot be saved).
    fn state(&self) -> Option<PhaseState>;
    /// Gives back the phase's large buffer for reuse by the next phase (the particles'
    /// voltages, whose pages are mapped).
    fn into_buffer(self: Box<Self>) -> Vec<f64> {
        Vec::new()
    }
}

/// What a solver kind runs: the phase it starts with, and whether a refused density step
/// hands over to particles (and the particles back) or ends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The description at `t = 0`.
    pub start: Mode,
    /// Whether the run switches between the descriptions.
    pub switching: bool,
}

impl Schedule {
    /// The schedule of `kind`: the one place that maps a solver kind to its phases.
    pub fn of(kind: SolverKind) -> Self {
        match kind {
            SolverKind::Macro => Schedule {
                start: Mode::Macro,
                switching: false,
            },
            SolverKind::Micro => Schedule {
                start: Mode::Micro,
                switching: false,
            },
            SolverKind::Multiscale => Schedule {
                start: Mode::Macro,
                switching: true,
            },
            SolverKind::Dilated => Schedule {
                start: Mode::Macro,
                switching: false,
            },
        }
    }
}
