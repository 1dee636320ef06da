//! Densities on the grid: discretising an initial density, reading off the firing rate.
//!
//! The grid itself is [`nlif_model::Grid`] (re-exported as [`Grid`](crate::Grid)), shared
//! with the particle conversions of `coupling`; the solver uses its nodes
//! [`Grid::node`] `= V_F - (n - i) h`.

use nlif_model::{Grid, GridError, InitialDensity, ModelParams};

use crate::error::{MacroError, invalid};

impl From<GridError> for MacroError {
    /// A grid setting (`v_min`, `dv`) refused: [`MacroError::Invalid`] naming it.
    fn from(e: GridError) -> Self {
        invalid(e.field, e.value, e.reason)
    }
}

/// The nodal values of `initial` at the nodes [`Grid::nodes`], normalised to unit
/// discrete mass `h Σ p_i = 1`.
///
/// ```
/// use fp_macro::{Grid, discretise};
/// use nlif_model::InitialDensity;
/// let grid = Grid::new(-4.0, 2.0, 1.0, 0.02)?;
/// let p = discretise(&grid, &InitialDensity::Gaussian { mean: 0.0, var: 0.5 })?;
/// assert!((grid.mass(&p) - 1.0).abs() < 1e-12);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
///
/// # Errors
///
/// [`MacroError::Model`] naming the field of an invalid `initial`;
/// [`MacroError::Invalid`] naming `initial.mean` if the density has no representable
/// mass on the grid.
pub fn discretise(grid: &Grid, initial: &InitialDensity) -> Result<Vec<f64>, MacroError> {
    initial.validate()?;
    let mut p: Vec<f64> = grid.nodes().map(|v| initial.unnormalised(v)).collect();
    let mass = grid.mass(&p);
    if !(mass.is_finite() && mass > 0.0) {
        let InitialDensity::Gaussian { mean, .. } = *initial;
        return Err(invalid(
            "initial.mean",
            mean,
            "the initial density has no representable mass on the grid (it lies outside [v_min, v_f] or is narrower than the spacing dv)",
        ));
    }
    p.iter_mut().for_each(|x| *x /= mass);
    Ok(p)
}

/// The firing rate read off a density next to the threshold (docs/model.md §3):
/// `N = a(N) p_{n-1} / h` with `a(N) = a0 + a1 N`, i.e. `N = a0 q / (1 - a1 q)` with
/// `q = p_{n-1} / h`.
///
/// ```
/// use fp_macro::Grid;
/// use nlif_model::ModelParams;
/// let grid = Grid::new(-4.0, 2.0, 1.0, 0.25)?;
/// let params = ModelParams::default();
/// let mut p = vec![0.0; grid.len()];
/// p[grid.len() - 1] = 0.125;
/// assert_eq!(fp_macro::threshold_rate(&grid, &params, &p)?, 0.5); // a0 p_{n-1} / h
/// assert!(fp_macro::threshold_rate(&grid, &params, &[]).is_err());
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
///
/// # Errors
///
/// [`MacroError::Model`] if `params` are invalid; [`MacroError::DensityLength`] if `p`
/// does not hold one value per unknown; [`MacroError::Density`] if `p_{n-1}` is
/// negative or not finite; [`MacroError::Invalid`] naming `density` (value `a1 q`) if `a1 q >= 1`,
/// i.e. there is no finite rate.
pub fn threshold_rate(grid: &Grid, params: &ModelParams, p: &[f64]) -> Result<f64, MacroError> {
    params.validate()?;
    if p.len() != grid.len() {
        return Err(MacroError::DensityLength {
            found: p.len(),
            expected: grid.len(),
        });
    }
    let Some(&last) = p.last() else {
        // Unreachable: the grid has at least four unknowns.
        return Err(MacroError::DensityLength {
            found: 0,
            expected: grid.len(),
        });
    };
    if !(last.is_finite() && last >= 0.0) {
        return Err(MacroError::Density {
            index: grid.len() - 1,
            value: last,
            len: grid.len(),
        });
    }
    let q = last / grid.spacing();
    let denominator = 1.0 - params.a1 * q;
    let rate = params.a0 * q / denominator;
    if denominator > 0.0 && rate.is_finite() {
        Ok(rate)
    } else {
        Err(invalid(
            "density",
            params.a1 * q,
            "no finite rate: a1 p_{n-1} / h >= 1",
        ))
    }
}
