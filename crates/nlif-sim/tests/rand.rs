//! The re-exported `rand` is the one the solvers' API takes: a generator of the
//! re-exported `rand_xoshiro` satisfies every `Rng` bound of the solver crates, through
//! the facade alone.

use nlif_sim::coupling::{Grid, Sampler, sample};
use nlif_sim::nlif_micro::stepper::standard_normal;
use nlif_sim::rand::{Rng, SeedableRng};
use nlif_sim::rand_xoshiro::Xoshiro256PlusPlus;

/// Bound by the facade's `rand::Rng`, forwarding to the solver crates' bounds: it compiles
/// only if the three traits are one.
fn draw<R: Rng>(rng: &mut R, grid: &Grid, density: &[f64], out: &mut [f64]) -> f64 {
    sample(Sampler::InverseCdf, grid, density, out, rng).expect("a valid density");
    standard_normal(rng)
}

#[test]
fn facade_generators_satisfy_the_solvers_rng_bounds() {
    let grid = Grid::new(-1.0, 2.0, 1.0, 0.1).unwrap();
    let mut density = vec![1.0; 30];
    let mass = grid.mass(&density);
    density.iter_mut().for_each(|p| *p /= mass);
    let mut out = [0.0; 8];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let z = draw(&mut rng, &grid, &density, &mut out);
    assert!(z.is_finite());
    assert!(out.iter().all(|&v| v.is_finite() && v < 2.0));
}

#[test]
fn the_crates_reexport_one_rand() {
    // The same trait under every path: a `dyn` of one is a `dyn` of the others.
    fn same(rng: &mut dyn nlif_sim::rand::Rng) -> &mut dyn nlif_sim::coupling::rand::Rng {
        rng
    }
    fn same_again(
        rng: &mut dyn nlif_sim::coupling::rand::Rng,
    ) -> &mut dyn nlif_sim::nlif_micro::rand::Rng {
        rng
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
    let _ = same_again(same(&mut rng)).next_u64();
}
