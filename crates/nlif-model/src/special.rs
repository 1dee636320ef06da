//! Special functions and quadrature used by the exact results.

use std::f64::consts::PI;

use crate::ModelError;
use crate::error::{finite, require};

/// The scaled complementary error function `erfcx(x) = exp(x^2) erfc(x)`.
///
/// For `x < 25` it is evaluated as the product (no cancellation: `erfc` is computed to
/// full relative precision by `libm`, and `exp(x^2)` loses at most `x^2 · 2^-53` in
/// relative terms, below `1e-13` here); for `x >= 25` by its asymptotic series
/// `1/(x sqrt(pi)) Σ (-1)^k (2k-1)!! / (2x^2)^k`, truncated after seven terms (error below
/// `1e-20`). It overflows to `+inf` for `x < -26.6`, where `exp(x^2)` does.
pub fn erfcx(x: f64) -> f64 {
    if x < 25.0 {
        (x * x).exp() * libm::erfc(x)
    } else {
        erfcx_series(x) / (x * PI.sqrt())
    }
}

/// `x erfcx(x)` for `x >= 0`, tending to `1/sqrt(pi)`; finite for every `x`, `+inf`
/// included (the asymptotic series of [`erfcx`] without its factor `1/x`).
pub(crate) fn x_erfcx(x: f64) -> f64 {
    if x < 25.0 {
        x * erfcx(x)
    } else {
        erfcx_series(x) / PI.sqrt()
    }
}

/// `Σ_{k<7} (-1)^k (2k-1)!! / (2x^2)^k`, the bracket of the asymptotic series of `erfcx`.
fn erfcx_series(x: f64) -> f64 {
    let inv2x2 = 1.0 / (2.0 * x * x);
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..7 {
        term *= -((2 * k - 1) as f64) * inv2x2;
        sum += term;
    }
    sum
}

/// The standard normal distribution function `Φ(x) = erfc(-x / sqrt 2) / 2`.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Most refinement steps one quadrature may take (each evaluates `f` twice).
const MAX_STEPS: u32 = 1 << 20;
/// Deepest bisection level of one subinterval.
const MAX_DEPTH: u32 = 50;
/// Two Simpson estimates that differ by less than this many units of their round-off
/// scale agree to round-off: refining further cannot help. The scale is the Simpson
/// estimate of `∫|f|` over the subinterval (rounding of the values of `f`) plus
/// `|m| V`, `V` the variation of `f` over the five nodes (rounding of the nodes, by up to
/// `ε |m|`, moves the estimates by up to about `2 ε |m| V`; this dominates next to a zero
/// of `f`, e.g. `sin` at `π`).
const ROUNDOFF_ULPS: f64 = 64.0;
/// The smallest positive `f64` (subnormal): arithmetic on values near it has this absolute
/// rounding error, whatever the relative tolerances say.
const TINY: f64 = f64::from_bits(1);

