//! Property tests of the conversions on degenerate and random inputs: every particle set
//! with a particle below `V_F` gives a density, `impose_rate` keeps it one, and sampling
//! tolerates round-off negatives.

use coupling::{
    Bandwidth, CouplingError, Estimator, Grid, Particles, ROUND_OFF, Sampler, estimate,
    impose_rate, sample,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// A grid: lower end, spacing, unknowns, and the reset 3 to n - 1 cells below the
/// threshold.
fn grids() -> impl Strategy<Value = Grid> {
    (-10.0f64..1.0, -3.0f64..-0.3, 4usize..400, 0.0f64..1.0).prop_map(|(v_min, log_h, n, u)| {
        let h = 10f64.powf(log_h);
        let above = 3 + ((n - 4) as f64 * u) as usize;
        let v_f = v_min + n as f64 * h;
        let grid = Grid::new(v_min, v_f, v_f - above as f64 * h, h).unwrap();
        assert_eq!(grid.len(), n);
        grid
    })
}

/// How a particle is placed on a grid; `u` in [0, 1) picks within the kind.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// One of three values shared by the whole set.
    Repeated(usize),
    /// Exactly on a node below V_F.
    Node(f64),
    /// At an end of the grid: v_0, half a cell below it, far below it, V_F - h/2, an ulp
    /// below V_F, V_F itself (absorbed).
    Boundary(usize),
    /// Uniform on [v_0 - L/4, V_F).
    Random(f64),
}

fn places() -> impl Strategy<Value = Place> {
    prop_oneof![
        (0usize..3).prop_map(Place::Repeated),
        (0.0f64..1.0).prop_map(Place::Node),
        (0usize..6).prop_map(Place::Boundary),
        (0.0f64..1.0).prop_map(Place::Random),
    ]
}

fn voltage(grid: &Grid, place: Place) -> f64 {
    let h = grid.spacing();
    let v_0 = grid.node_from_v_min(0);
    let v_f = grid.v_f_from_v_min();
    let extent = v_f - v_0;
    match place {
        Place::Repeated(k) => v_0 + [0.25, 0.5, 0.9][k] * extent,
        Place::Node(u) => {
            grid.node_from_v_min(((u * grid.len() as f64) as usize).min(grid.len() - 1))
        }
        Place::Boundary(k) => [
            v_0,
            v_0 - 0.5 * h,
            v_0 - 1e3 * extent,
            v_f - 0.5 * h,
            v_f.next_down(),
            v_f,
        ][k],
        Place::Random(u) => (v_0 - 0.25 * extent + u * 1.25 * extent).min(v_f.next_down()),
    }
}

fn estimators() -> impl Strategy<Value = Estimator> {
    prop_oneof![
        Just(Estimator::Histogram),
        Just(Estimator::Kernel {
            bandwidth: Bandwidth::Silverman
        }),
        (-9.0f64..1.5).prop_map(|x| Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(10f64.powf(x))
        }),
    ]
}

