//! Degenerate samples and round-off in the conversions (issue 10, finding 5): one particle,
//! identical particles, particles on nodes and at the ends of the grid, zero sample spread,
//! kink corrections and rate layers that used to produce tiny negatives, densities with
//! round-off negatives. Each case fails on the code before the fix unless noted.

use coupling::{
    Bandwidth, CouplingError, Estimator, Grid, Particles, Sampler, Tally, estimate, impose_rate,
    sample,
};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const H: f64 = 0.02;
const N: usize = 300;
const SILVERMAN: Estimator = Estimator::Kernel {
    bandwidth: Bandwidth::Silverman,
};

/// The mesh of `configs/kick.ron`: v_min = -4, dv = 0.02, V_F = 2 (node 300).
fn grid() -> Grid {
    let grid = Grid::new(-4.0, 2.0, 1.0, H).unwrap();
    assert_eq!(grid.len(), N);
    grid
}

fn estimators() -> [Estimator; 4] {
    [
        Estimator::Histogram,
        SILVERMAN,
        Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(0.1),
        },
        Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(1e-3),
        },
    ]
}

/// Oracle: the definition of a probability density on the grid — finite, non-negative,
/// discrete mass `h Σ p_i` equal to 1 (conservation of the unit mass, to 1e-12).
fn assert_density(grid: &Grid, p: &[f64], what: &str) {
    for (i, &x) in p.iter().enumerate() {
        assert!(x.is_finite() && x >= 0.0, "{what}: p[{i}] = {x:e}");
    }
    let mass = grid.mass(p);
    assert!((mass - 1.0).abs() <= 1e-12, "{what}: mass {mass}");
}

fn estimate_all(voltages: &[f64], rate: f64, v_r: f64) -> Vec<(Estimator, Vec<f64>, f64)> {
    let grid = grid();
    estimators()
        .into_iter()
        .map(|estimator| {
            let mut out = vec![0.0; N];
            let particles = Particles {
                voltages,
                rate,
                a: 1.0,
                v_r,
            };
            let report = estimate(estimator, &grid, &particles, &mut out)
                .unwrap_or_else(|e| panic!("{estimator:?} on {voltages:?}: {e}"));
            assert_density(&grid, &out, &format!("{estimator:?} on {voltages:?}"));
            (estimator, out, report.bandwidth)
        })
        .collect()
}

/// The failing hand-over of `kick.ron` with one particle: the kink correction at V_R,
/// `(N/2a)(E|x + σZ| - |x|)`, is non-negative by Jensen's inequality but was computed with
/// cancellation and came out at -1e-22 eight bandwidths from V_R. Oracle: non-negativity
/// and unit mass; Silverman's spread of one particle is 0, so the bandwidth is the
/// documented minimum, the grid spacing.
#[test]
fn one_particle_far_from_the_reset_gives_a_density() {
    for v in [0.0, 0.84, -3.0, 1.5] {
        for (estimator, _, bandwidth) in estimate_all(&[v], 0.7, 1.0) {
            if estimator == SILVERMAN {
                assert_eq!(bandwidth, H);
            }
        }
    }
}

/// Identical particles: zero sample variance and zero interquartile range. Oracle:
/// Silverman's rule gives 0, so the bandwidth is exactly the documented minimum h; the
/// histogram puts all particles into one control volume, `p_i = 1/h` (exact formula).
#[test]
fn identical_particles_have_the_minimum_bandwidth() {
    let grid = grid();
    for v in [0.3, -1.234_567, 1.9] {
        let voltages = vec![v; 17];
        for (estimator, p, bandwidth) in estimate_all(&voltages, 2.5, 1.0) {
            match estimator {
                Estimator::Histogram => {
                    let cell = ((v - grid.node_from_v_min(0)) / H + 0.5).floor() as usize;
                    // One division by the mass: exact to a few ulps.
                    assert!(
                        (p[cell] * H - 1.0).abs() <= 4.0 * f64::EPSILON,
                        "{}",
                        p[cell]
                    );
                }
                e if e == SILVERMAN => assert_eq!(bandwidth, H),
                _ => {}
            }
        }
    }
}