/// Adaptive Simpson quadrature of `f` on `[a, b]` to an absolute tolerance `tol`.
///
/// Richardson-corrected Simpson rule (local order 6) with recursive bisection. A
/// subinterval is accepted when its two Simpson estimates differ by at most `15 tol'`
/// (`tol'` halves with each bisection, so the accepted local errors sum to about `tol`),
/// or by less than round-off (`64 ε` times the round-off scale of the subinterval, see
/// `ROUNDOFF_ULPS`: a tolerance below round-off cannot be reached and is not chased), or
/// when it is 50
/// levels deep or cannot be split further. At most `2^20` refinement steps are taken,
/// so the call returns in bounded time whatever `f` and `tol` are. Accurate for smooth
/// integrands whose features the samples resolve: like every adaptive rule it judges a
/// subinterval by its own five samples, so a peak much narrower than the interval
/// (`1/(1+x²)` over `[-710, 6650]`) can be missed entirely; split such a range at the
/// feature. `b < a` integrates with the opposite sign.
///
/// ```
/// use nlif_model::special::integrate;
/// let s = integrate(&|x: f64| x.sin(), 0.0, std::f64::consts::PI, 1e-12)?;
/// assert!((s - 2.0).abs() < 1e-12);
/// assert_eq!(integrate(&|x: f64| x, 0.0, 1.0, -1.0).unwrap_err().field(), "tol");
/// # Ok::<(), nlif_model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ModelError::Invalid`] naming `a` or `b` if a limit is not finite; `tol` if the
/// tolerance is not a positive finite number, or if `2^20` refinement steps do not reach
/// it; `f` if the result is not finite (the integrand is NaN or infinite somewhere, or
/// the integral overflows).
pub fn integrate<F: Fn(f64) -> f64>(f: &F, a: f64, b: f64, tol: f64) -> Result<f64, ModelError> {
    finite("a", a)?;
    finite("b", b)?;
    require(
        "tol",
        tol,
        tol > 0.0,
        "the quadrature tolerance must be positive",
    )?;
    let value = adaptive(f, a, b, tol, 0.0).ok_or(ModelError::Invalid {
        field: "tol",
        value: tol,
        reason: "the quadrature did not reach this tolerance within 2^20 refinement steps",
    })?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ModelError::Invalid {
            field: "f",
            value,
            reason: "the integrand is not finite on the interval, or its integral overflows",
        })
    }
}

/// `∫_a^b f` for a positive monotone `f` (increasing or not) and finite `a <= b`, to a
/// relative accuracy of about `rtol`.
///
/// A monotone `f` has the rigorous lower bound `L <= ∫ f` of its 64-piece Riemann sum on
/// the lower ends (left ends if increasing, right ends if decreasing). A subinterval is
/// accepted when its error estimate is below `rtol` times its own integral, or below its
/// share of the absolute tolerance `rtol L`; the accepted errors then sum to at most
/// `2 rtol ∫ f`. The absolute share stops refinement where `f` is negligible, the
/// relative test where it is not. The integral is taken as `w ∫_0^1 f(a + w r) dr`,
/// `w = b - a`, so that an interval of subnormal width (e.g. `V_F - V_R = 1e-308`) does not
/// push every tolerance below the smallest `f64`. `None` if the step budget runs out (not
/// observed for the integrands of this crate: they are smooth, and `rtol` is far above
/// round-off).
pub(crate) fn integrate_monotone<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    rtol: f64,
    increasing: bool,
) -> Option<f64> {
    const PIECES: usize = 64;
    let w = b - a;
    let g = |r: f64| f(a + w * r);
    let step = 1.0 / PIECES as f64;
    let offset = if increasing { 0 } else { 1 };
    let lower: f64 = (0..PIECES)
        .map(|k| step * g((k + offset) as f64 * step))
        .sum();
    Some(w * adaptive(&g, 0.0, 1.0, rtol * lower, rtol)?)
}

/// The adaptive Simpson driver: absolute tolerance `atol` on the whole interval,
/// relative tolerance `rtol` per subinterval (either suffices). `None` when the step
/// budget is exhausted.
fn adaptive<F: Fn(f64) -> f64>(f: &F, a: f64, b: f64, atol: f64, rtol: f64) -> Option<f64> {
    if a == b {
        return Some(0.0);
    }
    // Half-widths are formed as differences of halves so that no width overflows.
    let half = 0.5 * b - 0.5 * a;
    let fa = f(a);
    let fb = f(b);
    let fm = f(0.5 * a + 0.5 * b);
    let whole = half / 3.0 * (fa + 4.0 * fm + fb);
    let mut quad = Adaptive {
        f,
        rtol,
        steps_left: MAX_STEPS,
    };
    quad.step(a, b, fa, fm, fb, whole, atol, MAX_DEPTH)
}

struct Adaptive<'f, F> {
    f: &'f F,
    rtol: f64,
    steps_left: u32,
}

