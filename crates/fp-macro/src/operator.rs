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
//! # The two-way solve
//!
//! The operator is three bands plus the one off-band entry `(r, n-1)`, formed row by row
//! inside the solve (nothing assembled is stored). Writing row `i` as
//! `l_i p_{i-1} + m_i p_i + u_i p_{i+1} (+ c p_{n-1} in row r) = d_i`, the rows are
//! eliminated by two independent chains that meet at row `k = min(n/2, r-1)`:
//!
//! - from the top, rows `0 … k-1` (Thomas): `p_i = y'_i - c'_i p_{i+1}`,
//!   `c'_i = u_i / π_i`, `y'_i = (d_i - l_i y'_{i-1}) / π_i`, `π_i = m_i - l_i c'_{i-1}`;
//! - from the bottom, rows `n-1 … k+1`: `p_j = g'_j - e'_j p_{j-1}`, `e'_j = l_j / π_j`,
//!   `g'_j = (d_j - u_j g'_{j+1}) / π_j`, `π_j = m_j - u_j e'_{j+1}`. Above row `r` the
//!   chain also carries `p_{n-1} = α + β p_{j-1}` (`α += β g'_j`, `β ← -β e'_j`, from
//!   `α = 0`, `β = 1`), so that row `r`, when reached, substitutes `c p_{n-1} = c α + c β p_r`:
//!   `m_r ← m_r + c β`, `d_r ← d_r - c α`;
//! - row `k` from both: `p_k = (d_k - l_k y'_{k-1} - u_k g'_{k+1}) / (m_k - l_k c'_{k-1} -
//!   u_k e'_{k+1})`; then both back substitutions, outwards from `k`.
//!
//! Before the sweep, the face pass fills the Péclet numbers and the weights `(A, B)` of all
//! faces at once ([`FluxScheme::weights_into`], compiled through `pulp` for the widest
//! vector instructions), so that the sweep only reads them.
//!
//! Cost `O(n)`, no allocation. Why two chains: each elimination is a chain of dependent
//! operations (the next row's pivot needs this row's), so two independent chains run side
//! by side in the processor; a plain Thomas sweep is one chain. On an M-matrix
//! (`l, u, c <= 0 < m`) `c', e' <= 0` and `y', g', α, β >= 0`, so every back-substituted value
//! is a sum of non-negative terms over positive pivots: the computed density is non-negative
//! exactly, not only up to round-off, as long as the pivots are positive (a negative or
//! non-finite result is reported, never returned).
//!
//! # Division-free chains
//!
//! A division is the slowest step of a row and sits in the chain (`π_i` needs `c'_{i-1}`).
//! The pivots are ratios of leading minors, `π_i = P_i / P_{i-1}` with
//! `P_i = m_i P_{i-1} - l_i u_{i-1} P_{i-2}` (`P_{-1} = 1`, `P_{-2} = 0`), and
//! `Y_i = y'_i P_i = d_i P_{i-1} - l_i Y_{i-1}`: both are multiplications and subtractions
//! only. The sweep stores `u_i P_{i-1}`, `Y_i` and `P_i`, and one vectorized pass afterwards
//! divides: `c'_i = u_i P_{i-1} / P_i`, `y'_i = Y_i / P_i` (the same for the bottom chain's
//! `Q_j`, `G_j`). Only the bottom rows above `r` divide in the sweep, since `α`, `β` need
//! their `e'`, `g'` at once. The minors grow (or shrink) geometrically; whenever one leaves
//! `(2^-64, 2^64)` it and its predecessor are multiplied by the exact power of two that
//! brings it into `[1, 2)`, which changes no ratio. Every row is first multiplied by
//! `σ = dt / (1 + κ dt)` (the same solution; entries `1/(1 + κ dt)` plus `κσ` times the
//! weights, O(1) for any `dt`), so that one row cannot carry a minor out of range either:
//! the step is tested for `dt` from `1e-300` to `1e4`. On an M-matrix `P_i > 0` exactly when
//! Thomas's pivots are positive, `Y_i >= 0`, and the signs above hold as before. Measured:
//! with the back substitution's two rows per link about 40 % off the step (docs/fp-macro.md).
//!
//! The tests keep the classic path as the reference: the bands assembled, one Thomas sweep
//! with two right-hand sides and the off-band entry by superposition (Sherman–Morrison:
//! `p = y + s z`, `T y = d`, `T z = e_r`, `s = -c y_{n-1} / (1 + c z_{n-1})`).

