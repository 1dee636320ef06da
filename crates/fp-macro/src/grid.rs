//! The voltage grid and densities on it.

use nlif_model::{InitialDensity, ModelParams};

use crate::error::{MacroError, invalid};

/// A uniform vertex-centred grid on `[V_min, V_F]` with `V_R` on a node.
///
/// Nodes `v_i = V_F - (n - i) h`, `i = 0..=n`; the density is unknown at `v_0 .. v_{n-1}`
/// and zero at `v_n = V_F` (the absorbing threshold). Node `i < n` carries the control
/// volume `[v_i - h/2, v_i + h/2]` (no flux through the lower face of cell 0), so the mass
/// of a density is `h Σ p_i`. `V_R` is node `r`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    v_f: f64,
    h: f64,
    n: usize,
    r: usize,
}

/// Relative tolerance for `(V_F - V_R) / h` to count as an integer.
const ON_NODE_RTOL: f64 = 1e-9;

/// The largest number of cells a grid may have (8 GB per density vector); larger requests
/// are refused before anything is allocated.
pub const MAX_CELLS: usize = 1_000_000_000;

impl Grid {
    /// The grid of spacing `dv` reaching at least down to `v_min`.
    ///
    /// The lower end is `V_F - n h <= v_min` with `n = ceil((V_F - v_min) / h)`.
    ///
    /// ```
    /// use fp_macro::Grid;
    /// let grid = Grid::new(-4.0, 2.0, 1.0, 0.02)?;
    /// assert_eq!(grid.len(), 300);
    /// assert!((grid.node(grid.reset_index()) - 1.0).abs() < 1e-12);
    /// assert!(Grid::new(-4.0, 2.0, 1.0, 0.03).is_err()); // V_R is not a node
    /// # Ok::<(), fp_macro::MacroError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MacroError::Invalid`] naming the field: `dv` must be positive and divide
    /// `V_F - V_R` (so that `V_R` is a node) with at least three cells between `V_R` and
    /// `V_F`, and give at most [`MAX_CELLS`] cells; `v_min` must be finite and lie at least
    /// one cell below `V_R` (so the reset is an interior node, `r >= 1`).
    pub fn new(v_min: f64, v_f: f64, v_r: f64, dv: f64) -> Result<Self, MacroError> {
        if !(dv.is_finite() && dv > 0.0) {
            return Err(invalid("dv", dv, "the grid spacing must be positive"));
        }
        if !(v_min.is_finite() && v_min < v_r) {
            return Err(invalid(
                "v_min",
                v_min,
                "the lower end of the grid must lie below the reset v_r",
            ));
        }
        let cells_above = (v_f - v_r) / dv;
        let m = cells_above.round();
        if (cells_above - m).abs() > ON_NODE_RTOL * cells_above {
            return Err(invalid(
                "dv",
                dv,
                "the spacing must divide v_f - v_r so that the reset v_r is a grid node",
            ));
        }
        if m < 3.0 {
            return Err(invalid(
                "dv",
                dv,
                "the spacing must leave at least three cells between v_r and v_f",
            ));
        }
        let cells = ((v_f - v_min) / dv * (1.0 - ON_NODE_RTOL)).ceil();
        if !(cells <= MAX_CELLS as f64) {
            return Err(invalid(
                "dv",
                dv,
                "the grid would have more than 10^9 cells ((v_f - v_min) / dv too large)",
            ));
        }
        let n = cells as usize;
        if n <= m as usize {
            // The reset would sit on node 0 (or below): the lower end must be at least one
            // cell below v_r, or the re-injected mass has no control volume of its own.
            return Err(invalid(
                "v_min",
                v_min,
                "the lower end of the grid must lie at least one cell (dv) below the reset v_r",
            ));
        }
        Ok(Grid {
            v_f,
            h: dv,
            n,
            r: n - m as usize,
        })
    }

    /// The grid for a model: `Grid::new(v_min, params.v_f, params.v_r, dv)`.
    ///
    /// # Errors
    ///
    /// As [`Grid::new`].
    pub fn for_model(params: &ModelParams, v_min: f64, dv: f64) -> Result<Self, MacroError> {
        Grid::new(v_min, params.v_f, params.v_r, dv)
    }

    /// Number of unknowns `n` (nodes below `V_F`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a grid has at least four unknowns.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The spacing `h`.
    #[must_use]
    pub fn spacing(&self) -> f64 {
        self.h
    }

    /// Node `v_i = V_F - (n - i) h`, `i <= n`.
    #[inline]
    #[must_use]
    pub fn node(&self, i: usize) -> f64 {
        self.v_f - (self.n - i) as f64 * self.h
    }

    /// The lower end `v_0`.
    #[must_use]
    pub fn v_min(&self) -> f64 {
        self.node(0)
    }

    /// The threshold `V_F = v_n`.
    #[must_use]
    pub fn v_f(&self) -> f64 {
        self.v_f
    }

    /// Index `r` of the reset node `v_r = V_R`.
    #[must_use]
    pub fn reset_index(&self) -> usize {
        self.r
    }

    /// The nodes `v_0 .. v_{n-1}` carrying unknowns.
    #[must_use]
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        (0..self.n).map(|i| self.node(i))
    }

    /// Mass `h Σ p_i` of nodal values `p`.
    #[must_use]
    pub fn mass(&self, p: &[f64]) -> f64 {
        self.h * p.iter().sum::<f64>()
    }

    /// The nodal values of `initial`, normalised to unit discrete mass.
    ///
    /// # Errors
    ///
    /// [`MacroError::Model`] naming the field of an invalid `initial`;
    /// [`MacroError::Invalid`] naming `initial.mean` if the density has no representable
    /// mass on the grid.
    pub fn discretise(&self, initial: &InitialDensity) -> Result<Vec<f64>, MacroError> {
        initial.validate()?;
        let mut p: Vec<f64> = self.nodes().map(|v| initial.unnormalised(v)).collect();
        let mass = self.mass(&p);
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
    /// assert_eq!(grid.threshold_rate(&params, &p)?, 0.5); // a0 p_{n-1} / h
    /// assert!(grid.threshold_rate(&params, &[]).is_err());
    /// # Ok::<(), fp_macro::MacroError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MacroError::Model`] if `params` are invalid; [`MacroError::DensityLength`] if `p`
    /// does not hold one value per unknown; [`MacroError::Density`] if `p_{n-1}` is
    /// negative or not finite; [`MacroError::Invalid`] naming `density` (value `a1 q`) if `a1 q >= 1`,
    /// i.e. there is no finite rate.
    pub fn threshold_rate(&self, params: &ModelParams, p: &[f64]) -> Result<f64, MacroError> {
        params.validate()?;
        if p.len() != self.n {
            return Err(MacroError::DensityLength {
                found: p.len(),
                expected: self.n,
            });
        }
        let Some(&last) = p.last() else {
            // Unreachable: the grid has at least four unknowns.
            return Err(MacroError::DensityLength {
                found: 0,
                expected: self.n,
            });
        };
        if !(last.is_finite() && last >= 0.0) {
            return Err(MacroError::Density {
                index: self.n - 1,
                value: last,
                len: self.n,
            });
        }
        let q = last / self.h;
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
}