/// Particles exactly on nodes (including V_R, node 0 and node n-1). Oracle: the histogram
/// counts a particle on node i in control volume i, so `p_i = count_i / (N h)` exactly.
#[test]
fn particles_on_grid_nodes() {
    let grid = grid();
    let nodes = [0, 1, 150, 250, N - 2, N - 1];
    let voltages: Vec<f64> = nodes.iter().map(|&i| grid.node_from_v_min(i)).collect();
    for (estimator, p, _) in estimate_all(&voltages, 1.0, grid.node_from_v_min(250)) {
        if estimator == Estimator::Histogram {
            for (i, &x) in p.iter().enumerate() {
                let expected = if nodes.contains(&i) {
                    1.0 / (6.0 * H)
                } else {
                    0.0
                };
                assert!((x - expected).abs() <= 1e-12 * expected, "p[{i}] = {x}");
            }
        }
    }
}

/// Particles at the lower end v_0 and far below it. Oracle: both estimators count them at
/// node 0 (documented), so the histogram is `1/h` at node 0 and zero elsewhere (exact);
/// a particle 1e154 below the grid used to overflow the sample variance into an infinite
/// Silverman bandwidth, which must now stay below the grid's extent.
#[test]
fn particles_at_and_below_the_lower_end() {
    let grid = grid();
    for voltages in [
        vec![grid.node_from_v_min(0)],
        vec![grid.node_from_v_min(0) - 3.0, grid.node_from_v_min(0)],
    ] {
        let (_, p, _) = &estimate_all(&voltages, 0.0, 1.0)[0];
        assert_eq!(p[0], 1.0 / H);
        assert!(p[1..].iter().all(|&x| x == 0.0));
    }
    for (estimator, _, bandwidth) in
        estimate_all(&[-1e154, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 0.5, 1.0)
    {
        if estimator == SILVERMAN {
            assert!((H..=6.0).contains(&bandwidth), "{bandwidth}");
        }
    }
}

/// A particle just below V_F (in the half cell that belongs to the Dirichlet node, and
/// one ulp below V_F, where linear binning used to round it onto V_F and lose it).
/// Oracle: with nothing below that half cell, the histogram documents that the particle
/// counts in the last control volume, `p_{n-1} = 1/h` (exact).
#[test]
fn particles_just_below_the_threshold() {
    let grid = grid();
    let v_f = grid.v_f_from_v_min();
    for v in [v_f.next_down(), v_f - 0.25 * H, v_f - 0.5 * H] {
        let (_, p, _) = &estimate_all(&[v], 0.0, 1.0)[0];
        assert_eq!(p[N - 1], 1.0 / H, "{v}");
        estimate_all(&[v, v, v], 1.0, 1.0);
    }
    // Mixed with particles at V_F (absorbed, carrying no density).
    estimate_all(&[v_f, v_f, 0.5], 1.0, 1.0);
}

/// Oracle: the documented typed error — particles at or above V_F have fired and carry no
/// density; with no particle below V_F there is nothing to estimate.
#[test]
fn particles_only_at_the_threshold_are_a_typed_error() {
    let grid = grid();
    let voltages = [grid.v_f_from_v_min(); 3];
    for estimator in estimators() {
        let mut out = vec![0.0; N];
        let particles = Particles {
            voltages: &voltages,
            rate: 1.0,
            a: 1.0,
            v_r: 1.0,
        };
        assert_eq!(
            estimate(estimator, &grid, &particles, &mut out),
            Err(CouplingError::NoMass)
        );
    }
}

/// Extreme fixed bandwidths are clamped to keep the arithmetic finite (documented range
/// [1e-6 h, 1e6 (V_F - v_0)]). Oracle: unit mass and non-negativity; a kernel far narrower
/// than h evaluated on linearly binned particles is the linear binning itself (exact).
#[test]
fn extreme_fixed_bandwidths_stay_finite() {
    let grid = grid();
    let voltages = [0.0, 0.5 + 0.25 * H, 1.0];
    for sigma in [1e-300, 1e-9, 1e300] {
        let mut out = vec![0.0; N];
        let particles = Particles {
            voltages: &voltages,
            rate: 0.0,
            a: 1.0,
            v_r: 1.0,
        };
        let estimator = Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(sigma),
        };
        estimate(estimator, &grid, &particles, &mut out).unwrap();
        assert_density(&grid, &out, &format!("sigma {sigma}"));
        if sigma < 1e-6 {
            let i = ((0.5 - grid.node_from_v_min(0)) / H).round() as usize;
            let expected = [(200, 1.0), (i, 0.75), (i + 1, 0.25), (250, 1.0)];
            for (j, w) in expected {
                assert!((out[j] - w / (3.0 * H)).abs() < 1e-9, "p[{j}] = {}", out[j]);
            }
        }
    }
}

