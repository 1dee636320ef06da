//! The step's matrix and right-hand side as plain data (feature `sprs`), for
//! `MacroSolver::step_matrix` and `MacroSolver::step_system`.

use super::{Frozen, Reentry, Reinjection};
use crate::Grid;
use crate::scheme::FluxScheme;

/// The step matrix `M` of [`StepOperator::step`] (before the step's row scaling), as
/// triplets `(row, column, value)`, rows in order: row `i` holds `-κ A_{i-1/2}` at `i-1`,
/// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i` and `-κ B_{i+1/2}` at `i+1` (`κ = a/h²`; the
/// last row's upper face is the outflow, weight 1 implicit or 0 explicit), and with
/// implicit re-injection `-κ · share` at `(r, n-1)` (`share = 1` without a refractory
/// period, [`Reentry`]). The face weights are those of the step's face
/// pass (the scheme's `weights_into` on the same Péclet numbers: the same bits).
pub(crate) fn step_entries<S: FluxScheme + ?Sized>(
    grid: &Grid,
    scheme: &S,
    frozen: Frozen,
    reinjection: Reinjection,
    reentry: Reentry,
) -> Vec<(usize, usize, f64)> {
    let n = grid.len();
    let h = grid.spacing();
    let kappa = frozen.a / (h * h);
    let inv_dt = 1.0 / frozen.dt;
    let peclet = h / frozen.a;
    let implicit = reinjection == Reinjection::Implicit;
    let faces = n - 1;
    let w: Vec<f64> = (0..faces)
        .map(|i| (frozen.shift - (grid.node(i) + 0.5 * h)) * peclet)
        .collect();
    let (mut face_a, mut face_b) = (vec![0.0; faces], vec![0.0; faces]);
    scheme.weights_into(&w, &mut face_a, &mut face_b);
    let mut entries = Vec::with_capacity(3 * n + 1);
    let (mut a_below, mut b_below) = (0.0, 0.0); // no flux through the lower face of cell 0
    for i in 0..n {
        let (a_above, b_above) = if i < faces {
            (face_a[i], face_b[i])
        } else {
            (if implicit { 1.0 } else { 0.0 }, 0.0)
        };
        if i > 0 {
            entries.push((i, i - 1, -kappa * a_below));
        }
        entries.push((i, i, inv_dt + kappa * (a_above + b_below)));
        if i < faces {
            entries.push((i, i + 1, -kappa * b_above));
        }
        if implicit && i == grid.reset_index() {
            entries.push((i, n - 1, -kappa * reentry.share));
        }
        (a_below, b_below) = (a_above, b_above);
    }
    entries
}

/// The right-hand side of the step from `previous`: `p^m_i / dt`; with explicit
/// re-injection the outflow `E = (a/h) p^m_{n-1}` leaves row `n-1` (`- E/h`) and its
/// share enters row `r` (`+ share · E/h`); the re-entry's source enters row `r`
/// (`+ source/h`).
pub(crate) fn step_rhs(
    grid: &Grid,
    frozen: Frozen,
    reinjection: Reinjection,
    reentry: Reentry,
    previous: &[f64],
) -> Vec<f64> {
    let (n, h) = (grid.len(), grid.spacing());
    let mut rhs: Vec<f64> = previous.iter().map(|p| p / frozen.dt).collect();
    let explicit = match reinjection {
        Reinjection::Explicit => frozen.a / h * previous[n - 1],
        Reinjection::Implicit => 0.0,
    };
    rhs[grid.reset_index()] += (explicit * reentry.share + reentry.source) / h;
    rhs[n - 1] -= explicit / h;
    rhs
}
