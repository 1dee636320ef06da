//! Runs one experiment with each solver and prints what happened.
//!
//! `cargo run --release -p multiscale --example scenario -- NAME [particles] [t_end] [seed]`
//! with NAME one of `async`, `blowup-a`, `blowup-b`, `kick`, `periodic`.

use std::time::Instant;

use fp_macro::MacroConfig;
use multiscale::{RunConfig, Simulation, SolverKind, SwitchingConfig};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("blowup-a");
    let particles: usize = args
        .get(1)
        .map_or(100_000, |a| a.parse::<f64>().expect("a number") as usize);
    let seed: u64 = args.get(3).map_or(1, |a| a.parse().expect("a seed"));
    let (b, input, initial, t_end) = match name {
        "async" => (
            0.5,
            Input::None,
            InitialDensity::Gaussian {
                mean: -1.0,
                var: 0.5,
            },
            5.0,
        ),
        "blowup-a" => (
            3.0,
            Input::None,
            InitialDensity::Gaussian {
                mean: -1.0,
                var: 0.5,
            },
            5.0,
        ),
        "blowup-b" => (
            1.5,
            Input::None,
            InitialDensity::Gaussian {
                mean: 1.5,
                var: 0.005,
            },
            10.0,
        ),
        "kick" => (
            1.5,
            Input::Kick { t0: 3.0, dv: 0.6 },
            InitialDensity::Gaussian {
                mean: 0.0,
                var: 0.5,
            },
            6.0,
        ),
        "periodic" => (
            1.5,
            Input::Periodic {
                i0: 0.0,
                amplitude: 3.0,
                period: 2.0,
                phase: 0.0,
            },
            InitialDensity::Gaussian {
                mean: 0.0,
                var: 0.5,
            },
            8.0,
        ),
        other => panic!("unknown scenario {other}"),
    };
    let t_end = args.get(2).map_or(t_end, |a| a.parse().expect("a time"));
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let dt: f64 = std::env::var("DT").map_or(1e-3, |v| v.parse().expect("a time step"));
    for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
        let config = RunConfig {
            kind,
            macro_config: MacroConfig {
                dt,
                ..MacroConfig::default()
            },
            micro: MicroConfig {
                particles,
                dt,
                ..MicroConfig::default()
            },
            switching: SwitchingConfig::default(),
            t_end,
            seed,
            sample_interval: 1e-2,
            density_interval: None,
            ..RunConfig::default()
        };
        let clock = Instant::now();
        let mut sim =
            Simulation::new(params, input, &initial, config, Parallelism::Rayon).expect("valid");
        let outcome = sim.run(&mut ()).expect("runs");
        let secs = clock.elapsed().as_secs_f64();
        let trace = sim.trace();
        let tail: Vec<f64> = trace
            .samples
            .iter()
            .filter(|s| s.t > t_end - 1.0)
            .map(|s| s.rate)
            .collect();
        let tail_mean = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
        println!(
            "{kind:?}: {} in {secs:.2} s, {} macro + {} micro steps, mean rate over last unit {tail_mean:.4}, mass error {:.1e}",
            outcome.as_str(),
            trace.macro_steps,
            trace.micro_steps,
            trace.mass_error_max
        );
        for s in &trace.switches {
            println!(
                "  switch at {:.3} (triggered {:.3}) to {:?}: {} (rate {:.3} -> {:.3})",
                s.t,
                s.triggered_at,
                s.to,
                s.reason.as_str(),
                s.rate_before,
                s.rate_after.unwrap_or(f64::NAN)
            );
        }
        for m in trace
            .mfes
            .iter()
            .filter(|m| m.fraction >= std::env::var("MINF").map_or(0.0, |v| v.parse().unwrap()))
            .take(12)
        {
            println!(
                "  MFE at {:.3}: fraction {:.4}, rounds {}",
                m.t, m.fraction, m.rounds
            );
        }
        if trace.mfes.len() > 12 {
            println!("  ... {} MFEs in all", trace.mfes.len());
        }
    }
}