use serde::{Deserialize, Serialize};

use crate::Grid;
use crate::scheme::FluxScheme;

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

    /// Fills the matrix for one step of `scheme` with coefficients `frozen` (the two-pass
    /// reference of [`StepOperator::step`], for the tests).
    ///
    /// Row `i` (cell `i`, multiplied by `1/h`): `-κ A_{i-1/2}` at `i-1`,
    /// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i`, `-κ B_{i+1/2}` at `i+1`, `κ = a/h²`, with
    /// the weights `(A, B)` of the face at Péclet number `w = (shift - v_{i+1/2}) h / a`.
    #[cfg(test)]
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
    #[cfg(test)]
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

    /// One step: the face weights in one vectorized pass, then the rows formed inside a
    /// two-way elimination (module documentation, "The two-way solve"); nothing is stored
    /// but the face weights, the eliminated rows' `c'`, `y'` and the pivots of the rows
    /// whose division is deferred.
    ///
    /// The same system as [`StepOperator::assemble`] + [`StepOperator::solve`] (the tests
    /// hold it to them within rounding), solved by two independent chains, from the top
    /// and from the bottom, that meet at row `k = min(n/2, r-1)`; the chains carry the
    /// pivots as ratios of leading minors and leave their divisions to one vectorized pass
    /// (module documentation, "Division-free chains"), so that a row waits only for a
    /// multiplication and a subtraction of the row before. The off-band entry `(r, n-1)`
    /// needs no superposition: the bottom chain carries `p_{n-1}` as an affine function of
    /// the row it has reached, and row `r` absorbs it.
    ///
    /// Returns the new firing rate `(a/h) p_{n-1}^{m+1}`.
    pub(crate) fn step<S: FluxScheme + ?Sized>(
        &mut self,
        grid: &Grid,
        scheme: &S,
        frozen: Frozen,
        previous: &[f64],
        next: &mut [f64],
    ) -> Result<f64, SolveFailure> {
        let n = grid.len();
        let r = grid.reset_index();
        let h = grid.spacing();
        let kappa = frozen.a / (h * h);
        let inv_dt = 1.0 / frozen.dt;
        let peclet = h / frozen.a;
        let implicit = self.reinjection == Reinjection::Implicit;
        self.outflow = frozen.a / h;
        self.corner = if implicit { -kappa } else { 0.0 };
        let explicit_flux = match self.reinjection {
            Reinjection::Explicit => self.outflow * previous[n - 1],
            Reinjection::Implicit => 0.0,
        };
        if previous[n - 1] * inv_dt - explicit_flux / h < 0.0 {
            return Err(SolveFailure::Positivity {
                max_dt: h * previous[n - 1] / explicit_flux,
            });
        }
        // (A, B) of the face above cell i, at Péclet number (shift - v_{i+1/2}) h / a.
        // The weights of the n - 1 interior faces, all at once, compiled for the widest
        // vector instructions of the processor (a scheme may vectorize its part).
        let faces = n - 1;
        let (face_a, face_b) = (&mut self.face_a[..faces], &mut self.face_b[..faces]);
        pulp::Arch::new().dispatch(FacePass {
            scheme,
            grid,
            shift: frozen.shift,
            peclet,
            w: &mut self.peclet[..faces],
            a: &mut *face_a,
            b: &mut *face_b,
        });
        let (face_a, face_b) = (&*face_a, &*face_b);
        // Debug builds: every face keeps the scheme's consistency promise `A - B = w`,
        // which no outcome of the step would reveal (crate::scheme::FluxScheme).
        #[cfg(debug_assertions)]
        crate::scheme::debug_check_faces(&self.peclet[..faces], face_a, face_b);
        let weights = |i: usize| (face_a[i], face_b[i]);
        // Every row multiplied by σ = dt / (1 + κ dt) (the same solution): the entries are
        // then `c0 = 1/(1 + κ dt)` on the diagonal plus `κσ = κ dt / (1 + κ dt)` times the
        // weights, O(1) for any dt, so the pivots, and the minors' growth per row below,
        // stay within a few orders of magnitude of 1 whatever dt and κ.
        let sigma = 1.0 / (inv_dt + kappa);
        let (c0, corner, flux) = (
            sigma * inv_dt,
            self.corner * sigma,
            explicit_flux * sigma / h,
        );
        let kappa = kappa * sigma;
        let rhs = |i: usize| previous[i] * c0;
        let k = (n / 2).min(r - 1);
        let c_prime = &mut self.c_prime[..n];

        let pivot = &mut self.pivot[..n];

        // Top chain, rows 0..k: p_i = y'_i - c'_i p_{i+1}; `top` holds the weights of the
        // face below the next row. The pivots are ratios of leading minors, `π_i = P_i /
        // P_{i-1}` with `P_i = m_i P_{i-1} - l_i u_{i-1} P_{i-2}`, and `Y_i = y'_i P_i =
        // d_i P_{i-1} - l_i Y_{i-1}`: no division in the chain. The row keeps `u_i P_{i-1}`
        // in `c_prime`, `Y_i` in `next` and `P_i` in `pivot`; the divisions follow the
        // sweep, all at once (module documentation, "Division-free chains").
        let mut top = (0.0, 0.0);
        let (mut p1, mut p2, mut y_minor, mut upper_above) = (1.0, 0.0, 0.0, 0.0);
        // Bottom chain, rows n-1 down to k+1: p_j = g'_j - e'_j p_{j-1} (e' in `c_prime`, g'
        // in `next`), with the minors `Q_j`, `G_j` in the same way; `bottom` holds the
        // weights of the face above the next row; while j > r, p_{n-1} = alpha + beta
        // p_{j-1}, which needs e', g' at once: those rows divide in the sweep.
        // The outflow face of row n-1: A = 1 (implicit) or 0.
        let mut bottom = (if implicit { 1.0 } else { 0.0 }, 0.0);
        let (mut alpha, mut beta) = (0.0, 1.0);
        let (mut q1, mut q2, mut g_minor, mut lower_below) = (1.0, 0.0, 0.0, 0.0);
        let (mut i, mut j) = (0, n - 1);
        while i < k || j > k {
            if i < k {
                let w = weights(i);
                let lower = -kappa * top.0;
                let upper = -kappa * w.1;
                let diag = c0 + kappa * (w.0 + top.1);
                let p = diag * p1 - (lower * upper_above) * p2;
                let y = rhs(i) * p1 - lower * y_minor;
                c_prime[i] = upper * p1;
                next[i] = y;
                pivot[i] = p;
                (p1, p2, y_minor) = in_range(p, p1, y);
                upper_above = upper;
                top = w;
                i += 1;
            }
            if j > k {
                let w = weights(j - 1);
                let upper = -kappa * bottom.1;
                let lower = -kappa * w.0;
                let mut diag = c0 + kappa * (bottom.0 + w.1);
                let b = if j == r {
                    diag += corner * beta;
                    rhs(j) + (flux - corner * alpha)
                } else if j == n - 1 {
                    // The value the positivity check above tested, scaled: non-negative
                    // exactly when it passed.
                    (previous[n - 1] * inv_dt - explicit_flux / h) * sigma
                } else {
                    rhs(j)
                };
                let q = diag * q1 - (upper * lower_below) * q2;
                let g = b * q1 - upper * g_minor;
                if j > r {
                    let inv = 1.0 / q;
                    let (e_j, g_j) = (lower * q1 * inv, g * inv);
                    (c_prime[j], next[j], pivot[j]) = (e_j, g_j, 1.0);
                    alpha += beta * g_j;
                    beta *= -e_j;
                } else {
                    (c_prime[j], next[j], pivot[j]) = (lower * q1, g, q);
                }
                (q1, q2, g_minor) = in_range(q, q1, g);
                lower_below = lower;
                bottom = w;
                j -= 1;
            }
        }
        // The deferred divisions, every row but k (the rows above r divide by 1).
        pulp::Arch::new().dispatch(Divide {
            pivot: &pivot[..k],
            c: &mut c_prime[..k],
            y: &mut next[..k],
        });
        pulp::Arch::new().dispatch(Divide {
            pivot: &pivot[k + 1..],
            c: &mut c_prime[k + 1..],
            y: &mut next[k + 1..],
        });
        let (c_top, y_top) = if k > 0 {
            (c_prime[k - 1], next[k - 1])
        } else {
            (0.0, 0.0)
        };
        let (e_bottom, g_bottom) = (c_prime[k + 1], next[k + 1]);
        // The meeting row k: its lower face is `top`'s, its upper face `bottom`'s.
        let lower = -kappa * top.0;
        let upper = -kappa * bottom.1;
        let diag = c0 + kappa * (bottom.0 + top.1);
        let x_k =
            (rhs(k) - lower * y_top - upper * g_bottom) / (diag - lower * c_top - upper * e_bottom);
        next[k] = x_k;
        // Back substitution, both chains outwards from row k, with the checks, two rows per
        // link: `p_{i-1} = (y'_{i-1} - c'_{i-1} y'_i) + c'_{i-1} c'_i p_{i+1}` (one multiply
        // and one add on the chain per two rows; both terms are sums of non-negative values
        // on an M-matrix, as in the one-row form), and `p_i = y'_i - c'_i p_{i+1}` beside it.
        let (mut up, mut down) = (x_k, x_k);
        // Two sums and two minima, one per chain: no chain of additions across both. The
        // minima ignore NaN without `f64::min`'s extra instructions: a NaN makes the sum NaN,
        // which `rate_of` reports first.
        let (mut sum_up, mut sum_down, mut min_up, mut min_down) = (x_k, 0.0, x_k, x_k);
        let low = |a: f64, b: f64| if a < b { a } else { b };
        let (mut i, mut j) = (k, k + 1);
        while i > 1 || j + 1 < n {
            if i > 1 {
                let (ca, ya, cb, yb) = (c_prime[i - 1], next[i - 1], c_prime[i - 2], next[i - 2]);
                let first = ya - ca * up;
                up = (yb - cb * ya) + (cb * ca) * up;
                (next[i - 1], next[i - 2]) = (first, up);
                sum_up += first + up;
                min_up = low(low(first, up), min_up);
                i -= 2;
            }
            if j + 1 < n {
                let (ca, ya, cb, yb) = (c_prime[j], next[j], c_prime[j + 1], next[j + 1]);
                let first = ya - ca * down;
                down = (yb - cb * ya) + (cb * ca) * down;
                (next[j], next[j + 1]) = (first, down);
                sum_down += first + down;
                min_down = low(low(first, down), min_down);
                j += 2;
            }
        }
        // At most one row left on each side.
        if i > 0 {
            up = next[0] - c_prime[0] * up;
            next[0] = up;
            sum_up += up;
            min_up = low(up, min_up);
        }
        if j < n {
            down = next[j] - c_prime[j] * down;
            next[j] = down;
            sum_down += down;
            min_down = low(down, min_down);
        }
        let (sum, min) = (sum_up + sum_down, min_up.min(min_down));
        self.sum = sum;
        self.rate_of(&next[..n], sum, min)
    }

    /// `Σ p_i` of the density the last [`StepOperator::step`] solved.
    pub(crate) fn sum(&self) -> f64 {
        self.sum
    }

    /// The off-band entry and the back substitution of the reference path: `p = y + s z`,
    /// `s = c y_{n-1} / (1 - c z_{n-1})`; checks finiteness and positivity.
    #[cfg(test)]
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

    /// The non-zero pattern with values, `(row, column, value)`, for inspection in tests.
    #[cfg(test)]
    fn entries(&self, grid: &Grid) -> Vec<(usize, usize, f64)> {
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

/// The step matrix `M` of [`StepOperator::step`] (before the step's row scaling), as
/// triplets `(row, column, value)`, rows in order: row `i` holds `-κ A_{i-1/2}` at `i-1`,
/// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i` and `-κ B_{i+1/2}` at `i+1` (`κ = a/h²`; the
/// last row's upper face is the outflow, weight 1 implicit or 0 explicit), and with
/// implicit re-injection `-κ` at `(r, n-1)`. The face weights are those of the step's face
/// pass (the scheme's `weights_into` on the same Péclet numbers: the same bits).
#[cfg(feature = "sprs")]
pub(crate) fn step_entries<S: FluxScheme + ?Sized>(
    grid: &Grid,
    scheme: &S,
    frozen: Frozen,
    reinjection: Reinjection,
) -> Vec<(usize, usize, f64)> {
    let n = grid.len();
    let h = grid.spacing();
    let kappa = frozen.a / (h * h);
    let inv_dt = 1.0 / frozen.dt;
    let peclet = h / frozen.a;
    let implicit = reinjection == Reinjection::Implicit;
    let faces = n - 1;
    let w: Vec<f64> = (0..faces)
        .map(|i| (frozen.shift - (grid.node(i) + 0.5 * h)) * peclet)
        .collect();
    let (mut face_a, mut face_b) = (vec![0.0; faces], vec![0.0; faces]);
    scheme.weights_into(&w, &mut face_a, &mut face_b);
    let mut entries = Vec::with_capacity(3 * n + 1);
    let (mut a_below, mut b_below) = (0.0, 0.0); // no flux through the lower face of cell 0
    for i in 0..n {
        let (a_above, b_above) = if i < faces {
            (face_a[i], face_b[i])
        } else {
            (if implicit { 1.0 } else { 0.0 }, 0.0)
        };
        if i > 0 {
            entries.push((i, i - 1, -kappa * a_below));
        }
        entries.push((i, i, inv_dt + kappa * (a_above + b_below)));
        if i < faces {
            entries.push((i, i + 1, -kappa * b_above));
        }
        if implicit && i == grid.reset_index() {
            entries.push((i, n - 1, -kappa));
        }
        (a_below, b_below) = (a_above, b_above);
    }
    entries
}

/// The right-hand side of the step from `previous`: `p^m_i / dt`, and with explicit
/// re-injection the outflow `E = (a/h) p^m_{n-1}` moved from row `n-1` to row `r`
/// (`∓ E/h`).
#[cfg(feature = "sprs")]
pub(crate) fn step_rhs(
    grid: &Grid,
    frozen: Frozen,
    reinjection: Reinjection,
    previous: &[f64],
) -> Vec<f64> {
    let (n, h) = (grid.len(), grid.spacing());
    let mut rhs: Vec<f64> = previous.iter().map(|p| p / frozen.dt).collect();
    if reinjection == Reinjection::Explicit {
        let moved = frozen.a / h * previous[n - 1] / h;
        rhs[grid.reset_index()] += moved;
        rhs[n - 1] -= moved;
    }
    rhs
}

/// The leading minors of the chains are kept within `(SMALL, LARGE)` by exact powers of
/// two ([`normaliser`]), which change no ratio.
const LARGE: f64 = 1.8446744073709552e19; // 2^64
const SMALL: f64 = 5.421010862427522e-20; // 2^-64

/// A chain's new minor, its predecessor and its right-hand minor, `(p, before, y)`, all
/// multiplied by the power of two that brings `p` into `[1, 2)` if `p` has left
/// `(SMALL, LARGE)` (or is not finite), else as they are.
#[inline(always)]
fn in_range(p: f64, before: f64, y: f64) -> (f64, f64, f64) {
    if p < LARGE && p > SMALL {
        (p, before, y)
    } else {
        let s = normaliser(p);
        (p * s, before * s, y * s)
    }
}

/// The power of two that brings `x` into `[1, 2)`: exact, from the exponent bits (clamped
/// to the normal range, so zero, subnormal and non-finite `x` give a finite power).
#[inline]
fn normaliser(x: f64) -> f64 {
    let exponent = (x.to_bits() >> 52) & 0x7ff;
    f64::from_bits(2046u64.saturating_sub(exponent).clamp(1, 2046) << 52)
}

/// The deferred divisions of the sweep, `c /= π`, `y /= π` (as one reciprocal), compiled
/// by `pulp` for the widest vector instructions.
struct Divide<'a> {
    pivot: &'a [f64],
    c: &'a mut [f64],
    y: &'a mut [f64],
}

