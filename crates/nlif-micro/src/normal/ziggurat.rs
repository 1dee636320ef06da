//! Standard normal deviates by a ziggurat of 1024 layers, two first candidates per word,
//! the common case vectorized ([`Normals::Ziggurat`](super::Normals::Ziggurat)).
//!
//! # Method (Marsaglia and Tsang's ziggurat)
//!
//! The area under `f(x) = e^{-x²/2}`, `x >= 0`, is covered by 1024 layers of equal area
//! `V`: a base layer (the rectangle `[0, R] × [0, f(R)]` and the tail `x > R`) and 1023
//! rectangles `[0, x_i] × [f(x_i), f(x_{i+1})]`, `i = 1 … 1023`, with `x_1 = R > x_2 > … >
//! x_1023 > x_1024 = 0`; the widths follow from `x_i (f(x_{i+1}) − f(x_i)) = V`. With
//! `R = 4.038849846109504` and `V = R f(R) + ∫_R^∞ f = 0.001226324646353088` (solved for
//! in 40 digits) the last rectangle closes on `f(0) = 1` (its area is `V` to a relative
//! `1e-12`, the error of the recursion in double precision). The base layer is drawn as a
//! rectangle of width `x_0 = V / f(R)`.
//!
//! A deviate: pick a layer `i` uniformly and `x = u x_i` with `u` uniform on `(−1, 1)`.
//! If `|x| < x_{i+1}`, `(|x|, y)` lies under the curve for every height of the layer, and
//! `x` is returned (the fast path, 99.57 % of candidates). Otherwise, for `i >= 1`, a
//! height `y` uniform on `[f(x_i), f(x_{i+1})]` accepts `x` when `y < f(x)` (the wedge);
//! for `i = 0` the deviate comes from the tail beyond `R` (Marsaglia's method: `a =
//! −ln(U_1)/R`, `b = −ln(U_2)` until `2b > a²`, then `±(R + a)` with the sign of `x`).
//! A rejected wedge starts over with a new candidate. Every point of the region under
//! `f` is so reached with the same probability, and `x` is exactly normal up to the grids
//! below.
//!
//! # Words, grids and order
//!
//! - A chunk of `m` deviates takes `h = ⌈m/2⌉` words `w_0 … w_{h-1}`; the low 32 bits of
//!   `w_p` give the first candidate of `out[p]`, the high 32 bits that of `out[h + p]`
//!   (dropped for `p = h − 1` when `m` is odd). Of 32 bits `b`: the layer `i = b & 1023`,
//!   and `u = (j − 2^21 + ½) 2^-21` from the other 22 bits `j = b >> 10`.
//! - Then, word by word (the low half before the high half), every deviate whose first
//!   candidate was not accepted by the fast path is finished, drawing from the stream:
//!   one word per height or tail uniform (`(w >> 12 + ½) 2^-52`, on `(0, 1)`), one word
//!   per new candidate (layer `w & 1023`, `u = (w >> 12 − 2^51 + ½) 2^-51`).
//!
//! The first candidate's `u` is on a grid of `2^22` points: within a layer (probability
//! `1/1024`) `x` takes `2^22` equally likely values instead of a uniform law, which moves
//! the distribution function by at most half a grid cell of each layer covering the point,
//! `2^-23 / 1024` per layer: at most `2^-23 = 1.2e-7` if every layer's error had the same
//! sign, about `sqrt(1024)` times one layer's (`4e-9`) as the signs vary. A
//! Kolmogorov–Smirnov test would need at least `(1.36 / 1.2e-7)² ≈ 1.3e14` deviates to see
//! it. The tail has no cut: up to the uniforms' `2^-53`, `|x| < 12.6`.
//!
//! # Same bits on every processor
//!
//! The fast path is integer operations, a table look-up, one exact subtraction and one
//! rounded multiplication; the slow path is scalar and uses the fdlibm `ln` and `exp` of
//! module `kernels` (fixed sequences of IEEE operations), and so do the tables, built once
//! per process. So the deviates are the same on every processor and at every vector
//! width; a unit test holds the dispatched batch to the baseline-compiled one.
//!
//! # Cost
//!
//! Half a word per deviate, as Box–Muller, and on the fast path a table look-up and four
//! arithmetic operations instead of Box–Muller's sixty and a division and a square root;
//! the 0.43 % finished one by one and the scan for them take about a seventh of the step
//! (`perf`, docs/performance.md). On an AMD EPYC with AVX2 the particle step is 1.3–1.4×
//! faster than with Box–Muller at 10^5 neurons, about 1.1× at 10^6 (where the voltages'
//! memory traffic weighs more).

