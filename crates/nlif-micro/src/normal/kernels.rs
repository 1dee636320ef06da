//! The polynomial logarithm, sine and cosine of the normal transform (fdlibm's reductions,
//! without branches or tables), in pieces that the batched passes of the parent module
//! run one loop each; [`ln`] composes them as one function does. The ziggurat's slow path
//! uses [`ln`] and [`exp`] (fdlibm's too) one value at a time.

/// The coefficients as fdlibm publishes them (more digits than a double holds; each rounds
/// to the intended double). fdlibm: "Copyright (C) 1993 by Sun Microsystems, Inc. All
/// rights reserved. Developed at SunSoft, a Sun Microsystems, Inc. business. Permission to
/// use, copy, modify, and distribute this software is freely granted, provided that this
/// notice is preserved."
#[allow(clippy::excessive_precision)]
mod fdlibm {
    // fdlibm's `log` (e_log.c): x = 2^k (1 + f) with 1 + f in [√2/2, √2), s = f / (2 + f),
    // ln(1 + f) = f - f²/2 + s (f²/2 + R(s²)), R a minimax polynomial (error below 2^-58.45).
    pub(super) const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    pub(super) const LG1: f64 = 6.666_666_666_666_735_130e-1;
    pub(super) const LG2: f64 = 3.999_999_999_940_941_908e-1;
    pub(super) const LG3: f64 = 2.857_142_874_366_239_149e-1;
    pub(super) const LG4: f64 = 2.222_219_843_214_978_396e-1;
    pub(super) const LG5: f64 = 1.818_357_216_161_805_012e-1;
    pub(super) const LG6: f64 = 1.531_383_769_920_937_332e-1;
    pub(super) const LG7: f64 = 1.479_819_860_511_658_591e-1;

    // fdlibm's kernels k_sin.c and k_cos.c on [-π/4, π/4] (polynomial errors below 2^-58).
    pub(super) const S1: f64 = -1.666_666_666_666_663_243_48e-1;
    pub(super) const S2: f64 = 8.333_333_333_322_489_461_24e-3;
    pub(super) const S3: f64 = -1.984_126_982_985_794_931_34e-4;
    pub(super) const S4: f64 = 2.755_731_370_707_006_767_89e-6;
    pub(super) const S5: f64 = -2.505_076_025_340_686_341_95e-8;
    pub(super) const S6: f64 = 1.589_690_995_211_550_102_21e-10;
    pub(super) const C1: f64 = 4.166_666_666_666_660_190_37e-2;
    pub(super) const C2: f64 = -1.388_888_888_887_410_957_49e-3;
    pub(super) const C3: f64 = 2.480_158_728_947_672_941_78e-5;
    pub(super) const C4: f64 = -2.755_731_435_139_066_330_35e-7;
    pub(super) const C5: f64 = 2.087_572_321_298_174_827_90e-9;
    pub(super) const C6: f64 = -1.135_964_755_778_819_482_65e-11;

    // fdlibm's `exp` (e_exp.c): x = k ln 2 + r with |r| <= ln2/2, exp(r) = 1 + r + r c/(2 - c)
    // with c = r - r² P(r²), P a minimax polynomial (error below 2^-59).
    // invln2 = 1.44269504088896338700e+00, the same double as `LOG2_E`.
    pub(super) const INV_LN2: f64 = std::f64::consts::LOG2_E;
    pub(super) const P1: f64 = 1.666_666_666_666_660_190_37e-1;
    pub(super) const P2: f64 = -2.777_777_777_701_559_338_42e-3;
    pub(super) const P3: f64 = 6.613_756_321_437_934_361_17e-5;
    pub(super) const P4: f64 = -1.653_390_220_546_525_153_90e-6;
    pub(super) const P5: f64 = 4.138_136_797_057_238_460_39e-8;
}

use fdlibm::*;

/// `ln x` for a normal positive `x` (here `2^-53 <= x <= 1`), without branches:
/// [`ln_series`] of the [`ln_reduction`] of `x`.
#[inline]
pub(super) fn ln(x: f64) -> f64 {
    let (f, k) = ln_reduction(x);
    ln_series(f, ln_ratio(f), k)
}

