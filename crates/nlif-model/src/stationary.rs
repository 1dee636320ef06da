//! Exact stationary results of the mean-field equation (docs/model.md §6).
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
//!
//! Numerics. Every quadrature is of a positive monotone integrand to relative accuracy
//! `1e-12`. The Siegert integral is split at `u = -1`: below, where `erfcx(-u)` decays
//! like `1/|u|`, the substitution `u = -e^t` makes the range at most ~700 long however
//! small `σ` is (the interval length `ln((μ - V_R)/(μ - V_F))` is formed by `ln_1p`, exact
//! in the near-deterministic regime `a -> 0`); above, the factor `e^{hi²}` is taken out
//! analytically once `hi > 7`, so the interval is carried as its logarithm and the rate
//! underflows gracefully to 0 instead of overflowing the quadrature. Arguments are
//! validated (typed errors naming the field) and bounded by [`EXACT_MAX_MAGNITUDE`], which
//! keeps every scaled voltage finite.

use std::f64::consts::{PI, SQRT_2};

use crate::error::{finite, require};
use crate::special::{erfcx, integrate_monotone, x_erfcx};
use crate::{ModelError, ModelParams};

/// Relative accuracy of the quadratures behind the exact results (each is run with
/// `QUAD_RTOL / 2`, see [`integrate_monotone`]).
const QUAD_RTOL: f64 = 1e-12;
/// Relative accuracy of the second, independent evaluation of `φ` that verifies each
/// stationary rate: 100 times tighter than the scan (in practice round-off limited).
const VERIFY_RTOL: f64 = 1e-14;

/// Largest magnitude of a voltage, current, connectivity, noise or rate accepted by the
/// exact results. With it every scaled voltage `(V - μ)/σ` stays finite (`|V - μ| <=
/// 1e100` for the rates `N <= 1e50` of a density, `σ >= sqrt(2 · 5e-324) = 3e-162`), so
/// no intermediate quantity overflows; the model is dimensionless and meaningful values
/// are of order one.
pub const EXACT_MAX_MAGNITUDE: f64 = 1e50;

/// Gaussian-tail integrands `e^{-s(2X - s)}` (spike width `1/(2X)`) are integrated up to
/// `s = 32/X`: for `s <= X` they are below `e^{-X s}`, so the dropped tail is at most
/// `e^{-32}/X`, while the kept part exceeds `(1 - e^{-1})/(2X)`: relative `4e-14`.
const TAIL_CUT: f64 = 32.0;

/// Upper end of the Siegert integral beyond which the factor `e^{hi²}` is taken out
/// analytically (then `TAIL_CUT / hi <= hi` as the tail bound needs).
const SCALED_FROM: f64 = 7.0;

fn in_range(field: &'static str, value: f64) -> Result<f64, ModelError> {
    require(
        field,
        value,
        value.abs() <= EXACT_MAX_MAGNITUDE,
        "outside the range |x| <= 1e50 supported by the exact results",
    )
}

/// [`ModelParams::validate`] plus the magnitude bound of the exact results.
fn check_params(params: &ModelParams) -> Result<(), ModelError> {
    params.validate()?;
    in_range("a0", params.a0)?;
    in_range("a1", params.a1)?;
    in_range("b", params.b)?;
    in_range("v_f", params.v_f)?;
    in_range("v_r", params.v_r)?;
    Ok(())
}

fn check_neuron(mu: f64, a: f64, v_f: f64, v_r: f64) -> Result<(), ModelError> {
    in_range("mu", mu)?;
    require(
        "a",
        a,
        a > 0.0 && a <= EXACT_MAX_MAGNITUDE,
        "the noise `a` must be positive (and at most 1e50)",
    )?;
    in_range("v_f", v_f)?;
    in_range("v_r", v_r)?;
    require(
        "v_r",
        v_r,
        v_r < v_f,
        "the reset `v_r` must lie below the threshold `v_f`",
    )?;
    Ok(())
}

