//! Shared set-up of the multi-scale tests.

use fp_macro::MacroConfig;
use multiscale::{RunConfig, Simulation, SolverKind, SwitchingConfig, Trace};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};

/// A run configuration with the given solver, particles and end time; dt = 1e-3 for both
/// solvers, h = 0.02 on [-4, 2], samples every 0.01.
pub(crate) fn config(kind: SolverKind, particles: usize, t_end: f64, seed: u64) -> RunConfig {
    RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles,
            dt: 1e-3,
            ..MicroConfig::default()
        },
        switching: SwitchingConfig::default(),
        t_end,
        seed,
        sample_interval: 1e-2,
        density_interval: None,
        ..RunConfig::default()
    }
}

/// Runs to the end and returns the trace; panics on any error or unexpected outcome.
pub(crate) fn run(b: f64, input: Input, initial: InitialDensity, config: RunConfig) -> Trace {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let mut simulation =
        Simulation::new(params, input, &initial, config, Parallelism::Rayon).unwrap();
    let outcome = simulation.run(&mut ()).unwrap();
    assert_eq!(outcome.as_str(), "completed");
    simulation.into_trace()
}

/// Mean and sample standard deviation.
pub(crate) fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}
