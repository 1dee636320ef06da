//! The firing events of the time-dilated solver on the reference experiments of
//! docs/model.md §7 (`cargo run --release -p fp-macro --example dilated_events`).

use fp_macro::{DilatedConfig, MacroConfig, MacroSolver};
use nlif_model::{InitialDensity, Input, ModelParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases = [
        ("blow-up A", 3.0, (-1.0, 0.5), Input::None, 1e-4, 5.0),
        ("blow-up B", 1.5, (1.5, 0.005), Input::None, 1e-3, 4.0),
        (
            "kick",
            1.5,
            (0.0, 0.5),
            Input::Kick { t0: 3.0, dv: 1.0 },
            1e-3,
            6.0,
        ),
        (
            "periodic",
            1.5,
            (0.0, 0.5),
            Input::Periodic {
                i0: 0.0,
                amplitude: 3.0,
                period: 2.0,
                phase: 0.0,
            },
            1e-3,
            8.0,
        ),
    ];
    for (name, b, (mean, var), input, dt, t_end) in cases {
        let params = ModelParams {
            b,
            ..ModelParams::default()
        };
        let config = MacroConfig {
            dt,
            ..MacroConfig::default()
        };
        let initial = InitialDensity::Gaussian { mean, var };
        let mut solver = MacroSolver::from_initial(params, input, config, &initial)?
            .dilated(DilatedConfig::default())?;
        let started = std::time::Instant::now();
        let (mut substeps, mut worst) = (0u64, 0.0f64);
        let mut events = Vec::new();
        let steps = (t_end / dt).round() as u64;
        let mut last_rate = 0.0;
        for _ in 0..steps {
            let step = solver.step().map_err(|e| format!("{name}: {e:?}"))?;
            substeps += u64::from(step.substeps);
            worst = worst.max((solver.mass() - 1.0).abs());
            events.extend(step.events.iter().flatten().copied());
            last_rate = step.rate;
        }
        println!(
            "{name}: {} events, {substeps} sub-steps over {steps} steps, {:.3} s, mass error {worst:.1e}, final rate {last_rate:.4}",
            events.len(),
            started.elapsed().as_secs_f64()
        );
        for e in events.iter().take(8) {
            println!("  t = {:.4}  fraction = {:.4}", e.t, e.fraction);
        }
    }
    Ok(())
}
