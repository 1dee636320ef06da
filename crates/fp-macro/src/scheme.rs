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
//!
//! The promises a scheme makes and the check of them are in `consistency`
//! ([`check_consistency`]); the built-in schemes in `builtin` ([`Scheme`]).

mod builtin;
mod consistency;
#[cfg(test)]
mod tests;

pub use builtin::{ChangCooper, ScharfetterGummel, Scheme, Upwind, bernoulli, chang_cooper_delta};
#[cfg(any(debug_assertions, feature = "check-faces"))]
pub(crate) use consistency::debug_check_faces;
pub use consistency::{CONSISTENCY_TOLERANCE, SchemeViolation, check_consistency, peclet_samples};

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
