//! Long-run firing rate of a particle network against the exact stationary rate.
//!
//! `cargo run --release -p nlif-micro --example stationary_rate -- [b] [particles] [dt] [t_end]`

use std::time::Instant;

use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let b = args.first().copied().unwrap_or(0.0);
    let particles = args.get(1).copied().unwrap_or(1e5) as usize;
    let dt = args.get(2).copied().unwrap_or(1e-3);
    let t_end = args.get(3).copied().unwrap_or(20.0);
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let exact = stationary_rates(&params, 0.0).expect("valid parameters");
    println!("b = {b}, N_p = {particles}, dt = {dt}: stationary rates {exact:?}");
    let burn_in = 3.0;
    for stepper in [
        Stepper::EulerMaruyama,
        Stepper::BrownianBridge,
        Stepper::ExactOu,
    ] {
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
            1,
            Parallelism::Rayon,
        )
        .expect("valid config");
        let clock = Instant::now();
        let mut spikes = 0u64;
        let mut steps = 0u64;
        while net.time() < t_end {
            let report = net.step();
            if net.time() > burn_in {
                spikes += report.spikes;
                steps += 1;
            }
        }
        let rate = spikes as f64 / (particles as f64 * steps as f64 * dt);
        let secs = clock.elapsed().as_secs_f64();
        let throughput = particles as f64 * net.steps() as f64 / secs;
        println!(
            "{stepper:?}: rate {rate:.5} (relative error {:+.3}%), {:.3e} neuron-steps/s",
            100.0 * (rate / exact[0] - 1.0),
            throughput
        );
    }
}
