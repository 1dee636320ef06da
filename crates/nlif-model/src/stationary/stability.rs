//! The derivatives of the Siegert rate, and from them the slope of the fixed-point map at a
//! stationary rate, which decides its stability.

use std::f64::consts::{PI, SQRT_2};

use super::siegert::log_isi;
use super::{QUAD_RTOL, SCALED_FROM};
use crate::special::erfcx;
use crate::{ModelError, ModelParams};

/// `ln g(u) = ln erfcx(-u)`, finite for every finite `u` (for `u > 7` as
/// `u² + ln erfc(-u)`, where `erfcx(-u)` would overflow).
fn ln_g(u: f64) -> f64 {
    if u > SCALED_FROM {
        u * u + libm::erfc(-u).ln()
    } else {
        erfcx(-u).ln()
    }
}

/// The partial derivatives `(∂ν/∂μ, ∂ν/∂a)` of the Siegert rate `ν(μ, a)` of a neuron with
/// threshold `v_f` and reset `v_r` (arguments validated by the caller). Differentiating
/// `1/ν = sqrt(π) ∫_lo^hi g` (`g(u) = erfcx(-u)`, `lo, hi = (V_R, V_F - μ)/σ`,
/// `σ = sqrt(2a)`) in its limits:
///
/// ```text
/// ∂ν/∂μ = ν² sqrt(π) (g(hi) - g(lo)) / σ,      ∂ν/∂a = ν² sqrt(π) (hi g(hi) - lo g(lo)) / (2a),
/// ```
///
/// every product formed as the exponential of a sum of logarithms (`g(hi) - g(lo)` as
/// `g(hi) (1 - g(lo)/g(hi))`, `g(lo) <= g(hi)`), so that nothing overflows on the way.
pub(crate) fn siegert_partials(
    mu: f64,
    a: f64,
    v_f: f64,
    v_r: f64,
) -> Result<(f64, f64), ModelError> {
    let sigma = SQRT_2 * a.sqrt();
    let lo = (v_r - mu) / sigma;
    let hi = (v_f - mu) / sigma;
    // ln(sqrt(π) ν²).
    let log_front = 0.5 * PI.ln() - 2.0 * log_isi(mu, a, v_f, v_r, QUAD_RTOL)?;
    let (g_hi, g_lo) = (ln_g(hi), ln_g(lo));
    let d_mu = (log_front - sigma.ln() + g_hi).exp() * -(g_lo - g_hi).exp_m1();
    let factor = log_front - (2.0 * a).ln();
    let d_a = hi * (factor + g_hi).exp() - lo * (factor + g_lo).exp();
    Ok((d_mu, d_a))
}

/// The slope `dν/dN = b ∂ν/∂μ + a1 ∂ν/∂a` of the fixed-point map at `rate` (formula in
/// [`stationary_states`](crate::stationary_states)); a term with a zero coefficient is
/// zero.
pub(super) fn map_slope(params: &ModelParams, current: f64, rate: f64) -> Result<f64, ModelError> {
    let a = params.diffusion(rate);
    let mu = params.b * rate + current;
    let (d_mu, d_a) = siegert_partials(mu, a, params.v_f, params.v_r)?;
    let drift = if params.b == 0.0 {
        0.0
    } else {
        params.b * d_mu
    };
    let noise = if params.a1 == 0.0 {
        0.0
    } else {
        params.a1 * d_a
    };
    Ok(drift + noise)
}
