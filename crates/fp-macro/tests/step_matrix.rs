//! The step matrix as a sparse matrix (feature `sprs`): the system the fused `O(n)` step
//! solves. `cargo test -p fp-macro --features sprs --release`.
#![cfg(feature = "sprs")]

use fp_macro::{FrozenAt, MacroConfig, MacroSolver, Reinjection, Scheme, StepOutcome, StepSystem};
use nlif_model::{InitialDensity, Input, ModelParams};

/// The slow oracle: Gaussian elimination with partial pivoting on the dense matrix.
fn dense_solve(system: &StepSystem) -> Vec<f64> {
    let n = system.rhs.len();
    let mut m = vec![vec![0.0; n + 1]; n];
    for (&value, (i, j)) in system.matrix.iter() {
        m[i][j] += value;
    }
    for (row, &b) in m.iter_mut().zip(&system.rhs) {
        row[n] = b;
    }
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        for row in col + 1..n {
            let factor = m[row][col] / m[col][col];
            if factor != 0.0 {
                for k in col..=n {
                    m[row][k] -= factor * m[col][k];
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let tail: f64 = (i + 1..n).map(|k| m[i][k] * x[k]).sum();
        x[i] = (m[i][n] - tail) / m[i][i];
    }
    x
}

/// Oracles: a dense Gaussian elimination of the exported system (the fused step's result
/// is its solution within the rounding bound below), the definition of an M-matrix
/// (positive diagonal, non-positive elsewhere) and the conservation law (every column
/// sums to `1/dt`), for every built-in scheme, both re-injections and both freezing
/// points, along a run with a periodic input and a kick.
///
/// Bound: both solves are backward stable on an M-matrix whose columns sum to `1/dt`, so
/// `‖M^{-1}‖₁ = dt` and `cond₁(M) = dt ‖M‖₁`; the difference of the two solutions is
/// within `16 n ε cond₁(M) ‖p‖₁`.
#[test]
fn the_exported_system_is_the_one_the_step_solves() {
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let input = Input::Kick {
        t0: 0.0105,
        dv: -0.1,
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.3,
    };
    let mut cases = 0;
    for scheme in [
        Scheme::ScharfetterGummel,
        Scheme::ChangCooper,
        Scheme::Upwind,
    ] {
        for reinjection in [Reinjection::Implicit, Reinjection::Explicit] {
            for frozen_at in [FrozenAt::StepStart, FrozenAt::StepEnd] {
                let config = MacroConfig {
                    scheme,
                    reinjection,
                    frozen_at,
                    v_min: -3.0,
                    dv: 0.025,
                    // Explicit re-injection: dt a <= h².
                    dt: 5e-4,
                };
                let mut solver =
                    MacroSolver::from_initial(params, input, config, &initial).unwrap();
                let label = format!("{scheme:?} {reinjection:?} {frozen_at:?}");
                // Steps 0..30: the kick falls into step 21.
                for step in 0..30 {
                    let system = solver.step_system();
                    check_matrix(&system, config.dt, &label);
                    let expected = dense_solve(&system);
                    let outcome = solver.step(f64::INFINITY);
                    assert!(
                        matches!(outcome, StepOutcome::Advanced { .. }),
                        "{label}, step {step}: {outcome:?}"
                    );
                    let got = solver.density();
                    let n = got.len() as f64;
                    let norm_m = column_norm(&system);
                    let norm_p: f64 = expected.iter().map(|p| p.abs()).sum();
                    let bound = 16.0 * n * f64::EPSILON * config.dt * norm_m * norm_p;
                    let diff: f64 = got.iter().zip(&expected).map(|(x, y)| (x - y).abs()).sum();
                    assert!(diff <= bound, "{label}, step {step}: {diff:e} > {bound:e}");
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 12 * 30);
}

/// `‖M‖₁`, the largest absolute column sum.
fn column_norm(system: &StepSystem) -> f64 {
    let mut sums = vec![0.0; system.rhs.len()];
    for (&value, (_, j)) in system.matrix.iter() {
        sums[j] += value.abs();
    }
    sums.into_iter().fold(0.0, f64::max)
}

fn check_matrix(system: &StepSystem, dt: f64, label: &str) {
    let n = system.rhs.len();
    assert_eq!(system.matrix.shape(), (n, n), "{label}");
    let (mut sums, mut scale) = (vec![0.0; n], vec![0.0; n]);
    for (&value, (i, j)) in system.matrix.iter() {
        if i == j {
            assert!(value > 0.0, "{label}: diagonal {i}: {value}");
        } else {
            assert!(value <= 0.0, "{label}: ({i}, {j}) = {value}");
        }
        sums[j] += value;
        scale[j] += value.abs();
    }
    for (j, (sum, scale)) in sums.iter().zip(&scale).enumerate() {
        // Three or four entries: a few roundings of the largest.
        assert!(
            (sum - 1.0 / dt).abs() <= 4.0 * f64::EPSILON * scale,
            "{label}: column {j} sums to {sum}, not {}",
            1.0 / dt
        );
    }
}

/// Oracle: the definition of the entries (docs/fp-macro.md, "Fluxes", "Time stepping").
/// At `b = 0`, no input and `a = a0 = 1` the Péclet number of the face above node `v` is
/// `-(v + h/2) h`; with Upwind weights the matrix for rate 0 is written out by hand.
#[test]
fn step_matrix_entries_are_the_documented_ones() {
    let params = ModelParams {
        b: 0.0,
        a1: 0.0,
        ..ModelParams::default()
    };
    let config = MacroConfig {
        scheme: Scheme::Upwind,
        v_min: -1.0,
        dv: 0.25,
        dt: 0.1,
        ..MacroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let solver = MacroSolver::from_initial(params, Input::None, config, &initial).unwrap();
    let grid = solver.grid();
    let (n, r, h) = (grid.len(), grid.reset_index(), grid.spacing());
    let kappa = params.a0 / (h * h);
    let upwind = |w: f64| (1.0 + w.max(0.0), 1.0 + (-w).max(0.0));
    let weights = |i: usize| upwind(-(grid.node(i) + 0.5 * h) * h / params.a0);
    let mut expected = vec![vec![0.0; n]; n];
    for i in 0..n {
        let (a_above, b_above) = if i + 1 < n { weights(i) } else { (1.0, 0.0) };
        let (a_below, b_below) = if i > 0 { weights(i - 1) } else { (0.0, 0.0) };
        expected[i][i] = 1.0 / 0.1 + kappa * (a_above + b_below);
        if i > 0 {
            expected[i][i - 1] = -kappa * a_below;
        }
        if i + 1 < n {
            expected[i][i + 1] = -kappa * b_above;
        }
    }
    expected[r][n - 1] = -kappa;
    let matrix = solver.step_matrix(0.0, 0.1);
    let mut got = vec![vec![0.0; n]; n];
    for (&value, (i, j)) in matrix.iter() {
        got[i][j] = value;
    }
    for i in 0..n {
        for j in 0..n {
            assert!(
                (got[i][j] - expected[i][j]).abs() <= 1e-12 * expected[i][i],
                "({i}, {j}): {} vs {}",
                got[i][j],
                expected[i][j]
            );
        }
    }
    assert_eq!(matrix.nnz(), 3 * n - 2 + 1);
}