/// [`integrate_monotone`] to relative accuracy `rtol`; a failure to converge (not
/// observed: the integrands are smooth and monotone) is reported, not hidden.
fn quad<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    increasing: bool,
    rtol: f64,
) -> Result<f64, ModelError> {
    integrate_monotone(f, a, b, 0.5 * rtol, increasing).ok_or(ModelError::Invalid {
        field: "tol",
        value: rtol,
        reason: "the quadrature of an exact result did not converge within 2^20 refinement steps",
    })
}

/// `ln(1/ν(μ))`, the logarithm of the mean inter-spike interval (`+inf` when the interval
/// overflows), to relative accuracy `rtol`. Arguments are validated and within
/// [`EXACT_MAX_MAGNITUDE`].
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
fn log_isi(mu: f64, a: f64, v_f: f64, v_r: f64, rtol: f64) -> Result<f64, ModelError> {
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
        let span = (hi - from).min(TAIL_CUT / hi);
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
/// [`EXACT_MAX_MAGNITUDE`] in magnitude, `a` if it is not in `(0, 1e50]`, `v_r` if
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

/// `φ(N) = N / ν(bN + I) - 1`, the relative defect of the fixed-point equation: the
/// stationary rates are the zeros of `φ`. Formed as `expm1(ln N + ln(1/ν))`, so that
/// near a zero it is as accurate as `ln(1/ν)` (absolute error about `rtol`).
fn excess(params: &ModelParams, current: f64, rate: f64, rtol: f64) -> Result<f64, ModelError> {
    excess_at(params, current, rate, rate.ln(), rtol)
}

/// [`excess`] at the rate `rate = e^{ln_rate}` given with its logarithm, which stays finite
/// where the rate itself underflows to 0 (a network far below threshold).
fn excess_at(
    params: &ModelParams,
    current: f64,
    rate: f64,
    ln_rate: f64,
    rtol: f64,
) -> Result<f64, ModelError> {
    let a = params.diffusion(rate);
    let log = log_isi(params.b * rate + current, a, params.v_f, params.v_r, rtol)?;
    Ok((ln_rate + log).exp_m1())
}

/// `φ` as a function of `x = ln N` (for the scans beyond the representable rates).
fn excess_ln(params: &ModelParams, current: f64, x: f64, rtol: f64) -> Result<f64, ModelError> {
    excess_at(params, current, x.exp(), x, rtol)
}

/// Log-spaced scan range for the stationary rates, in spikes per unit time.
const SCAN_LOW: f64 = 1e-15;
const SCAN_HIGH: f64 = 1e9;
const SCAN_PER_DECADE: usize = 12;
/// The highest rate searched: a larger one would put the mean input `bN + I` or the noise
/// `a0 + a1 N` beyond [`EXACT_MAX_MAGNITUDE`], where the Siegert integral is not resolved.
const SEARCH_HIGH: f64 = EXACT_MAX_MAGNITUDE;
/// Below `SCAN_LOW` the search steps in `x = ln N` by factors `2^(1/4)` of `|x|`, down to
/// `x = -SEARCH_LN_LOW` (a rate `e^{-1e300}`; `ln(1/ν)` is finite far beyond `f64`'s
/// smallest rate, e.g. about 1352 for an input of -50).
const SEARCH_LN_LOW: f64 = 1e300;
/// Points per decade of the search above `SCAN_HIGH`.
const SEARCH_HIGH_PER_DECADE: usize = 4;
/// Largest accepted residual `|φ(N)| = |N/ν(N) - 1|` of a stationary rate (plus the
/// one-ulp allowance of [`stationary_states`]).
pub const STATIONARY_RESIDUAL_TOL: f64 = 1e-10;

/// A stationary state of the mean-field equation: a fixed point `N = ν(bN + I)` of the
/// Siegert map (with `a = a0 + a1 N` inside `ν`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StationaryState {
    /// The stationary firing rate `N` (0 when it is below the smallest `f64`, `5e-324`:
    /// then [`ln_rate`](StationaryState::ln_rate) holds it).
    pub rate: f64,
    /// `ln N`, finite also where `N` underflows (for an input far below threshold the
    /// stationary rate can be `e^{-1352}`).
    pub ln_rate: f64,
    /// Slope `s = dν(bN + I; a0 + a1 N)/dN` of the fixed-point map at `N` (exact
    /// derivative of the Siegert integral, see [`stationary_states`]).
    pub slope: f64,
    /// Residual `N / ν(N) - 1` of the fixed-point equation at the returned `N`, from the
    /// independent verifying evaluation (absolute accuracy about `1e-14 + ε |ln N|`).
    pub residual: f64,
    /// `slope < 1`: the map crosses the diagonal from above.
    pub stable: bool,
}

