//! Issue 10, finding 7: `threshold_rate` answers any density with a rate or a typed
//! error; it used to index `p[n - 1]` unchecked and panicked on an empty slice.

use fp_macro::{Grid, MacroError, threshold_rate};
use nlif_model::ModelParams;

fn setup() -> (Grid, ModelParams) {
    (
        Grid::new(-4.0, 2.0, 1.0, 0.25).unwrap(),
        ModelParams::default(),
    )
}

/// Oracle: the documented error variants.
#[test]
fn bad_densities_are_typed_errors_not_panics() {
    let (grid, params) = setup();
    let n = grid.len();
    let length = |len: usize| match threshold_rate(&grid, &params, &vec![0.1; len]) {
        Err(MacroError::DensityLength { found, expected }) => (found, expected),
        other => panic!("{other:?}"),
    };
    assert_eq!(length(0), (0, n));
    assert_eq!(length(n - 1), (n - 1, n));
    assert_eq!(length(n + 1), (n + 1, n));
    for last in [-0.1, f64::NAN, f64::INFINITY] {
        let mut p = vec![0.1; n];
        p[n - 1] = last;
        let err = threshold_rate(&grid, &params, &p).unwrap_err();
        assert!(
            matches!(err, MacroError::Density { index, .. } if index == n - 1),
            "{err:?}"
        );
    }
    let bad = ModelParams { a0: -1.0, ..params };
    let err = threshold_rate(&grid, &bad, &vec![0.1; n]).unwrap_err();
    assert_eq!(err.field(), "a0");
}

/// Oracle: the closed form `N = a0 q / (1 - a1 q)`, `q = p_{n-1} / h`, and its pole.
#[test]
fn the_rate_is_the_closed_form_until_its_pole() {
    let (grid, params) = setup();
    let n = grid.len();
    let mut p = vec![0.0; n];
    p[n - 1] = 0.05; // q = 0.2
    let with_a1 = ModelParams { a1: 2.0, ..params };
    let rate = threshold_rate(&grid, &with_a1, &p).unwrap();
    assert!((rate - 0.2 / (1.0 - 0.4)).abs() < 1e-15, "{rate}");
    p[n - 1] = 0.125; // q = 0.5: a1 q = 1, no finite rate
    let err = threshold_rate(&grid, &with_a1, &p).unwrap_err();
    assert_eq!(err.field(), "density", "{err}");
}
