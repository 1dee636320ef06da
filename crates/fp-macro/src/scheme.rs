//! Two-point flux schemes for the Fokker–Planck flux `F = h p - a ∂v p`.
//!
//! At the interface `v_{i+1/2}` between nodes `i` and `i+1`, with drift
//! `h_{i+1/2} = -v_{i+1/2} + bN + I` and cell Péclet number `w = h_{i+1/2} h / a`, every
//! scheme here writes
//!
//! ```text
//! F_{i+1/2} = (a / h) [ A(w) p_i - B(w) p_{i+1} ].
//! ```
//!
//! - Conservation needs nothing of `A, B`: the same flux leaves one cell and enters the next.
//! - Positivity (an M-matrix step operator) needs `A, B >= 0`.
//! - Exponential fitting: `A(w) = e^w B(w)` makes the flux vanish on the local equilibrium
//!   `p_{i+1} / p_i = e^w` (the ratio of the local Maxwellian `exp(-(v - bN - I)^2 / (2a))`
//!   between the nodes, exact here because the drift is linear in `v`). Fitted schemes are
//!   accurate uniformly in `w`; the unfitted upwind scheme adds a numerical diffusion
//!   `O(|h_d| h)`.
//!
//! Chang–Cooper and Scharfetter–Gummel are both exponentially fitted with the interface
//! drift sampled at the midpoint; for this linear drift they are *algebraically identical*
//! (derivation in `docs/fp-macro.md`): `1 + w δ(w) = B(-w)` and `1 - w (1 - δ(w)) = B(w)`
//! with the Bernoulli function `B(x) = x / (e^x - 1)`. They are evaluated through different
//! formulas, so they differ by round-off only.

use serde::{Deserialize, Serialize};

