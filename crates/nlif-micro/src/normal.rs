//! Standard normal deviates in batches, by a Box–Muller transform that the compiler
//! vectorizes (the default, [`Normals::BoxMuller`], documented here) or by a ziggurat
//! whose common case it vectorizes ([`Normals::Ziggurat`], module [`ziggurat`]).
//!
//! The particle system draws the normal deviate `z` of every particle of a chunk of up to
//! [`CHUNK`] particles at once, before it steps them (see
//! [`SubthresholdStep::advance`](crate::SubthresholdStep::advance)); [`fill_with`] is that
//! draw ([`fill`] with Box–Muller), public so that tests and other code can reproduce it.
//!
//! # Method
//!
//! One 64-bit word `w` of the random stream gives one pair of independent standard normal
//! deviates (Box–Muller in polar form):
//!
//! - the radius from the high 42 bits, `k = w >> 22`: `u = 1 - k · 2^-42`, uniform on the
//!   grid `{2^-42, 2 · 2^-42, …, 1}`, and `R = sqrt(-2 ln u)`, so `P(R > r) = e^{-r²/2}` up
//!   to the grid step;
//! - the angle from the low 22 bits: bits 0–2 pick one of the eight symmetries of the square
//!   (bit 0 swaps the two coordinates, bits 1 and 2 flip their signs), and bits 3–21,
//!   `j < 2^19`, the angle `φ = (j + ½) · (π/4) / 2^19` in the first octant `[0, π/4)`;
//! - the pair is `(R cos φ, R sin φ)` under that symmetry: `R (cos θ, sin θ)` with `θ`
//!   uniform on the `2^22` angles `(m + ½) · 2π / 2^22`, each with probability `2^-22`.
//!
//! The split 42 + 22 balances the two grids (below): each departs from the normal law only
//! where a test would need more than about `10^14` deviates to see it.
//!
//! `ln`, `sin` and `cos` are polynomials with a fixed sequence of operations and no
//! branches or table look-ups (the reductions of fdlibm: `ln` on `[√2/2, √2)` by the
//! series in `s = f / (2 + f)`, `sin` and `cos` by their kernels on `[0, π/4]`; module
//! `kernels`), so the loops over a batch are vectorized: 4 or 8 pairs per instruction
//! where the processor has AVX2 or AVX-512 (chosen at run time through the `pulp` crate),
//! 2 on any x86-64 (SSE2). A batch goes through four loops, not one (the reduction of `u`
//! with the division of `ln`; its series with the square root; the angle with the sine;
//! the cosine with the symmetry): each has few constants and a short chain of dependent
//! operations, so that with AVX2's 16 vector registers the constants stay in registers
//! and the processor overlaps the iterations (10–26 % less time per deviate than one
//! loop on an AMD EPYC with AVX2; docs/performance.md). The arithmetic is the same on
//! every path and in both forms (IEEE additions, multiplications, one division and one
//! square root per pair, no fused multiply–add), so the deviates are bit-identical on any
//! processor, with or without the wide instructions; a unit test checks it against the
//! pair-by-pair form compiled for the baseline instruction set.
//!
//! # Accuracy
//!
//! - The polynomials: `|ln u / ln(u) − 1| ≤ 2.3e-16` on `(0, 1)`, `|sin φ − sin(φ)|` and
//!   `|cos φ − cos(φ)| ≤ 1.2e-16` on `[0, π/4]` (measured against the standard library on
//!   `10^6` points each by the unit tests, which hold them to `4.5e-16`). A deviate is
//!   within a few units in the last place (relative error below `1e-15`) of the exact
//!   Box–Muller value of its word: a bias of the variance of at most `2e-15`, and of a tail
//!   probability `P(|z| > c)` of at most `2e-15 · c φ(c) / P(|z| > c)` in relative terms —
//!   far below any sampling error.
//! - The grid of the radius: `P(R >= r) = ⌊2^42 e^{-r²/2}⌋ / 2^42`, below the exact
//!   `e^{-r²/2}` by less than `2^-42 = 2.3e-13`; so every tail `P(|z| > c)` is lighter than
//!   the normal one by less than `2.3e-13` in absolute terms (relative `1.2e-4` at `c = 6`,
//!   up to 9 % at `c = 7`, where `P = 2.6e-12`), and nothing lies beyond
//!   `R_max = sqrt(84 ln 2) = 7.63` (normal mass `2.3e-14`).
//! - The grid of the angle: the law of `z = R cos θ` is the average over the `2^22` angles,
//!   a midpoint rule of a periodic integrand. It is exact to rounding except near `z = 0`,
//!   where only angles within about `|z|` of `±π/2` contribute: there the distribution
//!   function departs from `Φ` by at most `8.1e-8` (at `|z| ≈ 4.5e-7`; computed from the
//!   formula `P(z ≤ x) = mean over θ of P(R cos θ ≤ x)` with the exact Rayleigh `R`, and
//!   proportional to the angle step: `5.2e-6` with `2^16` angles), within `|z| < 2e-5`.
//!   The half-step offset leaves no atom at `z = 0` (no angle is a multiple of `π/2`).
//!
//! So the Kolmogorov–Smirnov distance of the exact law of the deviates from `N(0, 1)` is
//! at most `8.1e-8` (plus the arithmetic's `1e-15`): a KS test would need about
//! `(1.36 / 8.1e-8)² ≈ 3e14` deviates to see it, and one on the 7σ tail about as many.
//!
//! The tests in `tests/normals.rs` check the first four moments, the tails at 3–6σ, the
//! Kolmogorov–Smirnov distance on `10^8` deviates, the pairs' correlation, and the tails
//! up to 7σ through a stream whose radii are conditioned to exceed 5.
//!
//! # Order of the draws
//!
//! [`fill`] takes `out` in consecutive chunks of [`CHUNK`] values (the last may be
//! shorter). A chunk of `m` values draws `h = ⌈m/2⌉` words `w_0 … w_{h-1}` from the stream,
//! in order; the pair of `w_p` goes to `out[p]` (first coordinate) and `out[h + p]` (second
//! coordinate, dropped for `p = h − 1` when `m` is odd).
//!
//! # Why by hand
//!
//! `rand_distr`'s ziggurat (the generator before) costs about 1.8 ns per deviate in a tight
//! loop and 3–4 ns inside the particle loop, and draws one word per deviate; one deviate at
//! a time, a rejection method with table look-ups does not vectorize (module [`ziggurat`]
//! splits a batch into the vectorized common case and the few rejections, and takes half a
//! word per deviate). No crate offered a batched
//! generator that draws from a given stream: the SIMD samplers we found
//! (`stochastic-rs-distributions`, `scirs2-stats`' `sample_normal_batch`) own their random
//! generator (thread-local, or seeded inside the call), which breaks "one stream per block,
//! one seed for the run", and come with large dependency trees (`ndarray`, complex numbers,
//! their whole ecosystems); `fastrand` has no normal deviates, and the SIMD random crates
//! (`simd_rand`, `sfmt`) give uniform words only. So the transform is ours, and the one
//! crate used is `pulp`, for safe run-time selection of the vector width (this workspace
//! forbids `unsafe`).

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Largest number of deviates one batch draws and transforms (an even number); the
/// particle system steps its blocks in chunks of this many particles.
pub const CHUNK: usize = 256;

