//! The excitatory–inhibitory network of docs/model.md §10 settles at its exact stationary
//! rates `(N_E, N_I) = (0.149338643, 0.041215056)`.
//!
//! Bound: `|rate - exact| <= 4 SE + bias`, per population. `SE` is the batch-means
//! standard error of the population's rate (as `tests/stationary_rate.rs`: batches of one
//! membrane time constant are nearly independent, so the spread of the 20 batch rates,
//! which are spike counts over `N_α` and the batch, estimates the error of their mean
//! without assuming Poisson counts; the Poisson error `sqrt(spikes) / (N_α T)` is printed
//! beside it: measured, the batch spread of E is about 1.5 times the Poisson error, the
//! coupled population's rate fluctuating as a whole). With 20 batches a 4-SE deviation has probability below 1e-3 (t
//! distribution, 19 degrees of freedom). `bias`: the Brownian-bridge stepper's O(dt)
//! bias, bounded by 1 % of the rate at `dt = 1e-3` (established for one population in
//! `tests/stationary_rate.rs`); the finite-N bias of the kicks (their variance
//! `Σ_β coupling[α][β]² N_β / N_β` per unit time beside the noise `2 a_α`, a relative
//! `1e-5` here) is far below it.

use nlif_micro::{MicroConfig, Parallelism, ParticleNetwork, Stepper};
use nlif_model::InitialDensity;
use nlif_model::network::{Network, Population, network_stationary_states};

/// The network of docs/model.md §10, with `delay` (empty: none).
fn excitatory_inhibitory(delay: Vec<Vec<f64>>) -> Network {
    Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 0.5),
        ],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay,
    }
}

#[test]
fn the_excitatory_inhibitory_network_settles_at_its_exact_rates() {
    settles_at_exact_rates(excitatory_inhibitory(Vec::new()), 80_000, 20);
}

/// Stationary states do not depend on delays (docs/model.md §12): with every connection
/// delayed, 20 to 100 steps, none of them acting in cascades, the particles settle at the
/// same exact rates. Fewer neurons and batches than above: the bound is the same
/// derivation (with 12 batches a 4-SE deviation has probability below 3e-3, t
/// distribution with 11 degrees of freedom).
#[test]
fn with_synaptic_delays_the_network_settles_at_the_same_rates() {
    let delay = vec![vec![0.02, 0.05], vec![0.05, 0.1]];
    settles_at_exact_rates(excitatory_inhibitory(delay), 40_000, 12);
}

fn settles_at_exact_rates(network: Network, particles: usize, batches: usize) {
    let exact = network_stationary_states(&network).unwrap()[0]
        .rates
        .clone();
    assert!((exact[0] / 0.149338643 - 1.0).abs() < 1e-8);
    assert!((exact[1] / 0.041215056 - 1.0).abs() < 1e-8);
    let dt = 1e-3;
    let config = MicroConfig {
        particles,
        dt,
        stepper: Stepper::BrownianBridge,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.3,
    };
    let mut net = ParticleNetwork::builder(network, config, 31)
        .parallelism(Parallelism::Rayon)
        .sample(&[initial, initial], -6.0)
        .unwrap();
    let neurons: Vec<usize> = net.neurons().collect();
    let (burn_in, batch) = (3.0, 1.0);
    let batch_steps = (batch / dt).round() as u64;
    while net.time() < burn_in {
        let _ = net.step();
    }
    let mut counts = vec![[0u64; 2]; batches];
    for count in &mut counts {
        for _ in 0..batch_steps {
            let _ = net.step();
            count[0] += net.last_spikes()[0];
            count[1] += net.last_spikes()[1];
        }
    }
    let span = batch_steps as f64 * dt;
    for alpha in 0..2 {
        let n = neurons[alpha] as f64;
        let rates: Vec<f64> = counts
            .iter()
            .map(|c| c[alpha] as f64 / (n * span))
            .collect();
        let m = batches as f64;
        let mean = rates.iter().sum::<f64>() / m;
        let var = rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
        let se = (var / m).sqrt();
        let spikes: u64 = counts.iter().map(|c| c[alpha]).sum();
        let poisson = (spikes as f64).sqrt() / (n * span * m);
        println!(
            "population {alpha}: rate {mean:.5} ± {se:.5} (Poisson {poisson:.5}), exact {:.5}, deviation {:+.2} %",
            exact[alpha],
            100.0 * (mean / exact[alpha] - 1.0)
        );
        assert!(
            (mean - exact[alpha]).abs() <= 4.0 * se + 0.01 * exact[alpha],
            "population {alpha}: {mean} ± {se} vs {}",
            exact[alpha]
        );
    }
}
