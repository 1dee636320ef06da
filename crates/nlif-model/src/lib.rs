#![doc = include_str!("../README.md")]
//!
//! ## The model
//!
//! The model (time in membrane time constants): between spikes each neuron follows
//!
//! ```text
//! dV = (-V + I(t)) dt + sqrt(2 a(N)) dW,     a(N) = a0 + a1 N,
//! ```
//!
//! fires at `V_F`, is reset to `V_R`, and kicks every other neuron by `b / N_p`. Its
//! mean-field limit is the Fokker–Planck equation
//! `∂t p + ∂v((-v + bN + I) p) - a ∂vv p = N δ(v - V_R)` with `N = -a ∂v p(V_F)`.
//!
//! ```
//! use nlif_model::{ModelParams, stationary_rates, siegert_rate};
//!
//! // An excitatory network with two stationary states (docs/model.md §6).
//! let params = ModelParams { b: 1.5, ..ModelParams::default() };
//! params.validate()?;
//! let rates = stationary_rates(&params, 0.0)?;
//! assert_eq!(rates.len(), 2);
//! // Each is a fixed point of the Siegert map N = ν(bN).
//! for &n in &rates {
//!     let nu = siegert_rate(params.b * n, params.a0, params.v_f, params.v_r)?;
//!     assert!((nu - n).abs() < 1e-9 * n);
//! }
//! # Ok::<(), nlif_model::ModelError>(())
//! ```
//!
//! Networks of `P` populations (excitatory–inhibitory and beyond), of which this model is
//! the case `P = 1`, and their stationary states are in module [`network`].
//!
//! The crate does no I/O; every fallible function returns a [`ModelError`] that names the
//! offending field (a [`GridError`] for the voltage [`Grid`] shared by the mean-field
//! solver and the particle conversions).

mod blowup;
mod error;
mod grid;
mod initial;
mod input;
pub mod network;
mod params;
mod refractory;
pub mod seed;
pub mod special;
mod stationary;
pub mod time;

pub use blowup::blowup_witness;
pub use error::ModelError;
pub use grid::{Grid, GridError, MAX_CELLS};
pub use initial::InitialDensity;
pub use input::Input;
pub use params::ModelParams;
pub use refractory::Refractory;
pub use stationary::{
    EXACT_MAX_MAGNITUDE, STATIONARY_RESIDUAL_TOL, StationaryState, mean_interspike_interval,
    siegert_rate, stationary_density, stationary_rates, stationary_states,
    stationary_states_refractory,
};
