//! Special functions and quadrature used by the exact results.

use std::f64::consts::PI;

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
        let inv2x2 = 1.0 / (2.0 * x * x);
        let mut term = 1.0;
        let mut sum = 1.0;
        for k in 1..7 {
            term *= -((2 * k - 1) as f64) * inv2x2;
            sum += term;
        }
        sum / (x * PI.sqrt())
    }
}

/// The standard normal distribution function `Φ(x) = erfc(-x / sqrt 2) / 2`.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Adaptive Simpson quadrature of `f` on `[a, b]` to an absolute tolerance `tol`.
///
/// Richardson-corrected Simpson rule (local order 6) with recursive bisection, at most
/// 50 levels deep. Accurate for the smooth integrands of the exact results.
pub fn integrate<F: Fn(f64) -> f64>(f: &F, a: f64, b: f64, tol: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let fa = f(a);
    let fb = f(b);
    let m = 0.5 * (a + b);
    let fm = f(m);
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    simpson_step(f, a, b, fa, fm, fb, whole, tol, 50)
}

fn simpson_step<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    fa: f64,
    fm: f64,
    fb: f64,
    whole: f64,
    tol: f64,
    depth: u32,
) -> f64 {
    let m = 0.5 * (a + b);
    let lm = 0.5 * (a + m);
    let rm = 0.5 * (m + b);
    let flm = f(lm);
    let frm = f(rm);
    let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
    let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    let delta = left + right - whole;
    if depth == 0 || delta.abs() <= 15.0 * tol || !delta.is_finite() {
        left + right + delta / 15.0
    } else {
        simpson_step(f, a, m, fa, flm, fm, left, 0.5 * tol, depth - 1)
            + simpson_step(f, m, b, fm, frm, fb, right, 0.5 * tol, depth - 1)
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
        let g = integrate(&|x: f64| (-x * x).exp(), -10.0, 10.0, 1e-14);
        assert_relative_eq!(g, PI.sqrt(), max_relative = 1e-12);
        let s = integrate(&|x: f64| x.sin(), 0.0, PI, 1e-14);
        assert_relative_eq!(s, 2.0, max_relative = 1e-12);
    }
}
