#![doc = include_str!("../README.md")]
//!
//! ## API map
//!
//! - density → particles: [`sample`] with a [`Sampler`] ([`sampling`]), or any range of
//!   the strata with [`Reconstruction::sample_strata`] (one process's share);
//! - particles → density: [`estimate`] with an [`Estimator`] ([`estimation`]), and
//!   [`impose_rate`]; for particles split across processes, a [`Tally`] per part, summed
//!   as integers (exact, so the estimate does not depend on the split).
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
mod tally;

pub use error::CouplingError;
pub use estimation::{Bandwidth, EstimateReport, Estimator, Particles, estimate, impose_rate};
pub use grid::ROUND_OFF;
pub use nlif_model::Grid;
pub use sampling::{Reconstruction, Sampler, reconstruction_cdf, sample};
pub use tally::Tally;

/// The `rand` whose [`Rng`](rand::Rng) [`sample`] and [`Reconstruction::sample_strata`]
/// take: a generator of another `rand` version does not implement it (error E0277).
pub use rand;
