#![doc = include_str!("../README.md")]
//!
//! # Model
//!
//! The microscopic description of a noisy leaky integrate-and-fire network: `N_p`
//! neurons, each following
//!
//! ```text
//! dV_i = (-V_i + I(t)) dt + sqrt(2 a(N)) dW_i,        a(N) = a0 + a1 N,
//! ```
//!
//! firing at `V_F`, reset to `V_R`, and kicking every neuron that has not fired in the same
//! instant by `b / N_p`. For `b > 0` one spike can trigger a cascade (a multiple firing
//! event); it is resolved exactly inside the step as the smallest fixed point of the
//! cascade map (module [`cascade`]).
//!
//! - Steppers ([`Stepper`]): Euler–Maruyama, Euler–Maruyama with the Brownian-bridge
//!   crossing correction, exact Ornstein–Uhlenbeck transition with the bridge correction.
//! - Reproducibility: all randomness comes from one `u64` seed through one xoshiro256++
//!   stream per block of [`BLOCK_SIZE`] particles, in a fixed order; spike counts are
//!   reduced as integers in block order, so the result is bit-identical on any number of
//!   threads.
//! - Noise: the normal deviates of each chunk of particles are drawn in one batch, by a
//!   Box–Muller transform that the compiler vectorizes or, with
//!   [`MicroConfig::normals`] `= Ziggurat`, by a ziggurat whose common case it vectorizes
//!   (module [`normal`]: methods, accuracy, order of the draws).
//!
//! ```
//! use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
//! use nlif_model::{InitialDensity, Input, ModelParams};
//!
//! let params = ModelParams::default(); // a0 = 1, b = 0, V_F = 2, V_R = 1
//! let config = MicroConfig { particles: 2000, dt: 1e-2, stepper: Stepper::BrownianBridge, ..Default::default() };
//! let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.25 };
//! let mut net = ParticleSystem::builder(params, Input::None, config, 7)
//!     .parallelism(Parallelism::Sequential)
//!     .sample(&initial, -4.0)?;
//! let mut spikes = 0;
//! while net.time() < 5.0 {
//!     spikes += net.step().spikes;
//! }
//! assert!(spikes > 0);
//! assert!(net.voltages().all(|v| v < params.v_f));
//! # Ok::<(), nlif_micro::MicroError>(())
//! ```
//!
//! # Extension points
//!
//! - **Steppers.** [`SubthresholdStepper`] (freezes a step into a kernel) and
//!   [`SubthresholdStep`] (the kernel: one neuron, one step) are implemented outside the
//!   crate like inside it; [`ParticleSystemBuilder::stepper`] hands one to a
//!   [`ParticleSystem<S>`], which runs it monomorphised per block. See the [`stepper`]
//!   module and `examples/custom_stepper.rs`.
//! - **State.** [`ParticleSystem::state`] returns a [`ParticleState`] (serde) holding the
//!   clock as `(t_start, steps)`, the settled voltages, the rate, the cascade window and
//!   every block's stream; [`ParticleSystem::from_state`] continues the run bit for bit.
//! - **Parts of a network.** [`ParticleSystemBuilder::partition`] makes a system own the
//!   blocks of a [`Partition`] of a larger network: kick, rate, MFE fraction and cascade
//!   bounds use the global size, streams are those of the owned blocks, and
//!   [`ParticleSystem::step_with`] sums counts over the parts through a [`Reduction`]
//!   (`u64` counts and tallies, exact, so the split does not matter; [`ThreadGroup`]
//!   steps the parts on threads of one process).
//!   Parts stepped in lock-step reproduce the single system bit for bit.
//! - **Networks of populations.** [`ParticleNetwork`] (module [`network`]) holds every
//!   population of a `nlif_model::network::Network` as one particle system, the cascade
//!   resolved exactly across populations; one population is a [`ParticleSystem`] bit for
//!   bit.
//!
//! The crate does no I/O and never prints.

pub mod cascade;
mod config;
pub mod network;
pub mod normal;
pub mod raster;
mod state;
pub mod stepper;
mod system;

pub use cascade::{CascadeOutcome, Reduction, SingleProcess, ThreadGroup};
pub use config::{MAX_PART_PARTICLES, MAX_PARTICLES, MicroConfig, MicroError, Partition};
pub use network::{
    NetworkMfe, NetworkPart, NetworkStepReport, ParticleNetwork, ParticleNetworkBuilder,
    ParticleNetworkState, PopulationFired,
};
pub use raster::{Spike, SpikeRaster};
pub use state::{PARTICLE_STATE_VERSION, ParticleDynamics, ParticleState};
pub use stepper::{Coefficients, KernelVisitor, Stepper, SubthresholdStep, SubthresholdStepper};
pub use system::{BLOCK_SIZE, Mfe, Parallelism, ParticleSystem, ParticleSystemBuilder, StepReport};

/// The `rand` whose [`Rng`](rand::Rng) the API takes (`SubthresholdStep::advance`,
/// `normal::fill`, `stepper::standard_normal`): use it, not a `rand` of another version,
/// whose `Rng` is a different trait (error E0277).
pub use rand;
/// The generators of the particle system's random streams (`Xoshiro256PlusPlus`), in the
/// version that implements the `rand` above.
pub use rand_xoshiro;
