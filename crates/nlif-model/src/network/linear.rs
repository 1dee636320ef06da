//! The small dense linear algebra of the stationary search: a linear solve for the Newton
//! steps, and the Routh–Hurwitz test of stability (`P` is a handful of populations).

/// The solution of `matrix · x = rhs` by Gaussian elimination with partial pivoting
/// (backward stable for the small systems here); `None` when a pivot is zero or the
/// solution is not finite (a singular Jacobian, where Newton has no step).
pub(super) fn solve(matrix: &[Vec<f64>], rhs: &[f64]) -> Option<Vec<f64>> {
    let n = rhs.len();
    let mut a: Vec<Vec<f64>> = matrix.to_vec();
    let mut b = rhs.to_vec();
    for k in 0..n {
        let pivot = (k..n).max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))?;
        if a[pivot][k] == 0.0 {
            return None;
        }
        a.swap(k, pivot);
        b.swap(k, pivot);
        for i in k + 1..n {
            let factor = a[i][k] / a[k][k];
            for j in k..n {
                a[i][j] -= factor * a[k][j];
            }
            b[i] -= factor * b[k];
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let tail: f64 = (k + 1..n).map(|j| a[k][j] * x[j]).sum();
        x[k] = (b[k] - tail) / a[k][k];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The coefficients `d_0 = 1, d_1, …, d_P` of the characteristic polynomial
/// `det(λ I - A) = Σ_k d_k λ^{P-k}`, by the Faddeev–LeVerrier recursion
/// `M_k = A M_{k-1} + d_{k-1} I`, `d_k = -tr(A M_k) / k` (`M_0 = 0`): exact in exact
/// arithmetic, and accurate in floating point for the small `P` of a network.
fn characteristic_polynomial(a: &[Vec<f64>]) -> Vec<f64> {
    let n = a.len();
    let product = |x: &[Vec<f64>], y: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (0..n).map(|l| x[i][l] * y[l][j]).sum())
                    .collect()
            })
            .collect()
    };
    let mut d = vec![1.0];
    let mut m = vec![vec![0.0; n]; n];
    for k in 1..=n {
        m = product(a, &m);
        for (i, row) in m.iter_mut().enumerate() {
            row[i] += d[k - 1];
        }
        let am = product(a, &m);
        let trace: f64 = (0..n).map(|i| am[i][i]).sum();
        d.push(-trace / k as f64);
    }
    d
}

/// Whether every eigenvalue of `a` has a negative real part, by the Routh–Hurwitz
/// criterion on its characteristic polynomial: with `d_0 = 1`, all roots lie in the open
/// left half-plane iff every entry of the first column of the Routh array is positive. A
/// zero entry (an eigenvalue on the imaginary axis, or a degenerate array) counts as not
/// stable.
pub(super) fn all_eigenvalues_in_left_half_plane(a: &[Vec<f64>]) -> bool {
    let d = characteristic_polynomial(a);
    let n = a.len();
    let row = |start: usize| -> Vec<f64> { d.iter().skip(start).step_by(2).copied().collect() };
    let (mut previous, mut current) = (row(0), row(1));
    if n == 0 {
        return true;
    }
    for _ in 1..n {
        let head = current[0];
        if !(head > 0.0) {
            return false;
        }
        let at = |r: &[f64], j: usize| r.get(j).copied().unwrap_or(0.0);
        let next: Vec<f64> = (0..previous.len().max(1))
            .map(|j| (head * at(&previous, j + 1) - previous[0] * at(&current, j + 1)) / head)
            .collect();
        (previous, current) = (current, next);
    }
    current[0] > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: matrices with eigenvalues known in closed form (triangular ones, whose
    /// eigenvalues are the diagonal; a rotation-dilation with eigenvalues `r ± i ω`).
    #[test]
    fn routh_hurwitz_agrees_with_known_eigenvalues() {
        let triangular = |diag: &[f64]| -> Vec<Vec<f64>> {
            let n = diag.len();
            (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| {
                            if i == j {
                                diag[i]
                            } else if j > i {
                                0.7
                            } else {
                                0.0
                            }
                        })
                        .collect()
                })
                .collect()
        };
        assert!(all_eigenvalues_in_left_half_plane(&triangular(&[-0.5])));
        assert!(!all_eigenvalues_in_left_half_plane(&triangular(&[0.5])));
        assert!(all_eigenvalues_in_left_half_plane(&triangular(&[
            -1.0, -2.0, -0.1
        ])));
        assert!(!all_eigenvalues_in_left_half_plane(&triangular(&[
            -1.0, 0.2, -3.0
        ])));
        assert!(!all_eigenvalues_in_left_half_plane(&triangular(&[
            -1.0, -2.0, -3.0, 0.1
        ])));
        for (r, stable) in [(-0.3, true), (0.3, false)] {
            let m = vec![vec![r, -2.0], vec![2.0, r]];
            assert_eq!(all_eigenvalues_in_left_half_plane(&m), stable);
        }
        // The characteristic polynomial of a triangular matrix: Π (λ - d_i).
        let d = characteristic_polynomial(&triangular(&[1.0, 2.0, 3.0]));
        assert_eq!(d, vec![1.0, -6.0, 11.0, -6.0]);
    }

    /// Oracle: `A x` reproduces the right-hand side.
    #[test]
    fn solve_inverts_a_small_system() {
        let a = vec![
            vec![0.0, 2.0, 1.0],
            vec![1.0, -1.0, 0.5],
            vec![3.0, 0.0, -2.0],
        ];
        let x = solve(&a, &[1.0, 2.0, 3.0]).unwrap();
        for (row, b) in a.iter().zip([1.0, 2.0, 3.0]) {
            let ax: f64 = row.iter().zip(&x).map(|(a, x)| a * x).sum();
            assert!((ax - b).abs() < 1e-14);
        }
        assert!(solve(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[1.0, 1.0]).is_none());
    }
}