use std::sync::LazyLock;

use rand::Rng;

use super::kernels::{exp, ln};

/// The right edge of the base layer's rectangle.
const R: f64 = 4.038_849_846_109_504;
/// The area of every layer.
const V: f64 = 0.001_226_324_646_353_088;
/// Bits of the layer's index.
const LAYER_BITS: u32 = 10;
/// Layers: 1024.
const LAYERS: usize = 1 << LAYER_BITS;
/// Bits of `u` in a first candidate (the rest of 32).
const U_BITS: u32 = 32 - LAYER_BITS;
/// `2^{U_BITS - 1}`: `u = (j − HALF + ½) / HALF`.
const HALF: f64 = (1u64 << (U_BITS - 1)) as f64;
const ONE: u64 = 0x3ff0_0000_0000_0000;

/// The ziggurat's tables, built once ([`TABLES`]).
pub(super) struct Tables {
    /// `x_i 2^-21`, `i = 0 … 1023`: the half-width of a layer on the grid of the first
    /// candidate (a power of two: `u x_i` is one rounding either way).
    outer_u: [f64; LAYERS],
    /// `x_i 2^-51`: the same for the candidates of the slow path.
    outer_52: [f64; LAYERS],
    /// `x_{i+1}`: the fast path accepts `|x| < inner[i]`.
    inner: [f64; LAYERS],
    /// `f(x_i)`, `i = 0 … 1024` (`f(x_1024) = 1`).
    height: [f64; LAYERS + 1],
}

/// `f(x) = e^{-x²/2}`.
fn density(x: f64) -> f64 {
    exp(-0.5 * x * x)
}

/// The tables, built on first use with the fdlibm functions (the same on every host).
pub(super) static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut x = [0.0; LAYERS + 1];
    x[0] = V / density(R);
    x[1] = R;
    for i in 1..LAYERS - 1 {
        x[i + 1] = (-2.0 * ln(V / x[i] + density(x[i]))).sqrt();
    }
    let mut tables = Tables {
        outer_u: [0.0; LAYERS],
        outer_52: [0.0; LAYERS],
        inner: [0.0; LAYERS],
        height: [1.0; LAYERS + 1],
    };
    for i in 0..LAYERS {
        tables.outer_u[i] = x[i] / HALF;
        tables.outer_52[i] = x[i] * 2f64.powi(-51);
        tables.inner[i] = x[i + 1];
        tables.height[i] = density(x[i]);
    }
    tables
});

/// The first candidate of 32 bits `b` (module documentation): `(x, accepted)`.
#[inline(always)]
fn candidate(b: u64, tables: &Tables) -> (f64, bool) {
    let i = layer(b);
    // 2^52 + j for the 22 bits j, exactly; minus 2^52 + 2^21 and plus 1/2, exactly.
    let j = f64::from_bits(0x4330_0000_0000_0000 | ((b >> LAYER_BITS) & ((1 << U_BITS) - 1)));
    let u = (j - (4_503_599_627_370_496.0 + HALF)) + 0.5;
    let x = u * tables.outer_u[i];
    (x, x.abs() < tables.inner[i])
}

