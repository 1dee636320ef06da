//! Exact stationary results of the mean-field equation (MODEL.md §6).
//!
//! For constant noise `a` and input `I`, a stationary state with firing rate `N` exists
//! iff `N = ν(b N + I)`, where `ν(μ)` is the Siegert rate of one leaky neuron with mean
//! input `μ`:
//!
//! ```text
//! 1 / ν(μ) = sqrt(π) ∫_{(V_R - μ)/σ}^{(V_F - μ)/σ} erfcx(-u) du,    σ = sqrt(2a),
//! ```
//!
//! using `e^{u²}(1 + erf u) = erfcx(-u)`. With `a1 > 0` the same holds with `a = a0 + a1 N`.

use crate::special::{erfcx, integrate};
use crate::{ModelError, ModelParams};

/// Relative tolerance of the quadratures behind the exact results.
const QUAD_RTOL: f64 = 1e-12;

/// Mean inter-spike interval `1/ν(μ)` of one leaky neuron with mean input `mu` and
/// diffusion coefficient `a` (Siegert formula). `+inf` when the rate underflows.
pub fn mean_interspike_interval(mu: f64, a: f64, v_f: f64, v_r: f64) -> f64 {
    let sigma = (2.0 * a).sqrt();
    let lo = (v_r - mu) / sigma;
    let hi = (v_f - mu) / sigma;
    let f = |u: f64| erfcx(-u);
    // Scale of the integral: the larger end value times the length bounds it.
    let scale = (hi - lo) * f(hi).max(f(lo));
    if !scale.is_finite() {
        return f64::INFINITY;
    }
    std::f64::consts::PI.sqrt() * integrate(&f, lo, hi, QUAD_RTOL * scale)
}

/// The Siegert rate `ν(μ)` of one leaky neuron with mean input `mu` and noise `a`.
///
/// ```
/// // b = 0, a = 1, V_F = 2, V_R = 1: N = 0.11998 (MODEL.md §6).
/// let nu = nlif_model::siegert_rate(0.0, 1.0, 2.0, 1.0);
/// assert!((nu - 0.11998).abs() < 5e-6);
/// ```
pub fn siegert_rate(mu: f64, a: f64, v_f: f64, v_r: f64) -> f64 {
    1.0 / mean_interspike_interval(mu, a, v_f, v_r)
}

/// `φ(N) = N / ν(bN + I) - 1`: the stationary rates are the zeros of `φ`.
fn excess(params: &ModelParams, current: f64, rate: f64) -> f64 {
    let a = params.diffusion(rate);
    rate * mean_interspike_interval(params.b * rate + current, a, params.v_f, params.v_r) - 1.0
}

/// Log-spaced scan range for the stationary rates, in spikes per unit time.
const SCAN_LOW: f64 = 1e-15;
const SCAN_HIGH: f64 = 1e9;
const SCAN_PER_DECADE: usize = 12;

/// Every stationary firing rate for parameters `params` and constant input `current`,
/// ascending.
///
/// Roots are bracketed by a log-spaced scan of `φ(N) = N/ν(bN + I) - 1` over
/// `[1e-15, 1e9]` (12 points per decade) and refined by bisection in `log N` to relative
/// precision `1e-14`. For `b <= 0` (and `a1 = 0`) `φ` is increasing, so there is exactly one
/// root and the scan is extended downwards if needed. Tangential (double) roots, which
/// exist only on a measure-zero set of parameters, can be missed.
///
/// ```
/// use nlif_model::{ModelParams, stationary_rates};
/// let p = ModelParams { b: 1.5, ..ModelParams::default() };
/// let rates = stationary_rates(&p, 0.0).unwrap();
/// assert_eq!(rates.len(), 2);
/// // 0.192364 and 2.28913 (checked independently with mpmath at 30 digits).
/// assert!((rates[0] - 0.192364).abs() < 1e-6 && (rates[1] - 2.28913).abs() < 1e-5);
/// let none = ModelParams { b: 3.0, ..ModelParams::default() };
/// assert!(stationary_rates(&none, 0.0).unwrap().is_empty());
/// ```
pub fn stationary_rates(params: &ModelParams, current: f64) -> Result<Vec<f64>, ModelError> {
    params.validate()?;
    crate::error::finite("input.i0", current)?;
    let phi = |n: f64| excess(params, current, n);
    let decades = (SCAN_HIGH / SCAN_LOW).log10();
    let points = (decades * SCAN_PER_DECADE as f64).round() as usize;
    let at = |k: usize| SCAN_LOW * (SCAN_HIGH / SCAN_LOW).powf(k as f64 / points as f64);

    let mut roots = Vec::new();
    let mut lo = SCAN_LOW;
    let mut phi_lo = phi(lo);
    if phi_lo >= 0.0 && params.b <= 0.0 {
        // Strong inhibition or input far below threshold: the single root lies lower.
        let mut x = lo;
        while x > 1e-300 && phi(x) >= 0.0 {
            x *= 1e-3;
        }
        if x > 1e-300 {
            roots.push(bisect_log(&phi, x, lo));
        }
        return Ok(roots);
    }
    for k in 1..=points {
        let hi = at(k);
        let phi_hi = phi(hi);
        if phi_hi == 0.0 {
            roots.push(hi);
        } else if (phi_lo < 0.0) != (phi_hi < 0.0) && phi_lo != 0.0 {
            roots.push(bisect_log(&phi, lo, hi));
        }
        lo = hi;
        phi_lo = phi_hi;
    }
    Ok(roots)
}

/// Bisection in `log N` of a sign change of `phi` on `[lo, hi]`.
fn bisect_log<F: Fn(f64) -> f64>(phi: &F, mut lo: f64, mut hi: f64) -> f64 {
    let lo_negative = phi(lo) < 0.0;
    while hi / lo > 1.0 + 1e-14 {
        let mid = (lo * hi).sqrt();
        if (phi(mid) < 0.0) == lo_negative {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

/// The exact stationary density with firing rate `rate`:
///
/// ```text
/// p(v) = (N / a) e^{-(v - μ)²/(2a)} ∫_{max(v, V_R)}^{V_F} e^{(w - μ)²/(2a)} dw,   μ = bN + I,
/// ```
///
/// zero for `v >= V_F`. It is a probability density when `rate` is a stationary rate.
/// The two exponentials are combined under the integral so nothing overflows.
///
/// ```
/// use nlif_model::{ModelParams, stationary_density};
/// let p = ModelParams::default();
/// // Continuity at the threshold: p(V_F) = 0.
/// assert_eq!(stationary_density(&p, 0.0, 0.11998, 2.0), 0.0);
/// ```
pub fn stationary_density(params: &ModelParams, current: f64, rate: f64, v: f64) -> f64 {
    if v >= params.v_f {
        return 0.0;
    }
    let a = params.diffusion(rate);
    let mu = params.b * rate + current;
    let base = (v - mu).powi(2);
    let f = |w: f64| (((w - mu).powi(2) - base) / (2.0 * a)).exp();
    let lower = v.max(params.v_r);
    let scale = (params.v_f - lower) * f(lower).max(f(params.v_f));
    rate / a * integrate(&f, lower, params.v_f, QUAD_RTOL * scale)
}
