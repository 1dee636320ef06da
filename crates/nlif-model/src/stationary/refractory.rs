//! Stationary rates with a refractory period: the fixed points of `N = ν / (1 + τ ν)`.
//!
//! A neuron that fires is away for a mean time `τ` ([`Refractory::mean_time`], the same
//! for a fixed and an exponential period) and then needs a first passage from `V_R` to
//! `V_F` of mean `1/ν(bN + I; a)`: its mean interspike interval is `τ + 1/ν`, and the
//! stationary rate solves `1/N = τ + 1/ν` (docs/model.md §11). The fixed-point map is
//! `F(N) = ν / (1 + τ ν) = 1 / (τ + 1/ν)`; its relative defect
//!
//! ```text
//! φ(N) = N / F(N) - 1 = N τ + (N/ν - 1) = N τ + expm1(ln N + ln(1/ν))
//! ```
//!
//! is the defect of [`stationary_states`](crate::stationary_states) plus `N τ`, so the
//! same search (its scan, bisections and the search beyond it: `φ → -1` as `N → 0`
//! still), the same verification bound and the same stability criterion apply, with the
//! slope of `F`:
//!
//! ```text
//! F'(N) = s / (1 + τ ν)²,      s = dν/dN (the slope without refractory period).
//! ```
//!
//! With `τ = 0` this is [`stationary_states`](crate::stationary_states) bit for bit (the
//! call is forwarded). Every rate is below `1/τ`.

use super::search::{StationaryState, accepted, excess_roots, stationary_states};
use super::siegert::log_isi;
use super::stability::map_slope;
use super::{QUAD_RTOL, VERIFY_RTOL, check_params, in_range};
use crate::{ModelError, ModelParams, Refractory};

/// `φ(N) = N τ + expm1(ln N + ln(1/ν))` at `N = rate = e^{ln_rate}`.
fn excess_at(
    params: &ModelParams,
    current: f64,
    tau: f64,
    (rate, ln_rate): (f64, f64),
    rtol: f64,
) -> Result<f64, ModelError> {
    let a = params.diffusion(rate);
    let log = log_isi(params.b * rate + current, a, params.v_f, params.v_r, rtol)?;
    Ok(rate * tau + (ln_rate + log).exp_m1())
}

/// Every stationary state of the model `params` with constant input `current` and the
/// refractory period `refractory`, by ascending rate: the verified fixed points of
/// `N = ν(bN + I; a0 + a1 N) / (1 + τ ν)` (module docs), each with the slope of that map
/// and `stable` when it is below 1.
///
/// The check of docs/model.md §11 (`b = 1.5`, `τ = 0.025`: a third, high-activity state
/// appears beside the two of the model without refractory period):
///
/// ```
/// use nlif_model::{ModelParams, Refractory, stationary_states_refractory};
/// let params = ModelParams { b: 1.5, ..ModelParams::default() };
/// let states = stationary_states_refractory(&params, 0.0, &Refractory::Fixed { tau: 0.025 })?;
/// let rates: Vec<f64> = states.iter().map(|s| s.rate).collect();
/// let expected = [0.1907361294, 2.9169876555, 10.7133751877];
/// assert_eq!(rates.len(), 3);
/// for (n, e) in rates.iter().zip(expected) {
///     assert!((n / e - 1.0).abs() < 1e-9, "{n} vs {e}");
/// }
/// let stable: Vec<bool> = states.iter().map(|s| s.stable).collect();
/// assert_eq!(stable, [true, false, true]);
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// As [`stationary_states`](crate::stationary_states), and [`ModelError::Invalid`]
/// naming `refractory.tau` for a period that is negative, not finite or beyond
/// [`EXACT_MAX_MAGNITUDE`](crate::EXACT_MAX_MAGNITUDE).
pub fn stationary_states_refractory(
    params: &ModelParams,
    current: f64,
    refractory: &Refractory,
) -> Result<Vec<StationaryState>, ModelError> {
    refractory.validate()?;
    let tau = in_range("refractory.tau", refractory.mean_time())?;
    if tau == 0.0 {
        return stationary_states(params, current);
    }
    check_params(params)?;
    in_range("input.i0", current)?;
    let phi = |n: f64| excess_at(params, current, tau, (n, n.ln()), QUAD_RTOL);
    let phi_ln = |x: f64| excess_at(params, current, tau, (x.exp(), x), QUAD_RTOL);
    let candidates = excess_roots(&phi, &phi_ln)?;
    let mut states = Vec::with_capacity(candidates.len());
    for (rate, ln_rate) in candidates {
        let residual = excess_at(params, current, tau, (rate, ln_rate), VERIFY_RTOL)?;
        let a = params.diffusion(rate);
        let log = log_isi(
            params.b * rate + current,
            a,
            params.v_f,
            params.v_r,
            QUAD_RTOL,
        )?;
        // F' = s / (1 + τ ν)², formed as s e^{-2 ln(1 + τ ν)}.
        let slope = map_slope(params, current, rate)? * (-2.0 * (tau * (-log).exp()).ln_1p()).exp();
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