/// Fills `out` with standard normal deviates drawn from `rng`, in the order of the module
/// documentation: chunks of [`CHUNK`], one word per pair.
///
/// The particle system draws the `z` of a chunk of `m` particles exactly as `fill` draws
/// `m` values.
///
/// ```
/// use nlif_micro::normal::fill;
/// use rand::SeedableRng;
///
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut z = vec![0.0; 1000];
/// fill(&mut rng, &mut z);
/// let mean = z.iter().sum::<f64>() / 1000.0;
/// assert!(mean.abs() < 0.2);
/// ```
pub fn fill<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    fill_with(Normals::BoxMuller, rng, out);
}

/// Fills `out` with standard normal deviates drawn from `rng` by the generator `normals`,
/// in chunks of [`CHUNK`] (what the particle system draws for a chunk of particles).
///
/// ```
/// use nlif_micro::normal::{Normals, fill_with};
/// use rand::SeedableRng;
///
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut z = vec![0.0; 100_000];
/// fill_with(Normals::Ziggurat, &mut rng, &mut z);
/// let variance = z.iter().map(|z| z * z).sum::<f64>() / 1e5;
/// assert!((variance - 1.0).abs() < 0.03); // 7 standard errors, sqrt(2 / 10^5) each
/// ```
pub fn fill_with<R: Rng + ?Sized>(normals: Normals, rng: &mut R, out: &mut [f64]) {
    let mut batch = Batch::new(normals);
    for chunk in out.chunks_mut(CHUNK) {
        chunk.copy_from_slice(batch.draw(rng, chunk.len()));
    }
}

