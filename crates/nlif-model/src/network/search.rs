//! Every stationary state of a network: the search for candidates (one of three methods,
//! by the shape of the network), their verification by the residual, and their stability.

use std::cmp::Ordering;

use super::linear::all_eigenvalues_in_left_half_plane;
use super::rate_map::{RateMap, stationary_currents};
use super::{Network, NetworkError, newton, reduction};
use crate::stationary::{QUAD_RTOL, VERIFY_RTOL, excess_roots, in_range};

/// Largest accepted residual `max_α |N_α / ν_α(N) - 1|` of a stationary state (plus the
/// rounding allowance of [`network_stationary_states`]); the bound of the single
/// population, [`STATIONARY_RESIDUAL_TOL`](crate::STATIONARY_RESIDUAL_TOL).
pub const NETWORK_RESIDUAL_TOL: f64 = crate::STATIONARY_RESIDUAL_TOL;

/// A stationary state of a network: rates `N` with `N_α = ν_α(μ_α(N), a_α(N))` for every
/// population.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkState {
    /// The stationary rate `N_α` of each population (0 where it is below `5e-324`: then
    /// `ln_rates` holds it).
    pub rates: Vec<f64>,
    /// `ln N_α`, finite also where the rate underflows.
    pub ln_rates: Vec<f64>,
    /// `max_α |N_α / ν_α(N) - 1|`, from an evaluation 100 times more accurate than the
    /// search's.
    pub residual: f64,
    /// The Jacobian `J[α][β] = ∂ν_α/∂N_β` of the rate map at `N` (for one population, the
    /// slope of [`StationaryState`](crate::StationaryState)).
    pub jacobian: Vec<Vec<f64>>,
    /// Every eigenvalue of `J - I` has a negative real part: the linearised rate dynamics
    /// `dN/dt = -N + ν(N)` relaxes to `N`.
    pub stable: bool,
}

/// A candidate state: the rates and their logarithms.
pub(super) type Candidate = (Vec<f64>, Vec<f64>);

/// The magnitude bound of the exact results on every entry, with its path.
fn check_ranges(network: &Network, currents: &[f64]) -> Result<(), NetworkError> {
    for (alpha, population) in network.populations.iter().enumerate() {
        for (field, value) in [
            ("a0", population.a0),
            ("v_f", population.v_f),
            ("v_r", population.v_r),
        ] {
            in_range(field, value).map_err(|e| NetworkError::in_population(alpha, e))?;
        }
        in_range("refractory.tau", population.refractory.mean_time())
            .map_err(|e| NetworkError::in_population(alpha, e))?;
        in_range("i0", currents[alpha])
            .map_err(|e| NetworkError::at(format!("populations[{alpha}].input.i0"), e))?;
        for beta in 0..network.len() {
            in_range("coupling", network.coupling[alpha][beta])
                .map_err(|e| NetworkError::at(format!("coupling[{alpha}][{beta}]"), e))?;
            in_range("a1", network.a1_entry(alpha, beta))
                .map_err(|e| NetworkError::at(format!("a1[{alpha}][{beta}]"), e))?;
        }
    }
    Ok(())
}