/// Sampling a density with round-off negatives (as a mean-field solver may leave next to
/// V_F). Oracle: the documented clamp — the result is identical to sampling the density
/// with those values replaced by 0; a negative beyond round-off is still a typed error.
#[test]
fn sampling_tolerates_round_off_negatives() {
    let grid = grid();
    let mut clean: Vec<f64> = (0..N)
        .map(|i| (-(grid.node_from_v_min(i) - 0.5).powi(2)).exp())
        .collect();
    clean[N - 1] = 0.0;
    clean[N - 2] = 0.0;
    let mut noisy = clean.clone();
    noisy[N - 1] = -1.1e-22;
    noisy[N - 2] = -3e-17;
    for sampler in [Sampler::InverseCdf, Sampler::Stratified, Sampler::Quantile] {
        let mut a = vec![0.0; 101];
        let mut b = vec![0.0; 101];
        sample(
            sampler,
            &grid,
            &clean,
            &mut a,
            &mut Xoshiro256PlusPlus::seed_from_u64(4),
        )
        .unwrap();
        sample(
            sampler,
            &grid,
            &noisy,
            &mut b,
            &mut Xoshiro256PlusPlus::seed_from_u64(4),
        )
        .unwrap();
        assert_eq!(a, b, "{sampler:?}");
    }
    noisy[N - 2] = -1e-3;
    let mut v = vec![0.0; 4];
    let err = sample(
        Sampler::Quantile,
        &grid,
        &noisy,
        &mut v,
        &mut Xoshiro256PlusPlus::seed_from_u64(4),
    );
    assert_eq!(
        err,
        Err(CouplingError::Value {
            index: N - 2,
            value: -1e-3
        })
    );
}

/// A density concentrated on one node i: the reconstruction is the hat on
/// `[v_{i-1}, v_{i+1}]`. Oracle (exact formula): its distribution function is
/// `x² / (2h²)` at `v_{i-1} + x`, so the quantile sample of two particles is
/// `v_{i-1} + h/√2` and `v_{i+1} - h/√2`; every sampler stays in `[v_{i-1}, v_{i+1}]`.
#[test]
fn sampling_a_single_cell_density() {
    let grid = grid();
    for i in [0, 150, N - 1] {
        let mut p = vec![0.0; N];
        p[i] = 1.0 / H;
        let lo = grid.node_from_v_min(i) - H;
        let hi = grid.node_from_v_min(i) + H;
        let mut v = vec![0.0; 2];
        sample(
            Sampler::Quantile,
            &grid,
            &p,
            &mut v,
            &mut Xoshiro256PlusPlus::seed_from_u64(0),
        )
        .unwrap();
        assert!((v[0] - (lo + H / 2f64.sqrt())).abs() < 1e-12, "{v:?}");
        assert!((v[1] - (hi - H / 2f64.sqrt())).abs() < 1e-12, "{v:?}");
        for sampler in [Sampler::InverseCdf, Sampler::Stratified] {
            let mut v = vec![0.0; 1000];
            sample(
                sampler,
                &grid,
                &p,
                &mut v,
                &mut Xoshiro256PlusPlus::seed_from_u64(1),
            )
            .unwrap();
            assert!(
                v.iter()
                    .all(|&x| x >= lo && x <= hi && x < grid.v_f_from_v_min())
            );
        }
    }
}

