#![doc = include_str!("../README.md")]
//!
//! ## API map
//!
//! - [`Simulation`]: one run of the [`SolverKind::Macro`], [`SolverKind::Micro`] or
//!   [`SolverKind::Multiscale`] solver on a common output grid, with a [`Trace`] of rate
//!   samples, switches, multiple firing events and density snapshots;
//!   [`Simulation::builder`] ([`SimulationBuilder`]) injects the components, and
//!   [`Simulation::state`] / [`Simulation::from_state`] ([`SimulationState`]) save and
//!   continue a run.
//! - [`Driver`]: runs a simulation to its end with checkpoints ([`Checkpoint`]) on a
//!   schedule, an interrupt and an observer: the one run loop of every front end.
//! - [`preflight`] (and its allocation-free half [`plan`], with a [`MemoryEstimate`]):
//!   every check a run makes before it starts.
//! - [`SwitchingPolicy`]: when to switch ([`BuiltinPolicy`]: [`RateHysteresis`],
//!   [`FiringFraction`]).
//! - [`Observer`]: a hook to watch a run step by step and stop it ([`observe_with`] for a
//!   closure); [`Simulation::density`], [`Simulation::voltages`], [`Simulation::rate`] and
//!   [`Simulation::phase`] show it between steps.
//! - [`Phase`]: a description advancing the network ([`DensityPhase`], [`ParticlePhase`],
//!   [`DilatedPhase`]);
//!   [`Schedule::of`] maps a solver kind to its phases; [`Start`] starts a run from a
//!   density, particle voltages or a phase of the caller's.
//!
//! ## Extension points
//!
//! | what | trait | from crate | promise |
//! |---|---|---|---|
//! | switching | [`SwitchingPolicy`] | here | decisions depend only on what it is shown and its own state; it checks the settings it reads |
//! | phase | [`Phase`] | here | time grows by `dt` per advanced step; deterministic given its state and the sums it is given |
//! | flux scheme | [`fp_macro::FluxScheme`] | `fp-macro` | weights `(A, B)` of a two-point flux at a cell Péclet number |
//! | stepper | [`nlif_micro::SubthresholdStepper`] | `nlif-micro` | a frozen per-step kernel for one neuron |
//! | reduction | [`nlif_micro::Reduction`] | `nlif-micro` | sums over every part of a partitioned network, in block order |

mod components;
mod config;
mod driver;
mod observer;
pub mod phase;
mod policy;
mod preflight;
mod simulation;
mod trace;

pub use components::{Builtin, Components, Identity, With, WithPolicy};
pub use config::{
    BlowUpWatch, MAX_RASTER, MAX_STEPS, Policy, RunConfig, RunError, SolverKind, SwitchingConfig,
};
pub use driver::{Checkpoint, DriveError, Driver, Finish, Save};
pub use observer::{Event, FnObserver, Observer, StepView, observe_with};
pub use phase::{DensityPhase, DilatedPhase, ParticlePhase, Phase, PhaseState, Schedule};
pub use policy::{
    BuiltinPolicy, DensityView, FiringFraction, QuietWindow, RateHysteresis, SwitchingPolicy,
    policy_from,
};
pub use preflight::{MemoryEstimate, Preflight, plan, preflight};
pub use simulation::{
    DensityMemory, ParticleMemory, Problem, SIMULATION_STATE_VERSION, Simulation,
    SimulationBuilder, SimulationState, Start,
};
pub use trace::{
    DensitySnapshot, MASS_TOLERANCE, Mode, Outcome, RateCrossing, Sample, Switch, SwitchReason,
    Trace, UNRESOLVED_FRACTION,
};

/// The states of a [`Simulation`]'s parts, of which a [`SimulationState`] is composed.
pub mod state {
    pub use crate::simulation::{
        ClockState, DensityMemory, MonitorState, SinceEvent, SnapshotState, Tail,
    };
}
