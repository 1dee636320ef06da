//! The built-in flux schemes: Chang–Cooper, Scharfetter–Gummel and upwind, and the
//! config enum [`Scheme`] that chooses one of them.

use serde::{Deserialize, Serialize};

use super::{FluxScheme, SchemeVisitor};

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
