//! The exact stationary density at a given rate.

use std::f64::consts::SQRT_2;

use super::{EXACT_MAX_MAGNITUDE, QUAD_RTOL, TAIL_CUT, check_params, in_range, quad};
use crate::error::{finite, require};
use crate::{ModelError, ModelParams};

/// The exact stationary density with firing rate `rate` at voltage `v`:
///
/// ```text
/// p(v) = (N / a) e^{-(v - μ)²/(2a)} ∫_{max(v, V_R)}^{V_F} e^{(w - μ)²/(2a)} dw,   μ = bN + I,
/// ```
///
/// zero for `v >= V_F`. It is a probability density when `rate` is a stationary rate.
///
/// Numerics: with `x = (w - μ)/σ`, `σ = sqrt(2a)`, it is `(2N/σ) ∫_{x_L}^{x_F}
/// e^{x² - x_v²} dx`. The range is split at `x = 0` into pieces on which `x²` decreases
/// away from one end `x_e`; each piece is `e^{(x_e - x_v)(x_e + x_v)} ∫_0^L e^{-s(2|x_e| -
/// s)} ds`, the exponent formed as a product of differences (no overflow, no
/// cancellation) and the integral truncated at `32/|x_e|` (relative `4e-14`, as for the
/// Siegert tail). Relative accuracy about `1e-12`.
///
/// ```
/// use nlif_model::{ModelParams, stationary_density};
/// let p = ModelParams::default();
/// // Continuity at the threshold: p(V_F) = 0.
/// assert_eq!(stationary_density(&p, 0.0, 0.11998, 2.0)?, 0.0);
/// let bad = ModelParams { a0: -1.0, ..p };
/// assert_eq!(stationary_density(&bad, 0.0, 0.11998, 1.5).unwrap_err().field(), "a0");
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ModelError::Invalid`] naming the field of `params` that fails
/// [`ModelParams::validate`] or exceeds [`EXACT_MAX_MAGNITUDE`] in magnitude; `input.i0`
/// if `current` is not finite or exceeds it; `rate` if it is not in `[0, 1e50]`, or if
/// the density at this (then necessarily non-stationary) rate overflows; `v` if it is not
/// finite.
pub fn stationary_density(
    params: &ModelParams,
    current: f64,
    rate: f64,
    v: f64,
) -> Result<f64, ModelError> {
    check_params(params)?;
    in_range("input.i0", current)?;
    require(
        "rate",
        rate,
        (0.0..=EXACT_MAX_MAGNITUDE).contains(&rate),
        "a firing rate must be non-negative (and at most 1e50)",
    )?;
    finite("v", v)?;
    if v >= params.v_f || rate == 0.0 {
        return Ok(0.0);
    }
    let a = params.diffusion(rate);
    let mu = params.b * rate + current;
    let sigma = SQRT_2 * a.sqrt();
    let scaled = |w: f64| (w - mu) / sigma;
    let (x_v, x_l, x_f) = (scaled(v), scaled(v.max(params.v_r)), scaled(params.v_f));
    let log_front = (2.0 * rate / sigma).ln();
    // The piece of length `len` from the end `end` towards zero.
    let piece = |end: f64, len: f64| -> Result<f64, ModelError> {
        let big = end.abs();
        let span = len.min(TAIL_CUT / big);
        let inner = quad(
            &|s: f64| (-(s * (2.0 * big - s))).exp(),
            0.0,
            span,
            false,
            QUAD_RTOL,
        )?;
        Ok((log_front + (end - x_v) * (end + x_v) + inner.ln()).exp())
    };
    let density = if x_l >= 0.0 {
        piece(x_f, x_f - x_l)?
    } else if x_f <= 0.0 {
        piece(x_l, x_f - x_l)?
    } else {
        piece(x_f, x_f)? + piece(x_l, -x_l)?
    };
    if density.is_finite() {
        Ok(density)
    } else {
        Err(ModelError::Invalid {
            field: "rate",
            value: rate,
            reason: "the density at this rate overflows (it is not a stationary rate)",
        })
    }
}
