//! The batched normal deviates (`nlif_micro::normal`) against the standard normal
//! distribution.
//!
//! Oracle: the exact moments and tail probabilities of `N(0, 1)` (tails through `erfc`,
//! `nlif_model::special::normal_cdf`), and the Kolmogorov distribution.
//!
//! Bounds. Each moment and tail count is held within 5 standard deviations of its exact
//! expectation, the standard deviation being the exact sampling one for the sample size
//! (e.g. `sqrt(96 / n)` for the mean of `z^4`): a 5-SD deviation of a sum of 10^8 iid terms
//! has probability about `6e-7`, so the dozen checks fail by chance less than once in
//! 10^5 seeds, while a bias of the variance of `7e-4`, of the kurtosis of `5e-3` or of a
//! 4σ tail of 6 % would fail them. Counts with a small expectation (beyond 6σ) are held
//! between the Poisson quantiles of probability `1e-6` on each side. The Kolmogorov–Smirnov statistic is
//! bounded from above through a histogram of `2^20` cells (see `Statistics::ks`) and held
//! below the 0.1 % critical value `1.95 / sqrt(n)`.
//!
//! The tests on 10^8 deviates take about two seconds in release mode; in a debug build they
//! are ignored (run them with `cargo test --release`). `normals_1e10` repeats the checks on
//! 10^10 deviates (`cargo test --release -p nlif-micro --test normals -- --ignored`, a few
//! minutes; results in docs/nlif-micro.md).

use std::convert::Infallible;