/// The reduction `x = 2^k (1 + f)` with `1 + f` in `[√2/2, √2)`: returns `(f, k)`.
#[inline(always)]
pub(super) fn ln_reduction(x: f64) -> (f64, f64) {
    // Adding 1 - √2/2 to the high word carries into the exponent exactly when the
    // mantissa is at least √2, so `k` is the exponent of the reduction to [√2/2, √2).
    let shifted = x.to_bits().wrapping_add((0x3ff0_0000 - 0x3fe6_a09e) << 32);
    let exponent = shifted >> 52;
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e << 32));
    // k = exponent - 1023 as a float, through the bits of 2^52 + exponent (exact).
    let k = f64::from_bits(0x4330_0000_0000_0000 | exponent) - (4_503_599_627_370_496.0 + 1023.0);
    (m - 1.0, k)
}

/// `s = f / (2 + f)`, the one division of the logarithm.
#[inline(always)]
pub(super) fn ln_ratio(f: f64) -> f64 {
    f / (2.0 + f)
}

/// `ln(2^k (1 + f)) = f - f²/2 + s (f²/2 + R(s²)) + k ln 2` with `s = `[`ln_ratio`]`(f)`.
#[inline(always)]
pub(super) fn ln_series(f: f64, s: f64, k: f64) -> f64 {
    let hfsq = 0.5 * f * f;
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    s * (hfsq + t2 + t1) + k * LN2_LO - hfsq + f + k * LN2_HI
}

/// `e^x` for `-708 <= x <= 0` (the ziggurat's `e^{-x²/2}`; module `ziggurat`), by fdlibm's
/// reduction and polynomial: a fixed sequence of IEEE operations, so the same bits on every
/// processor (the standard library's `exp` is the platform's and may differ in the last
/// place).
#[inline]
pub(super) fn exp(x: f64) -> f64 {
    debug_assert!((-708.0..=0.0).contains(&x), "{x}");
    // k = round(x / ln 2) (x <= 0: truncation of x / ln 2 - 1/2), exactly representable.
    let k = (x * INV_LN2 - 0.5) as i32;
    let kf = f64::from(k);
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k for -1022 <= k <= 0, exactly.
    y * f64::from_bits(((1023 + k) as u64) << 52)
}

/// `sin x` for `|x| <= π/4`.
#[inline(always)]
pub(super) fn sin_kernel(x: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    x + z * x * (S1 + z * r)
}

/// `cos x` for `|x| <= π/4`.
#[inline(always)]
pub(super) fn cos_kernel(x: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let one_minus_hz = 1.0 - hz;
    one_minus_hz + (((1.0 - one_minus_hz) - hz) + z * r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the standard library's `ln`, `sin`, `cos`, `exp` (correctly rounded or within
    /// an ulp). Relative error of `ln` on 10^6 points of `(0, 1]` spread over every binade
    /// from `2^-53` up (the ziggurat's uniforms reach it), absolute error of the kernels on
    /// 10^6 points of `[0, π/4]`, relative error of `exp` on 10^6 points of `[-40, 0]`.
    #[test]
    fn the_polynomials_are_accurate_to_a_few_ulps() {
        let mut worst = [0.0f64; 4];
        let n = 1_000_000;
        for i in 1..=n {
            let t = i as f64 / n as f64;
            let x = (-53.0 * t * std::f64::consts::LN_2).exp(); // 2^-53 ... 1 (log-spaced)
            let y = 1.0 - t + 2f64.powi(-42); // near 1, linearly spaced
            for u in [x, y] {
                let exact = u.ln();
                if exact != 0.0 {
                    worst[0] = worst[0].max((ln(u) - exact).abs() / exact.abs());
                }
            }
            let e = -40.0 * t;
            worst[3] = worst[3].max((exp(e) - e.exp()).abs() / e.exp());
            let phi = t * std::f64::consts::FRAC_PI_4;
            worst[1] = worst[1].max((sin_kernel(phi) - phi.sin()).abs());
            worst[2] = worst[2].max((cos_kernel(phi) - phi.cos()).abs());
        }
        assert_eq!((ln(1.0), exp(0.0)), (0.0, 1.0));
        assert!(worst.iter().all(|&e| e <= 4.5e-16), "{worst:?}");
    }
}
