//! Shared helpers of the integration tests.

use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams};

/// Mean rate and its standard error from `batches` batch means of length `batch` after a
/// burn-in of `burn_in` time units.
///
/// The standard error is the sample standard deviation of the batch rates over
/// `sqrt(batches)`: batches of one or more membrane time constants are nearly
/// independent (the rate autocorrelation decays on that scale), so this estimates the
/// spread of the mean without assuming Poisson spike counts.
pub(crate) fn batch_rate(
    params: ModelParams,
    stepper: Stepper,
    particles: usize,
    dt: f64,
    burn_in: f64,
    batch: f64,
    batches: usize,
    seed: u64,
) -> (f64, f64) {
    let config = MicroConfig {
        particles,
        dt,
        stepper,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.3,
    };
    let mut net = ParticleSystem::from_initial(
        params,
        Input::None,
        config,
        &initial,
        -6.0,
        seed,
        Parallelism::Rayon,
    )
    .unwrap();
    let burn_steps = (burn_in / dt).round() as u64;
    let batch_steps = (batch / dt).round() as u64;
    for _ in 0..burn_steps {
        let _ = net.step();
    }
    let rates: Vec<f64> = (0..batches)
        .map(|_| {
            let spikes: u64 = (0..batch_steps).map(|_| net.step().spikes).sum();
            spikes as f64 / (particles as f64 * batch_steps as f64 * dt)
        })
        .collect();
    let m = batches as f64;
    let mean = rates.iter().sum::<f64>() / m;
    let var = rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
    (mean, (var / m).sqrt())
}