use nlif_micro::normal::{CHUNK, Normals, fill, fill_with};
use nlif_model::special::normal_cdf;
use rand::{Rng, SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Largest |z| Box–Muller can produce is sqrt(84 ln 2) = 7.63; the histogram spans
/// [-HALF_WIDTH, HALF_WIDTH) (the ziggurat's tail reaches further, with probability below
/// 1e-15 beyond: its last cells count it).
const HALF_WIDTH: f64 = 8.25;
const TAILS: [f64; 4] = [3.0, 4.0, 5.0, 6.0];

/// Sums over a sample: power sums, tail counts, pair products, a fine histogram.
struct Statistics {
    n: f64,
    powers: [f64; 4],
    tails: [u64; 4],
    /// Pairs of one word: Σ x y, Σ x² y², and their number.
    pair_xy: f64,
    pair_x2y2: f64,
    pairs: f64,
    /// Neighbours in the output: Σ z_i z_{i+1} and their number.
    lag_one: f64,
    lags: f64,
    histogram: Vec<u32>,
}

impl Statistics {
    fn new(cells: usize) -> Self {
        Statistics {
            n: 0.0,
            powers: [0.0; 4],
            tails: [0; 4],
            pair_xy: 0.0,
            pair_x2y2: 0.0,
            pairs: 0.0,
            lag_one: 0.0,
            lags: 0.0,
            histogram: vec![0; cells],
        }
    }

    /// Adds a buffer filled by one `fill` call (its length a multiple of `CHUNK`).
    fn add(&mut self, z: &[f64]) {
        let cells = self.histogram.len() as f64;
        let scale = cells / (2.0 * HALF_WIDTH);
        let last = self.histogram.len() - 1;
        let mut powers = [0.0; 4];
        for &x in z {
            let x2 = x * x;
            powers[0] += x;
            powers[1] += x2;
            powers[2] += x2 * x;
            powers[3] += x2 * x2;
            for (count, c) in self.tails.iter_mut().zip(TAILS) {
                *count += u64::from(x.abs() > c);
            }
            let cell = (((x + HALF_WIDTH) * scale) as usize).min(last);
            self.histogram[cell] += 1;
        }
        for (total, part) in self.powers.iter_mut().zip(powers) {
            *total += part;
        }
        // Each chunk of CHUNK values holds the pairs (z[p], z[p + CHUNK / 2]).
        for chunk in z.chunks_exact(CHUNK) {
            let (xs, ys) = chunk.split_at(CHUNK / 2);
            for (x, y) in xs.iter().zip(ys) {
                self.pair_xy += x * y;
                self.pair_x2y2 += x * x * y * y;
            }
            self.pairs += (CHUNK / 2) as f64;
        }
        for w in z.windows(2) {
            self.lag_one += w[0] * w[1];
        }
        self.lags += (z.len() - 1) as f64;
        self.n += z.len() as f64;
    }

    /// Lower and upper bounds of the Kolmogorov–Smirnov distance `sup |F_n - Φ|`: its
    /// value at the cell edges (exact there), and that plus the largest probability of a
    /// cell (between two edges both functions are monotone).
    fn ks(&self) -> (f64, f64) {
        let cells = self.histogram.len();
        let width = 2.0 * HALF_WIDTH / cells as f64;
        let (mut below, mut d, mut widest) = (0u64, 0.0f64, 0.0f64);
        let mut previous = normal_cdf(-HALF_WIDTH);
        d = d.max(previous);
        for (k, &count) in self.histogram.iter().enumerate() {
            below += u64::from(count);
            let edge = -HALF_WIDTH + (k + 1) as f64 * width;
            let cdf = normal_cdf(edge);
            d = d.max((below as f64 / self.n - cdf).abs());
            widest = widest.max(cdf - previous);
            previous = cdf;
        }
        (d, d + widest)
    }

    /// Asserts every check; returns the report lines.
    fn check(&self) -> Vec<String> {
        let n = self.n;
        let mut report = Vec::new();
        let check = |name: &str, value: f64, expected: f64, sd: f64| {
            let score = (value - expected) / sd;
            assert!(
                score.abs() < 5.0,
                "{name}: {value} vs {expected}, {score:+.2} SD"
            );
            format!("{name}: {value:.6e} (exact {expected:.6e}, {score:+.2} SD)")
        };
        // Moments: E z^k = 0, 1, 0, 3; Var z^k = 1, 2, 15, 96.
        for (k, (expected, var)) in [(0.0, 1.0), (1.0, 2.0), (0.0, 15.0), (3.0, 96.0)]
            .into_iter()
            .enumerate()
        {
            let mean = self.powers[k] / n;
            report.push(check(
                &format!("E z^{}", k + 1),
                mean,
                expected,
                (var / n).sqrt(),
            ));
        }
        for (c, &count) in TAILS.iter().zip(&self.tails) {
            let p = 2.0 * normal_cdf(-c);
            let expected = n * p;
            if expected >= 100.0 {
                let sd = (n * p * (1.0 - p)).sqrt();
                report.push(check(&format!("#|z| > {c}"), count as f64, expected, sd));
            } else {
                // Poisson: between the quantiles of probability 1e-6 on each side.
                let (low, high) = poisson_bounds(expected, 1e-6);
                report.push(format!(
                    "#|z| > {c}: {count} (expected {expected:.3}, bounds [{low}, {high}])"
                ));
                assert!(
                    (low..=high).contains(&count),
                    "#|z| > {c}: {count} for an expected {expected}"
                );
            }
        }
        // Pairs of one word are independent: E xy = 0 (var 1), E x²y² = 1 (var 8).
        let pairs = self.pairs;
        report.push(check(
            "E x y (pair)",
            self.pair_xy / pairs,
            0.0,
            (1.0 / pairs).sqrt(),
        ));
        report.push(check(
            "E x² y² (pair)",
            self.pair_x2y2 / pairs,
            1.0,
            (8.0 / pairs).sqrt(),
        ));
        report.push(check(
            "E z_i z_i+1",
            self.lag_one / self.lags,
            0.0,
            (1.0 / self.lags).sqrt(),
        ));
        let (lower, upper) = self.ks();
        let critical = 1.95 / n.sqrt();
        report.push(format!(
            "KS distance: between {lower:.3e} and {upper:.3e}, sqrt(n) D <= {:.3} (0.1 % critical value 1.95)",
            upper * n.sqrt()
        ));
        assert!(upper < critical, "KS: D <= {upper} vs {critical}");
        report
    }
}

/// `(low, high)` with `P(X < low) < alpha` and `P(X > high) < alpha`, the widest such
/// `low` and narrowest `high`, for `X ~ Poisson(mean)`.
fn poisson_bounds(mean: f64, alpha: f64) -> (u64, u64) {
    let mut term = (-mean).exp();
    let mut cdf = term;
    let (mut low, mut m) = (0, 0);
    while 1.0 - cdf >= alpha {
        if cdf < alpha {
            low = m + 1;
        }
        m += 1;
        term *= mean / m as f64;
        cdf += term;
    }
    (low, m)
}

fn run(normals: Normals, draws: u64, seed: u64, cells: usize) -> Vec<String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut stats = Statistics::new(cells);
    let mut buffer = vec![0.0; 1 << 16];
    let mut left = draws;
    while left > 0 {
        let len = (buffer.len() as u64).min(left) as usize;
        fill_with(normals, &mut rng, &mut buffer[..len]);
        stats.add(&buffer[..len]);
        left -= len as u64;
    }
    stats.check()
}

/// 10^8 deviates from one stream: moments, tails at 3–6σ, KS, pair and neighbour
/// correlations (bounds in the module documentation).
#[test]
#[cfg_attr(debug_assertions, ignore = "10^8 deviates: run in release mode")]
fn normals_match_the_standard_normal_on_1e8_draws() {
    for line in run(Normals::BoxMuller, 100_000_000, 2026, 1 << 20) {
        println!("{line}");
    }
}