/// The weights of a two-point flux: the extension point for custom flux schemes.
///
/// A scheme maps the cell Péclet number `w = h_d h / a` of a face (`h_d` the drift at the
/// face, `h` the spacing, `a` the diffusion) to the weights `(A(w), B(w))` of
///
/// ```text
/// F_{i+1/2} = (a / h) [ A(w) p_i - B(w) p_{i+1} ].
/// ```
///
/// [`MacroSolver::with_scheme`](crate::MacroSolver::with_scheme) runs any implementation
/// through the same step as the built-in schemes: the solver owns everything else (the
/// no-flux face at `V_min`, the outflow at `V_F` and its re-injection, kicks, the `O(n)`
/// solve and every [`StepOutcome`](crate::StepOutcome)); `weights` is the only thing a
/// scheme decides.
///
/// # What the solver guarantees for any weights
///
/// - Mass is conserved to round-off: the same flux leaves one cell and enters the next.
/// - Nothing non-finite or negative is passed on: such a step is refused with
///   [`StepOutcome::NonFinite`](crate::StepOutcome::NonFinite) or
///   [`StepOutcome::NegativeDensity`](crate::StepOutcome::NegativeDensity) and the state
///   stays at `t^m`.
///
/// # What an implementation promises
///
/// 1. **Finite weights** for every finite `w` (`w` can be large, `|w| ~ 10³` on coarse
///    grids during a blow-up, and of either sign).
/// 2. **Positivity**: `A(w) >= 0` and `B(w) >= 0`. The step matrix is then an M-matrix
///    (positive diagonal, non-positive off-diagonal entries) and the density stays
///    non-negative for every time step under implicit re-injection; weights of the wrong
///    sign can produce [`StepOutcome::NegativeDensity`](crate::StepOutcome::NegativeDensity).
/// 3. **Consistency**: `A(w) - B(w) = w` (the drift flux `h_d p` is reproduced) and
///    `B(w) → 1` as `w → 0` (the diffusive flux `-a ∂v p` is reproduced), so that the flux
///    is `h_d p - a ∂v p + O(h)`.
/// 4. **Purity**: the same `w` gives the same weights, bit for bit (restarts from a
///    [`MacroState`](crate::MacroState) rely on it), without allocating (it is called once
///    per face and step).
///
/// # Checking a scheme
///
/// [`check_consistency`] tests promises 1–4 on Péclet numbers sampled across the range the
/// solver uses (zero, subnormal, tiny and huge `|w|` up to `10^8`, both signs, the series
/// boundaries `±0.1`), to the tolerance [`CONSISTENCY_TOLERANCE`], and names the first
/// broken one ([`SchemeViolation`]): call it in a test of your scheme. In builds with debug
/// assertions the step also checks consistency (3) on every face it computes, and panics
/// naming the face: the one promise whose breach no [`StepOutcome`](crate::StepOutcome)
/// reveals (a scheme with `A - B = 2w` conserves mass, stays positive and converges to the
/// wrong density). Broken finiteness (1) and positivity (2) are left to the outcomes
/// [`NonFinite`](crate::StepOutcome::NonFinite) and
/// [`NegativeDensity`](crate::StepOutcome::NegativeDensity). Release builds check nothing
/// per face.
///
/// A scheme is a value that owns its data (`'static`: share a table through an `Arc`
/// rather than a borrow).
///
/// A scheme that chooses between schemes at run time (an enum, like the built-in
/// [`Scheme`]) overrides [`dispatch`](FluxScheme::dispatch) to make the choice once per
/// step and hand the chosen scheme to the step, whose face loop is then compiled for it
/// (the pattern of `nlif_micro`'s `SubthresholdStep::dispatch`); a scheme of one type
/// keeps the default.
///
/// Optional, and what it buys: **exponential fitting** `A(w) = e^w B(w)` makes the flux
/// vanish on the local equilibrium, which gives accuracy uniform in `w` and second order
/// for the rate; an unfitted consistent scheme (such as [`Upwind`]) is first order.
///
/// # Example
///
/// The power-law scheme of Patankar (1980): `D(|w|) = max(0, (1 - |w|/10)^5)` approximates
/// the fitted diffusive weight `|w| / (e^{|w|} - 1)` without an exponential.
///
/// ```
/// use fp_macro::{FluxScheme, MacroConfig, MacroSolver, StepOutcome};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// #[derive(Debug, Clone, Copy)]
/// struct PowerLaw;
///
/// impl FluxScheme for PowerLaw {
///     fn weights(&self, w: f64) -> (f64, f64) {
///         let d = (1.0 - 0.1 * w.abs()).max(0.0).powi(5);
///         (d + w.max(0.0), d + (-w).max(0.0)) // A - B = w, A, B >= 0
///     }
/// }
///
/// // Every promise holds (a unit test of the scheme).
/// assert_eq!(fp_macro::scheme::check_consistency(&PowerLaw), Ok(()));
///
/// let config = MacroConfig { dv: 0.02, dt: 1e-3, ..MacroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut solver =
///     MacroSolver::from_initial_with(PowerLaw, ModelParams::default(), Input::None, config, &initial)?;
/// for _ in 0..100 {
///     let outcome = solver.step(f64::INFINITY);
///     assert!(matches!(outcome, StepOutcome::Advanced { .. }), "{outcome:?}");
/// }
/// assert!((solver.mass() - 1.0).abs() < 1e-12);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
pub trait FluxScheme: 'static {
    /// `(A(w), B(w))` of `F = (a/h)[A p_i - B p_{i+1}]` at cell Péclet number `w`.
    #[must_use]
    fn weights(&self, w: f64) -> (f64, f64);

    /// The weights of all faces of a step at once: `(a[i], b[i]) = weights(w[i])`, bit for
    /// bit. The step calls this once, before its sweep.
    ///
    /// The default loops over [`weights`](FluxScheme::weights); a scheme may override it
    /// with a form the compiler vectorizes ([`ScharfetterGummel`] does), as long as the
    /// values are the same.
    ///
    /// # Panics
    ///
    /// The built-in implementations panic if the slices differ in length.
    fn weights_into(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
        assert!(
            w.len() == a.len() && w.len() == b.len(),
            "one weight pair per face"
        );
        for ((&w, a), b) in w.iter().zip(a).zip(b) {
            (*a, *b) = self.weights(w);
        }
    }

    /// Hands `visitor` the scheme a step runs: the solver calls it once per step, and
    /// the visitor runs the step's face pass and solve with the scheme it is handed,
    /// compiled for that scheme's type.
    ///
    /// The default hands over `self`, which is right for a scheme of one type. A scheme
    /// that is a choice among schemes (like [`Scheme`]) overrides it to match once and
    /// hand over the chosen one, so that the face loop does not match once per face. The
    /// scheme handed over must give the same weights as `self`, bit for bit.
    #[inline(always)]
    fn dispatch<V: SchemeVisitor>(&self, visitor: V) -> V::Output
    where
        Self: Sized,
    {
        visitor.visit(self)
    }
}

/// Receives a concrete scheme from [`FluxScheme::dispatch`]; the solver implements it
/// for one step.
pub trait SchemeVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with the scheme `scheme`.
    fn visit<S: FluxScheme>(self, scheme: &S) -> Self::Output;
}