impl<F: Fn(f64) -> f64> Adaptive<'_, F> {
    fn step(
        &mut self,
        a: f64,
        b: f64,
        fa: f64,
        fm: f64,
        fb: f64,
        whole: f64,
        atol: f64,
        depth: u32,
    ) -> Option<f64> {
        self.steps_left = self.steps_left.checked_sub(1)?;
        let m = 0.5 * a + 0.5 * b;
        let lm = 0.5 * a + 0.5 * m;
        let rm = 0.5 * m + 0.5 * b;
        // Half-width of each half.
        let quarter = 0.25 * b - 0.25 * a;
        let flm = (self.f)(lm);
        let frm = (self.f)(rm);
        let left = quarter / 3.0 * (fa + 4.0 * flm + fm);
        let right = quarter / 3.0 * (fm + 4.0 * frm + fb);
        let delta = left + right - whole;
        let magnitude = (quarter / 3.0
            * (fa.abs() + 4.0 * flm.abs() + 2.0 * fm.abs() + 4.0 * frm.abs() + fb.abs()))
        .abs();
        let variation = (fa - flm).abs() + (flm - fm).abs() + (fm - frm).abs() + (frm - fb).abs();
        let accept = delta.abs() <= 15.0 * atol.max(self.rtol * (left + right).abs())
            || delta.abs()
                <= ROUNDOFF_ULPS * (f64::EPSILON * (magnitude + m.abs() * variation) + TINY)
            || depth == 0
            || !delta.is_finite()
            || !(m > a.min(b) && m < a.max(b));
        if accept {
            Some(left + right + delta / 15.0)
        } else {
            Some(
                self.step(a, m, fa, flm, fm, left, 0.5 * atol, depth - 1)?
                    + self.step(m, b, fm, frm, fb, right, 0.5 * atol, depth - 1)?,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn erfcx_matches_its_definition_and_asymptotics() {
        // Oracle: the definition exp(x^2) erfc(x) where it is representable, and known values.
        assert_relative_eq!(erfcx(0.0), 1.0, max_relative = 1e-15);
        // erfcx(1) = e * erfc(1) = 0.4275835761558070 (tables).
        assert_relative_eq!(erfcx(1.0), 0.427_583_576_155_807, max_relative = 1e-14);
        // erfcx(-1) = e * (1 + erf 1), erf 1 = 0.8427007929497149 (tables).
        let expected = std::f64::consts::E * (1.0 + 0.842_700_792_949_714_9);
        assert_relative_eq!(erfcx(-1.0), expected, max_relative = 1e-14);
        // Continuity across the switch to the asymptotic series, within its truncation error.
        let below = (24.999_f64).powi(2).exp() * libm::erfc(24.999);
        assert_relative_eq!(erfcx(24.999), below, max_relative = 1e-12);
        assert_relative_eq!(erfcx(25.0), below * (24.999 / 25.0), max_relative = 1e-6);
        // Leading asymptotics 1/(x sqrt(pi)) for large x.
        assert_relative_eq!(erfcx(1e6) * 1e6 * PI.sqrt(), 1.0, max_relative = 1e-11);
    }

    #[test]
    fn normal_cdf_matches_tables() {
        // Oracle: Φ(0) = 1/2, Φ(1.959963984540054) = 0.975, tails by symmetry.
        assert_eq!(normal_cdf(0.0), 0.5);
        assert_relative_eq!(
            normal_cdf(1.959_963_984_540_054),
            0.975,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            normal_cdf(-1.959_963_984_540_054),
            0.025,
            max_relative = 1e-13
        );
        assert_eq!(normal_cdf(500.0), 1.0);
    }

    #[test]
    fn simpson_integrates_exactly_known_integrals() {
        // Oracle: closed forms.
        let g = integrate(&|x: f64| (-x * x).exp(), -10.0, 10.0, 1e-14).unwrap();
        assert_relative_eq!(g, PI.sqrt(), max_relative = 1e-12);
        let s = integrate(&|x: f64| x.sin(), 0.0, PI, 1e-14).unwrap();
        assert_relative_eq!(s, 2.0, max_relative = 1e-12);
        // Reversed limits flip the sign.
        let r = integrate(&|x: f64| x.sin(), PI, 0.0, 1e-14).unwrap();
        assert_relative_eq!(r, -2.0, max_relative = 1e-12);
    }

    #[test]
    fn monotone_quadrature_is_relatively_accurate_over_huge_ranges() {
        // Oracle: closed forms. ∫_0^L e^{-x} = 1 - e^{-L} (decreasing, almost all of the
        // mass in a sliver of a long interval); ∫_0^1 e^{40x} = (e^{40} - 1)/40 (increasing).
        let d = integrate_monotone(&|x: f64| (-x).exp(), 0.0, 1e6, 1e-13, false).unwrap();
        assert_relative_eq!(d, 1.0, max_relative = 1e-12);
        let i = integrate_monotone(&|x: f64| (40.0 * x).exp(), 0.0, 1.0, 1e-13, true).unwrap();
        assert_relative_eq!(i, (40f64.exp() - 1.0) / 40.0, max_relative = 1e-12);
    }

    #[test]
    fn tolerances_below_round_off_return_promptly() {
        // Oracle: the closed form; a tolerance of 1e-300 cannot be reached in floating
        // point and used to cost 2^50 evaluations. The round-off acceptance stops it (the
        // step budget bounds the work in any case): a count of the evaluations.
        let count = std::cell::Cell::new(0u64);
        let f = |x: f64| {
            count.set(count.get() + 1);
            x.sin()
        };
        let s = integrate(&f, 0.0, PI, 1e-300).unwrap();
        assert_relative_eq!(s, 2.0, max_relative = 1e-14);
        assert!(count.get() < 100_000, "{} evaluations", count.get());
    }

    #[test]
    fn integrate_rejects_bad_limits_tolerances_and_integrands() {
        // Oracle: the documented error fields.
        let f = |x: f64| x;
        for tol in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(integrate(&f, 0.0, 1.0, tol).unwrap_err().field(), "tol");
        }
        assert_eq!(integrate(&f, f64::NAN, 1.0, 1e-9).unwrap_err().field(), "a");
        assert_eq!(
            integrate(&f, 0.0, f64::INFINITY, 1e-9).unwrap_err().field(),
            "b"
        );
        let nan = |_: f64| f64::NAN;
        assert_eq!(integrate(&nan, 0.0, 1.0, 1e-9).unwrap_err().field(), "f");
        // Noise everywhere: the tolerance is never met and the step budget ends the call.
        let noise = |x: f64| (x * 1e12).sin();
        let err = integrate(&noise, 0.0, 1.0, 1e-300).unwrap_err();
        assert_eq!(err.field(), "tol", "{err}");
        // The widest finite interval does not overflow its widths.
        let w = integrate(&|_: f64| 1e-300, -f64::MAX, f64::MAX, 1e-9).unwrap();
        assert_relative_eq!(w, 2.0 * 1e-300 * f64::MAX, max_relative = 1e-12);
    }

    #[test]
    fn x_erfcx_matches_the_product_and_its_limit() {
        // Oracle: the product x erfcx(x) where finite, and the limit 1/sqrt(pi).
        for x in [0.0, 0.5, 3.0, 24.0, 30.0, 1e3] {
            assert_relative_eq!(x_erfcx(x), x * erfcx(x), max_relative = 1e-14);
        }
        assert_relative_eq!(
            x_erfcx(f64::INFINITY),
            1.0 / PI.sqrt(),
            max_relative = 1e-15
        );
        assert_relative_eq!(x_erfcx(1e200), 1.0 / PI.sqrt(), max_relative = 1e-15);
    }
}
