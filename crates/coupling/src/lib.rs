//! # coupling
//!
//! Conversions between the two descriptions of a noisy integrate-and-fire network, on
//! plain arrays: a voltage density given by nodal values on a uniform grid ending at the
//! threshold `V_F` (where it vanishes), and a population of particle voltages.
//!
//! - density → particles: [`sample`] with a [`Sampler`] (inverse CDF, stratified, quantile)
//!   of the piecewise-linear reconstruction ([`sampling`]);
//! - particles → density: [`estimate`] with an [`Estimator`] (mass-preserving histogram,
//!   boundary- and kink-aware kernel estimate) ([`estimation`]), and [`impose_rate`] to
//!   make the density next to the threshold carry the particles' firing rate.
//!
//! ```
//! use coupling::{Estimator, Particles, Sampler, UniformGrid, estimate, sample};
//! use rand::SeedableRng;
//!
//! // A triangle density on [-1, 2) with nodes every 0.1 (V_F = 2 is node 30).
//! let grid = UniformGrid::new(-1.0, 0.1, 30)?;
//! let mut p: Vec<f64> = (0..30).map(|i| (2.0 - grid.node(i)).min(grid.node(i) + 1.1)).collect();
//! let mass = grid.mass(&p);
//! p.iter_mut().for_each(|x| *x /= mass);
//!
//! let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
//! let mut voltages = vec![0.0; 100_000];
//! sample(Sampler::Stratified, &grid, &p, &mut voltages, &mut rng)?;
//!
//! let mut back = vec![0.0; 30];
//! let particles = Particles { voltages: &voltages, rate: 0.0, a: 1.0, v_r: 1.0 };
//! estimate(Estimator::Histogram, &grid, &particles, &mut back)?;
//! assert!((grid.mass(&back) - 1.0).abs() < 1e-12);
//! let l1: f64 = p.iter().zip(&back).map(|(a, b)| (a - b).abs() * 0.1).sum();
//! assert!(l1 < 0.02, "{l1}");
//! # Ok::<(), coupling::CouplingError>(())
//! ```
//!
//! Round-off is tolerated, degenerate samples are not errors: density values below zero by
//! at most [`ROUND_OFF`] of the largest value are taken as 0; one particle, identical
//! particles, particles on nodes or next to `V_F` all give a finite, non-negative density
//! of unit mass. Only genuinely invalid input (a real negative or non-finite value, no
//! mass, no particle below `V_F`, a bad setting) is a [`CouplingError`], which names the
//! offending input ([`CouplingError::field`]).
//!
//! The crate does no I/O and never prints.

mod error;
pub mod estimation;
mod grid;
pub mod sampling;

pub use error::CouplingError;
pub use estimation::{Bandwidth, EstimateReport, Estimator, Particles, estimate, impose_rate};
pub use grid::{ROUND_OFF, UniformGrid};
pub use sampling::{Sampler, reconstruction_cdf, sample};
