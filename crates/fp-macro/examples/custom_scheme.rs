//! Two flux schemes written outside the crate, run through `MacroSolver` with the public
//! API only:
//!
//! - a Scharfetter–Gummel replica, `(A, B) = (B(-w), B(w))` with `B(x) = x / (e^x - 1)`,
//!   which must match the built-in scheme to round-off;
//! - Patankar's power-law scheme, `D(|w|) = max(0, (1 - |w|/10)^5)` in place of the
//!   fitted diffusive weight `|w| / (e^{|w|} - 1)`: positive and consistent, not fitted.
//!
//! An uncoupled network (`b = 0`) relaxes to its stationary state (`h = 0.02`,
//! `v_min = -6`, `dt = 0.01`, `t = 40`); the rates are compared with the exact stationary
//! rate (the Siegert fixed point). Prints one JSON line:
//! `{"replica_max_density_diff": …, "replica_rate_diff": …, "other_rate": …, "exact_rate": …}`.
//!
//! `cargo run --release -p fp-macro --example custom_scheme`

use fp_macro::{FluxScheme, MacroConfig, MacroSolver, Scheme, StepOutcome};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};

/// Scharfetter–Gummel from its definition (no code shared with the crate).
#[derive(Debug, Clone, Copy)]
struct ScharfetterGummelReplica;

impl FluxScheme for ScharfetterGummelReplica {
    fn weights(&self, w: f64) -> (f64, f64) {
        // B(x) = x / expm1(x) has no cancellation; B(0) = 1 by continuity.
        let bernoulli = |x: f64| if x == 0.0 { 1.0 } else { x / x.exp_m1() };
        (bernoulli(-w), bernoulli(w))
    }
}

/// Patankar's power-law scheme: `A = D + max(w, 0)`, `B = D + max(-w, 0)`, so
/// `A - B = w` (consistent), `A, B >= 0` (M-matrix), `D(0) = 1` (central diffusion).
#[derive(Debug, Clone, Copy)]
struct PowerLaw;

impl FluxScheme for PowerLaw {
    fn weights(&self, w: f64) -> (f64, f64) {
        let d = (1.0 - 0.1 * w.abs()).max(0.0).powi(5);
        (d + w.max(0.0), d + (-w).max(0.0))
    }
}

/// Relaxes `solver` to t = 40, refusing to go on past any outcome but `Advanced`.
fn relax<S: FluxScheme>(mut solver: MacroSolver<S>) -> Result<MacroSolver<S>, String> {
    while solver.time() < 40.0 {
        match solver.step(f64::INFINITY) {
            StepOutcome::Advanced { .. } => {}
            other => return Err(format!("stopped at t = {}: {other:?}", solver.time())),
        }
    }
    Ok(solver)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let params = ModelParams::default();
    let config = MacroConfig {
        scheme: Scheme::ScharfetterGummel,
        dv: 0.02,
        dt: 0.01,
        v_min: -6.0,
        ..MacroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let builtin = relax(MacroSolver::from_initial(
        params,
        Input::None,
        config,
        &initial,
    )?)?;
    let replica = relax(MacroSolver::from_initial_with(
        ScharfetterGummelReplica,
        params,
        Input::None,
        config,
        &initial,
    )?)?;
    let other = relax(MacroSolver::from_initial_with(
        PowerLaw,
        params,
        Input::None,
        config,
        &initial,
    )?)?;
    let exact_rate = stationary_rates(&params, 0.0)?[0];

    let replica_max_density_diff = builtin
        .density()
        .iter()
        .zip(replica.density())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let replica_rate_diff = (builtin.rate() - replica.rate()).abs();
    // Round-off: the two evaluate the same weights through different formulas (ulps
    // apart); the stationary state amplifies that by the conditioning of the operator
    // (~ a/h² over its smallest non-zero eigenvalue, ~10³ here). The same bar as the
    // built-in Chang–Cooper against Scharfetter–Gummel (tests/steady_state.rs): 1e-10
    // relative, five orders below the discretisation error (~1e-4 at h = 0.02).
    let peak = builtin.density().iter().fold(0.0, |m: f64, &p| m.max(p));
    if !(replica_max_density_diff <= 1e-10 * peak && replica_rate_diff <= 1e-10 * exact_rate) {
        return Err(format!(
            "the replica does not match the built-in scheme to round-off: density {replica_max_density_diff:e}, rate {replica_rate_diff:e}"
        )
        .into());
    }
    let other_rate = other.rate();
    // `{:?}` of a finite f64 is its shortest round-trip form, valid JSON.
    println!(
        "{{\"replica_max_density_diff\": {replica_max_density_diff:?}, \"replica_rate_diff\": {replica_rate_diff:?}, \"other_rate\": {other_rate:?}, \"exact_rate\": {exact_rate:?}}}"
    );
    Ok(())
}
