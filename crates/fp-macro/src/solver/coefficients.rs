//! The coefficients a density step freezes.

/// The coefficients frozen for one step of [`MacroSolver::step_with`](crate::MacroSolver::step_with):
/// the diffusion `a` and the drift shift, the drift being `-v + shift`.
///
/// For one population of the model of `ModelParams` they are `a = a0 + a1 N*` and
/// `shift = b N* + I(t)` ([`MacroSolver::coefficients`](crate::MacroSolver::coefficients));
/// for population `α` of a network, `a_α = a0_α + Σ_β a1[α][β] N*_β` and
/// `shift_α = Σ_β coupling[α][β] N*_β + I_α(t)` (docs/model.md §10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    /// The diffusion coefficient, `a > 0`.
    pub a: f64,
    /// The drift shift: the drift is `-v + shift`.
    pub shift: f64,
}
