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
//! - [`preflight`] (and its allocation-free half [`plan`], with a [`MemoryEstimate`]):
//!   every check a run makes before it starts.
//! - [`SwitchingPolicy`]: when to switch ([`BuiltinPolicy`]: [`RateHysteresis`],
//!   [`FiringFraction`]).
//! - [`Observer`]: a hook to watch a run as it happens (the library never prints).
//!
//! ## Extension points
//!
//! | what | trait | from crate | promise |
//! |---|---|---|---|
//! | switching | [`SwitchingPolicy`] | here | the bound is a pure function of `dt` and the state; the state changes only in `enter_micro`, `burst_over` and `settled_after_event` |
//! | flux scheme | [`fp_macro::FluxScheme`] | `fp-macro` | weights `(A, B)` of a two-point flux at a cell Péclet number |
//! | stepper | [`nlif_micro::SubthresholdStepper`] | `nlif-micro` | a frozen per-step kernel for one neuron |
//! | reduction | [`nlif_micro::Reduction`] | `nlif-micro` | sums over every part of a partitioned network, in block order |

mod config;
mod policy;
mod preflight;
mod simulation;
mod trace;

pub use config::{
    BlowUpWatch, MAX_STEPS, Policy, RunConfig, RunError, SolverKind, SwitchingConfig,
};
pub use policy::{
    BuiltinPolicy, FiringFraction, QuietWindow, RateHysteresis, SwitchingPolicy, policy_from,
};
pub use preflight::{MemoryEstimate, Preflight, plan, preflight};
pub use simulation::{
    PhaseState, SIMULATION_STATE_VERSION, Simulation, SimulationBuilder, SimulationState,
    SinceEvent, SnapshotState, Tail, tidy_time,
};
pub use trace::{
    DensitySnapshot, Event, MASS_TOLERANCE, Mode, Observer, Outcome, RateCrossing, Sample, Switch,
    SwitchReason, Trace, UNRESOLVED_FRACTION,
};
