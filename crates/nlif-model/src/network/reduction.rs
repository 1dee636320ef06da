//! Two populations, one of which has a decreasing own rate map: the stationary states as
//! the roots of a 1-D defect (docs/model.md §10).
//!
//! Let `i` be a population with `coupling[i][i] <= 0` and `a1[i][i] = 0`, `o` the other.
//! For a fixed rate `N_o`, the equation of `i`,
//! `h(y) = y + ln(1/ν_i(μ_i(N_o, e^y), a_i(N_o))) = 0` in `y = ln N_i`, has an increasing
//! left side (`μ_i` does not increase with `N_i`, and `ν_i` increases with `μ_i`), so
//! exactly one root `y*(N_o)`, and it is bracketed in closed form: with
//! `N⁺ = ν_i(μ_i(N_o, 0))` (the rate of `i` without its own feedback) and
//! `N⁻ = ν_i(μ_i(N_o, N⁺))`, monotonicity gives `h(ln N⁺) >= 0 >= h(ln N⁻)`. The root
//! is continuous in `N_o` (implicit functions, `h' >= 1`), so the defect of `o`,
//! `φ_o(N_o) = N_o / ν_o(N_o, e^{y*(N_o)}) - 1`, is continuous, tends to `-1` as
//! `N_o → 0`, and its zeros are exactly the stationary states: the single-population
//! search (scan, bisection, the searches below and above) finds every sign change.

use super::rate_map::RateMap;
use super::search::Candidate;
use super::{Network, NetworkError};
use crate::stationary::{QUAD_RTOL, excess_roots};

/// The population whose equation is solved inside (the last one with
/// `coupling[i][i] <= 0` and `a1[i][i] = 0`), when `P = 2`.
pub(super) fn inner_population(network: &Network) -> Option<usize> {
    if network.len() != 2 {
        return None;
    }
    (0..2)
        .rev()
        .find(|&i| network.coupling[i][i] <= 0.0 && network.a1_entry(i, i) == 0.0)
}

/// Most steps of the inner root finder: every third step is a bisection, and a bracket of
/// width `1e4` in `y` reaches the tolerance in about 110 halvings.
const MAX_INNER_STEPS: usize = 400;

/// The inner root is resolved to `4 ε (1 + |y|)` in `y = ln N_i`: at the rounding of `y`
/// itself, far below the `1e-12` relative noise of the quadratures.
const INNER_Y_TOL: f64 = 4.0 * f64::EPSILON;

/// The rates `(N_o, N_i)` in population order from the outer rate and the inner rate.
fn rates_of(outer: usize, n_o: f64, n_i: f64) -> [f64; 2] {
    if outer == 0 { [n_o, n_i] } else { [n_i, n_o] }
}

/// `y*(N_o)`: the root of the equation of the inner population `inner` at outer rate
/// `n_o`, by the Illinois variant of regula falsi on the closed-form bracket, every third
/// step a bisection (so the bracket at least halves every three steps), down to
/// [`INNER_Y_TOL`]; the bracket end with the smaller `|h|`.
fn inner_root(map: &RateMap, inner: usize, n_o: f64) -> Result<f64, NetworkError> {
    let outer = 1 - inner;
    let h = |y: f64| -> Result<f64, NetworkError> {
        let rates = rates_of(outer, n_o, y.exp());
        Ok(y + map.log_isi(inner, &rates, QUAD_RTOL)?)
    };
    let y_plus = -map.log_isi(inner, &rates_of(outer, n_o, 0.0), QUAD_RTOL)?;
    let y_minus = -map.log_isi(inner, &rates_of(outer, n_o, y_plus.exp()), QUAD_RTOL)?;
    let (mut lo, mut hi) = (y_minus, y_plus);
    let (mut h_lo, mut h_hi) = (h(lo)?, h(hi)?);
    // Quadrature noise (relative 1e-12) can spoil the signs the bracket has in exact
    // arithmetic only when the ends nearly coincide: then either end is the root.
    if !(h_lo < 0.0 && h_hi > 0.0) {
        return Ok(if h_lo.abs() <= h_hi.abs() { lo } else { hi });
    }
    // Which end the last two steps moved (Illinois: halve the stale end's value).
    let mut last_moved_lo = None;
    for step in 0..MAX_INNER_STEPS {
        if hi - lo <= INNER_Y_TOL * (1.0 + lo.abs().max(hi.abs())) {
            break;
        }
        let trial = if step % 3 == 2 {
            0.5 * lo + 0.5 * hi
        } else {
            hi - h_hi * (hi - lo) / (h_hi - h_lo)
        };
        let mid = if trial > lo && trial < hi {
            trial
        } else {
            0.5 * lo + 0.5 * hi
        };
        if !(mid > lo && mid < hi) {
            break;
        }
        let h_mid = h(mid)?;
        if h_mid == 0.0 {
            return Ok(mid);
        }
        let moved_lo = h_mid < 0.0;
        if moved_lo {
            (lo, h_lo) = (mid, h_mid);
            if last_moved_lo == Some(true) {
                h_hi *= 0.5;
            }
        } else {
            (hi, h_hi) = (mid, h_mid);
            if last_moved_lo == Some(false) {
                h_lo *= 0.5;
            }
        }
        last_moved_lo = Some(moved_lo);
    }
    Ok(if h_lo.abs() <= h_hi.abs() { lo } else { hi })
}

/// The candidate states of a two-population network with inner population `inner`: the
/// zeros of the outer defect, each with its inner rate.
pub(super) fn candidates(map: &RateMap, inner: usize) -> Result<Vec<Candidate>, NetworkError> {
    let outer = 1 - inner;
    let phi_at = |n_o: f64, x: f64| -> Result<f64, NetworkError> {
        let n_i = inner_root(map, inner, n_o)?.exp();
        map.excess(outer, &rates_of(outer, n_o, n_i), x, QUAD_RTOL)
    };
    let phi = |n: f64| phi_at(n, n.ln());
    let phi_ln = |x: f64| phi_at(x.exp(), x);
    let roots = excess_roots(&phi, &phi_ln)?;
    roots
        .into_iter()
        .map(|(n_o, x_o)| {
            let y = inner_root(map, inner, n_o)?;
            let rates = rates_of(outer, n_o, y.exp()).to_vec();
            let logs = if outer == 0 {
                vec![x_o, y]
            } else {
                vec![y, x_o]
            };
            Ok((rates, logs))
        })
        .collect()
}