/// The tolerance of the consistency promise `A(w) - B(w) = w` (and of `B(0) = 1`) in
/// [`check_consistency`] and the step's debug check: `|fl(A - B) - w| <= τ (|A| + |B|)`
/// with `τ = 8 ε = 1.8e-15`.
///
/// Derivation: a scheme that evaluates each weight with relative error at most `k ε` (a
/// handful of roundings; an `exp_m1` is within one ulp) has `|ΔA| + |ΔB| <= k ε (|A| +
/// |B|)`, and the subtraction `fl(A - B)` adds at most `ε/2 |A - B| <= ε/2 (|A| + |B|)`.
/// `τ = 8 ε` allows `k = 7.5`. Measured on the samples of [`check_consistency`]: at most
/// `0.25 ε` (Scharfetter–Gummel and Upwind) and `0.8 ε` (Chang–Cooper, whose `δ(w)`
/// cancels near `|w| = 0.1`). Scaled by `|A| + |B| >= |w|` it is relative to the larger weight, which
/// is what the step's rows see; a broken promise such as `A - B = 2w` misses it by
/// `|w| / (|A| + |B|)`, about `1/2` for `|w| >= 1`.
pub const CONSISTENCY_TOLERANCE: f64 = 8.0 * f64::EPSILON;

/// A promise of [`FluxScheme`] that a scheme breaks, at the Péclet number `w` of the first
/// sample that shows it (see [`check_consistency`]).
///
/// New variants may be added: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeViolation {
    /// Promise 1: a weight is NaN or infinite at a finite `w`.
    #[error("weights (A, B) = ({a:?}, {b:?}) at w = {w:?} are not finite")]
    NonFinite {
        /// The Péclet number.
        w: f64,
        /// `A(w)`.
        a: f64,
        /// `B(w)`.
        b: f64,
    },
    /// Promise 2: a weight is negative (the step matrix is not an M-matrix).
    #[error(
        "weights (A, B) = ({a:?}, {b:?}) at w = {w:?}: a negative weight breaks the M-matrix property"
    )]
    Negative {
        /// The Péclet number.
        w: f64,
        /// `A(w)`.
        a: f64,
        /// `B(w)`.
        b: f64,
    },
    /// Promise 3: `A(w) - B(w)` is not `w` within [`CONSISTENCY_TOLERANCE`]` (|A| + |B|)`
    /// (the drift flux is not reproduced).
    #[error(
        "A - B = {difference:?} at w = {w:?} (A = {a:?}, B = {b:?}): the drift is not reproduced (A - B must be w within {tolerance:e})"
    )]
    Inconsistent {
        /// The Péclet number.
        w: f64,
        /// `A(w)`.
        a: f64,
        /// `B(w)`.
        b: f64,
        /// `fl(A - B)`.
        difference: f64,
        /// The allowed `|A - B - w|`.
        tolerance: f64,
    },
    /// Promise 3: `B(w)` does not tend to 1 as `w → 0` (the diffusive flux is not
    /// reproduced): checked at `w = 0` and at `|w| <= 10^-150`, where `B = 1 + O(w)` is 1
    /// within the tolerance.
    #[error(
        "B({w:?}) = {b:?}: the diffusion is not reproduced (B must tend to 1 as w -> 0, within {tolerance:e})"
    )]
    NotDiffusive {
        /// The Péclet number.
        w: f64,
        /// `B(w)`.
        b: f64,
        /// The allowed `|B - 1|`.
        tolerance: f64,
    },
    /// Promise 4: two calls at the same `w` gave different bits.
    #[error("weights at w = {w:?} differ between two calls: {first:?} then {second:?}")]
    Impure {
        /// The Péclet number.
        w: f64,
        /// The weights of the first call.
        first: (f64, f64),
        /// The weights of the second call.
        second: (f64, f64),
    },
    /// [`FluxScheme::weights_into`] gives other bits than [`FluxScheme::weights`].
    #[error("weights_into gives {batched:?} at w = {w:?}, weights {single:?}")]
    BatchDiffers {
        /// The Péclet number.
        w: f64,
        /// `weights(w)`.
        single: (f64, f64),
        /// The pair `weights_into` wrote.
        batched: (f64, f64),
    },
}

