//! Issue 27, density side: the refractory compartment's discrete balance. Each test names
//! its oracle.

use fp_macro::{FrozenAt, MacroConfig, MacroSolver, Reinjection, Scheme, StepOutcome};
use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
use proptest::prelude::*;

const SCHEMES: [Scheme; 3] = [
    Scheme::ChangCooper,
    Scheme::ScharfetterGummel,
    Scheme::Upwind,
];

/// As `tests/conservation.rs`: `V_R` on node `r >= 1`, `V_F` on node `n`.
fn random_grid() -> impl Strategy<Value = (f64, f64, f64, f64)> {
    (
        -3.0..3.0f64,
        1e-3..0.2f64,
        3usize..60,
        1usize..80,
        0.0..0.999f64,
    )
        .prop_map(|(v_r, dv, above, below, offset)| {
            let v_f = v_r + above as f64 * dv;
            let v_min = v_r - (below as f64 - offset) * dv;
            (v_min, dv, v_r, v_f)
        })
}

/// A period: `Exponential` of mean `tau`, or `Fixed` of `steps` steps of `dt`.
fn period(exponential: bool, tau: f64, steps: usize, dt: f64) -> Refractory {
    if exponential {
        Refractory::Exponential { tau }
    } else {
        Refractory::Fixed {
            tau: steps as f64 * dt,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Oracle: conservation law. The step's matrix has columns summing to `1/dt` but for
    /// the outflow's column, which loses `(1 - share) κ` to the compartment; the
    /// compartment takes exactly the negative of the density's balance,
    /// `R += dt (N_out - Q)` (docs/model.md §11), so `h Σ p + R` changes by rounding only:
    /// checked after every step against `tests/conservation.rs`'s bound per step (the
    /// density's own rounding), plus `4 ε` per step for the balance's additions. The
    /// density stays non-negative, and the refractory mass too, up to that rounding.
    #[test]
    fn density_and_refractory_mass_sum_to_one(
        (v_min, dv, v_r, v_f) in random_grid(),
        scheme in prop::sample::select(SCHEMES.to_vec()),
        b in -2.0..2.0f64,
        mean_in_cells in 0.0..1.0f64,
        exponential in any::<bool>(),
        tau in 1e-4..0.5f64,
        steps in 1usize..60,
        explicit in any::<bool>(),
    ) {
        let params = ModelParams { v_f, v_r, b, ..ModelParams::default() };
        // Explicit re-injection needs dt <= h²/a.
        let (reinjection, dt) = if explicit {
            (Reinjection::Explicit, 0.5 * dv * dv / params.a0)
        } else {
            (Reinjection::Implicit, 1e-3)
        };
        let config = MacroConfig { scheme, v_min, dv, dt, reinjection, frozen_at: FrozenAt::StepStart };
        let mean = v_min + mean_in_cells * (v_f - v_min);
        let initial = InitialDensity::Gaussian { mean, var: (v_f - v_min).powi(2) / 16.0 };
        let mut solver = MacroSolver::from_initial(params, Input::None, config, &initial)
            .unwrap()
            .with_refractory(period(exponential, tau, steps, dt))
            .unwrap();
        let kappa_dt = params.a0 / (dv * dv) * dt;
        let per_step = 32.0 * f64::EPSILON * (1.0 + 4.0 * kappa_dt) + 4.0 * f64::EPSILON;
        for step in 1..=200 {
            let outcome = solver.step(f64::INFINITY);
            prop_assert!(matches!(outcome, StepOutcome::Advanced { .. }), "{:?}", outcome);
            prop_assert!(solver.density().iter().all(|&p| p >= 0.0));
            let bound = step as f64 * per_step;
            let total = solver.mass() + solver.refractory_mass();
            prop_assert!((total - 1.0).abs() < bound, "step {}: {} (bound {:e})", step, total, bound);
            prop_assert!(solver.refractory_mass() > -bound);
        }
    }
}

/// Oracle: the two forms' definitions, evaluated beside the solver from the rates it
/// reports (implicit re-injection: the outflow of a step is its new rate).
///
/// - `Exponential(τ)`: backward Euler of `dR/dt = N - R/τ` with the step's outflow,
///   `R^{m+1} = (R^m + dt N^{m+1}) τ / (τ + dt)`, to rounding.
/// - `Fixed(τ)`: `R` is the mass that left in the last `τ/dt` steps,
///   `dt Σ_{j = m+1-K}^{m} N^{j+1}`, and the density's mass changes by the mass that left
///   `K` steps before minus this step's: `h Σ p^{m+1} - h Σ p^m = dt (N^{m+1-K} - N^{m+1})`
///   (0 re-injected for `m + 1 <= K`: nobody was refractory before the start).
#[test]
fn each_form_returns_the_mass_it_should() {
    let params = ModelParams {
        b: 1.5,
        ..ModelParams::default()
    };
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 1.5,
        var: 0.05,
    };
    let (tau, dt) = (0.025, config.dt);
    let fresh = || MacroSolver::from_initial(params, Input::None, config, &initial).unwrap();

    let mut solver = fresh()
        .with_refractory(Refractory::Exponential { tau })
        .unwrap();
    for _ in 0..2000 {
        let before = solver.refractory_mass();
        let rate = solver.step(f64::INFINITY).rate().unwrap();
        let expected = (before + dt * rate) * tau / (tau + dt);
        let r = solver.refractory_mass();
        assert!(
            (r - expected).abs() <= 1e-14 * (r + dt * rate),
            "{r} vs {expected}"
        );
    }
    assert!(
        solver.refractory_mass() > 1e-3,
        "{}",
        solver.refractory_mass()
    );

    let k = 25;
    let mut solver = fresh().with_refractory(Refractory::Fixed { tau }).unwrap();
    let mut rates: Vec<f64> = Vec::new();
    for m in 0..2000 {
        let before = solver.mass();
        let rate = solver.step(f64::INFINITY).rate().unwrap();
        rates.push(rate);
        let back = if m >= k { rates[m - k] } else { 0.0 };
        let change = solver.mass() - before;
        assert!(
            (change - dt * (back - rate)).abs() <= 1e-13,
            "step {m}: {change} vs {}",
            dt * (back - rate)
        );
        let window: f64 = rates[rates.len().saturating_sub(k)..].iter().sum();
        let r = solver.refractory_mass();
        assert!(
            (r - dt * window).abs() <= 1e-14 + 1e-13 * r,
            "{r} vs {}",
            dt * window
        );
    }
    assert!(
        solver.refractory_mass() > 1e-3,
        "{}",
        solver.refractory_mass()
    );
}

/// Oracle: issue 27's rule that the refractory period's time is a whole number of steps
/// and that a period is finite and non-negative: typed errors naming `refractory.tau`.
#[test]
fn periods_are_checked() {
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.25,
    };
    let solver =
        MacroSolver::from_initial(ModelParams::default(), Input::None, config, &initial).unwrap();
    for bad in [
        Refractory::Fixed { tau: 0.0255 },
        Refractory::Fixed { tau: 4e-4 },
        Refractory::Fixed { tau: 1e6 },
        Refractory::Fixed { tau: -0.01 },
        Refractory::Exponential { tau: f64::NAN },
        Refractory::Exponential { tau: -1.0 },
        Refractory::Exponential { tau: f64::INFINITY },
    ] {
        let err = solver.clone().with_refractory(bad).unwrap_err();
        assert_eq!(err.field(), "refractory.tau", "{bad:?}: {err}");
    }
    for good in [
        Refractory::Fixed { tau: 0.025 },
        Refractory::Fixed { tau: 1e-3 },
        Refractory::Exponential { tau: 1e-9 },
    ] {
        let s = solver.clone().with_refractory(good).unwrap();
        assert_eq!(s.refractory(), good);
    }
    for none in [
        Refractory::None,
        Refractory::Fixed { tau: 0.0 },
        Refractory::Exponential { tau: 0.0 },
    ] {
        let s = solver.clone().with_refractory(none).unwrap();
        assert_eq!(s.refractory(), Refractory::None);
    }
}
