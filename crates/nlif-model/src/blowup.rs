//! The blow-up criterion of Cáceres–Carrillo–Perthame (2011) (MODEL.md §6).

use crate::ModelParams;

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
/// Returns the smallest witness found, or `None` (which proves nothing: the criterion is
/// only sufficient).
///
/// ```
/// use nlif_model::{ModelParams, blowup_witness};
/// let p = ModelParams { b: 3.0, ..ModelParams::default() };
/// // All mass just below the threshold: a certain blow-up.
/// assert!(blowup_witness(&p, &[1.99], &[1.0]).is_some());
/// // All mass at the bottom of the domain: the criterion says nothing.
/// assert!(blowup_witness(&p, &[-3.0], &[1.0]).is_none());
/// ```
pub fn blowup_witness(params: &ModelParams, v: &[f64], mass: &[f64]) -> Option<f64> {
    if params.b <= 0.0 || v.len() != mass.len() {
        return None;
    }
    let lower = (params.v_f / params.a0).max(1.0 / params.b);
    const POINTS: usize = 400;
    const SPAN: f64 = 1e4;
    (1..=POINTS)
        .map(|k| lower * SPAN.powf(k as f64 / POINTS as f64))
        .find(|&mu| {
            let moment: f64 = v
                .iter()
                .zip(mass)
                .map(|(&vk, &mk)| mk * (mu * (vk - params.v_f)).exp())
                .sum();
            params.b * mu * moment >= 1.0
        })
}