/// The Péclet numbers [`check_consistency`] samples, in increasing order: zero (both
/// signs), the smallest subnormal, then for each decade `10^k`, `k = -300 … 8`, the
/// values `1, 2, 5` × `10^k`, the boundaries of the series branches of the built-in
/// weights (`0.1` and its neighbours) and of `exp` (`709`, `710`), each with both signs.
///
/// The solver's steps produce `w = (b N + I - v) h / a` from about `10^-6` on fine grids
/// to `10^3` on coarse grids during a blow-up (the discrete rate saturates below `a/h²`),
/// so the samples reach far beyond both ends.
#[must_use]
pub fn peclet_samples() -> Vec<f64> {
    let mut positive = vec![f64::from_bits(1)];
    for k in -300..=8 {
        // Parsed: the correctly rounded values (`powi` is not).
        positive.extend([1, 2, 5].map(|m| format!("{m}e{k}").parse::<f64>().unwrap_or(0.0)));
    }
    let tenth = 0.1f64;
    positive.extend([
        f64::from_bits(tenth.to_bits() - 1),
        tenth,
        f64::from_bits(tenth.to_bits() + 1),
        709.0,
        709.78,
        710.0,
    ]);
    positive.sort_by(f64::total_cmp);
    positive.dedup();
    let mut w: Vec<f64> = positive.iter().rev().map(|&x| -x).collect();
    w.extend([-0.0, 0.0]);
    w.extend(positive);
    w
}

/// Checks one face's weights against promises 1–3 (not the limit `B → 1`, which needs
/// `w` near zero: [`check_consistency`]).
fn check_face(w: f64, a: f64, b: f64) -> Result<(), SchemeViolation> {
    if !(a.is_finite() && b.is_finite()) {
        return Err(SchemeViolation::NonFinite { w, a, b });
    }
    if a < 0.0 || b < 0.0 {
        return Err(SchemeViolation::Negative { w, a, b });
    }
    consistent(w, a, b)
}

/// Promise 3, `A - B = w` within [`CONSISTENCY_TOLERANCE`], for finite weights of any sign.
#[inline]
fn consistent(w: f64, a: f64, b: f64) -> Result<(), SchemeViolation> {
    let difference = a - b;
    let tolerance = CONSISTENCY_TOLERANCE * (a.abs() + b.abs());
    if (difference - w).abs() <= tolerance {
        Ok(())
    } else {
        Err(SchemeViolation::Inconsistent {
            w,
            a,
            b,
            difference,
            tolerance,
        })
    }
}

/// The step's debug check of the face pass (builds with debug assertions only): every
/// face with a finite `w` and finite weights keeps promise 3, `A - B = w`. Non-finite
/// and negative weights are left to the step's outcomes.
///
/// # Panics
///
/// On the first face that breaks it, naming the face and the violation.
#[cfg(debug_assertions)]
pub(crate) fn debug_check_faces(w: &[f64], a: &[f64], b: &[f64]) {
    for (face, ((&w, &a), &b)) in w.iter().zip(a).zip(b).enumerate() {
        if w.is_finite()
            && a.is_finite()
            && b.is_finite()
            && let Err(violation) = consistent(w, a, b)
        {
            panic!(
                "the flux scheme breaks its consistency promise at face {face} \
                 (fp_macro::FluxScheme, 3.; test it with fp_macro::scheme::check_consistency): {violation}"
            );
        }
    }
}

/// Checks every promise of [`FluxScheme`] that can be tested from outside, on the
/// Péclet numbers of [`peclet_samples`], in this order for each sample: finite weights (1),
/// non-negative weights (2), `A - B = w` within [`CONSISTENCY_TOLERANCE`]` (|A| + |B|)` (3),
/// the same bits from a second call (4); then `B(w) → 1` as `w → 0` (3: at `w = ±0` and
/// `|w| <= 10^-150`, where `B = 1 + O(w)` must be 1 within the tolerance), and
/// [`weights_into`](FluxScheme::weights_into) against `weights` bit for bit on all
/// samples at once. Allocates; meant for tests.
///
/// ```
/// use fp_macro::scheme::{check_consistency, SchemeViolation, ScharfetterGummel};
/// use fp_macro::FluxScheme;
///
/// assert_eq!(check_consistency(&ScharfetterGummel), Ok(()));
///
/// /// Upwind with the drift counted twice: conservative and positive, but wrong.
/// struct Twice;
/// impl FluxScheme for Twice {
///     fn weights(&self, w: f64) -> (f64, f64) {
///         (1.0 + 2.0 * w.max(0.0), 1.0 + 2.0 * (-w).max(0.0))
///     }
/// }
/// assert!(matches!(check_consistency(&Twice), Err(SchemeViolation::Inconsistent { .. })));
/// ```
///
/// # Errors
///
/// The first [`SchemeViolation`] found.
pub fn check_consistency<S: FluxScheme + ?Sized>(scheme: &S) -> Result<(), SchemeViolation> {
    let samples = peclet_samples();
    for &w in &samples {
        let (a, b) = scheme.weights(w);
        check_face(w, a, b)?;
        let second = scheme.weights(w);
        if (a.to_bits(), b.to_bits()) != (second.0.to_bits(), second.1.to_bits()) {
            return Err(SchemeViolation::Impure {
                w,
                first: (a, b),
                second,
            });
        }
    }
    for &w in samples.iter().filter(|w| w.abs() <= 1e-150) {
        let (a, b) = scheme.weights(w);
        let tolerance = CONSISTENCY_TOLERANCE * (a.abs() + b.abs());
        if !((b - 1.0).abs() <= tolerance) {
            return Err(SchemeViolation::NotDiffusive { w, b, tolerance });
        }
    }
    let (mut a, mut b) = (vec![0.0; samples.len()], vec![0.0; samples.len()]);
    scheme.weights_into(&samples, &mut a, &mut b);
    for ((&w, &a), &b) in samples.iter().zip(&a).zip(&b) {
        let single = scheme.weights(w);
        if (a.to_bits(), b.to_bits()) != (single.0.to_bits(), single.1.to_bits()) {
            return Err(SchemeViolation::BatchDiffers {
                w,
                single,
                batched: (a, b),
            });
        }
    }
    Ok(())
}

