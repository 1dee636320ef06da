//! Long-time rate and density on several meshes against the exact stationary state
//! (docs/model.md §6), with the fitted convergence order.
//!
//! `cargo run --release -p fp-macro --example steady_state -- [b]`

use fp_macro::{MacroConfig, MacroSolver, Scheme};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_density, stationary_rates};

fn main() {
    let b: f64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number"))
        .unwrap_or(0.0);
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let exact = stationary_rates(&params, 0.0).expect("valid")[0];
    println!("b = {b}: exact stationary rate {exact:.8}");
    for scheme in [
        Scheme::ScharfetterGummel,
        Scheme::ChangCooper,
        Scheme::Upwind,
    ] {
        let mut previous: Option<(f64, f64, f64)> = None;
        for dv in [0.04, 0.02, 0.01, 0.005] {
            let config = MacroConfig {
                scheme,
                dv,
                dt: 0.01,
                v_min: -6.0,
                ..MacroConfig::default()
            };
            let initial = InitialDensity::Gaussian {
                mean: 0.0,
                var: 0.5,
            };
            let mut solver =
                MacroSolver::from_initial(params, Input::None, config, &initial).expect("valid");
            while solver.time() < 40.0 {
                let outcome = solver.step(f64::INFINITY);
                assert!(
                    outcome.rate().is_some(),
                    "t = {}: {outcome:?}",
                    solver.time()
                );
            }
            let rate_error = (solver.rate() - exact).abs();
            let grid = *solver.grid();
            let l1: f64 = grid
                .nodes()
                .zip(solver.density())
                .map(|(v, p)| {
                    (p - stationary_density(&params, 0.0, exact, v).expect("valid")).abs() * dv
                })
                .sum();
            let orders = previous.map(|(h0, e0, l0)| {
                (
                    (e0 / rate_error).ln() / (h0 / dv).ln(),
                    (l0 / l1).ln() / (h0 / dv).ln(),
                )
            });
            println!(
                "{scheme:?} h = {dv}: rate {:.8} error {rate_error:.3e}, L1 {l1:.3e}, orders {orders:?}",
                solver.rate()
            );
            previous = Some((dv, rate_error, l1));
        }
    }
}
