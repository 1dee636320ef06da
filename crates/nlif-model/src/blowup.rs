//! The blow-up criterion of Cáceres–Carrillo–Perthame (2011) (docs/model.md §6).

use crate::error::{finite, require};
use crate::{ModelError, ModelParams};

/// Searches a witness `μ` of the sufficient blow-up condition.
///
/// For `b > 0`, if some `μ > max(V_F / a0, 1 / b)` satisfies
///
/// ```text
/// b μ ∫ e^{μ v} p0(v) dv >= e^{μ V_F},
/// ```
///
/// the firing rate of the mean-field equation blows up in finite time. The density is
/// given as a discrete measure: `mass[k]` is the probability carried at voltage `v[k]`
/// (`p_i h` on a grid, `1/N_p` per particle), so the integral is `Σ mass[k] e^{μ v[k]}`.
/// The condition is evaluated as `b μ Σ mass[k] e^{μ (v[k] - V_F)} >= 1` (no overflow) on
/// 400 log-spaced values of `μ` from the lower bound to `10^4` times it.
///
/// Returns `Ok(Some(μ))` with the smallest witness found, or `Ok(None)` (which proves
/// nothing: the criterion is only sufficient; always so for `b <= 0`). Values of `μ` that
/// overflow are not tried, so a returned witness is finite. Zero masses are skipped (so
/// `0 · ∞` cannot arise), and the sum has non-negative terms, so no NaN can make the test
/// silently false.
///
/// ```
/// use nlif_model::{ModelParams, blowup_witness};
/// let p = ModelParams { b: 3.0, ..ModelParams::default() };
/// // All mass just below the threshold: a certain blow-up.
/// assert!(blowup_witness(&p, &[1.99], &[1.0])?.is_some());
/// // All mass at the bottom of the domain: the criterion says nothing.
/// assert!(blowup_witness(&p, &[-3.0], &[1.0])?.is_none());
/// // Slices of different lengths are an error, not "no witness".
/// assert_eq!(blowup_witness(&p, &[1.0, 1.5], &[1.0]).unwrap_err().field(), "mass");
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ModelError::Invalid`] naming the field of `params` that fails
/// [`ModelParams::validate`]; `mass` if `mass` and `v` differ in length (the value is
/// `mass.len()`) or a mass is negative or not finite; `v` if a voltage is not finite.
pub fn blowup_witness(
    params: &ModelParams,
    v: &[f64],
    mass: &[f64],
) -> Result<Option<f64>, ModelError> {
    params.validate()?;
    if v.len() != mass.len() {
        return Err(ModelError::Invalid {
            field: "mass",
            value: mass.len() as f64,
            reason: "`mass` must have one entry per voltage in `v` (the lengths differ)",
        });
    }
    for &vk in v {
        finite("v", vk)?;
    }
    for &mk in mass {
        require("mass", mk, mk >= 0.0, "a mass must be non-negative")?;
    }
    if params.b <= 0.0 {
        return Ok(None);
    }
    let lower = (params.v_f / params.a0).max(1.0 / params.b);
    const POINTS: usize = 400;
    const SPAN: f64 = 1e4;
    Ok((1..=POINTS)
        .map(|k| lower * SPAN.powf(k as f64 / POINTS as f64))
        .take_while(|mu| mu.is_finite())
        .find(|&mu| {
            let moment: f64 = v
                .iter()
                .zip(mass)
                .filter(|&(_, &mk)| mk > 0.0)
                .map(|(&vk, &mk)| mk * (mu * (vk - params.v_f)).exp())
                .sum();
            params.b * mu * moment >= 1.0
        }))
}