/// The choice of a built-in flux scheme, as written in a config; it is itself a
/// [`FluxScheme`] (dispatching to [`ChangCooper`], [`ScharfetterGummel`] or [`Upwind`]).
///
/// New schemes may be added: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Scheme {
    /// Chang–Cooper: `F = h_d [(1 - δ) p_{i+1} + δ p_i] - a (p_{i+1} - p_i) / h`.
    ChangCooper,
    /// Scharfetter–Gummel: `F = (a/h) [B(-w) p_i - B(w) p_{i+1}]`.
    #[default]
    ScharfetterGummel,
    /// First-order upwind drift with central diffusion: not fitted, a baseline that shows
    /// the numerical diffusion the fitted schemes avoid.
    Upwind,
}

/// The Chang–Cooper weighting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangCooper;

/// The Scharfetter–Gummel (Bernoulli) weighting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScharfetterGummel;

/// Upwind drift, central diffusion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upwind;

/// The Bernoulli function `B(x) = x / (e^x - 1)`, `B(0) = 1`.
///
/// For `|x| < 0.1` its Taylor series `1 - x/2 + x²/12 - x⁴/720 + x⁶/30240 - x⁸/1209600`
/// (truncation error below `3e-19`; no exponential, which keeps a step cheap on fine
/// grids where every `|w|` is small); otherwise `x / expm1(x)` (no cancellation).
#[inline]
#[must_use]
pub fn bernoulli(x: f64) -> f64 {
    if x.abs() < 0.1 {
        let x2 = x * x;
        1.0 - 0.5 * x
            + x2 * (1.0 / 12.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 30240.0 - x2 / 1_209_600.0)))
    } else {
        x / x.exp_m1()
    }
}

/// The Chang–Cooper weight for the sign convention `F = h p - a ∂v p`:
///
/// `δ(w) = 1 / (1 - e^{-w}) - 1 / w`, `δ(0) = 1/2`, `δ → 1` (upwind on `p_i`) as
/// `w → +inf` and `δ → 0` as `w → -inf`. (The textbook `1/w - 1/(e^w - 1)` is `1 - δ`: it
/// belongs to the opposite sign convention.) For `|w| < 0.1` its series
/// `1/2 + w/12 - w³/720 + w⁵/30240 - w⁷/1209600` (truncation error below `3e-20`).
#[inline]
#[must_use]
pub fn chang_cooper_delta(w: f64) -> f64 {
    if w.abs() < 0.1 {
        let w2 = w * w;
        0.5 + w * (1.0 / 12.0 + w2 * (-1.0 / 720.0 + w2 * (1.0 / 30240.0 - w2 / 1_209_600.0)))
    } else {
        -1.0 / (-w).exp_m1() - 1.0 / w
    }
}

impl FluxScheme for ChangCooper {
    #[inline]
    fn weights(&self, w: f64) -> (f64, f64) {
        // For |w| >~ 30 the small weight is a difference of O(1) numbers: clamp its
        // round-off at zero so the step operator stays an M-matrix.
        let delta = chang_cooper_delta(w);
        (
            (1.0 + w * delta).max(0.0),
            (1.0 - w * (1.0 - delta)).max(0.0),
        )
    }
}

