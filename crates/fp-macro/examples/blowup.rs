//! The blow-up of the mean-field rate for `b = 3` (docs/model.md §3) on two meshes: the time
//! the rate passes 5 and the mesh-dependent level it saturates at.
//!
//! `cargo run --release -p fp-macro --example blowup -- [dv...]`

use fp_macro::{MacroConfig, MacroSolver, StepOutcome};
use nlif_model::{InitialDensity, Input, ModelParams};

fn main() {
    let meshes: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a spacing"))
        .collect();
    let meshes = if meshes.is_empty() {
        vec![0.02, 0.01]
    } else {
        meshes
    };
    let params = ModelParams {
        b: 3.0,
        ..ModelParams::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -1.0,
        var: 0.5,
    };
    for dv in meshes {
        let config = MacroConfig {
            dv,
            dt: 1e-4,
            ..MacroConfig::default()
        };
        let mut solver =
            MacroSolver::from_initial(params, Input::None, config, &initial).expect("valid setup");
        let mut passed = None;
        let mut peak: f64 = 0.0;
        let mut last = StepOutcome::NonFinite;
        while solver.time() < 5.0 {
            last = solver.step(f64::INFINITY);
            let Some(rate) = last.rate() else { break };
            if passed.is_none() && rate > 5.0 {
                passed = Some(solver.time());
            }
            peak = peak.max(rate);
        }
        println!(
            "dv = {dv}: rate passes 5 at t = {passed:?}; peak rate {peak:.1} (h·peak = {:.3}); stopped at t = {:.4} with {last:?}; mass error {:.1e}",
            peak * dv,
            solver.time(),
            (solver.mass() - 1.0).abs()
        );
    }
}