/// Every stationary state of `network` (constant inputs), verified by its residual and
/// marked stable or unstable, ordered by their rates (lexicographically, population 0
/// first; for one population, ascending).
///
/// **Equations.** `N_α = ν_α(μ_α, a_α)` with `μ_α = Σ_β coupling[α][β] N_β + I_α`,
/// `a_α = a0_α + Σ_β a1[α][β] N_β`, `ν_α` the Siegert rate with `V_F,α`, `V_R,α`; in
/// logarithms `F_α(x) = x_α + ln(1/ν_α) = 0`, `x = ln N`. A population with a refractory
/// period of mean `τ_α` has `ν_α / (1 + τ_α ν_α)` in place of `ν_α` (docs/model.md §11),
/// in the equations, the search, the verification and the Jacobian alike.
///
/// **Search** (docs/model.md §10), by the shape of the network:
///
/// - `P = 1`: the scan and bisection of [`stationary_states`](crate::stationary_states),
///   on the same defect, so the rates are the same.
/// - `P = 2` with a population `i` whose own rate map is decreasing
///   (`coupling[i][i] <= 0`, `a1[i][i] = 0`): for each rate of the other population `o`
///   the equation of `i` has exactly one root, bracketed in closed form; that leaves a
///   continuous 1-D defect in `N_o`, searched by the same scan and bisection as one
///   population. Every sign change of it is found; only tangential roots can be missed.
/// - otherwise: damped Newton on `F` in `x = ln N` from a grid of starting points
///   (`k^P <= 1024` points, `k <= 12` per population, rates `1e-6` to `1e3`), the roots
///   deduplicated. This finds the roots that some start is attracted to: a heuristic,
///   not a proof that none is missed.
///
/// **Verification.** Each candidate is kept only if its residual
/// `max_α |N_α/ν_α - 1|`, from evaluations 100 times more accurate than the search's, is
/// at most `1e-10 + 4 ε max_α Σ_β |δ_αβ - J_αβ|` ([`NETWORK_RESIDUAL_TOL`]; the second
/// term is what one ulp of error in each `ln N_β` moves the residual by, as for one
/// population).
///
/// **Stability.** `stable` iff every eigenvalue of `J - I` has a negative real part,
/// `J[α][β] = ∂ν_α/∂N_β` in closed form, tested by the Routh–Hurwitz criterion on the
/// characteristic polynomial: the linearisation of the rate dynamics
/// `dN/dt = -N + ν(N)` at the state. For one population it is `s < 1`, the criterion
/// of [`stationary_states`](crate::stationary_states).
///
/// **Delays.** The rates do not depend on `network.delay` (a constant rate is the same at
/// every delay); `stable` is that of the network without delays, which a delay can change
/// (docs/model.md §12).
///
/// # Errors
///
/// [`NetworkError::Invalid`] naming the entry that fails [`Network::validate`] or exceeds
/// [`EXACT_MAX_MAGNITUDE`](crate::EXACT_MAX_MAGNITUDE) in magnitude, or
/// `populations[α].input` for an input that depends on time.
pub fn network_stationary_states(network: &Network) -> Result<Vec<NetworkState>, NetworkError> {
    network.validate()?;
    let currents = stationary_currents(network)?;
    check_ranges(network, &currents)?;
    let map = RateMap { network, currents };
    let candidates = if network.len() == 1 {
        single_population_candidates(&map)?
    } else if let Some(inner) = reduction::inner_population(network) {
        reduction::candidates(&map, inner)?
    } else {
        newton::candidates(&map)?
    };
    let mut states = verify(&map, &candidates)?;
    states.sort_by(|x, y| {
        x.ln_rates
            .iter()
            .zip(&y.ln_rates)
            .map(|(a, b)| a.total_cmp(b))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    Ok(states)
}

/// The candidates of one population: the search of the single-population model on the
/// network's defect.
fn single_population_candidates(map: &RateMap) -> Result<Vec<Candidate>, NetworkError> {
    let phi = |n: f64| map.excess(0, &[n], n.ln(), QUAD_RTOL);
    let phi_ln = |x: f64| map.excess(0, &[x.exp()], x, QUAD_RTOL);
    let roots = excess_roots(&phi, &phi_ln)?;
    Ok(roots.into_iter().map(|(n, x)| (vec![n], vec![x])).collect())
}

/// The verification and stability of [`network_stationary_states`]; candidates that fail
/// it, or repeat an accepted state, are dropped.
fn verify(map: &RateMap, candidates: &[Candidate]) -> Result<Vec<NetworkState>, NetworkError> {
    let p = map.network.len();
    let mut states: Vec<NetworkState> = Vec::new();
    for (rates, ln_rates) in candidates {
        let mut residual: f64 = 0.0;
        for alpha in 0..p {
            let phi = map.excess(alpha, rates, ln_rates[alpha], VERIFY_RTOL)?;
            // A defect that is not a number (a rate that overflowed) fails the bound.
            if phi.is_nan() || phi.abs() > residual {
                residual = phi.abs();
            }
        }
        let jacobian = map.jacobian(rates)?;
        // A Jacobian that is not finite cannot decide stability: the candidate is dropped.
        if jacobian.iter().flatten().any(|j| !j.is_finite()) {
            continue;
        }
        // One ulp in each ln N_β moves φ_α by ε Σ_β |δ_αβ - J_αβ| at a fixed point.
        let sensitivity = (0..p)
            .map(|alpha| {
                (0..p)
                    .map(|beta| (f64::from(u8::from(alpha == beta)) - jacobian[alpha][beta]).abs())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        let bound = NETWORK_RESIDUAL_TOL + 4.0 * f64::EPSILON * sensitivity;
        if !(residual <= bound) || states.iter().any(|s| same_state(&s.ln_rates, ln_rates)) {
            continue;
        }
        let shifted: Vec<Vec<f64>> = (0..p)
            .map(|alpha| {
                (0..p)
                    .map(|beta| jacobian[alpha][beta] - f64::from(u8::from(alpha == beta)))
                    .collect()
            })
            .collect();
        states.push(NetworkState {
            rates: rates.clone(),
            ln_rates: ln_rates.clone(),
            residual,
            stable: all_eigenvalues_in_left_half_plane(&shifted),
            jacobian,
        });
    }
    Ok(states)
}

/// Two verified states are one when their log-rates agree to `1e-6`: verified roots are
/// accurate to about `1e-10` in `ln N`, and distinct stationary states of a network closer
/// than that would be a tangential (double) root.
fn same_state(x: &[f64], y: &[f64]) -> bool {
    x.iter().zip(y).all(|(a, b)| (a - b).abs() <= 1e-6)
}
