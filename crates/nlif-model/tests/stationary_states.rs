//! Issue 10, finding 8: stationary rates are verified fixed points, and each carries the
//! stability read off the slope of the fixed-point map.

use approx::assert_relative_eq;
use nlif_model::{
    ModelParams, StationaryState, mean_interspike_interval, siegert_rate, stationary_rates,
    stationary_states,
};
use proptest::prelude::*;

fn with_b(b: f64) -> ModelParams {
    ModelParams {
        b,
        ..ModelParams::default()
    }
}

/// The fixed-point map `N ↦ ν(bN + I; a0 + a1 N)`.
fn map(p: &ModelParams, current: f64, n: f64) -> f64 {
    siegert_rate(p.b * n + current, p.diffusion(n), p.v_f, p.v_r).unwrap()
}

/// Central difference of the map, step `h = 1e-5 N`: truncation `O(h²)` ≈ 1e-10 relative,
/// rounding ≈ `1e-12 ν / h` = 1e-7 `ν/N`.
fn slope_by_difference(p: &ModelParams, current: f64, n: f64) -> f64 {
    let h = 1e-5 * n;
    (map(p, current, n + h) - map(p, current, n - h)) / (2.0 * h)
}

/// Checks one state against independent oracles: the fixed-point equation evaluated by
/// `siegert_rate`, the slope by central differences, and the stability by the direction
/// in which the map crosses the diagonal (above it just below `N`, below it just above).
fn check_state(p: &ModelParams, current: f64, s: &StationaryState) {
    let n = s.rate;
    assert_relative_eq!(map(p, current, n), n, max_relative = 1e-10);
    assert_relative_eq!(s.residual, n / map(p, current, n) - 1.0, epsilon = 1e-11);
    let fd = slope_by_difference(p, current, n);
    assert!(
        (s.slope - fd).abs() <= 1e-5 * (1.0 + s.slope.abs()),
        "{s:?}: difference quotient {fd}"
    );
    assert_eq!(s.stable, s.slope < 1.0);
    if (1.0 - s.slope).abs() > 1e-3 {
        let d = 1e-4;
        let (below, above) = (n * (1.0 - d), n * (1.0 + d));
        let from_above = map(p, current, below) > below && map(p, current, above) < above;
        assert_eq!(from_above, s.stable, "{s:?}");
    }
}

/// The issue: `nlif steady --b 1` printed 0.156, 2.06e8 and 7.67e8. Oracles: the
/// asymptotics of the map for large `N` — with `μ = N ≫ V_F` the interval is
/// `ln_1p(1/(N - 2)) - (1/(N-2)² - 1/(N-1)²)/2 + O(N^-4)`, so `φ = N/ν - 1 = 1.5/N + O(N^-2)`
/// has no zero there — checked against the crate's interval at the spurious rates and
/// beyond; and the fixed-point equation for the one true rate.
#[test]
fn b_equal_one_has_one_stationary_state() {
    let p = with_b(1.0);
    for n in [1e4, 1e6, 2.06e8, 7.67e8, 1e9] {
        let isi = mean_interspike_interval(n, 1.0, 2.0, 1.0).unwrap();
        let asymptotic = (1.0 / (n - 2.0)).ln_1p()
            - 0.5 * (1.0 / ((n - 2.0) * (n - 2.0)) - 1.0 / ((n - 1.0) * (n - 1.0)));
        assert_relative_eq!(isi, asymptotic, max_relative = 1e-13);
        assert!(n * isi - 1.0 > 1.4 / n, "φ({n}) = {}", n * isi - 1.0);
    }
    let states = stationary_states(&p, 0.0).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_relative_eq!(
        states[0].rate,
        0.156_207_006_139_724_7,
        max_relative = 1e-12
    );
    assert!(states[0].stable);
    check_state(&p, 0.0, &states[0]);
    assert_eq!(stationary_rates(&p, 0.0).unwrap(), vec![states[0].rate]);
}

/// Oracle: docs/model.md §6 (0.1923640 stable, 2.2891257 unstable; mpmath values), and
/// the independent checks of `check_state`.
#[test]
fn b_equal_one_and_a_half_has_a_stable_and_an_unstable_state() {
    let p = with_b(1.5);
    let states = stationary_states(&p, 0.0).unwrap();
    assert_eq!(states.len(), 2, "{states:?}");
    assert_relative_eq!(
        states[0].rate,
        0.192_364_012_568_479_4,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        states[1].rate,
        2.289_125_707_746_862_8,
        max_relative = 1e-12
    );
    assert!(states[0].stable && !states[1].stable);
    for s in &states {
        check_state(&p, 0.0, s);
        assert!(s.residual.abs() <= 1e-12, "{s:?}");
    }
    // Uncoupled: the map is constant, slope exactly 0.
    let uncoupled = stationary_states(&with_b(0.0), 0.0).unwrap();
    assert_eq!(uncoupled.len(), 1);
    assert_eq!(uncoupled[0].slope, 0.0);
    assert!(uncoupled[0].stable);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Oracles: those of `check_state` for every state, over connectivity, rate-dependent
    /// noise, input and noise level; and for `b <= 0`, `a1 = 0` (a decreasing map) exactly
    /// one state, which is stable.
    #[test]
    fn every_state_is_a_verified_fixed_point_with_the_right_stability(
        b in -4.0f64..3.0,
        a0 in 0.3f64..3.0,
        a1 in prop_oneof![Just(0.0), 0.0f64..1.0],
        current in -2.0f64..2.5,
    ) {
        let p = ModelParams { a0, a1, b, ..ModelParams::default() };
        let states = stationary_states(&p, current).unwrap();
        if b <= 0.0 && a1 == 0.0 {
            prop_assert_eq!(states.len(), 1, "{:?}", states);
            prop_assert!(states[0].stable);
        }
        for s in &states {
            check_state(&p, current, s);
        }
    }
}