impl FluxScheme for ScharfetterGummel {
    /// One Bernoulli evaluation per interface through `B(-w) = B(w) + w`, applied from the
    /// small weight to the large one so that nothing cancels.
    #[inline]
    fn weights(&self, w: f64) -> (f64, f64) {
        if w >= 0.0 {
            let b = bernoulli(w);
            (b + w, b)
        } else {
            let a = bernoulli(-w);
            (a, a - w)
        }
    }

    /// Two passes: the series branch of [`bernoulli`] for every face, without branches (so
    /// the loop is vectorized), then, if any face has `|w| >= 0.1` (or NaN),
    /// [`weights`](FluxScheme::weights) again for those faces, which take the
    /// exponential. The same operations as `weights` on each face: the same bits (tested).
    #[inline(always)]
    fn weights_into(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
        assert!(
            w.len() == a.len() && w.len() == b.len(),
            "one weight pair per face"
        );
        // The faces the series does not serve, counted in the same pass (a vectorized
        // sum): on fine grids usually none, and the second loop is skipped.
        let mut outside = 0usize;
        for ((&w, a), b) in w.iter().zip(a.iter_mut()).zip(b.iter_mut()) {
            let up = w >= 0.0;
            let x = if up { w } else { -w };
            let x2 = x * x;
            let p = 1.0 - 0.5 * x
                + x2 * (1.0 / 12.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 30240.0 - x2 / 1_209_600.0)));
            *a = if up { p + w } else { p };
            *b = if up { p } else { p - w };
            outside += usize::from(!(x < 0.1));
        }
        if outside > 0 {
            for ((&w, a), b) in w.iter().zip(a.iter_mut()).zip(b.iter_mut()) {
                if !(w.abs() < 0.1) {
                    (*a, *b) = self.weights(w);
                }
            }
        }
    }
}

impl FluxScheme for Upwind {
    #[inline]
    fn weights(&self, w: f64) -> (f64, f64) {
        (1.0 + w.max(0.0), 1.0 + (-w).max(0.0))
    }
}

impl FluxScheme for Scheme {
    /// The weights of the chosen built-in scheme (a match per call).
    /// [`MacroSolver`](crate::MacroSolver) does not call this in its step: through
    /// [`dispatch`](FluxScheme::dispatch) it matches the variant once per step, then runs
    /// the face loop of [`ChangCooper`], [`ScharfetterGummel`] or [`Upwind`] (bit for bit
    /// the same weights).
    #[inline]
    fn weights(&self, w: f64) -> (f64, f64) {
        match self {
            Scheme::ChangCooper => ChangCooper.weights(w),
            Scheme::ScharfetterGummel => ScharfetterGummel.weights(w),
            Scheme::Upwind => Upwind.weights(w),
        }
    }