/// Every stationary state for parameters `params` and constant input `current`, by
/// ascending rate, with its stability.
///
/// **Search.** Roots of `φ(N) = N/ν(bN + I) - 1` are bracketed by a log-spaced scan over
/// `[1e-15, 1e9]` (12 points per decade) and refined by bisection in `log N` until the
/// bracket ends are adjacent floats; the end with the smaller `|φ|` is returned. Beyond
/// that range the search goes on where a root can lie: `φ → -1` as `N → 0` (`ν(I) > 0`),
/// so `φ(1e-15) >= 0` means a root below, searched in `x = ln N` (steps of `2^(1/4)` in
/// `|x|`, to `x = -1e300`, bisected in `x`), where the rate may underflow `f64` and is
/// carried as its logarithm; `φ(1e9) < 0` means the rate still exceeds `N` there, and the
/// scan goes on up to `1e50` (4 points per decade), the largest rate whose Siegert
/// integral is resolved ([`EXACT_MAX_MAGNITUDE`]). An uncoupled or inhibitory network
/// (`b <= 0`, `a1 = 0`) has an increasing `φ` and exactly one stationary state, which the
/// search finds wherever it lies. Tangential (double) roots, which exist only on a
/// measure-zero set of parameters, can be missed.
///
/// **Verification.** A bracketed sign change is only a candidate: where `φ` is nearly zero
/// over a long range (for `b = 1`, `φ ≈ 1.5/N` for large `N`) an inaccurate `ν` produces
/// sign changes that are not roots. Each candidate `N` gets its residual `φ(N) = N/ν(N) - 1`
/// (the relative defect of `N = ν(N)`, scale-free) from a second evaluation 100 times more
/// accurate than the scan's (quadrature to `1e-14`; forming `φ` in logarithms adds
/// `ε |ln N| <= 1.5e-13`), and is accepted only if
/// `|φ(N)| <= 1e-10 + 4 ε |1 - s|` ([`STATIONARY_RESIDUAL_TOL`]), i.e. `N` and `ν(N)` agree
/// to `1e-10` relative. Why this bound: the scan evaluates `φ` to an absolute accuracy of
/// about `1e-12` (the quadrature's relative accuracy, `φ` being formed in logarithms), so
/// at a true root the scan's zero crossing has `|φ| <= 1e-12`, and the bisection leaves `N`
/// within one ulp of it, which moves `φ` by at most `ε |dφ/d ln N| = ε |1 - s|` (allowed
/// for four times over): true roots pass with a margin of 100. A spurious crossing sits
/// where the true `|φ|` exceeds the scan's error; the verifying evaluation (error below
/// `2e-13`) sees that value, and it is rejected once above `1e-10` — a point that is not a fixed
/// point to the `1e-10` the tests of this crate demand. A candidate whose slope is not
/// finite cannot be verified and is dropped.
///
/// **Stability.** `s = dν/dN` at the root, from the exact derivatives of the Siegert
/// integral (`g(u) = erfcx(-u)`, `lo, hi` its limits):
///
/// ```text
/// s = ν² sqrt(π) [ b (g(hi) - g(lo)) / σ + a1 (hi g(hi) - lo g(lo)) / (2a) ],
/// ```
///
/// evaluated in logarithms. A state is `stable` when `s < 1`: the graph of `N ↦ ν(N)`
/// crosses the diagonal from above, so a rate perturbed upwards produces a smaller
/// stationary output and relaxes back (the criterion of the fixed-point map; it is the
/// one behind the stable/unstable labels of docs/model.md §6, e.g. `b = 1.5`:
/// `0.1923640` stable, `2.2891257` unstable). It is not a full spectral stability
/// analysis of the Fokker–Planck equation.
///
/// ```
/// use nlif_model::{ModelParams, stationary_states};
/// let p = ModelParams { b: 1.5, ..ModelParams::default() };
/// let states = stationary_states(&p, 0.0)?;
/// assert_eq!(states.len(), 2);
/// assert!(states[0].stable && !states[1].stable);
/// assert!(states.iter().all(|s| s.residual.abs() <= 1e-10));
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ModelError::Invalid`] naming the field of `params` that fails
/// [`ModelParams::validate`] or exceeds [`EXACT_MAX_MAGNITUDE`] in magnitude, or
/// `input.i0` if `current` is not finite or exceeds it.
pub fn stationary_states(
    params: &ModelParams,
    current: f64,
) -> Result<Vec<StationaryState>, ModelError> {
    check_params(params)?;
    in_range("input.i0", current)?;
    let phi = |n: f64| excess(params, current, n, QUAD_RTOL);
    let mut candidates: Vec<(f64, f64)> = Vec::new();
    if phi(SCAN_LOW)? >= 0.0 {
        let phi_ln = |x: f64| excess_ln(params, current, x, QUAD_RTOL);
        if let Some(x) = root_below(&phi_ln)? {
            candidates.push((x.exp(), x));
        }
    }
    candidates.extend(bracket_roots(&phi)?.into_iter().map(|n| (n, n.ln())));
    if phi(SCAN_HIGH)? < 0.0 {
        candidates.extend(roots_above(&phi)?.into_iter().map(|n| (n, n.ln())));
    }
    verify(params, current, &candidates)
}

/// The root of `phi_ln(x)` (`φ` at `N = e^x`) below `x = ln 1e-15`, where `φ >= 0`: the
/// first point of the search of [`stationary_states`] with `φ < 0`, then bisection in `x`
/// to adjacent floats. `None` if `φ` stays non-negative down to `x = -1e300`.
fn root_below<F: Fn(f64) -> Result<f64, ModelError>>(
    phi_ln: &F,
) -> Result<Option<f64>, ModelError> {
    let top = SCAN_LOW.ln();
    let (mut hi, mut phi_hi) = (top, phi_ln(top)?);
    let step = 2f64.powf(0.25);
    while hi > -SEARCH_LN_LOW {
        let lo = (hi * step).max(-SEARCH_LN_LOW);
        let phi_lo = phi_ln(lo)?;
        if phi_lo < 0.0 {
            return Ok(Some(bisect_ln(phi_ln, lo, phi_lo, hi, phi_hi)?));
        }
        (hi, phi_hi) = (lo, phi_lo);
    }
    Ok(None)
}

/// The roots of `phi` above `1e9`, where `φ(1e9) < 0`: a log-spaced scan up to `1e50`
/// (4 points per decade), each sign change bisected in `log N`.
fn roots_above<F: Fn(f64) -> Result<f64, ModelError>>(phi: &F) -> Result<Vec<f64>, ModelError> {
    let decades = (SEARCH_HIGH / SCAN_HIGH).log10();
    let points = (decades * SEARCH_HIGH_PER_DECADE as f64).round() as usize;
    let at = |k: usize| SCAN_HIGH * (SEARCH_HIGH / SCAN_HIGH).powf(k as f64 / points as f64);
    let mut roots = Vec::new();
    let (mut lo, mut phi_lo) = (SCAN_HIGH, phi(SCAN_HIGH)?);
    for k in 1..=points {
        let hi = at(k);
        let phi_hi = phi(hi)?;
        if (phi_lo < 0.0) != (phi_hi < 0.0) {
            roots.push(bisect_log(phi, lo, phi_lo, hi, phi_hi)?);
        }
        (lo, phi_lo) = (hi, phi_hi);
    }
    Ok(roots)
}

/// Bisection in `x` of a sign change of `phi_ln` on `[lo, hi]`, down to adjacent floats;
/// the end with the smaller `|φ|`.
fn bisect_ln<F: Fn(f64) -> Result<f64, ModelError>>(
    phi_ln: &F,
    mut lo: f64,
    mut phi_lo: f64,
    mut hi: f64,
    mut phi_hi: f64,
) -> Result<f64, ModelError> {
    // From a bracket of width 1e300 to adjacent floats: about 1100 halvings at most.
    for _ in 0..2200 {
        let mid = 0.5 * lo + 0.5 * hi;
        if !(mid > lo && mid < hi) {
            break;
        }
        let phi_mid = phi_ln(mid)?;
        if phi_mid == 0.0 {
            return Ok(mid);
        }
        if (phi_mid < 0.0) == (phi_lo < 0.0) {
            (lo, phi_lo) = (mid, phi_mid);
        } else {
            (hi, phi_hi) = (mid, phi_mid);
        }
    }
    Ok(if phi_lo.abs() <= phi_hi.abs() { lo } else { hi })
}

/// Candidate roots of `phi` in `[1e-15, 1e9]` (the scan and bisection of
/// [`stationary_states`]).
fn bracket_roots<F: Fn(f64) -> Result<f64, ModelError>>(phi: &F) -> Result<Vec<f64>, ModelError> {
    let decades = (SCAN_HIGH / SCAN_LOW).log10();
    let points = (decades * SCAN_PER_DECADE as f64).round() as usize;
    let at = |k: usize| SCAN_LOW * (SCAN_HIGH / SCAN_LOW).powf(k as f64 / points as f64);

    let mut candidates = Vec::new();
    let mut lo = SCAN_LOW;
    let mut phi_lo = phi(lo)?;
    for k in 1..=points {
        let hi = at(k);
        let phi_hi = phi(hi)?;
        if phi_hi == 0.0 {
            candidates.push(hi);
        } else if (phi_lo < 0.0) != (phi_hi < 0.0) && phi_lo != 0.0 {
            candidates.push(bisect_log(phi, lo, phi_lo, hi, phi_hi)?);
        }
        lo = hi;
        phi_lo = phi_hi;
    }
    Ok(candidates)
}

/// Whether a candidate with verified residual `residual` and map slope `slope` is a
/// stationary rate (the bound of [`stationary_states`]; false for a NaN slope).
fn accepted(residual: f64, slope: f64) -> bool {
    residual.abs() <= STATIONARY_RESIDUAL_TOL + 4.0 * f64::EPSILON * (1.0 - slope).abs()
}

/// The verification step of [`stationary_states`].
fn verify(
    params: &ModelParams,
    current: f64,
    candidates: &[(f64, f64)],
) -> Result<Vec<StationaryState>, ModelError> {
    let mut states = Vec::with_capacity(candidates.len());
    for &(rate, ln_rate) in candidates {
        let residual = excess_at(params, current, rate, ln_rate, VERIFY_RTOL)?;
        let slope = map_slope(params, current, rate)?;
        if accepted(residual, slope) {
            states.push(StationaryState {
                rate,
                ln_rate,
                slope,
                residual,
                stable: slope < 1.0,
            });
        }
    }
    Ok(states)
}

/// Every stationary firing rate for parameters `params` and constant input `current`,
/// ascending: the rates of [`stationary_states`] (verified by their residual).
///
/// ```
/// use nlif_model::{ModelParams, stationary_rates};
/// let p = ModelParams { b: 1.5, ..ModelParams::default() };
/// let rates = stationary_rates(&p, 0.0)?;
/// assert_eq!(rates.len(), 2);
/// // 0.192364 and 2.28913 (checked independently with mpmath at 30 digits).
/// assert!((rates[0] - 0.192364).abs() < 1e-6 && (rates[1] - 2.28913).abs() < 1e-5);
/// let none = ModelParams { b: 3.0, ..ModelParams::default() };
/// assert!(stationary_rates(&none, 0.0)?.is_empty());
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// As [`stationary_states`].
pub fn stationary_rates(params: &ModelParams, current: f64) -> Result<Vec<f64>, ModelError> {
    Ok(stationary_states(params, current)?
        .into_iter()
        .map(|s| s.rate)
        .collect())
}

