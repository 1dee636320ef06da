//! Issue 27: stationary rates with a refractory period, `1/N = τ + 1/ν(bN + I)`.

use approx::assert_relative_eq;
use nlif_model::{
    ModelParams, Refractory, StationaryState, siegert_rate, stationary_states,
    stationary_states_refractory,
};
use proptest::prelude::*;

/// The refractory fixed-point map `F(N) = 1 / (τ + 1/ν(bN + I; a0 + a1 N))`, by the
/// public Siegert rate.
fn map(p: &ModelParams, current: f64, tau: f64, n: f64) -> f64 {
    let nu = siegert_rate(p.b * n + current, p.diffusion(n), p.v_f, p.v_r).unwrap();
    1.0 / (tau + 1.0 / nu)
}

/// Checks one state against independent oracles: the fixed-point equation evaluated by
/// `siegert_rate` (to the `1e-10` the search promises), the slope of `F` by a central
/// difference (step `1e-5 N`: truncation ≈ 1e-10, rounding ≈ 1e-7 relative), and the
/// stability by the side on which the map crosses the diagonal.
fn check_state(p: &ModelParams, current: f64, tau: f64, s: &StationaryState) {
    let n = s.rate;
    assert_relative_eq!(map(p, current, tau, n), n, max_relative = 1e-10);
    assert!(n * tau < 1.0, "a rate {n} above 1/τ");
    let h = 1e-5 * n;
    let fd = (map(p, current, tau, n + h) - map(p, current, tau, n - h)) / (2.0 * h);
    assert!(
        (s.slope - fd).abs() <= 1e-5 * (1.0 + s.slope.abs()),
        "{s:?}: difference quotient {fd}"
    );
    assert_eq!(s.stable, s.slope < 1.0);
}

/// Oracle: the test vector of issue 27 (given to ten decimals: within half a unit of the
/// last, plus the search's `1e-10` relative), and the three states checked by
/// `check_state`.
#[test]
fn the_issue_vector_has_three_states() {
    let p = ModelParams {
        b: 1.5,
        ..ModelParams::default()
    };
    for refractory in [
        Refractory::Fixed { tau: 0.025 },
        Refractory::Exponential { tau: 0.025 },
    ] {
        let states = stationary_states_refractory(&p, 0.0, &refractory).unwrap();
        let expected = [0.1907361294, 2.9169876555, 10.7133751877];
        assert_eq!(states.len(), 3, "{states:?}");
        for (s, e) in states.iter().zip(expected) {
            assert!(
                (s.rate - e).abs() <= 0.5e-10 + 1e-10 * e,
                "{} vs {e}",
                s.rate
            );
            check_state(&p, 0.0, 0.025, s);
        }
        let stable: Vec<bool> = states.iter().map(|s| s.stable).collect();
        assert_eq!(stable, [true, false, true]);
    }
}

/// Oracle: with `τ = 0` the function is the one without refractory period, bit for bit.
#[test]
fn no_refractory_period_is_todays_search() {
    for b in [-1.0, 0.0, 1.5, 3.0] {
        let p = ModelParams {
            b,
            ..ModelParams::default()
        };
        for refractory in [Refractory::None, Refractory::Fixed { tau: 0.0 }] {
            assert_eq!(
                stationary_states_refractory(&p, 0.2, &refractory).unwrap(),
                stationary_states(&p, 0.2).unwrap()
            );
        }
    }
}

/// Oracle: the error names the field.
#[test]
fn a_bad_period_is_refused_by_name() {
    let p = ModelParams::default();
    for tau in [-0.1, f64::NAN, f64::INFINITY, 1e60] {
        let e = stationary_states_refractory(&p, 0.0, &Refractory::Fixed { tau }).unwrap_err();
        assert_eq!(e.field(), "refractory.tau", "{tau}");
    }
}

proptest! {
    /// Oracle: an uncoupled population (`b = a1 = 0`) has exactly one stationary state,
    /// the closed form `N = ν(I) / (1 + τ ν(I))`, stable (the map is constant).
    #[test]
    fn uncoupled_rate_is_the_closed_form(
        a0 in 0.1f64..3.0,
        current in -2.0f64..4.0,
        tau in 1e-4f64..1.0,
    ) {
        let p = ModelParams { a0, ..ModelParams::default() };
        let nu = siegert_rate(current, a0, p.v_f, p.v_r).unwrap();
        let states = stationary_states_refractory(&p, current, &Refractory::Exponential { tau }).unwrap();
        prop_assert_eq!(states.len(), 1);
        let n = states[0].rate;
        prop_assert!((n / (nu / (1.0 + tau * nu)) - 1.0).abs() < 1e-10, "{} vs ν = {}", n, nu);
        prop_assert!(states[0].stable);
    }

    /// Oracle: every state is a verified fixed point of the map, with its slope and
    /// stability checked by `check_state`, for excitatory and inhibitory networks.
    #[test]
    fn every_state_is_a_fixed_point(
        b in -3.0f64..4.0,
        a1 in prop_oneof![Just(0.0), 0.0f64..0.5],
        current in -1.0f64..2.0,
        tau in 1e-3f64..0.2,
    ) {
        let p = ModelParams { b, a1, ..ModelParams::default() };
        let states = stationary_states_refractory(&p, current, &Refractory::Fixed { tau }).unwrap();
        for s in &states {
            check_state(&p, current, tau, s);
        }
        // Below 1/τ and ascending.
        prop_assert!(states.windows(2).all(|w| w[0].rate < w[1].rate));
    }
}
