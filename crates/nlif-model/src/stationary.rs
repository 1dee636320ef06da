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
//!
//! The Siegert rate is in `siegert`, the search for the stationary rates and their
//! verification in `search`, the slope of the fixed-point map (stability) in
//! `stability`, the stationary density in `density`; this file holds the bounds and the
//! quadrature they share.

use crate::error::require;
use crate::special::integrate_monotone;
use crate::{ModelError, ModelParams};

mod density;
mod refractory;
mod search;
mod siegert;
mod stability;

pub use density::stationary_density;
pub use refractory::stationary_states_refractory;
pub use search::{STATIONARY_RESIDUAL_TOL, StationaryState, stationary_rates, stationary_states};
pub use siegert::{mean_interspike_interval, siegert_rate};
// The pieces a network of populations (module `network`) builds its search from.
pub(crate) use search::excess_roots;
pub(crate) use siegert::log_isi;
pub(crate) use stability::siegert_partials;

/// Relative accuracy of the quadratures behind the exact results (each is run with
/// `QUAD_RTOL / 2`, see [`integrate_monotone`]).
pub(crate) const QUAD_RTOL: f64 = 1e-12;
/// Relative accuracy of the second, independent evaluation of `φ` that verifies each
/// stationary rate: 100 times tighter than the scan (in practice round-off limited).
pub(crate) const VERIFY_RTOL: f64 = 1e-14;

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

pub(crate) fn in_range(field: &'static str, value: f64) -> Result<f64, ModelError> {
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
