//! The stationary rates: the scan for sign changes of the fixed-point defect, the
//! bisections, and the verification that keeps only true fixed points.

use super::siegert::log_isi;
use super::stability::map_slope;
use super::{EXACT_MAX_MAGNITUDE, QUAD_RTOL, VERIFY_RTOL, check_params, in_range};
use crate::{ModelError, ModelParams};

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
    let phi_ln = |x: f64| excess_ln(params, current, x, QUAD_RTOL);
    let candidates = excess_roots(&phi, &phi_ln)?;
    verify(params, current, &candidates)
}

/// The candidate zeros `(N, ln N)` of a relative defect `φ(N) = N/ν(N) - 1` given as
/// `phi(N)` and as `phi_ln(ln N)`, by the search of [`stationary_states`]: the scan of
/// `[1e-15, 1e9]` with bisection, the search below in `ln N` when `φ(1e-15) >= 0`, the
/// scan above up to `1e50` when `φ(1e9) < 0`. It needs of `φ` only that `φ → -1` as
/// `N → 0` (a positive rate at zero input from the population itself); the candidates
/// are not yet verified.
pub(crate) fn excess_roots<E, F, G>(phi: &F, phi_ln: &G) -> Result<Vec<(f64, f64)>, E>
where
    F: Fn(f64) -> Result<f64, E>,
    G: Fn(f64) -> Result<f64, E>,
{
    let mut candidates: Vec<(f64, f64)> = Vec::new();
    if phi(SCAN_LOW)? >= 0.0
        && let Some(x) = root_below(phi_ln)?
    {
        candidates.push((x.exp(), x));
    }
    candidates.extend(bracket_roots(phi)?.into_iter().map(|n| (n, n.ln())));
    if phi(SCAN_HIGH)? < 0.0 {
        candidates.extend(roots_above(phi)?.into_iter().map(|n| (n, n.ln())));
    }
    Ok(candidates)
}

/// The root of `phi_ln(x)` (`φ` at `N = e^x`) below `x = ln 1e-15`, where `φ >= 0`: the
/// first point of the search of [`stationary_states`] with `φ < 0`, then bisection in `x`
/// to adjacent floats. `None` if `φ` stays non-negative down to `x = -1e300`.
fn root_below<E, F: Fn(f64) -> Result<f64, E>>(phi_ln: &F) -> Result<Option<f64>, E> {
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
fn roots_above<E, F: Fn(f64) -> Result<f64, E>>(phi: &F) -> Result<Vec<f64>, E> {
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
fn bisect_ln<E, F: Fn(f64) -> Result<f64, E>>(
    phi_ln: &F,
    mut lo: f64,
    mut phi_lo: f64,
    mut hi: f64,
    mut phi_hi: f64,
) -> Result<f64, E> {
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
fn bracket_roots<E, F: Fn(f64) -> Result<f64, E>>(phi: &F) -> Result<Vec<f64>, E> {
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
/// stationary rate (the bound of [`stationary_states`]; false for a slope that is not
/// finite, which cannot be verified: an infinite one would make the bound infinite).
pub(super) fn accepted(residual: f64, slope: f64) -> bool {
    slope.is_finite()
        && residual.abs() <= STATIONARY_RESIDUAL_TOL + 4.0 * f64::EPSILON * (1.0 - slope).abs()
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
fn bisect_log<E, F: Fn(f64) -> Result<f64, E>>(
    phi: &F,
    mut lo: f64,
    mut phi_lo: f64,
    mut hi: f64,
    mut phi_hi: f64,
) -> Result<f64, E> {
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
        let noisy = |n: f64| {
            Ok::<f64, ModelError>(excess(&p, 0.0, n, QUAD_RTOL)? + 3e-16 * n * (7.0 * n.ln()).sin())
        };
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
        let phi = |n: f64| Ok::<f64, ModelError>((n / 1e-290).ln());
        let (lo, hi) = (1e-300, 1e-280);
        let root = bisect_log(&phi, lo, phi(lo).unwrap(), hi, phi(hi).unwrap()).unwrap();
        assert_relative_eq!(root, 1e-290, max_relative = 4.0 * f64::EPSILON);
    }
}
