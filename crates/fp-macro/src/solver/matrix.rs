//! The step's linear system as a sparse matrix, for analysis (feature `sprs`).

use super::MacroSolver;
use super::step::shift_density;
use crate::operator::{Frozen, Reentry};
use crate::scheme::FluxScheme;

/// The linear system of one density step, `matrix · p^{m+1} = rhs` (feature `sprs`): see
/// [`MacroSolver::step_system`].
#[derive(Debug, Clone, PartialEq)]
pub struct StepSystem {
    /// The step matrix `M`, `n × n` in compressed sparse rows: three bands and, with
    /// implicit re-injection, the entry `(r, n-1)`.
    pub matrix: sprs::CsMat<f64>,
    /// The right-hand side: `p^m / dt` (after the step's input kick, if one falls into
    /// it), with explicit re-injection the outflow moved from the last cell to `V_R`; with
    /// a refractory period the compartment's re-injection enters at `V_R` instead.
    pub rhs: Vec<f64>,
}

/// The step matrix for analysis (feature `sprs`).
///
/// The step itself never assembles it: [`MacroSolver::step`] forms the rows inside its
/// `O(n)` two-chain elimination without allocating (docs/fp-macro.md, "Solve"). These
/// methods build the same matrix as a [`sprs::CsMat`], for its spectrum, its M-matrix
/// property or an export (to SciPy through the triplets or Matrix Market, say).
impl<S: FluxScheme> MacroSolver<S> {
    /// The matrix `M` of a step of length `dt` from the current state with the frozen rate
    /// `rate`: row `i` (cell `i` divided by `h`) holds `-κ A_{i-1/2}` at `i-1`,
    /// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i` and `-κ B_{i+1/2}` at `i+1`, `κ = a/h²`,
    /// the weights `(A, B)` of the scheme at the Péclet numbers
    /// `w = (b · rate + I - v_{i+1/2}) h / a`, `a = a(rate)`, the input `I` at the step's
    /// start or end as `config.frozen_at` says; the last face is the outflow (weight 1
    /// implicit, 0 explicit), and implicit re-injection adds `-κ` at `(r, n-1)` (with a
    /// refractory period `-κ · share`, the part of the outflow re-injected within the
    /// step: `dt/(τ + dt)` for `Exponential`, 0 for `Fixed`).
    ///
    /// With non-negative weights it is an M-matrix (positive diagonal, non-positive
    /// elsewhere) whose columns sum to `1/dt`, so that `M^{-1} >= 0` and
    /// `‖M^{-1}‖₁ = dt` (docs/fp-macro.md, "Time stepping").
    ///
    /// # Panics
    ///
    /// If `rate` or `dt` is not finite, or `dt <= 0`.
    #[must_use]
    pub fn step_matrix(&self, rate: f64, dt: f64) -> sprs::CsMat<f64> {
        assert!(
            rate.is_finite() && dt.is_finite() && dt > 0.0,
            "a finite rate and a positive time step"
        );
        self.matrix_of(self.frozen(rate, dt))
    }

    /// The system the next [`step`](MacroSolver::step) solves, `M p^{m+1} = rhs`: the
    /// matrix of [`step_matrix`](MacroSolver::step_matrix) with the rate and `dt` the step
    /// freezes, and the right-hand side from the current density, shifted first by an
    /// input kick that falls into the step (a kick that reaches `V_F` makes the step
    /// refuse with [`StepOutcome::SynchronousKick`](crate::StepOutcome::SynchronousKick) instead; the system is then that of
    /// the shifted density below `V_F`). Its solution is the step's new density, to
    /// round-off (tested against a dense elimination). Allocates.
    #[must_use]
    pub fn step_system(&self) -> StepSystem {
        let dt = self.config.dt;
        let frozen = self.frozen(self.frozen_rate(), dt);
        let t = self.time();
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        let previous = match self.input.kick_within(t, t_next) {
            Some(dv) => {
                let mut shifted = vec![0.0; self.grid.len()];
                let _ = shift_density(&self.grid, &self.density, dv, &mut shifted);
                shifted
            }
            None => self.density.clone(),
        };
        StepSystem {
            matrix: self.matrix_of(frozen),
            rhs: crate::operator::step_rhs(
                &self.grid,
                frozen,
                self.config.reinjection,
                self.reentry(),
                &previous,
            ),
        }
    }

    /// What the next step re-injects at `V_R` (the refractory compartment's, or all of
    /// the outflow at once).
    fn reentry(&self) -> Reentry {
        self.refractory
            .as_ref()
            .map_or(Reentry::ALL, |c| c.reentry(self.config.dt))
    }

    fn matrix_of(&self, frozen: Frozen) -> sprs::CsMat<f64> {
        let n = self.grid.len();
        let entries = crate::operator::step_entries(
            &self.grid,
            &self.scheme,
            frozen,
            self.config.reinjection,
            self.reentry(),
        );
        let mut triplets = sprs::TriMat::with_capacity((n, n), entries.len());
        for (i, j, value) in entries {
            triplets.add_triplet(i, j, value);
        }
        triplets.to_csr()
    }
}
