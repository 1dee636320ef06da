//! The step of [`StepOperator`]: the face pass, then the two-way elimination without
//! divisions in its chains.
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

use super::{Frozen, Reentry, Reinjection, SolveFailure, StepOperator};
use crate::Grid;
use crate::scheme::FluxScheme;

impl StepOperator {
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
        let Reentry { share, source } = self.reentry;
        // Without a refractory period `share = 1`, `source = 0`: `-κ · 1` and
        // `E · 1 + 0` are `-κ` and `E` bit for bit (`E >= +0`).
        self.corner = if implicit { -kappa * share } else { 0.0 };
        let explicit_flux = match self.reinjection {
            Reinjection::Explicit => self.outflow * previous[n - 1],
            Reinjection::Implicit => 0.0,
        };
        // The flux entering row r besides the corner: the explicit outflow's share and the
        // refractory compartment's source.
        let injected = explicit_flux * share + source;
        self.explicit_outflow = explicit_flux;
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
        // Debug builds (and the feature `check-faces`): every face keeps the scheme's
        // consistency promise `A - B = w`, which no outcome of the step would reveal
        // (crate::scheme::FluxScheme).
        #[cfg(any(debug_assertions, feature = "check-faces"))]
        crate::scheme::debug_check_faces(&self.peclet[..faces], face_a, face_b);
        let weights = |i: usize| (face_a[i], face_b[i]);
        // Every row multiplied by σ = dt / (1 + κ dt) (the same solution): the entries are
        // then `c0 = 1/(1 + κ dt)` on the diagonal plus `κσ = κ dt / (1 + κ dt)` times the
        // weights, O(1) for any dt, so the pivots, and the minors' growth per row below,
        // stay within a few orders of magnitude of 1 whatever dt and κ.
        let sigma = 1.0 / (inv_dt + kappa);
        let (c0, corner, flux) = (sigma * inv_dt, self.corner * sigma, injected * sigma / h);
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