impl pulp::WithSimd for Divide<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<V: pulp::Simd>(self, _simd: V) {
        for ((c, y), &pivot) in self.c.iter_mut().zip(self.y.iter_mut()).zip(self.pivot) {
            let inv = 1.0 / pivot;
            *c *= inv;
            *y *= inv;
        }
    }
}

/// The face pass of a step: Péclet numbers `w_i = (shift - v_{i+1/2}) h / a`, then the
/// scheme's weights, inlined into a function that `pulp` compiles for the processor's widest
/// vector instructions (the arithmetic is the same on every path: no fused multiply–add).
struct FacePass<'a, S: ?Sized> {
    scheme: &'a S,
    grid: &'a Grid,
    shift: f64,
    peclet: f64,
    w: &'a mut [f64],
    a: &'a mut [f64],
    b: &'a mut [f64],
}

impl<S: FluxScheme + ?Sized> pulp::WithSimd for FacePass<'_, S> {
    type Output = ();

    #[inline(always)]
    fn with_simd<V: pulp::Simd>(self, _simd: V) {
        let h = self.grid.spacing();
        for (i, w) in self.w.iter_mut().enumerate() {
            *w = (self.shift - (self.grid.node(i) + 0.5 * h)) * self.peclet;
        }
        self.scheme.weights_into(self.w, self.a, self.b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::{ChangCooper, ScharfetterGummel, Upwind};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Oracle: the two-pass reference (assemble the bands, then Thomas with
        /// Sherman–Morrison). The two-way fused step solves the same system: the same
        /// outcome, and the density and rate within the rounding bound below, for every
        /// scheme and re-injection, with the reset node anywhere from the second node to the
        /// third from the top (so the meeting row is anywhere from 0 to the middle).
        #[test]
        fn the_fused_step_solves_what_assemble_then_solve_solves(
            shift in -5.0f64..30.0,
            a in 0.2f64..3.0,
            dt in 1e-5f64..0.1,
            implicit in any::<bool>(),
            scheme in 0usize..3,
            mean in -2.0f64..1.5,
            below in 1usize..40,
            above in 3usize..40,
        ) {
            let h = 0.05;
            let grid = Grid::new(1.0 - below as f64 * h, 1.0 + above as f64 * h, 1.0, h).unwrap();
            let n = grid.len();
            let reinjection = if implicit { Reinjection::Implicit } else { Reinjection::Explicit };
            let frozen = Frozen { a, shift, dt };
            let previous: Vec<f64> = grid
                .nodes()
                .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (grid.v_f() - v))
                .collect();
            let (mut two, mut one) = (StepOperator::new(&grid, reinjection), StepOperator::new(&grid, reinjection));
            let (mut expected, mut got) = (vec![0.0; n], vec![0.0; n]);
            let (reference, fused) = match scheme {
                0 => {
                    two.assemble(&grid, &ChangCooper, frozen);
                    (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &ChangCooper, frozen, &previous, &mut got))
                }
                1 => {
                    two.assemble(&grid, &ScharfetterGummel, frozen);
                    (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &ScharfetterGummel, frozen, &previous, &mut got))
                }
                _ => {
                    two.assemble(&grid, &Upwind, frozen);
                    (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &Upwind, frozen, &previous, &mut got))
                }
            };
            match (reference, fused) {
                (Ok(rate_ref), Ok(rate)) => {
                    // Both solve the same M-matrix system, each backward stable; the
                    // matrix's columns sum to 1/dt, so ||M^-1||_1 <= dt and its condition
                    // number is at most 1 + 4 kappa dt max(A, B) <= 1 + 40 kappa dt here
                    // (weights below 10 on this range). Bound: 16 n eps times that.
                    let kappa = a / (h * h);
                    let norm: f64 = expected.iter().sum();
                    let diff: f64 = expected.iter().zip(&got).map(|(x, y)| (x - y).abs()).sum();
                    let bound = 16.0 * n as f64 * f64::EPSILON * (1.0 + 40.0 * kappa * dt) * norm;
                    prop_assert!(diff <= bound, "{} > {}", diff, bound);
                    prop_assert!((rate - rate_ref).abs() <= a / h * bound);
                    prop_assert!(got.iter().all(|&p| p >= 0.0));
                }
                (reference, fused) => {
                    prop_assert_eq!(format!("{:?}", reference), format!("{:?}", fused));
                }
            }
        }

        /// Oracles: the M-matrix sign pattern, column sums 1/dt (conservation law), and
        /// the residual of the O(n) solves (the reference and the two-way step) through an
        /// independent matrix-vector product
        /// over the entries (`M p_new = p_old / dt`, plus the explicit re-injection
        /// `± E / h` in rows `r` and `n-1`).
        #[test]
        fn step_matrix_is_a_conservative_m_matrix_and_the_solve_inverts_it(
            shift in -5.0f64..30.0,
            a in 0.2f64..3.0,
            dt in 1e-5f64..0.1,
            implicit in any::<bool>(),
            scheme in 0usize..3,
            mean in -2.0f64..1.5,
        ) {
            let grid = Grid::new(-3.0, 2.0, 1.0, 0.05).unwrap();
            let (n, r, h) = (grid.len(), grid.reset_index(), grid.spacing());
            let reinjection = if implicit { Reinjection::Implicit } else { Reinjection::Explicit };
            let mut op = StepOperator::new(&grid, reinjection);
            let frozen = Frozen { a, shift, dt };
            match scheme {
                0 => op.assemble(&grid, &ChangCooper, frozen),
                1 => op.assemble(&grid, &ScharfetterGummel, frozen),
                _ => op.assemble(&grid, &Upwind, frozen),
            }
            let entries = op.entries(&grid);
            let mut column_sums = vec![0.0; n];
            for &(i, j, value) in &entries {
                column_sums[j] += value;
                if i == j {
                    prop_assert!(value > 0.0);
                } else {
                    prop_assert!(value <= 0.0);
                }
            }
            // Implicit: the outflow entry on the diagonal is returned at (r, n-1).
            // Explicit: the outflow is on the right-hand side (-E in row n-1, +E in row r).
            for (j, sum) in column_sums.iter().enumerate() {
                let expected = 1.0 / dt;
                prop_assert!(
                    (sum - expected).abs() <= 1e-11 * expected.max(a / 0.0025),
                    "column {}: {} vs {}", j, sum, expected
                );
            }
            // A Gaussian bump, small at the threshold so that the explicit step is positive.
            let previous: Vec<f64> = grid
                .nodes()
                .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (2.0 - v))
                .collect();
            // Both paths: the reference solve and the two-way fused step.
            let mut fused = StepOperator::new(&grid, reinjection);
            for path in 0..2 {
            let mut next = vec![0.0; n];
            let outcome = if path == 0 {
                op.solve(&grid, dt, &previous, &mut next)
            } else {
                match scheme {
                    0 => fused.step(&grid, &ChangCooper, frozen, &previous, &mut next),
                    1 => fused.step(&grid, &ScharfetterGummel, frozen, &previous, &mut next),
                    _ => fused.step(&grid, &Upwind, frozen, &previous, &mut next),
                }
            };
            match outcome {
                Ok(rate) => {
                    prop_assert_eq!(rate, a / h * next[n - 1]);
                    let explicit = if implicit { 0.0 } else { a / h * previous[n - 1] };
                    // Backward-error scale of each row: Σ_j |m_ij p_j|.
                    let mut residual = vec![0.0; n];
                    let mut scale = vec![0.0; n];
                    for &(i, j, value) in &entries {
                        residual[i] += value * next[j];
                        scale[i] += (value * next[j]).abs();
                    }
                    for (i, (res, p)) in residual.iter().zip(&previous).enumerate() {
                        let mut expected = p / dt;
                        if i == r {
                            expected += explicit / h;
                        }
                        if i == n - 1 {
                            expected -= explicit / h;
                        }
                        prop_assert!(
                            (res - expected).abs() <= 1e-12 * (scale[i] + expected.abs()),
                            "row {}: {} vs {}", i, res, expected
                        );
                    }
                    prop_assert!(next.iter().all(|&p| p >= 0.0));
                }
                Err(SolveFailure::Positivity { max_dt }) => {
                    // Oracle: the explicit condition dt a p_{n-1} / h > h p_{n-1}.
                    prop_assert!(!implicit && dt > h * h / a * (1.0 - 1e-12));
                    prop_assert!((max_dt - h * h / a).abs() <= 1e-12 * max_dt);
                }
                Err(other) => prop_assert!(false, "{:?}", other),
            }
            }
        }

        /// Oracle: the residual of an independent matrix–vector product over the assembled
        /// entries (backward error, invariant under the sweep's row scaling), for time
        /// steps and diffusions across most of the floating-point range: the scaled rows
        /// and the normalised minors neither overflow nor underflow, and the density stays
        /// non-negative.
        #[test]
        fn the_step_solves_its_system_whatever_the_time_step(
            log_dt in -300.0f64..4.0,
            log_a in -3.0f64..3.0,
            shift in -5.0f64..30.0,
            mean in -2.0f64..1.5,
        ) {
            let (dt, a) = (10f64.powf(log_dt), 10f64.powf(log_a));
            let grid = Grid::new(-3.0, 2.0, 1.0, 0.05).unwrap();
            let (n, h) = (grid.len(), grid.spacing());
            let frozen = Frozen { a, shift, dt };
            let mut reference = StepOperator::new(&grid, Reinjection::Implicit);
            reference.assemble(&grid, &ScharfetterGummel, frozen);
            let previous: Vec<f64> = grid
                .nodes()
                .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (2.0 - v))
                .collect();
            let mut next = vec![0.0; n];
            let mut fused = StepOperator::new(&grid, Reinjection::Implicit);
            let rate = fused.step(&grid, &ScharfetterGummel, frozen, &previous, &mut next);
            prop_assert_eq!(rate, Ok(a / h * next[n - 1]));
            let mut residual = vec![0.0; n];
            let mut scale = vec![0.0; n];
            for &(i, j, value) in &reference.entries(&grid) {
                residual[i] += value * next[j];
                scale[i] += (value * next[j]).abs();
            }
            // A backward-stable solve: each row's residual within a few rounding errors per
            // term of the row (three entries, the row scaling, the chain's O(n) operations),
            // bounded by 16 n ε times the row's scale, as the fused-step test above.
            let bound = 16.0 * n as f64 * f64::EPSILON;
            for (i, (res, p)) in residual.iter().zip(&previous).enumerate() {
                let expected = p / dt;
                prop_assert!(
                    (res - expected).abs() <= bound * (scale[i] + expected.abs()),
                    "row {}: {} vs {}", i, res, expected
                );
            }
            prop_assert!(next.iter().all(|&p| p >= 0.0 && p.is_finite()));
        }
    }
}