/// The fast path of a batch: `xs[p]` and `ys[p]` the first candidates of the low and high
/// halves of `words[p]`, `rejected` flags (bit 0: `xs[p]`, bit 1: `ys[p]`) where the
/// candidate was not accepted; returns the flags or-ed together (zero: all accepted).
#[inline(always)]
pub(super) fn fast(
    words: &[u64],
    xs: &mut [f64],
    ys: &mut [f64],
    rejected: &mut [u64],
    tables: &Tables,
) -> u64 {
    let n = words.len();
    let mut any = 0;
    let (xs, ys, rejected) = (&mut xs[..n], &mut ys[..n], &mut rejected[..n]);
    for p in 0..n {
        let (x, x_ok) = candidate(words[p], tables);
        let (y, y_ok) = candidate(words[p] >> 32, tables);
        xs[p] = x;
        ys[p] = y;
        rejected[p] = u64::from(!x_ok) | (u64::from(!y_ok) << 1);
        any |= rejected[p];
    }
    any
}

/// `(w >> 12 + ½) 2^-52`, uniform on `(0, 1)`, exactly.
#[inline]
fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 1 + (w >> 12) 2^-52 is in [1, 2), exact; so are the subtraction and the addition.
    (f64::from_bits(ONE | (rng.next_u64() >> 12)) - 1.0) + 2f64.powi(-53)
}

/// Finishes a deviate whose candidate `x` of layer `i` the fast path did not accept
/// (module documentation), drawing from `rng`.
#[cold]
pub(super) fn finish<R: Rng + ?Sized>(
    rng: &mut R,
    tables: &Tables,
    mut i: usize,
    mut x: f64,
) -> f64 {
    loop {
        if i == 0 {
            return tail(rng, x < 0.0);
        }
        let y = tables.height[i] + uniform(rng) * (tables.height[i + 1] - tables.height[i]);
        if y < density(x) {
            return x;
        }
        let w = rng.next_u64();
        i = layer(w);
        let u = (w >> 12) as f64 - 2_251_799_813_685_247.5;
        x = u * tables.outer_52[i];
        if x.abs() < tables.inner[i] {
            return x;
        }
    }
}

/// A deviate beyond `R` (sign negative or positive), Marsaglia's method.
fn tail<R: Rng + ?Sized>(rng: &mut R, negative: bool) -> f64 {
    loop {
        let a = -ln(uniform(rng)) / R;
        let b = -ln(uniform(rng));
        if b + b > a * a {
            return if negative { -(R + a) } else { R + a };
        }
    }
}