/// Which generator draws the particles' normal deviates (`solver.micro.normals` of a
/// config). Both are exact to the grids their modules document and give the same bits on
/// every processor; they draw different deviates from the same stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Normals {
    /// Box–Muller, one word per pair, every value by the same branch-free arithmetic
    /// (this module's documentation): about 3.4 ns per deviate on an AMD EPYC with AVX2
    /// (docs/performance.md).
    #[default]
    BoxMuller,
    /// A ziggurat of 1024 layers, one 32-bit half word per first candidate (module
    /// [`ziggurat`]): the fast path vectorized, 0.43 % of the deviates finished one by one;
    /// the particle step 1.3–1.4× faster than with `BoxMuller` at 10^5 neurons on an AMD
    /// EPYC with AVX2, about 1.1× at 10^6.
    Ziggurat,
}

/// `xs[p], ys[p]` = the pair of `words[p]`, one word at a time: what [`passes`] computes.
#[cfg(test)]
fn transform(words: &[u64], xs: &mut [f64], ys: &mut [f64]) {
    for ((&word, x), y) in words.iter().zip(xs.iter_mut()).zip(ys.iter_mut()) {
        (*x, *y) = pair(word);
    }
}

/// `xs[p], ys[p]` = the pair of `words[p]` (`pair`), computed by the same operations in four
/// loops over the batch, each with a short chain of dependent operations and few
/// constants (they stay in the 16 vector registers of AVX2 instead of being loaded again
/// at every iteration), so that the processor overlaps the iterations: the reduction of
/// `u` and the division of the logarithm; its series and the square root (the radius);
/// the angle and the sine; the cosine and the symmetry.
#[inline(always)]
fn passes(words: &[u64], xs: &mut [f64], ys: &mut [f64], scratch: &mut [[f64; CHUNK / 2]; 3]) {
    let n = words.len();
    let [fs, ss, ks] = scratch;
    let (xs, ys, fs, ss, ks) = (
        &mut xs[..n],
        &mut ys[..n],
        &mut fs[..n],
        &mut ss[..n],
        &mut ks[..n],
    );
    for p in 0..n {
        let (f, k) = ln_reduction(uniform(words[p]));
        (fs[p], ss[p], ks[p]) = (f, ln_ratio(f), k);
    }
    for p in 0..n {
        xs[p] = radius(ln_series(fs[p], ss[p], ks[p]));
    }
    // `fs` now holds the angles.
    for p in 0..n {
        fs[p] = angle(words[p]);
        ys[p] = xs[p] * sin_kernel(fs[p]);
    }
    for p in 0..n {
        (xs[p], ys[p]) = symmetry(words[p], xs[p] * cos_kernel(fs[p]), ys[p]);
    }
}

const ONE: u64 = 0x3ff0_0000_0000_0000;
/// `(π/4) / 2^19`, the step of the angle grid in the first octant.
const ANGLE_STEP: f64 = std::f64::consts::FRAC_PI_4 / 524_288.0;

/// The pair of normal deviates of one word (module documentation), the definition that
/// [`passes`] computes a batch at a time.
#[cfg(test)]
fn pair(word: u64) -> (f64, f64) {
    let (f, k) = ln_reduction(uniform(word));
    let radius = radius(ln_series(f, ln_ratio(f), k));
    let phi = angle(word);
    symmetry(word, radius * cos_kernel(phi), radius * sin_kernel(phi))
}

/// `u = 1 - k 2^-42` for the 42-bit `k = word >> 22`.
#[inline(always)]
fn uniform(word: u64) -> f64 {
    // 2 - (1 + k 2^-42), exactly.
    2.0 - f64::from_bits(ONE | ((word >> 22) << 10))
}

