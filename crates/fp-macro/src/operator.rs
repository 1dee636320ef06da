//! The semi-implicit step operator and its O(n) solve (crate-private).
//!
//! One step from `p^m` to `p^{m+1}` solves, row by row (cell `i` divided by `h`),
//!
//! ```text
//! (p_i^{m+1} - p_i^m) / dt + (F_{i+1/2} - F_{i-1/2}) / h = δ_{i r} N_out / h,
//! ```
//!
//! with the fluxes of [`crate::scheme`] built from `N^m`, `a(N^m)` and `I(t^m)` (frozen) and
//! applied to `p^{m+1}` (implicit); `F_{-1/2} = 0` (no flux at `V_min`). At the threshold
//! `p(V_F) = 0`, so the exact flux there is purely diffusive, `N = -a ∂v p(V_F)`; the last
//! face carries its one-sided approximation `F_{n-1/2} = N_out = (a/h) p_{n-1}`
//! (docs/model.md §3); with the fitted interior fluxes the rate converges at second order
//! (measured in `tests/steady_state.rs`). This outflow *is* the firing rate, and it is
//! re-injected at `V_R`:
//!
//! - [`Reinjection::Implicit`]: `N_out = (a/h) p_{n-1}^{m+1}`, one entry at `(r, n-1)` off
//!   the band. The matrix is an M-matrix (positive diagonal, non-positive off-diagonal
//!   entries, columns summing to `1/dt`) whenever the scheme's weights are non-negative,
//!   so `p^{m+1} >= 0` for any `dt`.
//! - [`Reinjection::Explicit`]: `N_out = (a/h) p_{n-1}^m` leaves the last cell and enters
//!   cell `r` explicitly; the matrix is tridiagonal, and positivity needs
//!   `dt N_out <= h p^m_{n-1}`, i.e. `dt <= h² / a`.
//!
//! Because the outflow does not grow with the drift, the discrete rate stays bounded by
//! `a / h²` (all the mass in the last cell) when the exact rate blows up: the scheme
//! saturates at a mesh-dependent level instead of overflowing.
//!
//! Either way every column of the step matrix sums to `1/dt`, so the discrete mass
//! `h Σ p_i` is conserved to round-off, whatever the weights.
//!
//! The step itself, two elimination chains without divisions, is [`fused`]; the
//! assembled reference path of the tests is `reference`, and the step's matrix for analysis
//! (feature `sprs`) is `matrix`.

use serde::{Deserialize, Serialize};

use crate::Grid;

mod fused;
#[cfg(feature = "sprs")]
mod matrix;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

#[cfg(feature = "sprs")]
pub(crate) use matrix::{step_entries, step_rhs};

/// How the outflow at `V_F` is re-injected at `V_R`.
///
/// New ways may be added: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Reinjection {
    /// `N^{m+1}`, a linear function of `p^{m+1}`: unconditionally positive.
    #[default]
    Implicit,
    /// `N^m`: positive under `dt N^m <= h p^m_{n-1}`.
    Explicit,
}

/// Coefficients frozen at `t^m` for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frozen {
    /// Diffusion `a(N^m)`.
    pub(crate) a: f64,
    /// Drift shift `b N^m + I(t^m)` (the drift is `-v + shift`).
    pub(crate) shift: f64,
    /// Time step.
    pub(crate) dt: f64,
}

/// What a step re-injects at `V_R`: the flux `Q = source + share · N_out`, `N_out` the
/// step's outflow (implicit: `(a/h) p^{m+1}_{n-1}`, the off-band entry `-κ · share`;
/// explicit: `(a/h) p^m_{n-1}`, known). Without a refractory period [`Reentry::ALL`]:
/// the whole outflow at once, today's step bit for bit; with one, the refractory
/// compartment's (`solver::refractory`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reentry {
    /// The part of this step's outflow re-injected within the step, in `[0, 1]`.
    pub(crate) share: f64,
    /// The flux re-injected besides, `>= 0`.
    pub(crate) source: f64,
}

impl Reentry {
    /// The whole outflow at once (no refractory period).
    pub(crate) const ALL: Reentry = Reentry {
        share: 1.0,
        source: 0.0,
    };
}

