//! The setup the particle benchmarks share (`micro_step.rs`, `raster.rs`, `refractory.rs`,
//! `floor.rs`).

use nlif_micro::normal::Normals;
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams, Refractory};

/// One population of `particles` neurons with coupling `b` (the other parameters at their
/// defaults), no input, `dt = 1e-3` with `stepper`, the refractory period `refractory`
/// (`Refractory::None`: the step without one), sampled from the benchmarks' initial
/// density (Gaussian, mean -1, variance 0.5) and relaxed to `t = 2` (`b <= 1`) or brought
/// to `t = 3.2`, just before the first burst (`b = 3`, which comes near `t = 3.4`); the
/// normal deviates drawn by `normals`.
pub(crate) fn relaxed(
    b: f64,
    particles: usize,
    stepper: Stepper,
    refractory: Refractory,
    normals: Normals,
) -> ParticleSystem {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let config = MicroConfig {
        particles,
        dt: 1e-3,
        stepper,
        normals,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -1.0,
        var: 0.5,
    };
    let mut net = ParticleSystem::builder(params, Input::None, config, 1)
        .refractory(refractory)
        .parallelism(Parallelism::Rayon)
        .sample(&initial, -4.0)
        .expect("valid benchmark setup");
    let warm = if b > 1.0 { 3.2 } else { 2.0 };
    while net.time() < warm {
        let _ = net.step();
    }
    net
}

/// A pool of one thread, for the benchmarks on one thread.
pub(crate) fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool")
}
