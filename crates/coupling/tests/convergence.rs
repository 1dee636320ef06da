//! Sampling and re-estimation converge at the rates their statistics predict.

use coupling::{
    Bandwidth, Estimator, Grid, Particles, Sampler, estimate, impose_rate, reconstruction_cdf,
    sample,
};
use nlif_model::{ModelParams, stationary_density, stationary_rates};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const H: f64 = 0.02;

/// The exact stationary density of b = 0.5 on the grid [-4, 2) (the known density).
fn stationary() -> (Grid, Vec<f64>, f64) {
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let rate = stationary_rates(&params, 0.0).unwrap()[0];
    let grid = Grid::new(-4.0, 2.0, 1.0, H).unwrap();
    let mut p: Vec<f64> = (0..300)
        .map(|i| stationary_density(&params, 0.0, rate, grid.node_from_v_min(i)).unwrap())
        .collect();
    let mass = grid.mass(&p);
    p.iter_mut().for_each(|x| *x /= mass);
    (grid, p, rate)
}

/// Least-squares slope of log(y) against log(x).
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let mx = lx.iter().sum::<f64>() / lx.len() as f64;
    let my = ly.iter().sum::<f64>() / ly.len() as f64;
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

/// Kolmogorov distance between the sample and the reconstruction.
fn kolmogorov(grid: &Grid, p: &[f64], voltages: &mut [f64]) -> f64 {
    voltages.sort_by(f64::total_cmp);
    let n = voltages.len() as f64;
    voltages
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            let f = reconstruction_cdf(grid, p, v);
            (f - k as f64 / n).abs().max((f - (k + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// Oracle: the empirical CDF of independent draws is off by O(N^-1/2) (Kolmogorov:
/// E D ≈ 0.87/sqrt N), of stratified draws by at most 1/N, of quantile draws by exactly
/// 1/(2N). Slopes fitted over N = 1e3..1e6 (independent draws: mean of 8 seeds, the
/// fitted slope's spread is then about 0.05).
#[test]
fn samplers_converge_at_their_rates() {
    let (grid, p, _) = stationary();
    for sampler in [Sampler::InverseCdf, Sampler::Stratified, Sampler::Quantile] {
        let seeds = if sampler == Sampler::InverseCdf { 8 } else { 1 };
        let errors: Vec<f64> = SIZES
            .iter()
            .map(|&n| {
                (0..seeds)
                    .map(|seed| {
                        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
                        let mut v = vec![0.0; n];
                        sample(sampler, &grid, &p, &mut v, &mut rng).unwrap();
                        assert!(v.iter().all(|&x| x < 2.0));
                        kolmogorov(&grid, &p, &mut v)
                    })
                    .sum::<f64>()
                    / seeds as f64
            })
            .collect();
        let s = slope(&SIZES.map(|n| n as f64), &errors);
        println!("{sampler:?}: Kolmogorov distances {errors:?}, slope {s:.3}");
        match sampler {
            Sampler::InverseCdf => assert!((-0.62..=-0.38).contains(&s), "{s}"),
            Sampler::Stratified => {
                assert!((-1.1..=-0.9).contains(&s), "{s}");
                for (e, n) in errors.iter().zip(SIZES) {
                    assert!(*e <= 1.0 / n as f64 + 1e-12);
                }
            }
            Sampler::Quantile => {
                for (e, n) in errors.iter().zip(SIZES) {
                    assert!(
                        (e - 0.5 / n as f64).abs() < 1e-9,
                        "{e} vs {}",
                        0.5 / n as f64
                    );
                }
            }
        }
    }
}

/// Oracle: the expected histogram of draws from the reconstruction, computed exactly from
/// its CDF (cell masses, the top half cell spread by normalisation). Its statistical error
/// in L1 decays like N^-1/2 for independent draws and like N^-1 for stratified and quantile
/// draws (each cell's count is then within 2 of its expectation).
#[test]
fn histogram_reestimation_converges_at_the_sampling_rate() {
    let (grid, p, rate) = stationary();
    let n = grid.len();
    let cdf = |v: f64| reconstruction_cdf(&grid, &p, v);
    let top = 1.0 - cdf(2.0 - H / 2.0);
    let expected: Vec<f64> = (0..n)
        .map(|i| {
            let v = grid.node_from_v_min(i);
            let lo = if i == 0 {
                f64::NEG_INFINITY
            } else {
                v - H / 2.0
            };
            let lo = if lo.is_finite() { cdf(lo) } else { 0.0 };
            (cdf(v + H / 2.0) - lo) / (H * (1.0 - top))
        })
        .collect();
    for sampler in [Sampler::InverseCdf, Sampler::Stratified, Sampler::Quantile] {
        let errors: Vec<f64> = SIZES
            .iter()
            .map(|&size| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
                let mut v = vec![0.0; size];
                sample(sampler, &grid, &p, &mut v, &mut rng).unwrap();
                let mut back = vec![0.0; n];
                let particles = Particles {
                    voltages: &v,
                    rate,
                    a: 1.0,
                    v_r: 1.0,
                };
                estimate(Estimator::Histogram, &grid, &particles, &mut back).unwrap();
                assert!((grid.mass(&back) - 1.0).abs() < 1e-12);
                back.iter()
                    .zip(&expected)
                    .map(|(a, b)| (a - b).abs() * H)
                    .sum::<f64>()
            })
            .collect();
        let s = slope(&SIZES.map(|n| n as f64), &errors);
        println!("histogram after {sampler:?}: L1 {errors:?}, slope {s:.3}");
        let range = if sampler == Sampler::InverseCdf {
            -0.65..=-0.35
        } else {
            -1.15..=-0.85
        };
        assert!(range.contains(&s), "{sampler:?}: {s}");
    }
}

/// Oracle: the exact stationary density (docs/model.md §6). With Silverman's bandwidth the
/// kernel estimate's L1 error is bias O(σ²) plus noise O((Nσ)^-1/2), σ ∝ N^-1/5, so it
/// decays like N^-2/5 (the MISE-optimal kernel rate); the slope over N = 1e3..1e6 must lie
/// within 0.1 of -0.4. Mass is 1 and the density next to V_F stays O(h) (no pile-up).
#[test]
fn kernel_reestimation_converges_at_the_kernel_rate() {
    let (grid, p, rate) = stationary();
    let errors: Vec<f64> = SIZES
        .iter()
        .map(|&size| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
            let mut v = vec![0.0; size];
            sample(Sampler::InverseCdf, &grid, &p, &mut v, &mut rng).unwrap();
            let mut back = vec![0.0; grid.len()];
            let particles = Particles {
                voltages: &v,
                rate,
                a: 1.0,
                v_r: 1.0,
            };
            let estimator = Estimator::Kernel {
                bandwidth: Bandwidth::Silverman,
            };
            estimate(estimator, &grid, &particles, &mut back).unwrap();
            assert!((grid.mass(&back) - 1.0).abs() < 1e-12);
            assert!(back[grid.len() - 1] < 0.05, "{}", back[grid.len() - 1]);
            back.iter()
                .zip(&p)
                .map(|(a, b)| (a - b).abs() * H)
                .sum::<f64>()
        })
        .collect();
    let s = slope(&SIZES.map(|n| n as f64), &errors);
    println!("kernel: L1 {errors:?}, slope {s:.3}");
    assert!((-0.5..=-0.3).contains(&s), "{s}");
}

/// Oracle: the definition of the rate read off a density, a p_{n-1} / h.
#[test]
fn imposing_the_rate_makes_the_density_carry_it_and_keeps_mass() {
    let (grid, mut p, _) = stationary();
    impose_rate(&grid, &mut p, 0.3, 1.0, 0.06).unwrap();
    assert!((grid.mass(&p) - 1.0).abs() < 1e-12);
    assert!((1.0 * p[grid.len() - 1] / H - 0.3).abs() < 1e-12);
    assert!(impose_rate(&grid, &mut p, 1e9, 1.0, 0.06).is_err());
}

#[test]
fn bad_input_is_rejected() {
    assert!(Grid::new(0.0, 1.0, 0.5, -0.1).is_err());
    let grid = Grid::new(0.0, 1.0, 0.5, 0.1).unwrap();
    assert_eq!(grid.len(), 10);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut v = vec![0.0; 4];
    let mut bad = vec![0.1; 10];
    bad[3] = f64::NAN;
    assert!(sample(Sampler::Quantile, &grid, &bad, &mut v, &mut rng).is_err());
    assert!(sample(Sampler::Quantile, &grid, &[0.0; 10], &mut v, &mut rng).is_err());
    assert!(sample(Sampler::Quantile, &grid, &[0.1; 9], &mut v, &mut rng).is_err());
    let mut out = vec![0.0; 10];
    let nan = [0.5, f64::NAN];
    let particles = Particles {
        voltages: &nan,
        rate: 0.0,
        a: 1.0,
        v_r: 0.5,
    };
    assert!(estimate(Estimator::Histogram, &grid, &particles, &mut out).is_err());
    let ok = [0.5];
    let particles = Particles {
        voltages: &ok,
        rate: 0.0,
        a: 1.0,
        v_r: 0.5,
    };
    let zero = Estimator::Kernel {
        bandwidth: Bandwidth::Fixed(0.0),
    };
    assert!(estimate(zero, &grid, &particles, &mut out).is_err());
}
