//! The slope of the fixed-point map at a stationary rate, which decides its stability.

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

/// The slope `dν/dN` of the fixed-point map at `rate` (formula in [`stationary_states`]),
/// every product formed as the exponential of a sum of logarithms.
pub(super) fn map_slope(params: &ModelParams, current: f64, rate: f64) -> Result<f64, ModelError> {
    let a = params.diffusion(rate);
    let mu = params.b * rate + current;
    let sigma = SQRT_2 * a.sqrt();
    let lo = (params.v_r - mu) / sigma;
    let hi = (params.v_f - mu) / sigma;
    // ln(sqrt(π) ν²).
    let log_front = 0.5 * PI.ln() - 2.0 * log_isi(mu, a, params.v_f, params.v_r, QUAD_RTOL)?;
    let (g_hi, g_lo) = (ln_g(hi), ln_g(lo));
    let drift = if params.b == 0.0 {
        0.0
    } else {
        // b (g(hi) - g(lo)) / σ = b g(hi) (1 - g(lo)/g(hi)) / σ, with g(lo) <= g(hi).
        params.b.signum()
            * (log_front + params.b.abs().ln() - sigma.ln() + g_hi).exp()
            * -(g_lo - g_hi).exp_m1()
    };
    let noise = if params.a1 == 0.0 {
        0.0
    } else {
        let factor = log_front + (params.a1 / (2.0 * a)).ln();
        hi * (factor + g_hi).exp() - lo * (factor + g_lo).exp()
    };
    Ok(drift + noise)
}
