//! The rates read off the densities of a network at a start.
//!
//! Population `α`'s rate is its outflow `N_α = a_α q_α`, `q_α = p_{n-1,α} / h` (docs/model.md
//! §3), with the noise `a_α = a0_α + Σ_β a1[α][β] N_β` of every population's rate: the
//! linear system
//!
//! ```text
//! (I - diag(q) a1) N = a0 ∘ q.
//! ```
//!
//! Its matrix has off-diagonal entries `-q_α a1[α][β] <= 0` (a Z-matrix); it has a
//! non-negative solution for every non-negative right-hand side exactly when it is a
//! non-singular M-matrix, i.e. when Gaussian elimination without pivoting meets only
//! positive pivots (the leading principal minors are positive). The elimination below
//! checks that and reports the first population whose pivot is not positive: no finite
//! rate is consistent with its density (for one population `a1 q >= 1`, the condition of
//! `threshold_rate`). For one population the arithmetic is `threshold_rate`'s,
//! `a0 q / (1 - a1 q)`, bit for bit. Cost `O(P³)` once, at a start.

use nlif_model::network::Network;

use crate::error::{MacroError, invalid};

/// The rates `N` with `(I - diag(q) a1) N = a0 ∘ q` (module documentation).
///
/// # Errors
///
/// [`MacroError::Population`] naming `populations[α].density` (value: `1 - π_α`, the
/// pivot's deficit, for one population `a1 q`) for the first population whose pivot `π_α`
/// is not positive, or whose rate is not finite.
pub(super) fn threshold_rates(network: &Network, q: &[f64]) -> Result<Vec<f64>, MacroError> {
    let p = q.len();
    let mut m: Vec<Vec<f64>> = (0..p)
        .map(|alpha| {
            (0..p)
                .map(|beta| {
                    let identity = if alpha == beta { 1.0 } else { 0.0 };
                    identity - network.a1_entry(alpha, beta) * q[alpha]
                })
                .collect()
        })
        .collect();
    let mut rhs: Vec<f64> = (0..p)
        .map(|alpha| network.populations[alpha].a0 * q[alpha])
        .collect();
    let no_rate = |alpha: usize, pivot: f64| {
        invalid(
            "density",
            1.0 - pivot,
            "no finite rate: the densities next to the thresholds need more noise than they drive (one population: a1 p_{n-1} / h >= 1)",
        )
        .in_population(alpha)
    };
    for k in 0..p {
        let pivot = m[k][k];
        if !(pivot > 0.0 && pivot.is_finite()) {
            return Err(no_rate(k, pivot));
        }
        for i in k + 1..p {
            let factor = m[i][k] / pivot;
            if factor == 0.0 {
                continue;
            }
            for j in k..p {
                m[i][j] -= factor * m[k][j];
            }
            rhs[i] -= factor * rhs[k];
        }
    }
    let mut rates = vec![0.0; p];
    for k in (0..p).rev() {
        let mut x = rhs[k];
        for j in k + 1..p {
            x -= m[k][j] * rates[j];
        }
        let rate = x / m[k][k];
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(no_rate(k, m[k][k]));
        }
        rates[k] = rate;
    }
    Ok(rates)
}
