#![doc = include_str!("../README.md")]
//!
//! ## API map
//!
//! - [`MacroSolver`], generic over a [`FluxScheme`] (default [`Scheme`]); each
//!   [`MacroSolver::step`] returns a [`StepOutcome`].
//! - [`MacroConfig`] (the `solver.macro` settings: [`Scheme`], [`Reinjection`], `v_min`,
//!   `dv`, `dt`) and the [`Grid`] it defines (nlif-model's, re-exported: the same grid the
//!   particle conversions of `coupling` use); densities on it: [`discretise`],
//!   [`threshold_rate`].
//! - [`DensityNetwork`], the densities of a `nlif_model::network::Network` advanced
//!   together (docs/model.md §10); each [`DensityNetwork::step`] returns a
//!   [`NetworkOutcome`]; its state is [`NetworkState`] ([`NETWORK_STATE_VERSION`]). A step
//!   of one density with given [`Coefficients`] is [`MacroSolver::step_with`].
//! - Refractory periods (docs/model.md §11): [`MacroSolver::with_refractory`], a
//!   population's `refractory` in a [`DensityNetwork`]; the compartment's saved form
//!   [`RefractoryState`].
//! - Synaptic delays (docs/model.md §12): [`MacroSolver::with_delay`] (the delay of one
//!   population's own coupling, and the rate before the start), a network's `delay`
//!   matrix in a [`DensityNetwork`]; the saved form [`DelayState`].
//! - [`DilatedSolver`] (docs/model.md §13): the density in the time dilated by the firing
//!   rate, through firing events ([`FiringEvent`]) in the limit where physical time stops;
//!   settings [`DilatedConfig`], one step's report [`DilatedStep`].
//! - [`MacroState`] and [`MACRO_STATE_VERSION`]: saving and restoring
//!   ([`MacroSolver::state`], [`MacroSolver::from_state`], [`MacroSolver::from_state_with`]).
//! - [`scheme`]: the trait (with [`SchemeVisitor`], through which a scheme that chooses
//!   among schemes hands the step the chosen one), the built-in weights ([`scheme::ScharfetterGummel`],
//!   [`scheme::ChangCooper`], [`scheme::Upwind`]) and the functions they use
//!   ([`scheme::bernoulli`], [`scheme::chang_cooper_delta`]).
//! - [`MacroError`]: every refusal, naming the field ([`MacroError::field`]) and its
//!   config path ([`MacroError::path`]: `populations[1].density` in a network).
//! - Feature `sprs`: the step's matrix as a `sprs::CsMat<f64>` (`MacroSolver::step_matrix`,
//!   `MacroSolver::step_system`, `StepSystem`), for analysis; the step does not use it.

mod error;
mod grid;
mod network;
mod operator;
pub mod scheme;
mod solver;
mod state;

pub use error::MacroError;
pub use grid::{discretise, threshold_rate};
pub use network::{DensityNetwork, NETWORK_STATE_VERSION, NetworkOutcome, NetworkState};
pub use nlif_model::{Grid, GridError, MAX_CELLS};
pub use operator::Reinjection;
pub use scheme::{FluxScheme, Scheme, SchemeVisitor};
#[cfg(feature = "sprs")]
pub use solver::StepSystem;
pub use solver::{
    Coefficients, DilatedConfig, DilatedSolver, DilatedStep, FiringEvent, FrozenAt, MAX_HISTORY,
    MacroConfig, MacroSolver, StepOutcome,
};
pub use state::{DelayState, DensityDynamics, MACRO_STATE_VERSION, MacroState, RefractoryState};
