#![doc = include_str!("../README.md")]

pub use coupling;
pub use fp_macro;
pub use multiscale;
pub use nlif_micro;
pub use nlif_model;

/// The `rand` the solvers take their generators from (`nlif_micro::rand`, which is
/// `coupling::rand` too): its `Rng` is the bound of
/// [`coupling::sample`] and of [`nlif_micro::SubthresholdStep::advance`].
pub use nlif_micro::rand;
/// The xoshiro generators of the `rand` above (the particle system's own streams are
/// `Xoshiro256PlusPlus`): a generator for [`coupling::sample`] without a dependency of
/// your own.
pub use nlif_micro::rand_xoshiro;

pub use multiscale::Simulation;

/// What one run needs: the model, the settings of each solver, the run and its record.
///
/// ```
/// use nlif_sim::prelude::*;
///
/// let config = RunConfig { kind: SolverKind::Micro, t_end: 0.01, ..RunConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut run = Simulation::new(ModelParams::default(), Input::None, &initial, config, Parallelism::Sequential)?;
/// assert!(run.run(&mut ())?.is_completed());
/// # Ok::<(), RunError>(())
/// ```
pub mod prelude {
    pub use fp_macro::{MacroConfig, Scheme};
    pub use multiscale::{
        DensityView, Driver, Event, Finish, Observer, Outcome, Problem, RunConfig, RunError,
        Simulation, SimulationState, SolverKind, Start, SwitchingConfig, SwitchingPolicy, Trace,
        observe_with,
    };
    pub use nlif_micro::{MicroConfig, Parallelism, Stepper};
    pub use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};
}
