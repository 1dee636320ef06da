//! The promises of a [`FluxScheme`], checked: on samples of the Péclet number for a
//! scheme's tests ([`check_consistency`]), and on every face of a debug build's step.

use super::FluxScheme;

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
#[cfg(any(debug_assertions, feature = "check-faces"))]
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