    /// Matches once and hands over the unit scheme of the variant (matching per face is
    /// about 4 % of a Scharfetter–Gummel step).
    #[inline(always)]
    fn dispatch<V: SchemeVisitor>(&self, visitor: V) -> V::Output {
        match self {
            Scheme::ChangCooper => visitor.visit(&ChangCooper),
            Scheme::ScharfetterGummel => visitor.visit(&ScharfetterGummel),
            Scheme::Upwind => visitor.visit(&Upwind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Oracle: the exponential-fitting identity `A = e^w B` (relative 1e-12 where
        /// both weights are O(1); for large |w| the Chang–Cooper form computes the small
        /// weight as a difference of O(1) numbers, exact to absolute round-off only), and
        /// `A, B > 0` (positivity).
        #[test]
        fn fitted_schemes_vanish_on_the_local_equilibrium(w in -5.0f64..5.0) {
            for (a, b) in [ChangCooper.weights(w), ScharfetterGummel.weights(w)] {
                prop_assert!(a > 0.0 && b > 0.0);
                prop_assert!((a - w.exp() * b).abs() <= 1e-12 * a, "w = {}: {} vs {}", w, a, w.exp() * b);
            }
        }

        #[test]
        fn weights_are_non_negative(w in -200.0f64..200.0) {
            for (a, b) in [ChangCooper.weights(w), ScharfetterGummel.weights(w), Upwind.weights(w)] {
                prop_assert!(a >= 0.0 && b >= 0.0, "w = {}: {} {}", w, a, b);
            }
        }

        /// Oracle: the unit structs. The enum returns the weights of the scheme it names,
        /// bit for bit.
        #[test]
        fn the_enum_returns_the_weights_of_the_scheme_it_names(w in -200.0f64..200.0) {
            let bits = |(a, b): (f64, f64)| (a.to_bits(), b.to_bits());
            prop_assert_eq!(bits(Scheme::ChangCooper.weights(w)), bits(ChangCooper.weights(w)));
            prop_assert_eq!(
                bits(Scheme::ScharfetterGummel.weights(w)),
                bits(ScharfetterGummel.weights(w))
            );
            prop_assert_eq!(bits(Scheme::Upwind.weights(w)), bits(Upwind.weights(w)));
        }

        /// Oracle: the algebraic identity of Chang–Cooper and Scharfetter–Gummel.
        #[test]
        fn chang_cooper_equals_scharfetter_gummel(w in -200.0f64..200.0) {
            let (a1, b1) = ChangCooper.weights(w);
            let (a2, b2) = ScharfetterGummel.weights(w);
            let scale = a2.max(b2);
            prop_assert!((a1 - a2).abs() <= 1e-14 * scale, "w = {}: A {} vs {}", w, a1, a2);
            prop_assert!((b1 - b2).abs() <= 1e-14 * scale, "w = {}: B {} vs {}", w, b1, b2);
        }
    }

    #[test]
    fn limits_are_central_and_upwind() {
        // Oracle: w = 0 is pure diffusion (central), large |w| is upwinding of the drift.
        assert_eq!(ScharfetterGummel.weights(0.0), (1.0, 1.0));
        assert_eq!(chang_cooper_delta(0.0), 0.5);
        let (a, b) = ScharfetterGummel.weights(50.0);
        assert!((a - 50.0).abs() < 1e-12 && b < 1e-19);
        // Series and closed form agree where they meet (|x| = 0.1) and inside.
        for x in [
            0.1f64 * (1.0 - 1e-15),
            -0.1 * (1.0 - 1e-15),
            0.05,
            1e-3,
            -0.07,
        ] {
            let closed = x / x.exp_m1();
            assert!((bernoulli(x) - closed).abs() < 2e-16, "{x}");
            let delta = -1.0 / (-x).exp_m1() - 1.0 / x;
            assert!(
                (chang_cooper_delta(x) - delta).abs() < 1e-15 / x.abs(),
                "{x}"
            );
        }
    }

    proptest! {
        /// Oracle: the per-face `weights`. The batched `weights_into` of every built-in
        /// scheme gives the same bits on any mix of faces (both branches of the series,
        /// signed zeros, infinities, NaN), here through the step's vectorized dispatch.
        #[test]
        fn batched_weights_are_the_per_face_weights(
            w in prop::collection::vec(prop_oneof![
                8 => -0.2..0.2f64, 4 => -60.0..60.0f64,
                1 => Just(0.0), 1 => Just(-0.0), 1 => Just(0.1), 1 => Just(-0.1),
                1 => Just(f64::INFINITY), 1 => Just(f64::NEG_INFINITY), 1 => Just(f64::NAN)],
                0..300),
        ) {
            let schemes: [&dyn Batched; 3] = [&ScharfetterGummel, &ChangCooper, &Upwind];
            for scheme in schemes {
                let (mut a, mut b) = (vec![0.0; w.len()], vec![0.0; w.len()]);
                scheme.batch(&w, &mut a, &mut b);
                for (i, &w) in w.iter().enumerate() {
                    let (ea, eb) = scheme.one(w);
                    prop_assert_eq!((a[i].to_bits(), b[i].to_bits()), (ea.to_bits(), eb.to_bits()), "w = {}", w);
                }
            }
        }
    }

    /// Oracle: the tolerance's derivation. Every built-in scheme keeps every promise on
    /// every sample, and its consistency error stays within 1 ε (|A| + |B|) (measured
    /// 0.25 ε, 0.8 ε, 0.25 ε, printed), an eighth of the tolerance.
    #[test]
    fn the_built_in_schemes_keep_their_promises() {
        type Weights = dyn Fn(f64) -> (f64, f64);
        let schemes: [(&str, &Weights); 3] = [
            ("ScharfetterGummel", &|w| ScharfetterGummel.weights(w)),
            ("ChangCooper", &|w| ChangCooper.weights(w)),
            ("Upwind", &|w| Upwind.weights(w)),
        ];
        for (name, weights) in schemes {
            let worst = peclet_samples()
                .into_iter()
                .map(|w| {
                    let (a, b) = weights(w);
                    ((a - b) - w).abs() / ((a.abs() + b.abs()) * f64::EPSILON)
                })
                .fold(0.0f64, f64::max);
            println!("{name}: |fl(A - B) - w| <= {worst:.2} eps (|A| + |B|)");
            assert!(worst <= 1.0, "{name}: {worst} eps");
        }
        for scheme in [
            Scheme::ChangCooper,
            Scheme::ScharfetterGummel,
            Scheme::Upwind,
        ] {
            assert_eq!(check_consistency(&scheme), Ok(()), "{scheme:?}");
        }
        assert_eq!(check_consistency(&ScharfetterGummel), Ok(()));
        assert_eq!(check_consistency(&ChangCooper), Ok(()));
        assert_eq!(check_consistency(&Upwind), Ok(()));
        let samples = peclet_samples();
        assert!(samples.windows(2).all(|p| p[0] <= p[1]));
        assert!(samples.contains(&1e-300) && samples.contains(&-1e8) && samples.contains(&0.0));
    }

    /// A scheme from a closure, to break one promise at a time.
    struct Made<F>(F);

    impl<F: Fn(f64) -> (f64, f64) + 'static> FluxScheme for Made<F> {
        fn weights(&self, w: f64) -> (f64, f64) {
            (self.0)(w)
        }
    }

    /// Oracle: the promises as written, broken one at a time (each scheme keeps all the
    /// others). Each is named, at the first sample that shows it.
    #[test]
    fn each_broken_promise_is_named() {
        let sg = |w: f64| ScharfetterGummel.weights(w);
        // The issue's scheme: consistent drift counted twice (A - B = 2w), positive.
        let twice = check_consistency(&Made(move |w: f64| {
            let (a, b) = sg(w);
            (a + w.max(0.0), b + (-w).max(0.0))
        }));
        let Err(SchemeViolation::Inconsistent { w, difference, .. }) = twice else {
            panic!("{twice:?}");
        };
        assert_eq!(difference, 2.0 * w);
        // Overflows past |w| = 709.78: e^w / (e^w - 1) as written.
        let naive = check_consistency(&Made(|w: f64| {
            if w == 0.0 {
                (1.0, 1.0)
            } else {
                (w * w.exp() / w.exp_m1(), w / w.exp_m1())
            }
        }));
        let Err(SchemeViolation::NonFinite { w, .. }) = naive else {
            panic!("{naive:?}");
        };
        assert!(w.abs() >= 700.0, "{w}");
        // Central differencing: consistent, negative beyond |w| = 2.
        let central = check_consistency(&Made(|w: f64| (1.0 + 0.5 * w, 1.0 - 0.5 * w)));
        let Err(SchemeViolation::Negative { w, .. }) = central else {
            panic!("{central:?}");
        };
        assert!(w.abs() > 2.0, "{w}");
        // Twice the diffusion: A - B = w, but B(0) = 2.
        let doubled = check_consistency(&Made(|w: f64| (2.0 + w.max(0.0), 2.0 + (-w).max(0.0))));
        assert!(
            matches!(doubled, Err(SchemeViolation::NotDiffusive { b: 2.0, .. })),
            "{doubled:?}"
        );
        // A counter in the weights: the same w gives other bits on the next call.
        let calls = std::cell::Cell::new(0u64);
        let impure = check_consistency(&Made(move |w: f64| {
            calls.set(calls.get() + 1);
            let (a, b) = sg(w);
            (a * (1.0 + (calls.get() % 2) as f64 * f64::EPSILON), b)
        }));
        assert!(
            matches!(impure, Err(SchemeViolation::Impure { .. })),
            "{impure:?}"
        );
        // A batched form that is not the per-face one.
        struct OffBatch;
        impl FluxScheme for OffBatch {
            fn weights(&self, w: f64) -> (f64, f64) {
                ScharfetterGummel.weights(w)
            }
            fn weights_into(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
                ChangCooper.weights_into(w, a, b);
            }
        }
        let batch = check_consistency(&OffBatch);
        assert!(
            matches!(batch, Err(SchemeViolation::BatchDiffers { .. })),
            "{batch:?}"
        );
    }

    /// The built-in schemes behind one object, run through `pulp` as the step runs them.
    trait Batched {
        fn batch(&self, w: &[f64], a: &mut [f64], b: &mut [f64]);
        fn one(&self, w: f64) -> (f64, f64);
    }

    impl<S: FluxScheme> Batched for S {
        fn batch(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
            struct Run<'a, S>(&'a S, &'a [f64], &'a mut [f64], &'a mut [f64]);
            impl<S: FluxScheme> pulp::WithSimd for Run<'_, S> {
                type Output = ();
                #[inline(always)]
                fn with_simd<V: pulp::Simd>(self, _simd: V) {
                    self.0.weights_into(self.1, self.2, self.3);
                }
            }
            pulp::Arch::new().dispatch(Run(self, w, a, b));
        }
        fn one(&self, w: f64) -> (f64, f64) {
            self.weights(w)
        }
    }
}
