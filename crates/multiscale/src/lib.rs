//! # multiscale
//!
//! The synchronization-capturing multi-scale solver of a noisy leaky integrate-and-fire
//! network (Du, Xie & Zhou, arXiv:2305.05915; our design of it in docs/model.md §4): the
//! mean-field Fokker–Planck density (`fp-macro`) advances the network while it fires
//! asynchronously; when the mean-field rate tends to blow up, `N_p` particles
//! (`nlif-micro`) sampled from a density kept from before the trigger take over and
//! resolve the synchronous burst exactly; when the burst is over, the particles are turned
//! back into a density (`coupling`).
//!
//! - [`Simulation`]: one run of the [`SolverKind::Macro`], [`SolverKind::Micro`] or
//!   [`SolverKind::Multiscale`] solver on a common output grid, with a [`Trace`] of rate
//!   samples, switches, multiple firing events and density snapshots.
//! - [`SwitchingPolicy`]: when to switch ([`RateHysteresis`], [`FiringFraction`]).
//! - [`Observer`]: a hook to watch a run as it happens (the library never prints).
//!
//! ```
//! use multiscale::{RunConfig, Simulation, SolverKind, SwitchingConfig};
//! use fp_macro::MacroConfig;
//! use nlif_micro::{MicroConfig, Parallelism};
//! use nlif_model::{InitialDensity, Input, ModelParams};
//!
//! // Blow-up A, shortened: b = 3 from a Gaussian at -1. The density blows up near t = 3.4;
//! // particles take over and resolve the synchronous burst.
//! let params = ModelParams { b: 3.0, ..ModelParams::default() };
//! let config = RunConfig {
//!     kind: SolverKind::Multiscale,
//!     macro_config: MacroConfig { dt: 1e-3, ..MacroConfig::default() },
//!     micro: MicroConfig { particles: 5_000, dt: 1e-3, ..MicroConfig::default() },
//!     switching: SwitchingConfig::default(),
//!     t_end: 3.6,
//!     seed: 1,
//!     sample_interval: 1e-2,
//!     ..RunConfig::default()
//! };
//! let initial = InitialDensity::Gaussian { mean: -1.0, var: 0.5 };
//! let mut run = Simulation::new(params, Input::None, &initial, config, Parallelism::Sequential)?;
//! let outcome = run.run(&mut ())?;
//! assert_eq!(outcome.as_str(), "completed");
//! let trace = run.trace();
//! assert_eq!(trace.switches[0].reason.as_str(), "rate_above_bound");
//! assert!(!trace.mfes.is_empty());
//! # Ok::<(), multiscale::RunError>(())
//! ```

mod config;
mod policy;
mod preflight;
mod simulation;
mod trace;

pub use config::{
    BlowUpWatch, MAX_STEPS, Policy, RunConfig, RunError, SolverKind, SwitchingConfig,
};
pub use policy::{FiringFraction, RateHysteresis, SwitchingPolicy, policy_from};
pub use preflight::{MemoryEstimate, Preflight, plan, preflight};
pub use simulation::Simulation;
pub use trace::{
    DensitySnapshot, Event, MASS_TOLERANCE, Mode, Observer, Outcome, RateCrossing, Sample, Switch,
    SwitchReason, Trace,
};
