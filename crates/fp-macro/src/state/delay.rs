//! The saved synaptic delay of a density.

use serde::{Deserialize, Serialize};

/// The synaptic delay of a [`MacroSolver`](crate::MacroSolver)'s own coupling and the
/// rates it reads (docs/model.md §12), as plain `serde` data: part of
/// [`MacroState`](crate::MacroState) and [`DensityDynamics`](crate::DensityDynamics)
/// (`None` there without a delay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DelayState {
    /// The delay `D > 0`, a whole number `K` of steps `dt`.
    pub delay: f64,
    /// The rates `N^{m-K} .. N^{m-1}` of the last `K` steps, oldest first (the prior rate
    /// for steps before the start).
    pub history: Vec<f64>,
}
