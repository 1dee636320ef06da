//! # fp-macro
//!
//! Structure-preserving solvers of the mean-field Fokker–Planck equation of a noisy
//! leaky integrate-and-fire network (docs/model.md §3):
//!
//! ```text
//! ∂t p + ∂v((-v + bN + I) p) - a(N) ∂vv p = N(t) δ(v - V_R),   p(V_F) = 0,
//! N(t) = -a(N) ∂v p(V_F, t),
//! ```
//!
//! on `[V_min, V_F]` with no flux at `V_min`.
//!
//! - Space: vertex-centred finite volumes ([`Grid`], `V_R` on a node) with two-point
//!   fluxes ([`scheme`]): Chang–Cooper and Scharfetter–Gummel (exponentially fitted,
//!   positivity-preserving; second order in `h` for the firing rate and the density, as
//!   measured in the tests), and an unfitted upwind baseline (first order).
//! - Time: semi-implicit Euler, first order; `N`, `a(N)` and the drift frozen at `t^m`,
//!   the density implicit, the re-injection implicit (unconditionally positive) or
//!   explicit (`dt <= h²/a0`). Mass is conserved to round-off by construction.
//! - A step is `O(n)` (Thomas plus a Sherman–Morrison correction) with no allocation, and
//!   returns a typed [`StepOutcome`]: advanced, or a condition the caller must handle
//!   (rate above a bound, positivity lost, a kick it cannot represent, non-finite).
//!
//! ```
//! use fp_macro::{MacroConfig, MacroSolver, Scheme};
//! use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};
//!
//! // An uncoupled network relaxes to the Siegert rate (0.11998) up to O(h).
//! let params = ModelParams::default();
//! let config = MacroConfig { scheme: Scheme::ChangCooper, dv: 0.01, dt: 0.01, ..MacroConfig::default() };
//! let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
//! let mut solver = MacroSolver::from_initial(params, Input::None, config, &initial)?;
//! while solver.time() < 15.0 {
//!     solver.step(f64::INFINITY);
//! }
//! let exact = stationary_rates(&params, 0.0)?[0];
//! assert!((solver.rate() - exact).abs() < 0.01 * exact);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate does no I/O and never prints.

mod error;
mod grid;
mod operator;
pub mod scheme;
mod solver;

pub use error::MacroError;
pub use grid::{Grid, MAX_CELLS};
pub use operator::{Frozen, Reinjection, StepOperator};
pub use scheme::{FluxScheme, Scheme};
pub use solver::{MacroConfig, MacroSolver, StepOutcome};