/// Oracle: the definition of the rate read off a density, `a p_{n-1} / h`, and unit mass.
fn assert_rate(grid: &Grid, p: &[f64], rate: f64, a: f64) {
    assert_density(grid, p, "impose_rate");
    let carried = a * p[N - 1] / H;
    assert!(
        (carried - rate).abs() <= 1e-12 * rate.max(1.0),
        "{carried} vs {rate}"
    );
}

/// `impose_rate` on an estimate with round-off negatives (the hand-over of `kick.ron`).
#[test]
fn imposing_the_rate_tolerates_round_off_negatives() {
    let grid = grid();
    let mut p: Vec<f64> = (0..N)
        .map(|i| (-(grid.node_from_v_min(i) - 0.5).powi(2)).exp())
        .collect();
    let mass = grid.mass(&p);
    p.iter_mut().for_each(|x| *x /= mass);
    p[242] = -1.1566863246301435e-22;
    p[5] = -2e-19;
    impose_rate(&grid, &mut p, 0.4, 1.0, 3.0 * H).unwrap();
    assert_rate(&grid, &p, 0.4, 1.0);
}

/// A density with all its mass inside the rate layer (one particle next to V_F, as a
/// histogram): there is nothing below the layer to rescale, so the layer narrows to the
/// nodes above the mass. Oracle: rate read-off and unit mass. With all the mass on the last
/// node the density's own rate is `a / h²` and no other rate can be carried without
/// inventing mass: a typed error naming `rate`.
#[test]
fn imposing_the_rate_on_mass_inside_the_layer() {
    let grid = grid();
    for cell in [N - 2, N - 3, N - 5] {
        let mut p = vec![0.0; N];
        p[cell] = 1.0 / H;
        impose_rate(&grid, &mut p, 0.3, 1.5, 5.0 * H).unwrap();
        assert_rate(&grid, &p, 0.3, 1.5);
    }
    let mut p = vec![0.0; N];
    p[N - 1] = 1.0 / H;
    let err = impose_rate(&grid, &mut p, 0.3, 1.5, 5.0 * H).unwrap_err();
    assert_eq!(err.field(), "rate");
    impose_rate(&grid, &mut p, 1.5 / (H * H), 1.5, 5.0 * H).unwrap();
    assert_rate(&grid, &p, 1.5 / (H * H), 1.5);
}

/// The largest rate a one-node layer can carry, `a / h²`, puts the unit mass on node
/// n-1; round-off in `1/h - h Σ layer` must not turn that into an error or a negative.
#[test]
fn imposing_the_largest_rate() {
    let grid = grid();
    for a in [1.0, 0.3, 2.7] {
        let mut p = vec![1.0 / (N as f64 * H); N];
        let rate = a / (H * H);
        impose_rate(&grid, &mut p, rate, a, 0.0).unwrap();
        assert_rate(&grid, &p, rate, a);
    }
}

