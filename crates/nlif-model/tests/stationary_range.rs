//! Stationary states outside the old scan range `[1e-15, 1e9]`: an uncoupled or
//! inhibitory network always has exactly one, wherever its rate lies — also below the
//! smallest `f64` (`ln_rate` carries it) and far above threshold. The reported cases
//! (`nlif steady --input=-50`, `--a0 0.002 --b -1`, `--input 1e10`) said "no stationary
//! state" before.
//!
//! Oracles, independent of the Siegert quadrature:
//! - far below threshold (`hi = (V_F - μ)/σ ≫ 1`), the asymptotic expansion of the
//!   integral (`erfcx(-u) = e^{u²}(1 + erf u) → 2 e^{u²}`),
//!   `1/ν = sqrt(π) e^{hi²} / hi (1 + O(hi^-2))`, so `ln ν = -hi² + ln(hi / sqrt(π)) +
//!   O(hi^-2)` (the lower limit adds `e^{lo² - hi²}`, negligible here);
//! - far above threshold (`μ ≫ V_F`, `μ² ≫ a`), the deterministic interval
//!   `1/ν = ln((μ - V_R)/(μ - V_F)) (1 + O(a/μ²))`.

use nlif_model::{ModelParams, stationary_states};

fn below_threshold_ln_rate(mu: f64, a: f64, v_f: f64) -> f64 {
    let hi = (v_f - mu) / (2.0 * a).sqrt();
    -hi * hi + (hi / std::f64::consts::PI.sqrt()).ln()
}

#[test]
fn an_input_far_below_threshold_has_its_one_state_below_the_smallest_double() {
    let params = ModelParams::default();
    let states = stationary_states(&params, -50.0).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    let s = states[0];
    assert!(s.stable);
    assert_eq!(s.rate, 0.0);
    let expected = below_threshold_ln_rate(-50.0, 1.0, 2.0);
    // O(hi^-2) = O(1/1352) in the logarithm.
    assert!(
        (s.ln_rate - expected).abs() < 2e-3,
        "{} vs {expected}",
        s.ln_rate
    );
}

#[test]
fn weak_noise_with_inhibition_has_one_state() {
    let params = ModelParams {
        a0: 0.002,
        b: -1.0,
        ..ModelParams::default()
    };
    let states = stationary_states(&params, 0.0).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    // N ≈ e^{-996}: bN does not move μ = 0.
    let expected = below_threshold_ln_rate(0.0, 0.002, 2.0);
    assert!(
        (states[0].ln_rate - expected).abs() < 2e-3,
        "{states:?} vs {expected}"
    );
    assert!(states[0].stable);
}

#[test]
fn an_input_far_above_threshold_has_its_one_state_above_1e9() {
    let params = ModelParams::default();
    let mu = 1e10;
    let states = stationary_states(&params, mu).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    let expected = 1.0 / ((params.v_f - params.v_r) / (mu - params.v_f)).ln_1p();
    // O(a/μ²) = 1e-20 from the noise; the quadrature's 1e-12 dominates.
    assert!(
        (states[0].rate - expected).abs() <= 1e-10 * expected,
        "{states:?} vs {expected}"
    );
    assert_eq!(states[0].ln_rate, states[0].rate.ln());
}

/// The class: `b <= 0`, `a1 = 0`, any input over a wide range, any noise: exactly one
/// state, verified by its residual (oracle: `φ` is increasing, `-1` at `N = 0` and
/// unbounded above, so it has exactly one zero).
#[test]
fn an_uncoupled_or_inhibitory_network_always_has_exactly_one_state() {
    for &input in &[-200.0, -50.0, -5.0, 0.0, 2.0, 50.0, 1e6, 1e12] {
        for &b in &[0.0, -0.5, -3.0] {
            for &a0 in &[0.002, 0.1, 1.0, 10.0] {
                let params = ModelParams {
                    a0,
                    b,
                    ..ModelParams::default()
                };
                let states = stationary_states(&params, input).unwrap();
                assert_eq!(states.len(), 1, "input {input} b {b} a0 {a0}: {states:?}");
                assert!(states[0].residual.abs() <= 1e-10);
                assert!(states[0].ln_rate.is_finite());
            }
        }
    }
}

/// An input so far below threshold that `V_F - μ` and `V_R - μ` round to the same float
/// (`|μ| ≫ (V_F - V_R)/ε`): the Siegert interval is still `e^{hi²}`-large, not zero, so
/// the one stationary state is found, with the asymptotic `ln ν` (oracle above; the
/// relative correction `O(hi^-2)` is `1e-33` here). Found by the network search, whose
/// inner population saw such inputs.
#[test]
fn an_input_beyond_the_rounding_of_the_voltages_still_has_its_state() {
    for mu in [-2.2e16, -1e20, -1e40] {
        let states = stationary_states(&ModelParams::default(), mu).unwrap();
        assert_eq!(states.len(), 1, "{mu}: {states:?}");
        let expected = below_threshold_ln_rate(mu, 1.0, 2.0);
        let got = states[0].ln_rate;
        assert!(
            (got / expected - 1.0).abs() <= 1e-12,
            "{mu}: {got} vs {expected}"
        );
        assert_eq!(nlif_model::siegert_rate(mu, 1.0, 2.0, 1.0), Ok(0.0));
    }
}