/// Oracle: the definition of a probability density on the grid — finite, non-negative,
/// discrete mass `h Σ p_i` equal to 1 to 1e-12 (conservation of the unit mass).
fn check_density(grid: &Grid, p: &[f64]) -> Result<(), TestCaseError> {
    for (i, &x) in p.iter().enumerate() {
        prop_assert!(x.is_finite() && x >= 0.0, "p[{}] = {:e}", i, x);
    }
    let mass = grid.mass(p);
    prop_assert!((mass - 1.0).abs() <= 1e-12, "mass {}", mass);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Oracles: conservation (unit mass), non-negativity and finiteness of the estimate and
    /// of the density after `impose_rate`; the rate read off the last node after
    /// `impose_rate`, `a p_{n-1} / (V_F - v_{n-1})`, equals the imposed rate (its
    /// definition); Silverman's bandwidth is at least h (documented minimum). The only
    /// errors are the documented ones: no particle below V_F (`NoMass`), and a density with
    /// all its mass on the last node asked to carry another rate (`Invalid` naming `rate`).
    #[test]
    fn every_particle_set_gives_a_density_and_carries_the_rate(
        grid in grids(),
        placed in prop::collection::vec(places(), 1..50),
        estimator in estimators(),
        rate in prop_oneof![Just(0.0), 0.0f64..50.0],
        a in 0.2f64..5.0,
        impose in 0.0f64..0.9,
        width_cells in 0.0f64..10.0,
    ) {
        let voltages: Vec<f64> = placed.iter().map(|&p| voltage(&grid, p)).collect();
        let n = grid.len();
        let h = grid.spacing();
        let v_f = grid.v_f_from_v_min();
        // The kink at the grid's reset (anywhere on the grid, as `grids` places it).
        let v_r = grid.node(grid.reset_index());
        let particles = Particles { voltages: &voltages, rate, a, v_r };
        let mut p = vec![0.0; n];
        let result = estimate(estimator, &grid, &particles, &mut p);
        if voltages.iter().all(|&v| v >= v_f) {
            prop_assert_eq!(result, Err(CouplingError::NoMass));
            return Ok(());
        }
        let report = result.unwrap();
        check_density(&grid, &p)?;
        prop_assert!(report.bandwidth.is_finite());
        if estimator == (Estimator::Kernel { bandwidth: Bandwidth::Silverman }) {
            prop_assert!(report.bandwidth >= h);
        }

        let rate = impose * a / (h * h);
        let only_last = p[..n - 1].iter().all(|&x| x == 0.0);
        match impose_rate(&grid, &mut p, rate, a, width_cells * h) {
            Ok(()) => {
                check_density(&grid, &p)?;
                let carried = a * p[n - 1] / (v_f - grid.node_from_v_min(n - 1));
                prop_assert!((carried - rate).abs() <= 1e-12 * rate.max(1e-300) + 1e-300,
                    "carried {} vs {}", carried, rate);
            }
            Err(e) => {
                prop_assert!(only_last, "{}", e);
                prop_assert_eq!(e.field(), "rate");
            }
        }
    }

    /// Oracles: sampling a density with round-off negatives (up to 1e-3 of `ROUND_OFF`
    /// relative to its largest value) returns exactly the sample of the density with those
    /// values set to 0 (the documented clamp), and every particle lies in the support of
    /// the reconstruction, `[v_0 - h, V_F)`; a single-cell density is sampled too.
    #[test]
    fn sampling_tolerates_round_off_and_stays_in_the_support(
        grid in grids(),
        shape in prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..10.0], 2..400),
        single in prop::option::of(0.0f64..1.0),
        noise in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 0..20),
        sampler in prop_oneof![
            Just(Sampler::InverseCdf), Just(Sampler::Stratified), Just(Sampler::Quantile)
        ],
        count in 1usize..200,
        seed in any::<u64>(),
    ) {
        let n = grid.len();
        let mut clean: Vec<f64> = (0..n).map(|i| shape[i % shape.len()]).collect();
        if let Some(u) = single {
            clean.iter_mut().for_each(|x| *x = 0.0);
            clean[((u * n as f64) as usize).min(n - 1)] = 1.0;
        }
        if clean.iter().all(|&x| x == 0.0) {
            clean[n / 2] = 1.0;
        }
        let largest = clean.iter().copied().fold(0.0, f64::max);
        let mut noisy = clean.clone();
        for &(at, size) in &noise {
            let i = ((at * n as f64) as usize).min(n - 1);
            if clean[i] == 0.0 {
                noisy[i] = -size * 1e-3 * ROUND_OFF * largest;
            }
        }
        let mut a = vec![0.0; count];
        let mut b = vec![0.0; count];
        sample(sampler, &grid, &clean, &mut a, &mut Xoshiro256PlusPlus::seed_from_u64(seed))
            .unwrap();
        sample(sampler, &grid, &noisy, &mut b, &mut Xoshiro256PlusPlus::seed_from_u64(seed))
            .unwrap();
        prop_assert_eq!(&a, &b);
        let low = grid.node_from_v_min(0) - grid.spacing();
        for &v in &b {
            prop_assert!(v.is_finite() && v >= low && v < grid.v_f_from_v_min(), "{}", v);
        }
    }
}