/// Most bisection steps: from a bracket `[1e-300, 1e-15]` to adjacent floats takes 61.
const MAX_BISECTIONS: usize = 200;

/// Bisection in `log N` of a sign change of `phi` on `[lo, hi]`, down to adjacent floats.
/// Returns the end with the smaller `|φ|`.
fn bisect_log<F: Fn(f64) -> Result<f64, ModelError>>(
    phi: &F,
    mut lo: f64,
    mut phi_lo: f64,
    mut hi: f64,
    mut phi_hi: f64,
) -> Result<f64, ModelError> {
    for _ in 0..MAX_BISECTIONS {
        // Geometric mean without underflow of the product.
        let mid = lo.sqrt() * hi.sqrt();
        if !(mid > lo && mid < hi) {
            break;
        }
        let phi_mid = phi(mid)?;
        if phi_mid == 0.0 {
            return Ok(mid);
        }
        if (phi_mid < 0.0) == (phi_lo < 0.0) {
            lo = mid;
            phi_lo = phi_mid;
        } else {
            hi = mid;
            phi_hi = phi_mid;
        }
    }
    Ok(if phi_lo.abs() <= phi_hi.abs() { lo } else { hi })
}

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
fn map_slope(params: &ModelParams, current: f64, rate: f64) -> Result<f64, ModelError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn with_b(b: f64) -> ModelParams {
        ModelParams {
            b,
            ..ModelParams::default()
        }
    }

    /// The failure of issue 10 (finding 8) re-created: for `b = 1`, `φ(N) ≈ 1.5/N` is tiny
    /// for large `N`, and an evaluation with relative noise `3e-16 N` (the old quadrature
    /// was off by about 1e-8 at N = 1e8) crosses zero several times there. The scan takes
    /// every crossing as a candidate; the verification must keep only the true root.
    /// Oracles: the asymptotics `φ(N) = 1.5/N + O(N^-2)` (no root above the first), and the
    /// clean value of the root from the accurate evaluation.
    #[test]
    fn verification_drops_crossings_made_by_noise() {
        let p = with_b(1.0);
        let noisy = |n: f64| Ok(excess(&p, 0.0, n, QUAD_RTOL)? + 3e-16 * n * (7.0 * n.ln()).sin());
        let candidates = bracket_roots(&noisy).unwrap();
        assert!(candidates.len() >= 3, "{candidates:?}");
        for &n in &candidates[1..] {
            assert!(n > 1e7, "{candidates:?}");
            // Within the O(N^-2) remainder and the 1e-14 accuracy of the verification.
            let residual = excess(&p, 0.0, n, VERIFY_RTOL).unwrap();
            assert!((residual - 1.5 / n).abs() <= 1e-13, "{residual} at N = {n}");
        }
        let pairs: Vec<(f64, f64)> = candidates.iter().map(|&n| (n, n.ln())).collect();
        let states = verify(&p, 0.0, &pairs).unwrap();
        assert_eq!(states.len(), 1, "{states:?}");
        assert_relative_eq!(
            states[0].rate,
            0.156_207_006_139_724_77,
            max_relative = 1e-12
        );
        assert!(states[0].residual.abs() <= 1e-12);
        assert!(states[0].stable);
        // A slope that is not a number cannot be verified.
        assert!(!accepted(0.0, f64::NAN));
        assert!(accepted(0.0, 1e100));
    }

    /// Oracle: the exact root `1e-290` of `ln(N / 1e-290)`. The old bisection formed
    /// `sqrt(lo * hi)`, which underflows to 0 here and then never terminated.
    #[test]
    fn bisection_in_log_n_reaches_adjacent_floats_without_underflow() {
        let phi = |n: f64| Ok((n / 1e-290).ln());
        let (lo, hi) = (1e-300, 1e-280);
        let root = bisect_log(&phi, lo, phi(lo).unwrap(), hi, phi(hi).unwrap()).unwrap();
        assert_relative_eq!(root, 1e-290, max_relative = 4.0 * f64::EPSILON);
    }
}
