//! The semi-implicit step operator and its O(n) solve.
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
//!   entries, columns summing to `1/dt`), so `p^{m+1} >= 0` for any `dt`.
//! - [`Reinjection::Explicit`]: `N_out = (a/h) p_{n-1}^m` leaves the last cell and enters
//!   cell `r` explicitly; the matrix is tridiagonal, and positivity needs
//!   `dt N_out <= h p^m_{n-1}`, i.e. `dt <= h² / a`.
//!
//! Because the outflow does not grow with the drift, the discrete rate stays bounded by
//! `a / h²` (all the mass in the last cell) when the exact rate blows up: the scheme
//! saturates at a mesh-dependent level instead of overflowing.
//!
//! Either way every column of the step matrix sums to `1/dt`, so the discrete mass
//! `h Σ p_i` is conserved to round-off. The operator is stored as a `sprs` CSR matrix with
//! a fixed pattern (tridiagonal plus `(r, n-1)`), assembled in place every step, and solved
//! by the Thomas algorithm with the off-band entry handled by superposition
//! (Sherman–Morrison): `p = y + s z` with `T y = rhs`, `T z = e_r`, and the scalar
//! `s = c y_{n-1} / (1 - c z_{n-1})`, `c = a/h²`. Cost `O(n)`, no allocation.

use serde::{Deserialize, Serialize};
use sprs::CsMat;

use crate::Grid;
use crate::scheme::FluxScheme;

/// How the outflow at `V_F` is re-injected at `V_R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Reinjection {
    /// `N^{m+1}`, a linear function of `p^{m+1}`: unconditionally positive.
    #[default]
    Implicit,
    /// `N^m`: positive under `dt N^m <= h p^m_{n-1}`.
    Explicit,
}

/// Coefficients frozen at `t^m` for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frozen {
    /// Diffusion `a(N^m)`.
    pub a: f64,
    /// Drift shift `b N^m + I(t^m)` (the drift is `-v + shift`).
    pub shift: f64,
    /// Time step.
    pub dt: f64,
}

/// Why a solve did not produce a new density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SolveFailure {
    /// The explicit outflow exceeds the mass of the last cell.
    Positivity { max_dt: f64 },
    /// NaN, infinity or a negative value appeared.
    NotFinite,
}

/// The assembled step matrix and the buffers of its solve.
#[derive(Debug, Clone)]
pub struct StepOperator {
    matrix: CsMat<f64>,
    /// Start of each row in the CSR data (a copy of the matrix's `indptr`).
    row_start: Vec<usize>,
    reinjection: Reinjection,
    /// `a/h`: the outflow rate per unit of `p_{n-1}`.
    outflow: f64,
    inv_pivot: Vec<f64>,
    c_prime: Vec<f64>,
    z_prime: Vec<f64>,
}

impl StepOperator {
    /// An operator with the sparsity pattern of `grid` (values zero until assembled).
    pub fn new(grid: &Grid, reinjection: Reinjection) -> Self {
        let n = grid.len();
        let r = grid.reset_index();
        let mut indptr = Vec::with_capacity(n + 1);
        let mut indices = Vec::with_capacity(3 * n + 1);
        indptr.push(0);
        for i in 0..n {
            if i > 0 {
                indices.push(i - 1);
            }
            indices.push(i);
            if i + 1 < n {
                indices.push(i + 1);
            }
            if i == r {
                indices.push(n - 1); // r + 1 < n - 1 is guaranteed by the grid
            }
            indptr.push(indices.len());
        }
        let data = vec![0.0; indices.len()];
        StepOperator {
            row_start: indptr.clone(),
            matrix: CsMat::new((n, n), indptr, indices, data),
            reinjection,
            outflow: 0.0,
            inv_pivot: vec![0.0; n],
            c_prime: vec![0.0; n],
            z_prime: vec![0.0; n],
        }
    }

    /// The step matrix of the last assembly (CSR).
    pub fn matrix(&self) -> &CsMat<f64> {
        &self.matrix
    }

    /// `a/h`: the firing rate is this times `p_{n-1}`.
    pub fn outflow_per_density(&self) -> f64 {
        self.outflow
    }

    /// Fills the matrix for one step of `scheme` with coefficients `frozen`.
    pub fn assemble<S: FluxScheme>(&mut self, grid: &Grid, scheme: S, frozen: Frozen) {
        let n = grid.len();
        let r = grid.reset_index();
        let h = grid.spacing();
        let kappa = frozen.a / (h * h);
        let inv_dt = 1.0 / frozen.dt;
        let peclet = h / frozen.a;
        let implicit = self.reinjection == Reinjection::Implicit;
        let indptr = &self.row_start;
        let data = self.matrix.data_mut();
        let mut b_prev = 0.0; // B_{i-1}; no flux through the lower face of cell 0
        let mut a_prev = 0.0; // A_{i-1}
        for i in 0..n {
            let face = grid.node(i) + 0.5 * h;
            let (a_i, b_i) = scheme.weights((frozen.shift - face) * peclet);
            let mut k = indptr[i];
            if i > 0 {
                data[k] = -kappa * a_prev;
                k += 1;
            }
            if i + 1 < n {
                data[k] = inv_dt + kappa * (a_i + b_prev);
                data[k + 1] = -kappa * b_i;
            } else {
                // Last face: the one-sided diffusive outflow (a/h) p_{n-1}, implicit or not.
                let outflow = if implicit { 1.0 } else { 0.0 };
                data[k] = inv_dt + kappa * (outflow + b_prev);
            }
            a_prev = a_i;
            b_prev = b_i;
        }
        self.outflow = frozen.a / h;
        let last = indptr[r + 1] - 1;
        data[last] = if implicit { -kappa } else { 0.0 };
    }

    /// Solves the assembled step for `next` from `previous`, in place, `O(n)`.
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
        let indptr = &self.row_start;
        let data = self.matrix.data();
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
        let (diag0, upper0) = (data[0], data[1]);
        self.inv_pivot[0] = 1.0 / diag0;
        self.c_prime[0] = upper0 * self.inv_pivot[0];
        next[0] = rhs(0) * self.inv_pivot[0];
        // z' = forward sweep of e_r: zero above row r (r >= 1 by construction of the grid).
        self.z_prime[..r].iter_mut().for_each(|z| *z = 0.0);
        for i in 1..n {
            let k = indptr[i];
            let (lower, diag) = (data[k], data[k + 1]);
            let inv = 1.0 / (diag - lower * self.c_prime[i - 1]);
            self.inv_pivot[i] = inv;
            self.c_prime[i] = if i + 1 < n { data[k + 2] * inv } else { 0.0 };
            next[i] = (rhs(i) - lower * next[i - 1]) * inv;
            if i == r {
                self.z_prime[i] = inv;
            } else if i > r {
                self.z_prime[i] = -lower * self.z_prime[i - 1] * inv;
            }
        }
        // The off-band entry -c at (r, n-1): p = y + s z, s = c p_{n-1}.
        let c = -data[indptr[r + 1] - 1];
        let s = if c != 0.0 {
            let denominator = 1.0 - c * self.z_prime[n - 1];
            if denominator <= 0.0 {
                return Err(SolveFailure::NotFinite);
            }
            c * next[n - 1] / denominator
        } else {
            0.0
        };
        // Back substitution of y' + s z'; track the minimum and the sum.
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
        if !sum.is_finite() || min < 0.0 {
            return Err(SolveFailure::NotFinite);
        }
        Ok(self.outflow * next[n - 1])
    }
}
