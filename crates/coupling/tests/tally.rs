//! A tally summed over parts is the tally of the whole, and so is the estimate: the
//! property a distributed hand-over rests on.
//!
//! Oracles: the single tally of all particles (the split must not matter, to the bit),
//! and two conservation laws of linear binning — each particle below `V_F` puts exactly
//! weight 1 (`2^52` in fixed point) on the nodes, and the weighted mean of the nodes is
//! the mean of the (clamped) voltages up to the rounding of the weights, `2^-52 h` a
//! particle. Sampling by parts: `sample_strata` over consecutive ranges with the
//! quantile sampler is `sample` of the whole, to the bit.

use coupling::{
    Bandwidth, Estimator, Grid, Particles, Reconstruction, Sampler, Tally, estimate, sample,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

fn estimators() -> impl Strategy<Value = Estimator> {
    prop_oneof![
        Just(Estimator::Histogram),
        Just(Estimator::Kernel {
            bandwidth: Bandwidth::Silverman
        }),
        (0.01f64..1.0).prop_map(|s| Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(s)
        }),
    ]
}

/// Voltages on a grid from -4 with spacing 0.05, 120 nodes (V_F = 2): most inside, some
/// below the grid, some at or above V_F.
fn voltages() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![8 => -4.5f64..2.0, 1 => 2.0f64..3.0, 1 => Just(-3.975)],
        1..400,
    )
}

fn grid() -> Grid {
    Grid::new(-4.0, 2.0, 1.0, 0.05).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]

    #[test]
    fn parts_sum_to_the_whole_bit_for_bit(
        estimator in estimators(),
        v in voltages(),
        cuts in prop::collection::vec(0.0f64..1.0, 0..4),
    ) {
        let grid = grid();
        let mut whole = Tally::new(estimator, &grid).unwrap();
        whole.add(&v);
        let mut points: Vec<usize> = cuts.iter().map(|c| (c * v.len() as f64) as usize).collect();
        points.push(0);
        points.push(v.len());
        points.sort_unstable();
        let mut sum = Tally::new(estimator, &grid).unwrap();
        for w in points.windows(2) {
            let mut part = Tally::new(estimator, &grid).unwrap();
            part.add(&v[w[0]..w[1]]);
            for (s, x) in sum.words_mut().iter_mut().zip(part.words()) {
                *s += x;
            }
        }
        prop_assert_eq!(sum.words(), whole.words());
        let (mut a, mut b) = (vec![0.0; grid.len()], vec![0.0; grid.len()]);
        let ra = sum.estimate(0.5, 1.0, 1.0, &mut a);
        let particles = Particles { voltages: &v, rate: 0.5, a: 1.0, v_r: 1.0 };
        let rb = estimate(estimator, &grid, &particles, &mut b);
        prop_assert_eq!(ra.is_ok(), rb.is_ok());
        prop_assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn binning_keeps_every_particle_and_the_mean(v in voltages()) {
        let grid = grid();
        let estimator = Estimator::Kernel { bandwidth: Bandwidth::Silverman };
        let mut tally = Tally::new(estimator, &grid).unwrap();
        tally.add(&v);
        let words = tally.words();
        let below = v.iter().filter(|&&x| x < 2.0).count() as u128;
        // Words: all, non-finite, below V_F, away; then the nodes.
        prop_assert_eq!(words[2] as u128, below);
        let nodes = words[4..].chunks_exact(2).map(|l| (u128::from(l[0]) << 26) + u128::from(l[1]));
        let total: u128 = nodes.clone().sum();
        prop_assert_eq!(total, below << 52);
        // The binned mean against the clamped voltages' mean.
        let node = |j: usize| grid.node_from_v_min(j);
        let binned: f64 = nodes.enumerate().map(|(j, w)| w as f64 * 2f64.powi(-52) * node(j)).sum();
        let exact: f64 = v.iter().filter(|&&x| x < 2.0).map(|&x| x.max(-4.0)).sum();
        let bound = below as f64 * (0.05 * 2f64.powi(-52) + 8.0 * f64::EPSILON * 4.0) + 1e-12;
        prop_assert!((binned - exact).abs() <= bound, "{} vs {}", binned, exact);
    }
}

#[test]
fn strata_sampled_by_parts_are_the_whole_sample() {
    let grid = grid();
    let density: Vec<f64> = (0..grid.len())
        .map(|i| {
            let v = grid.node_from_v_min(i);
            (-(v + 1.0).powi(2)).exp() * (2.0 - v)
        })
        .collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let mut whole = vec![0.0; 10_007];
    sample(Sampler::Quantile, &grid, &density, &mut whole, &mut rng).unwrap();
    let reconstruction = Reconstruction::new(&grid, &density).unwrap();
    let mut parts = vec![0.0; whole.len()];
    let mut first = 0;
    for len in [4096, 4096, 1815] {
        reconstruction.sample_strata(
            Sampler::Quantile,
            first as u64,
            whole.len() as u64,
            &mut parts[first..first + len],
            &mut rng,
        );
        first += len;
    }
    assert_eq!(first, whole.len());
    assert!(
        whole
            .iter()
            .zip(&parts)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // Stratified by parts: one point in each stratum of the whole, whatever the streams.
    let mut stratified = vec![0.0; whole.len()];
    let mut first = 0;
    for (j, len) in [4096, 4096, 1815].into_iter().enumerate() {
        let mut own = Xoshiro256PlusPlus::seed_from_u64(100 + j as u64);
        reconstruction.sample_strata(
            Sampler::Stratified,
            first as u64,
            whole.len() as u64,
            &mut stratified[first..first + len],
            &mut own,
        );
        first += len;
    }
    let cdf = |v: f64| coupling::reconstruction_cdf(&grid, &density, v);
    let n = whole.len() as f64;
    for (k, &v) in stratified.iter().enumerate() {
        let u = cdf(v);
        assert!(
            u >= k as f64 / n - 1e-9 && u <= (k + 1) as f64 / n + 1e-9,
            "particle {k} at F = {u} outside its stratum"
        );
    }
}