/// The layer of a first candidate's 32 bits.
#[inline]
pub(super) fn layer(b: u64) -> usize {
    (b & (LAYERS as u64 - 1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Oracle: the tables' defining relations, computed with the standard library's
    /// functions: every layer's area is `V` to `1e-12`, the last closes on `f(0) = 1`, and
    /// the base layer's area `R f(R) + ∫_R^∞ f` is `V` (the tail by the continued fraction
    /// of Mills' ratio, `∫_R^∞ f = f(R) / (R + 1/(R + 2/(R + …)))`). The `1e-12` is the
    /// recursion's error, measured, not derived: 1023 steps of a few roundings each give
    /// 6.9e-13 at the last layer with the fdlibm functions (1.0e-12 with the platform's
    /// `ln` and `exp`); its effect on the law is that relative error in one layer's
    /// probability, `1/1024`.
    #[test]
    fn the_layers_have_equal_areas() {
        let t = &*TABLES;
        let f = |x: f64| (-0.5 * x * x).exp();
        let mut mills = R;
        for k in (1..200).rev() {
            mills = R + f64::from(k) / mills;
        }
        let base = R * f(R) + f(R) / mills;
        assert!((base / V - 1.0).abs() < 1e-13, "{base}");
        assert!((t.outer_u[0] * HALF * f(R) / V - 1.0).abs() < 1e-14);
        for i in 1..LAYERS {
            let x_i = t.outer_u[i] * HALF;
            let area = x_i * (t.height[i + 1] - t.height[i]);
            assert!((area / V - 1.0).abs() < 1e-12, "layer {i}: {area}");
            assert!((t.height[i] / f(x_i) - 1.0).abs() < 1e-15, "layer {i}");
            assert!(t.inner[i] < x_i && t.inner[i - 1] == x_i);
        }
        assert_eq!((t.inner[LAYERS - 1], t.height[LAYERS]), (0.0, 1.0));
    }

    /// Oracle: the fast path accepts a candidate of layer `i` with probability
    /// `x_{i+1} / x_i` (up to the grid of `u`), so on average `Σ_i x_{i+1} / x_i / 1024`;
    /// over `10^6` words (`2 · 10^6` candidates) the fraction is held within 5 standard
    /// errors `sqrt(p (1 − p) / n)` of it.
    #[test]
    fn the_fast_path_accepts_the_expected_fraction() {
        use rand::SeedableRng;
        let t = &*TABLES;
        let expected = (0..LAYERS)
            .map(|i| t.inner[i] / (t.outer_u[i] * HALF))
            .sum::<f64>()
            / LAYERS as f64;
        assert!((expected - 0.995_723).abs() < 1e-6, "{expected}");
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let n = 2_000_000.0;
        let accepted = (0..1_000_000)
            .map(|_| {
                let w = rng.next_u64();
                u32::from(candidate(w, t).1) + u32::from(candidate(w >> 32, t).1)
            })
            .sum::<u32>();
        let fraction = f64::from(accepted) / n;
        let se = (expected * (1.0 - expected) / n).sqrt();
        assert!(
            (fraction - expected).abs() < 5.0 * se,
            "{fraction} against {expected}"
        );
    }

    /// Oracle: the exact law of the tail, `P(Z > x | Z > R) = Q(x) / Q(R)` (`Q` through
    /// `erfc`, `nlif_model::special::normal_cdf`). The Kolmogorov–Smirnov distance of
    /// `10^6` tail deviates (sorted, exact) is held below the 0.1 % critical value
    /// `1.95 / sqrt(n)`; the signs follow the argument.
    #[test]
    fn the_tail_follows_the_normal_law_beyond_r() {
        use nlif_model::special::normal_cdf;
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 1_000_000;
        let mut xs: Vec<f64> = (0..n).map(|_| tail(&mut rng, false)).collect();
        assert!(tail(&mut rng, true) < -R);
        xs.sort_by(f64::total_cmp);
        let q_r = normal_cdf(-R);
        let mut d = 0.0f64;
        for (k, &x) in xs.iter().enumerate() {
            assert!(x > R);
            let cdf = 1.0 - normal_cdf(-x) / q_r;
            d = d.max((cdf - k as f64 / n as f64).abs());
            d = d.max((cdf - (k + 1) as f64 / n as f64).abs());
        }
        let critical = 1.95 / (n as f64).sqrt();
        assert!(d < critical, "D = {d} against {critical}");
    }

    /// Oracle: the exact integer arithmetic of the grids. The extreme 22-bit values give
    /// `u = ±(1 − 2^-22)` and the middle `u = ±2^-22`; uniforms lie strictly inside (0, 1).
    #[test]
    fn the_grids_are_symmetric_and_open() {
        let t = &*TABLES;
        let x0 = t.outer_u[0] * HALF;
        let (lo, _) = candidate(0, t);
        let (hi, _) = candidate(0xffff_ffff & !(LAYERS as u64 - 1), t);
        let step = 0.5 / HALF;
        assert_eq!(lo, -(1.0 - step) * x0);
        assert_eq!(hi, (1.0 - step) * x0);
        let (mid, ok) = candidate(0x8000_0000, t);
        assert_eq!((mid, ok), (step * x0, true));
        assert_eq!(layer(0x1234_57ab), 0x3ab);
        struct Fixed(u64);
        impl rand::TryRng for Fixed {
            type Error = std::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(self.0 as u32)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(self.0)
            }
            fn try_fill_bytes(&mut self, bytes: &mut [u8]) -> Result<(), Self::Error> {
                bytes.fill(0);
                Ok(())
            }
        }
        assert_eq!(uniform(&mut Fixed(0)), 2f64.powi(-53));
        assert_eq!(uniform(&mut Fixed(u64::MAX)), 1.0 - 2f64.powi(-53));
    }
}
