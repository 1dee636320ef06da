//! The saved refractory compartment of a density.

use nlif_model::Refractory;
use serde::{Deserialize, Serialize};

/// The refractory compartment of a density with a period `τ > 0` (docs/model.md §11), as
/// plain `serde` data: part of [`MacroState`](crate::MacroState) and
/// [`DensityDynamics`](crate::DensityDynamics) (`None` there without a period), and per
/// population of [`NetworkState`](crate::NetworkState).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RefractoryState {
    /// The period (`Fixed` or `Exponential`, `tau > 0`).
    pub period: Refractory,
    /// The refractory mass `R` (the density holds `1 - R`), as the steps' balance
    /// `R += dt (N_out - Q)` left it: non-negative up to rounding.
    pub mass: f64,
    /// `Fixed`: the outflow rate of each of the last `τ/dt` steps, oldest first (the next
    /// step re-injects the first); `Exponential`: empty.
    pub history: Vec<f64>,
}

impl RefractoryState {
    /// The compartment of `period` holding the mass `mass`, with `history` the outflow of
    /// each of the last `τ/dt` steps for a `Fixed` period (empty for `Exponential`); it
    /// is checked when a density takes it
    /// ([`DensityNetwork::set_refractory_state`](crate::DensityNetwork::set_refractory_state)).
    #[must_use]
    pub fn new(period: Refractory, mass: f64, history: Vec<f64>) -> Self {
        RefractoryState {
            period,
            mass,
            history,
        }
    }
}