/// The same checks for the ziggurat (`Normals::Ziggurat`): its pairs are the two halves of
/// one word.
#[test]
#[cfg_attr(debug_assertions, ignore = "10^8 deviates: run in release mode")]
fn ziggurat_normals_match_the_standard_normal_on_1e8_draws() {
    for line in run(Normals::Ziggurat, 100_000_000, 2028, 1 << 20) {
        println!("{line}");
    }
}

/// The same checks on 10^10 deviates (KS on `2^22` cells). Run by hand; results in
/// docs/nlif-micro.md.
#[test]
#[ignore = "10^10 deviates, a few minutes: cargo test --release -p nlif-micro --test normals -- --ignored"]
fn normals_1e10() {
    for normals in [Normals::BoxMuller, Normals::Ziggurat] {
        println!("{normals:?}");
        for line in run(normals, 10_000_000_000, 2027, 1 << 22) {
            println!("{line}");
        }
    }
}

/// A stream whose words have their radius bits conditioned on `R > r0`: the high 42 bits
/// `k` uniform on `[k0, 2^42)`, `k0 = ceil(2^42 (1 - e^{-r0²/2}))`, the low 22 (the angle)
/// uniform.
struct TailStream {
    inner: Xoshiro256PlusPlus,
    k0: u64,
    count: u64,
}

impl TailStream {
    fn new(r0: f64, seed: u64) -> Self {
        let two42 = (1u64 << 42) as f64;
        let k0 = (two42 * -(-0.5 * r0 * r0).exp_m1()).ceil() as u64;
        TailStream {
            inner: Xoshiro256PlusPlus::seed_from_u64(seed),
            k0,
            count: (1u64 << 42) - k0,
        }
    }

    /// The radii are those of `u` uniform on the grid `{2^-42, …, count · 2^-42}`, i.e. of
    /// `u` uniform on `(0, p0]`, `p0 = count · 2^-42`, up to the grid step.
    fn p0(&self) -> f64 {
        self.count as f64 / (1u64 << 42) as f64
    }
}

impl TryRng for TailStream {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        // Multiply-shift to [0, count): bias below count / 2^64 < 1e-10.
        let r = (u128::from(self.inner.next_u64()) * u128::from(self.count)) >> 64;
        let k = self.k0 + r as u64;
        Ok(k << 22 | (self.inner.next_u64() & 0x3f_ffff))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// Tails up to 7σ with power: through words whose radius is conditioned on `R > 5` (a
/// stream of probability `e^{-12.5} = 3.7e-6` of the real one), `P(|x| > c | R > 5) =
/// P(|Z| > c) / e^{-12.5}` for `c >= 5` exactly (|x| <= R), and `R² - 25` is exponential
/// with mean 2. This exercises `ln` near `2^-18 … 2^-42` and the angles at the extremes.
/// First coordinates only (the two of a pair share `R`), 5·10^7 pairs; 5-SD bounds.
#[test]
#[cfg_attr(debug_assertions, ignore = "10^8 deviates: run in release mode")]
fn tails_up_to_seven_sigma_through_conditioned_radii() {
    let r0 = 5.0;
    let mut stream = TailStream::new(r0, 77);
    let p0 = stream.p0();
    let cuts = [5.0, 5.5, 6.0, 6.5, 7.0];
    let mut counts = [0u64; 5];
    let (mut excess, mut pairs) = (0.0, 0.0);
    let mut buffer = vec![0.0; 1 << 16];
    for _ in 0..(100_000_000 / buffer.len()) {
        fill(&mut stream, &mut buffer);
        for chunk in buffer.chunks_exact(CHUNK) {
            let (xs, ys) = chunk.split_at(CHUNK / 2);
            for (&x, &y) in xs.iter().zip(ys) {
                for (count, c) in counts.iter_mut().zip(cuts) {
                    *count += u64::from(x.abs() > c);
                }
                excess += x * x + y * y - r0 * r0;
                pairs += 1.0;
            }
        }
    }
    for (c, &count) in cuts.iter().zip(&counts) {
        let p = 2.0 * normal_cdf(-c) / p0;
        let expected = pairs * p;
        let sd = (pairs * p * (1.0 - p)).sqrt();
        let score = (count as f64 - expected) / sd;
        println!("#|x| > {c} given R > {r0}: {count} (expected {expected:.1}, {score:+.2} SD)");
        assert!(score.abs() < 5.0, "c = {c}: {count} vs {expected}");
    }
    // R² - r0'² with r0'² = -2 ln p0 (≈ 25): exponential of mean 2 (sd 2 / sqrt(pairs)).
    let shift = -2.0 * p0.ln() - r0 * r0;
    let mean = excess / pairs - shift;
    let score = (mean - 2.0) / (2.0 / pairs.sqrt());
    println!("E R² - r0² given R > {r0}: {mean:.6} (exact 2, {score:+.2} SD)");
    assert!(score.abs() < 5.0, "E R² - r0²: {mean}");
}
