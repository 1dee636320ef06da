//! The Siegert rate of one leaky neuron and its mean inter-spike interval.

use std::f64::consts::{PI, SQRT_2};

use super::{QUAD_RTOL, SCALED_FROM, TAIL_CUT, check_neuron, quad};
use crate::ModelError;
use crate::special::{erfcx, x_erfcx};

/// `ln(1/ν(μ))`, the logarithm of the mean inter-spike interval (`+inf` when the interval
/// overflows), to relative accuracy `rtol`. Arguments are validated and within
/// [`EXACT_MAX_MAGNITUDE`](crate::EXACT_MAX_MAGNITUDE).
///
/// With `lo = (V_R - μ)/σ`, `hi = (V_F - μ)/σ` and the increasing `g(u) = erfcx(-u)`, the
/// integral `∫_lo^hi g` is split at `u = -1`:
///
/// - `u < -1`, where `g(u) ≈ 1/(|u| sqrt(π))` decays only like a power: substituting
///   `u = -e^t` gives `∫ x_erfcx(e^t) dt` with a bounded increasing integrand, over
///   `t ∈ [ln(-min(hi, -1)), ln(-lo)]`, at most 700 long however small `σ` is. Its length
///   `ln(lo/hi) = ln_1p((V_F - V_R)/(μ - V_F))` is formed without cancellation when
///   `hi <= -1` (the near-deterministic regime `μ ≫ V_F`, where the interval is tiny).
/// - `u ∈ [-1, hi]`: directly for `hi <= 7` (`g <= 2e^{49}`); beyond,
///   `∫ g = e^{hi²} ∫_0^S e^{-s(2hi - s)} erfc(s - hi) ds` (`u = hi - s`), truncated at
///   `S = min(hi + 1, 32/hi)` (`TAIL_CUT`), so that the overflowing factor stays in the
///   logarithm: `ln ISI = hi² + ln(sqrt(π) (J + A e^{-hi²}))`.
pub(crate) fn log_isi(mu: f64, a: f64, v_f: f64, v_r: f64, rtol: f64) -> Result<f64, ModelError> {
    let sigma = SQRT_2 * a.sqrt();
    let lo = (v_r - mu) / sigma;
    let hi = (v_f - mu) / sigma;
    let sqrt_pi = PI.sqrt();
    let mut below = 0.0;
    if lo < -1.0 {
        let (start, length) = if hi <= -1.0 {
            ((-hi).ln(), ((v_f - v_r) / (mu - v_f)).ln_1p())
        } else {
            (0.0, (-lo).ln())
        };
        below = quad(
            &|s: f64| x_erfcx((start + s).exp()),
            0.0,
            length,
            true,
            rtol,
        )?;
    }
    if hi <= -1.0 {
        return Ok((sqrt_pi * below).ln());
    }
    let from = lo.max(-1.0);
    if hi <= SCALED_FROM {
        let body = quad(&|u: f64| erfcx(-u), from, hi, true, rtol)?;
        Ok((sqrt_pi * (below + body)).ln())
    } else {
        // The width of `[from, hi]`: for `from = lo` it is `(V_F - V_R)/σ`, formed from the
        // voltages, since `hi - lo` loses it to rounding once `|μ| ≫ (V_F - V_R)/ε` (at
        // `μ = -2.2e16`, `hi` and `lo` round to the same float and the span would be 0).
        let width = if lo >= -1.0 {
            (v_f - v_r) / sigma
        } else {
            hi + 1.0
        };
        let span = width.min(TAIL_CUT / hi);
        let scaled = quad(
            &|s: f64| (-(s * (2.0 * hi - s))).exp() * libm::erfc(s - hi),
            0.0,
            span,
            false,
            rtol,
        )?;
        Ok(hi * hi + (sqrt_pi * (scaled + below * (-hi * hi).exp())).ln())
    }
}

/// The error of a rate that overflows `f64`.
fn rate_overflow(mu: f64) -> ModelError {
    ModelError::Invalid {
        field: "mu",
        value: mu,
        reason: "the firing rate overflows: the input crosses v_f - v_r in less than 1e-308",
    }
}

/// Mean inter-spike interval `1/ν(μ)` of one leaky neuron with mean input `mu` and
/// diffusion coefficient `a` (Siegert formula); `+inf` when the rate underflows (the
/// interval exceeds `1.8e308`, e.g. `(V_F - μ)/σ > 27`).
///
/// Relative accuracy about `1e-12` over the whole admissible range, from the
/// near-deterministic regime `a -> 0` to inputs far below threshold (see the numerics in
/// the module documentation).
///
/// ```
/// // Deterministic limit: a -> 0 with μ > V_F gives ln((μ - V_R)/(μ - V_F)).
/// let isi = nlif_model::mean_interspike_interval(3.0, 1e-12, 2.0, 1.0)?;
/// assert!((isi - 2f64.ln()).abs() < 1e-9);
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ModelError::Invalid`] naming `mu`, `v_f` or `v_r` if one is not finite or exceeds
/// [`EXACT_MAX_MAGNITUDE`](crate::EXACT_MAX_MAGNITUDE) in magnitude, `a` if it is not in `(0, 1e50]`, `v_r` if
/// `v_r >= v_f`, and `mu` if the interval is so short that the rate overflows.
pub fn mean_interspike_interval(mu: f64, a: f64, v_f: f64, v_r: f64) -> Result<f64, ModelError> {
    check_neuron(mu, a, v_f, v_r)?;
    let log = log_isi(mu, a, v_f, v_r, QUAD_RTOL)?;
    if (-log).exp().is_finite() {
        Ok(log.exp())
    } else {
        Err(rate_overflow(mu))
    }
}

/// The Siegert rate `ν(μ)` of one leaky neuron with mean input `mu` and noise `a`:
/// `1 / mean_interspike_interval(mu, a, v_f, v_r)`, `0` when that interval overflows.
///
/// ```
/// // b = 0, a = 1, V_F = 2, V_R = 1: N = 0.11998 (docs/model.md §6).
/// let nu = nlif_model::siegert_rate(0.0, 1.0, 2.0, 1.0)?;
/// assert!((nu - 0.11998).abs() < 5e-6);
/// assert_eq!(nlif_model::siegert_rate(0.0, -1.0, 2.0, 1.0).unwrap_err().field(), "a");
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// As [`mean_interspike_interval`].
pub fn siegert_rate(mu: f64, a: f64, v_f: f64, v_r: f64) -> Result<f64, ModelError> {
    check_neuron(mu, a, v_f, v_r)?;
    let rate = (-log_isi(mu, a, v_f, v_r, QUAD_RTOL)?).exp();
    if rate.is_finite() {
        Ok(rate)
    } else {
        Err(rate_overflow(mu))
    }
}
