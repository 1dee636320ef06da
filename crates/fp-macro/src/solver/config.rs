//! The settings of the mean-field solver (the `solver.macro` section of a config).

use serde::{Deserialize, Serialize};

use crate::operator::Reinjection;
use crate::scheme::Scheme;

/// Settings of the mean-field solver, as written in the `solver.macro` section of a config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MacroConfig {
    /// Flux scheme (read by [`MacroSolver::new`](crate::MacroSolver::new) and the other constructors of
    /// `MacroSolver<Scheme>`; kept but unused by [`MacroSolver::with_scheme`](crate::MacroSolver::with_scheme)).
    pub scheme: Scheme,
    /// Lower end of the truncated domain (no flux there).
    pub v_min: f64,
    /// Grid spacing `h`; must divide `v_f - v_r`.
    pub dv: f64,
    /// Time step.
    pub dt: f64,
    /// Implicit or explicit re-injection of the outflow at `V_R`.
    pub reinjection: Reinjection,
    /// When the step's frozen coefficients (the rate in the drift and the diffusion, and
    /// the input) are taken: at the start of the step (default) or predicted at its end.
    pub frozen_at: FrozenAt,
}

/// When the coefficients a step freezes are taken (docs/fp-macro.md, "Time stepping").
///
/// The step is linearly implicit: the density `p^{m+1}` is implicit, the drift
/// `-v + b N + I` and the diffusion `a(N)` are frozen for the step. Either choice keeps
/// the M-matrix (so non-negativity and mass to round-off) and the steady states, which
/// satisfy `N^m = N^{m-1}`; they differ in the time error.
///
/// New ways may be added: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FrozenAt {
    /// `N^m`, `a(N^m)`, `I(t^m)`: the rate lags one step behind the density. Near a
    /// blow-up, where `N` grows fast, that lag dominates the (first-order) time error.
    #[default]
    StepStart,
    /// `I(t^{m+1})` exactly and the rate extrapolated linearly to `t^{m+1}`,
    /// `N* = max(0, 2 N^m - N^{m-1})` (`N^{m-1} = N^m` on the first step after a start),
    /// with `a(N*)`: what backward Euler evaluates, to second order. The step stays
    /// first order, but without the lag: on the blow-up of `configs/blowup-a.ron` the
    /// rate passes 20 at `dt = 1e-3` within 0.001 of the `dt = 1e-5` time, against 0.014
    /// with `StepStart` (test `frozen_at_step_end_removes_the_lag_at_blow_up`). Free: the
    /// same one solve per step.
    StepEnd,
}

impl Default for MacroConfig {
    fn default() -> Self {
        MacroConfig {
            scheme: Scheme::ScharfetterGummel,
            v_min: -4.0,
            dv: 0.02,
            dt: 1e-4,
            reinjection: Reinjection::Implicit,
            frozen_at: FrozenAt::StepStart,
        }
    }
}