/// Oracle: the documented validation — each bad setting is a typed error naming its field.
#[test]
fn bad_settings_name_their_field() {
    for s in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let estimator = Estimator::Kernel {
            bandwidth: Bandwidth::Fixed(s),
        };
        assert_eq!(estimator.validate().unwrap_err().field(), "bandwidth");
        assert_eq!(
            Bandwidth::Fixed(s).validate().unwrap_err().field(),
            "bandwidth"
        );
    }
    assert!(Estimator::Histogram.validate().is_ok());
    assert!(SILVERMAN.validate().is_ok());
    assert!(Bandwidth::Fixed(1e-3).validate().is_ok());

    let grid = grid();
    let mut out = vec![0.0; N];
    let field = |voltages: &[f64], rate: f64, a: f64, v_r: f64, out: &mut [f64]| {
        let particles = Particles {
            voltages,
            rate,
            a,
            v_r,
        };
        estimate(SILVERMAN, &grid, &particles, out)
            .unwrap_err()
            .field()
    };
    assert_eq!(field(&[0.0, f64::NAN], 0.0, 1.0, 1.0, &mut out), "voltages");
    assert_eq!(field(&[0.0], f64::NAN, 1.0, 1.0, &mut out), "rate");
    assert_eq!(field(&[0.0], -1.0, 1.0, 1.0, &mut out), "rate");
    assert_eq!(field(&[0.0], 1.0, 0.0, 1.0, &mut out), "a");
    assert_eq!(field(&[0.0], 1.0, 1.0, f64::NAN, &mut out), "v_r");
    // Oracle: the grid's reset node (the grid is built with V_R = 1): a finite reset of
    // another model, or off the node, is named too; the grid's own passes.
    assert_eq!(field(&[0.0], 1.0, 1.0, 0.5, &mut out), "v_r");
    assert_eq!(field(&[0.0], 1.0, 1.0, 1.0 + 0.3 * H, &mut out), "v_r");
    let particles = Particles {
        voltages: &[0.0],
        rate: 1.0,
        a: 1.0,
        v_r: 1.0,
    };
    assert!(estimate(SILVERMAN, &grid, &particles, &mut out).is_ok());
    // The histogram has no kink: its `v_r` is neither used nor checked.
    let histogram = Particles {
        v_r: 0.5,
        ..particles
    };
    assert!(estimate(Estimator::Histogram, &grid, &histogram, &mut out).is_ok());
    // The tally, the same check.
    let mut tally = Tally::new(SILVERMAN, &grid).unwrap();
    tally.add(&[0.0]);
    assert_eq!(
        tally.estimate(1.0, 1.0, 0.5, &mut out).unwrap_err().field(),
        "v_r"
    );

    let mut p = vec![1.0 / (N as f64 * H); N];
    for (rate, a, width, name) in [
        (f64::NAN, 1.0, H, "rate"),
        (1.0, -1.0, H, "a"),
        (1.0, 1.0, f64::NAN, "width"),
        (1.0, 1.0, -H, "width"),
    ] {
        let err = impose_rate(&grid, &mut p, rate, a, width).unwrap_err();
        assert_eq!(err.field(), name);
    }
}

/// A grid whose nodes coincide in floating point is rejected (typed); a grid of tiny but
/// resolved spacing works. Oracle: the documented grid conditions, and unit mass.
#[test]
fn grids_must_resolve_their_nodes() {
    // A quarter of an ulp at V_F = 1e10: the nodes next to V_F coincide with it.
    let (v_f, ulp) = (1e10, 1e10f64.next_up() - 1e10);
    let err = Grid::new(v_f - 3.0 * ulp, v_f, v_f - 2.0 * ulp, ulp / 4.0).unwrap_err();
    assert_eq!(err.field, "dv");
    assert!(Grid::new(-1e308, 1e308, 0.0, 1e306).is_err());
    let grid = Grid::new(0.0, 5e-199, 2e-199, 1e-200).unwrap();
    assert_eq!(grid.len(), 50);
    let voltages = [1e-199, 2e-199, 2e-199, 4.9e-198];
    for estimator in estimators() {
        let mut out = vec![0.0; 50];
        let particles = Particles {
            voltages: &voltages,
            rate: 1.0,
            a: 1.0,
            v_r: 2e-199,
        };
        estimate(estimator, &grid, &particles, &mut out).unwrap();
        for &x in &out {
            assert!(x.is_finite() && x >= 0.0);
        }
        assert!((grid.mass(&out) - 1.0).abs() <= 1e-12);
    }
}