/// Why a solve did not produce a new density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SolveFailure {
    /// The explicit outflow exceeds the mass of the last cell.
    Positivity { max_dt: f64 },
    /// The solve produced a negative value (the weights broke the M-matrix property).
    Negative { index: usize, value: f64 },
    /// NaN or infinity appeared, or the Sherman–Morrison denominator vanished.
    NotFinite,
}

/// The assembled step matrix and the buffers of its solve.
#[derive(Debug, Clone)]
pub(crate) struct StepOperator {
    /// `lower[i]`: entry `(i, i-1)` (`lower[0]` unused, zero). The bands are stored only
    /// by the two-pass reference path of the tests; a step forms them on the fly.
    #[cfg(test)]
    lower: Vec<f64>,
    /// `diag[i]`: entry `(i, i)`.
    #[cfg(test)]
    diag: Vec<f64>,
    /// `upper[i]`: entry `(i, i+1)` (`upper[n-1]` unused, zero).
    #[cfg(test)]
    upper: Vec<f64>,
    /// The off-band entry `(r, n-1)`: `-a/h²` (implicit re-injection) or zero.
    corner: f64,
    reinjection: Reinjection,
    /// What the next step re-injects at `V_R` ([`StepOperator::set_reentry`]).
    reentry: Reentry,
    /// The outflow `(a/h) p^m_{n-1}` of the last step with explicit re-injection (0 with
    /// implicit).
    explicit_outflow: f64,
    /// `a/h`: the outflow rate per unit of `p_{n-1}`.
    outflow: f64,
    /// `Σ p_i` of the last solved density, in the order of the back substitution.
    sum: f64,
    c_prime: Vec<f64>,
    /// The Péclet numbers and weights `(A, B)` of the faces above cells `0 … n-2`.
    peclet: Vec<f64>,
    face_a: Vec<f64>,
    face_b: Vec<f64>,
    /// The pivots of the rows whose division the sweep defers (1 for the others).
    pivot: Vec<f64>,
    /// The reference path's second right-hand side.
    #[cfg(test)]
    z_prime: Vec<f64>,
}

impl StepOperator {
    /// An operator for `grid` (values zero until assembled).
    pub(crate) fn new(grid: &Grid, reinjection: Reinjection) -> Self {
        let n = grid.len();
        StepOperator {
            #[cfg(test)]
            lower: vec![0.0; n],
            #[cfg(test)]
            diag: vec![0.0; n],
            #[cfg(test)]
            upper: vec![0.0; n],
            corner: 0.0,
            reinjection,
            reentry: Reentry::ALL,
            explicit_outflow: 0.0,
            outflow: 0.0,
            sum: 0.0,
            c_prime: vec![0.0; n],
            peclet: vec![0.0; n],
            face_a: vec![0.0; n],
            face_b: vec![0.0; n],
            pivot: vec![0.0; n],
            #[cfg(test)]
            z_prime: vec![0.0; n],
        }
    }

    /// Sets what the next steps re-inject at `V_R` (until set again).
    pub(crate) fn set_reentry(&mut self, reentry: Reentry) {
        self.reentry = reentry;
    }

    /// What the steps re-inject at `V_R`, as last set.
    pub(crate) fn reentry(&self) -> Reentry {
        self.reentry
    }

    /// The outflow `N_out` of the last solved step, whose new rate was `rate`: the rate
    /// itself with implicit re-injection, `(a/h) p^m_{n-1}` with explicit.
    pub(crate) fn outflow_of(&self, rate: f64) -> f64 {
        match self.reinjection {
            Reinjection::Implicit => rate,
            Reinjection::Explicit => self.explicit_outflow,
        }
    }

    /// `Σ p_i` of the density the last [`StepOperator::step`] solved.
    pub(crate) fn sum(&self) -> f64 {
        self.sum
    }

    /// The checks of a solved density `next` (the sum and the minimum of its values, which
    /// the back substitution accumulated) and, if it passes, its firing rate
    /// `(a/h) p_{n-1}`.
    fn rate_of(&self, next: &[f64], sum: f64, min: f64) -> Result<f64, SolveFailure> {
        let n = next.len();
        if !sum.is_finite() {
            return Err(SolveFailure::NotFinite);
        }
        if min < 0.0 {
            // Failure path only: find the first negative value to report it.
            let index = next.iter().position(|&p| p < 0.0).unwrap_or(n - 1);
            return Err(SolveFailure::Negative {
                index,
                value: next[index],
            });
        }
        Ok(self.outflow * next[n - 1])
    }
}
