//! The fused step against the assembled reference, and the matrix's M-matrix and
//! conservation properties.

use super::*;
use crate::Grid;
use crate::scheme::{ChangCooper, ScharfetterGummel, Upwind};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Oracle: the two-pass reference (assemble the bands, then Thomas with
    /// Sherman–Morrison). The two-way fused step solves the same system: the same
    /// outcome, and the density and rate within the rounding bound below, for every
    /// scheme and re-injection, with the reset node anywhere from the second node to the
    /// third from the top (so the meeting row is anywhere from 0 to the middle).
    #[test]
    fn the_fused_step_solves_what_assemble_then_solve_solves(
        shift in -5.0f64..30.0,
        a in 0.2f64..3.0,
        dt in 1e-5f64..0.1,
        implicit in any::<bool>(),
        scheme in 0usize..3,
        mean in -2.0f64..1.5,
        below in 1usize..40,
        above in 3usize..40,
    ) {
        let h = 0.05;
        let grid = Grid::new(1.0 - below as f64 * h, 1.0 + above as f64 * h, 1.0, h).unwrap();
        let n = grid.len();
        let reinjection = if implicit { Reinjection::Implicit } else { Reinjection::Explicit };
        let frozen = Frozen { a, shift, dt };
        let previous: Vec<f64> = grid
            .nodes()
            .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (grid.v_f() - v))
            .collect();
        let (mut two, mut one) = (StepOperator::new(&grid, reinjection), StepOperator::new(&grid, reinjection));
        let (mut expected, mut got) = (vec![0.0; n], vec![0.0; n]);
        let (reference, fused) = match scheme {
            0 => {
                two.assemble(&grid, &ChangCooper, frozen);
                (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &ChangCooper, frozen, &previous, &mut got))
            }
            1 => {
                two.assemble(&grid, &ScharfetterGummel, frozen);
                (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &ScharfetterGummel, frozen, &previous, &mut got))
            }
            _ => {
                two.assemble(&grid, &Upwind, frozen);
                (two.solve(&grid, dt, &previous, &mut expected), one.step(&grid, &Upwind, frozen, &previous, &mut got))
            }
        };
        match (reference, fused) {
            (Ok(rate_ref), Ok(rate)) => {
                // Both solve the same M-matrix system, each backward stable; the
                // matrix's columns sum to 1/dt, so ||M^-1||_1 <= dt and its condition
                // number is at most 1 + 4 kappa dt max(A, B) <= 1 + 40 kappa dt here
                // (weights below 10 on this range). Bound: 16 n eps times that.
                let kappa = a / (h * h);
                let norm: f64 = expected.iter().sum();
                let diff: f64 = expected.iter().zip(&got).map(|(x, y)| (x - y).abs()).sum();
                let bound = 16.0 * n as f64 * f64::EPSILON * (1.0 + 40.0 * kappa * dt) * norm;
                prop_assert!(diff <= bound, "{} > {}", diff, bound);
                prop_assert!((rate - rate_ref).abs() <= a / h * bound);
                prop_assert!(got.iter().all(|&p| p >= 0.0));
            }
            (reference, fused) => {
                prop_assert_eq!(format!("{:?}", reference), format!("{:?}", fused));
            }
        }
    }

    /// Oracles: the M-matrix sign pattern, column sums 1/dt (conservation law), and
    /// the residual of the O(n) solves (the reference and the two-way step) through an
    /// independent matrix-vector product
    /// over the entries (`M p_new = p_old / dt`, plus the explicit re-injection
    /// `± E / h` in rows `r` and `n-1`).
    #[test]
    fn step_matrix_is_a_conservative_m_matrix_and_the_solve_inverts_it(
        shift in -5.0f64..30.0,
        a in 0.2f64..3.0,
        dt in 1e-5f64..0.1,
        implicit in any::<bool>(),
        scheme in 0usize..3,
        mean in -2.0f64..1.5,
    ) {
        let grid = Grid::new(-3.0, 2.0, 1.0, 0.05).unwrap();
        let (n, r, h) = (grid.len(), grid.reset_index(), grid.spacing());
        let reinjection = if implicit { Reinjection::Implicit } else { Reinjection::Explicit };
        let mut op = StepOperator::new(&grid, reinjection);
        let frozen = Frozen { a, shift, dt };
        match scheme {
            0 => op.assemble(&grid, &ChangCooper, frozen),
            1 => op.assemble(&grid, &ScharfetterGummel, frozen),
            _ => op.assemble(&grid, &Upwind, frozen),
        }
        let entries = op.entries(&grid);
        let mut column_sums = vec![0.0; n];
        for &(i, j, value) in &entries {
            column_sums[j] += value;
            if i == j {
                prop_assert!(value > 0.0);
            } else {
                prop_assert!(value <= 0.0);
            }
        }
        // Implicit: the outflow entry on the diagonal is returned at (r, n-1).
        // Explicit: the outflow is on the right-hand side (-E in row n-1, +E in row r).
        for (j, sum) in column_sums.iter().enumerate() {
            let expected = 1.0 / dt;
            prop_assert!(
                (sum - expected).abs() <= 1e-11 * expected.max(a / 0.0025),
                "column {}: {} vs {}", j, sum, expected
            );
        }
        // A Gaussian bump, small at the threshold so that the explicit step is positive.
        let previous: Vec<f64> = grid
            .nodes()
            .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (2.0 - v))
            .collect();
        // Both paths: the reference solve and the two-way fused step.
        let mut fused = StepOperator::new(&grid, reinjection);
        for path in 0..2 {
        let mut next = vec![0.0; n];
        let outcome = if path == 0 {
            op.solve(&grid, dt, &previous, &mut next)
        } else {
            match scheme {
                0 => fused.step(&grid, &ChangCooper, frozen, &previous, &mut next),
                1 => fused.step(&grid, &ScharfetterGummel, frozen, &previous, &mut next),
                _ => fused.step(&grid, &Upwind, frozen, &previous, &mut next),
            }
        };
        match outcome {
            Ok(rate) => {
                prop_assert_eq!(rate, a / h * next[n - 1]);
                let explicit = if implicit { 0.0 } else { a / h * previous[n - 1] };
                // Backward-error scale of each row: Σ_j |m_ij p_j|.
                let mut residual = vec![0.0; n];
                let mut scale = vec![0.0; n];
                for &(i, j, value) in &entries {
                    residual[i] += value * next[j];
                    scale[i] += (value * next[j]).abs();
                }
                for (i, (res, p)) in residual.iter().zip(&previous).enumerate() {
                    let mut expected = p / dt;
                    if i == r {
                        expected += explicit / h;
                    }
                    if i == n - 1 {
                        expected -= explicit / h;
                    }
                    prop_assert!(
                        (res - expected).abs() <= 1e-12 * (scale[i] + expected.abs()),
                        "row {}: {} vs {}", i, res, expected
                    );
                }
                prop_assert!(next.iter().all(|&p| p >= 0.0));
            }
            Err(SolveFailure::Positivity { max_dt }) => {
                // Oracle: the explicit condition dt a p_{n-1} / h > h p_{n-1}.
                prop_assert!(!implicit && dt > h * h / a * (1.0 - 1e-12));
                prop_assert!((max_dt - h * h / a).abs() <= 1e-12 * max_dt);
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
        }
    }

    /// Oracle: the residual of an independent matrix–vector product over the assembled
    /// entries (backward error, invariant under the sweep's row scaling), for time
    /// steps and diffusions across most of the floating-point range: the scaled rows
    /// and the normalised minors neither overflow nor underflow, and the density stays
    /// non-negative.
    #[test]
    fn the_step_solves_its_system_whatever_the_time_step(
        log_dt in -300.0f64..4.0,
        log_a in -3.0f64..3.0,
        shift in -5.0f64..30.0,
        mean in -2.0f64..1.5,
    ) {
        let (dt, a) = (10f64.powf(log_dt), 10f64.powf(log_a));
        let grid = Grid::new(-3.0, 2.0, 1.0, 0.05).unwrap();
        let (n, h) = (grid.len(), grid.spacing());
        let frozen = Frozen { a, shift, dt };
        let mut reference = StepOperator::new(&grid, Reinjection::Implicit);
        reference.assemble(&grid, &ScharfetterGummel, frozen);
        let previous: Vec<f64> = grid
            .nodes()
            .map(|v| (-(v - mean).powi(2) / 0.1).exp() * (2.0 - v))
            .collect();
        let mut next = vec![0.0; n];
        let mut fused = StepOperator::new(&grid, Reinjection::Implicit);
        let rate = fused.step(&grid, &ScharfetterGummel, frozen, &previous, &mut next);
        prop_assert_eq!(rate, Ok(a / h * next[n - 1]));
        let mut residual = vec![0.0; n];
        let mut scale = vec![0.0; n];
        for &(i, j, value) in &reference.entries(&grid) {
            residual[i] += value * next[j];
            scale[i] += (value * next[j]).abs();
        }
        // A backward-stable solve: each row's residual within a few rounding errors per
        // term of the row (three entries, the row scaling, the chain's O(n) operations),
        // bounded by 16 n ε times the row's scale, as the fused-step test above.
        let bound = 16.0 * n as f64 * f64::EPSILON;
        for (i, (res, p)) in residual.iter().zip(&previous).enumerate() {
            let expected = p / dt;
            prop_assert!(
                (res - expected).abs() <= bound * (scale[i] + expected.abs()),
                "row {}: {} vs {}", i, res, expected
            );
        }
        prop_assert!(next.iter().all(|&p| p >= 0.0 && p.is_finite()));
    }
}
