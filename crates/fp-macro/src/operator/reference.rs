//! The reference path of the tests: the step's matrix assembled, then solved by the
//! classic route.
//!
//! The tests keep the classic path as the reference: the bands assembled, one Thomas sweep
//! with two right-hand sides and the off-band entry by superposition (Sherman–Morrison:
//! `p = y + s z`, `T y = d`, `T z = e_r`, `s = -c y_{n-1} / (1 + c z_{n-1})`).

use super::{Frozen, Reinjection, SolveFailure, StepOperator};
use crate::Grid;
use crate::scheme::FluxScheme;

impl StepOperator {
    /// Fills the matrix for one step of `scheme` with coefficients `frozen` (the two-pass
    /// reference of [`StepOperator::step`], for the tests).
    ///
    /// Row `i` (cell `i`, multiplied by `1/h`): `-κ A_{i-1/2}` at `i-1`,
    /// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i`, `-κ B_{i+1/2}` at `i+1`, `κ = a/h²`, with
    /// the weights `(A, B)` of the face at Péclet number `w = (shift - v_{i+1/2}) h / a`.
    pub(crate) fn assemble<S: FluxScheme + ?Sized>(
        &mut self,
        grid: &Grid,
        scheme: &S,
        frozen: Frozen,
    ) {
        let n = grid.len();
        let h = grid.spacing();
        let kappa = frozen.a / (h * h);
        let inv_dt = 1.0 / frozen.dt;
        let peclet = h / frozen.a;
        let implicit = self.reinjection == Reinjection::Implicit;
        let mut b_prev = 0.0; // B_{i-1/2}; no flux through the lower face of cell 0
        let mut a_prev = 0.0; // A_{i-1/2}
        for i in 0..n {
            let face = grid.node(i) + 0.5 * h;
            let (a_i, b_i) = scheme.weights((frozen.shift - face) * peclet);
            self.lower[i] = if i > 0 { -kappa * a_prev } else { 0.0 };
            if i + 1 < n {
                self.diag[i] = inv_dt + kappa * (a_i + b_prev);
                self.upper[i] = -kappa * b_i;
            } else {
                // Last face: the one-sided diffusive outflow (a/h) p_{n-1}, implicit or not.
                let outflow = if implicit { 1.0 } else { 0.0 };
                self.diag[i] = inv_dt + kappa * (outflow + b_prev);
                self.upper[i] = 0.0;
            }
            a_prev = a_i;
            b_prev = b_i;
        }
        self.outflow = frozen.a / h;
        self.corner = if implicit { -kappa } else { 0.0 };
    }

    /// Solves the assembled step for `next` from `previous`, in place, `O(n)` (the
    /// reference path, with [`StepOperator::assemble`]).
    ///
    /// Returns the new firing rate `(a/h) p_{n-1}^{m+1}`.
    pub(crate) fn solve(
        &mut self,
        grid: &Grid,
        dt: f64,
        previous: &[f64],
        next: &mut [f64],
    ) -> Result<f64, SolveFailure> {
        let n = grid.len();
        let r = grid.reset_index();
        let h = grid.spacing();
        let inv_dt = 1.0 / dt;
        // Explicit re-injection moves E = outflow · p^m_{n-1} from the last cell to V_R.
        let explicit_flux = match self.reinjection {
            Reinjection::Explicit => self.outflow * previous[n - 1],
            Reinjection::Implicit => 0.0,
        };
        if previous[n - 1] * inv_dt - explicit_flux / h < 0.0 {
            return Err(SolveFailure::Positivity {
                max_dt: h * previous[n - 1] / explicit_flux,
            });
        }
        let rhs = |i: usize| {
            let mut value = previous[i] * inv_dt;
            if i == r {
                value += explicit_flux / h;
            }
            if i == n - 1 {
                value -= explicit_flux / h;
            }
            value
        };
        // Forward sweep: pivots, c' and the two right-hand sides y' (into `next`) and z'.
        let inv_0 = 1.0 / self.diag[0];
        self.c_prime[0] = self.upper[0] * inv_0;
        next[0] = rhs(0) * inv_0;
        // z' = forward sweep of e_r: zero above row r (r >= 1 by construction of the grid).
        self.z_prime[..r].iter_mut().for_each(|z| *z = 0.0);
        for i in 1..n {
            let lower = self.lower[i];
            let inv = 1.0 / (self.diag[i] - lower * self.c_prime[i - 1]);
            self.c_prime[i] = if i + 1 < n { self.upper[i] * inv } else { 0.0 };
            next[i] = (rhs(i) - lower * next[i - 1]) * inv;
            if i == r {
                self.z_prime[i] = inv;
            } else if i > r {
                self.z_prime[i] = -lower * self.z_prime[i - 1] * inv;
            }
        }
        // The off-band entry -c at (r, n-1) and the back substitution.
        self.back_substitute(n, next)
    }

    /// The off-band entry and the back substitution of the reference path: `p = y + s z`,
    /// `s = c y_{n-1} / (1 - c z_{n-1})`; checks finiteness and positivity.
    fn back_substitute(&self, n: usize, next: &mut [f64]) -> Result<f64, SolveFailure> {
        let c = -self.corner;
        let s = if c != 0.0 {
            let denominator = 1.0 - c * self.z_prime[n - 1];
            if denominator <= 0.0 {
                return Err(SolveFailure::NotFinite);
            }
            c * next[n - 1] / denominator
        } else {
            0.0
        };
        let mut x = next[n - 1] + s * self.z_prime[n - 1];
        next[n - 1] = x;
        let mut sum = x;
        let mut min = x;
        for i in (0..n - 1).rev() {
            x = next[i] + s * self.z_prime[i] - self.c_prime[i] * x;
            next[i] = x;
            sum += x;
            min = min.min(x);
        }
        self.rate_of(&next[..n], sum, min)
    }

    /// The non-zero pattern with values, `(row, column, value)`, for inspection in tests.
    pub(super) fn entries(&self, grid: &Grid) -> Vec<(usize, usize, f64)> {
        let n = grid.len();
        let mut entries = Vec::with_capacity(3 * n + 1);
        for i in 0..n {
            if i > 0 {
                entries.push((i, i - 1, self.lower[i]));
            }
            entries.push((i, i, self.diag[i]));
            if i + 1 < n {
                entries.push((i, i + 1, self.upper[i]));
            }
        }
        entries.push((grid.reset_index(), n - 1, self.corner));
        entries
    }
}