/// `R = sqrt(-2 ln u)`.
#[inline(always)]
fn radius(ln_u: f64) -> f64 {
    (-2.0 * ln_u).sqrt()
}

/// `φ = (j + ½) · ANGLE_STEP` for the 19-bit `j = (word >> 3) & (2^19 - 1)`.
#[inline(always)]
fn angle(word: u64) -> f64 {
    // j + 1/2; 2^52 + j + 0.5 is exact, so is the subtraction.
    let j =
        f64::from_bits(0x4330_0000_0000_0000 | ((word >> 3) & 0x7_ffff)) - 4_503_599_627_370_495.5;
    j * ANGLE_STEP
}

/// `(c, s)` under the symmetry of the word's bits 0–2.
#[inline(always)]
fn symmetry(word: u64, c: f64, s: f64) -> (f64, f64) {
    let (c, s) = (c.to_bits(), s.to_bits());
    // Bit 0 swaps the coordinates, bits 1 and 2 flip their signs: integer operations on
    // the bit patterns, so that the loop stays free of branches.
    let swap = (c ^ s) & 0u64.wrapping_sub(word & 1);
    let x = c ^ swap ^ ((word >> 1 & 1) << 63);
    let y = s ^ swap ^ ((word >> 2 & 1) << 63);
    (f64::from_bits(x), f64::from_bits(y))
}

mod batch;
mod kernels;
pub mod ziggurat;

pub(crate) use batch::Batch;

use kernels::{cos_kernel, ln_ratio, ln_reduction, ln_series, sin_kernel};

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Oracle: the same transform compiled for the baseline instruction set only (no
    /// run-time dispatch). The dispatched (AVX2 / AVX-512) batch gives the same bits.
    #[test]
    fn the_vector_paths_give_the_same_bits() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut scratch = Batch::new(Normals::BoxMuller);
        for len in [CHUNK, CHUNK - 1, 1, 2, 77] {
            let mut copy = rng.clone();
            let batch = scratch.draw(&mut rng, len).to_vec();
            let pairs = len.div_ceil(2);
            let words: Vec<u64> = (0..pairs).map(|_| copy.next_u64()).collect();
            let (mut xs, mut ys) = (vec![0.0; pairs], vec![0.0; pairs]);
            transform(&words, &mut xs, &mut ys);
            let expected: Vec<u64> = xs
                .iter()
                .chain(&ys)
                .take(len)
                .map(|x| x.to_bits())
                .collect();
            assert_eq!(
                batch.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                expected
            );
            assert_eq!(rng, copy, "one word per pair");
        }
    }

    /// Oracle: Box–Muller written with the standard library's functions. Each pair is
    /// within 1e-15 (relative to the radius) of it, and the extreme words give the grid's
    /// extremes: `R = 0` for `k = 0`, `R_max = sqrt(84 ln 2)` for `k = 2^42 - 1`.
    #[test]
    fn pairs_follow_box_muller() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        for _ in 0..100_000 {
            let word = rng.next_u64();
            let (x, y) = pair(word);
            let u = 1.0 - (word >> 22) as f64 * 2f64.powi(-42);
            let r = (-2.0 * u.ln()).sqrt();
            let j = ((word >> 3) & 0x7_ffff) as f64 + 0.5;
            let phi = j * std::f64::consts::FRAC_PI_4 / 524_288.0;
            let (mut ex, mut ey) = (r * phi.cos(), r * phi.sin());
            if word & 1 == 1 {
                (ex, ey) = (ey, ex);
            }
            if word & 2 != 0 {
                ex = -ex;
            }
            if word & 4 != 0 {
                ey = -ey;
            }
            assert!((x - ex).abs() <= 1e-15 * r.max(1e-300), "{word:x}");
            assert!((y - ey).abs() <= 1e-15 * r.max(1e-300), "{word:x}");
        }
        let (x, y) = pair(0);
        assert_eq!((x.abs(), y.abs()), (0.0, 0.0));
        let (x, y) = pair(u64::MAX);
        let r_max = (84.0 * std::f64::consts::LN_2).sqrt();
        assert!(((x * x + y * y).sqrt() - r_max).abs() < 1e-13);
    }
}
