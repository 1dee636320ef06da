//! The voltage grid of a density: shared by the mean-field solver (`fp-macro`) and the
//! conversions between densities and particles (`coupling`).

use crate::ModelParams;

/// A uniform vertex-centred grid on `[V_min, V_F]` with `V_R` on a node.
///
/// Nodes `v_i = V_F - (n - i) h`, `i = 0..=n`; a density is unknown at `v_0 .. v_{n-1}`
/// and zero at `v_n = V_F` (the absorbing threshold). Node `i < n` carries the control
/// volume `[v_i - h/2, v_i + h/2]` (no flux through the lower face of cell 0), so the mass
/// of a density is `h Σ p_i`. `V_R` is node `r`, `1 <= r < n - 2`.
///
/// ## Two formulas for the nodes
///
/// [`node`](Grid::node) counts down from the threshold, `V_F - (n - i) h`: the
/// mean-field solver's nodes (its faces, the nodes of its density snapshots).
/// [`node_from_v_min`](Grid::node_from_v_min) counts up from the lower end,
/// `v_0 + i h`, with [`v_f_from_v_min`](Grid::v_f_from_v_min) `= v_0 + n h`: the
/// conversions' nodes (histograms, kernel estimates, sampling). The two agree to a few
/// units in the last place, not always bit for bit; each user keeps the formula it has
/// always used, so that results are bit-identical to those of the two grid types this one
/// replaces (`fp_macro::Grid` and `coupling::UniformGrid`). Both are checked to give
/// distinct, increasing nodes and a finite threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    v_f: f64,
    h: f64,
    n: usize,
    r: usize,
    /// The lower end `v_0 = V_F - n h`, kept for the nodes counted up from it.
    v_0: f64,
}

/// Relative tolerance for `(V_F - V_R) / h` to count as an integer.
const ON_NODE_RTOL: f64 = 1e-9;

/// The largest number of cells a grid may have (8 GB per density vector); larger requests
/// are refused before anything is allocated.
pub const MAX_CELLS: usize = 1_000_000_000;

/// Why a grid cannot be built: the offending argument (`v_min`, `v_f`, `v_r`, `dv`, as
/// in [`Grid::new`] and the `solver.macro` settings), its value, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid `{field}` = {value:?}: {reason}")]
pub struct GridError {
    /// Name of the argument.
    pub field: &'static str,
    /// The rejected value.
    pub value: f64,
    /// Why it is rejected.
    pub reason: &'static str,
}

fn invalid(field: &'static str, value: f64, reason: &'static str) -> GridError {
    GridError {
        field,
        value,
        reason,
    }
}

impl Grid {
    /// The grid of spacing `dv` reaching at least down to `v_min`.
    ///
    /// The lower end is `V_F - n h <= v_min` with `n = ceil((V_F - v_min) / h)`.
    ///
    /// ```
    /// use nlif_model::Grid;
    /// let grid = Grid::new(-4.0, 2.0, 1.0, 0.02)?;
    /// assert_eq!(grid.len(), 300);
    /// assert!((grid.node(grid.reset_index()) - 1.0).abs() < 1e-12);
    /// assert!(Grid::new(-4.0, 2.0, 1.0, 0.03).is_err()); // V_R is not a node
    /// # Ok::<(), nlif_model::GridError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`GridError`] naming the argument: `v_f` and `v_r` must be finite; `dv` must be
    /// positive and divide `V_F - V_R` (so that `V_R` is a node) with at least three cells
    /// between `V_R` and `V_F`, give at most [`MAX_CELLS`] cells, and be resolved at the
    /// nodes' magnitude (distinct nodes by both formulas, a finite threshold); `v_min`
    /// must be finite and lie at least one cell below `V_R` (so the reset is an interior
    /// node, `r >= 1`).
    pub fn new(v_min: f64, v_f: f64, v_r: f64, dv: f64) -> Result<Self, GridError> {
        if !v_f.is_finite() {
            return Err(invalid("v_f", v_f, "the threshold must be finite"));
        }
        if !v_r.is_finite() {
            return Err(invalid("v_r", v_r, "the reset must be finite"));
        }
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
        let grid = Grid {
            v_f,
            h: dv,
            n,
            r: n - m as usize,
            v_0: v_f - n as f64 * dv,
        };
        // Distinct nodes: the spacing is resolved at both ends (where the nodes are
        // largest in magnitude), by either formula.
        let resolved = grid.node(1) > grid.node(0)
            && grid.v_f > grid.node(n - 1)
            && grid.node_from_v_min(1) > grid.node_from_v_min(0)
            && grid.v_f_from_v_min() > grid.node_from_v_min(n - 1)
            && grid.v_f_from_v_min().is_finite();
        if !resolved {
            return Err(invalid(
                "dv",
                dv,
                "the spacing is not resolved at the magnitude of the nodes (neighbouring nodes coincide)",
            ));
        }
        Ok(grid)
    }

    /// The grid for a model: `Grid::new(v_min, params.v_f, params.v_r, dv)`.
    ///
    /// # Errors
    ///
    /// As [`Grid::new`].
    pub fn for_model(params: &ModelParams, v_min: f64, dv: f64) -> Result<Self, GridError> {
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

    /// Node `v_i = V_F - (n - i) h`, `i <= n`, counted down from the threshold (the
    /// mean-field solver's formula).
    #[inline]
    #[must_use]
    pub fn node(&self, i: usize) -> f64 {
        self.v_f - (self.n - i) as f64 * self.h
    }

    /// The lower end `v_0 = V_F - n h` (= [`node`](Self::node)`(0)`).
    #[must_use]
    pub fn v_min(&self) -> f64 {
        self.v_0
    }

    /// The threshold `V_F = v_n`, as given.
    #[must_use]
    pub fn v_f(&self) -> f64 {
        self.v_f
    }

    /// Node `v_i = v_0 + i h`, `i <= n`, counted up from the lower end [`v_min`](Self::v_min)
    /// (the conversions' formula; see the [type](Grid) for why there are two).
    #[inline]
    #[must_use]
    pub fn node_from_v_min(&self, i: usize) -> f64 {
        self.v_0 + i as f64 * self.h
    }

    /// The threshold counted up from the lower end, `v_0 + n h` (equal to
    /// [`v_f`](Self::v_f) up to round-off).
    #[must_use]
    pub fn v_f_from_v_min(&self) -> f64 {
        self.node_from_v_min(self.n)
    }

    /// Index `r` of the reset node `v_r = V_R`.
    #[must_use]
    pub fn reset_index(&self) -> usize {
        self.r
    }

    /// The nodes `v_0 .. v_{n-1}` carrying unknowns ([`node`](Self::node)).
    #[must_use]
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        (0..self.n).map(|i| self.node(i))
    }

    /// Mass `h Σ p_i` of nodal values `p`, one per unknown (`p.len() == self.len()`).
    ///
    /// # Panics
    ///
    /// If `p` does not hold exactly [`len`](Self::len) values: a density of another grid
    /// (or one including the threshold node) has no mass on this one. The callers that
    /// take a density from outside check its length first and report it as an error.
    #[must_use]
    pub fn mass(&self, p: &[f64]) -> f64 {
        assert_eq!(
            p.len(),
            self.n,
            "Grid::mass: the density must hold one value per unknown of the grid"
        );
        self.h * p.iter().sum::<f64>()
    }

    /// Whether `v_r` is this grid's reset: the value that [`Grid::new`] (with this grid's
    /// threshold and spacing) places on the reset node [`reset_index`](Self::reset_index),
    /// by the same test, `(V_F - v_r) / h` within a relative `1e-9` of the whole number
    /// `n - r`. The `v_r` a grid was built with always is (the same arithmetic on the same
    /// values); a reset of another model, or off the node, is not.
    #[must_use]
    pub fn is_reset(&self, v_r: f64) -> bool {
        let cells_above = (self.v_f - v_r) / self.h;
        let m = cells_above.round();
        v_r.is_finite()
            && (cells_above - m).abs() <= ON_NODE_RTOL * cells_above
            && m == (self.n - self.r) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the nodes by hand on a grid whose spacing is a power of two (every formula
    /// exact), and the reset index `(v_r - v_0) / h`.
    #[test]
    fn nodes_and_reset_by_hand() {
        let grid = Grid::new(-1.0, 2.0, 1.0, 0.25).unwrap();
        assert_eq!((grid.len(), grid.reset_index()), (12, 8));
        for i in 0..=12 {
            let v = -1.0 + 0.25 * i as f64;
            assert_eq!((grid.node(i), grid.node_from_v_min(i)), (v, v));
        }
        assert_eq!((grid.v_f(), grid.v_f_from_v_min()), (2.0, 2.0));
        assert_eq!(grid.mass(&[1.0; 12]), 3.0);
    }

    /// Oracle: the definition of the mass, `h Σ p_i` over the `n` unknowns. A slice of
    /// any other length has no mass on the grid: one more value (the threshold node
    /// included) is refused with the documented panic, not summed.
    #[test]
    #[should_panic(expected = "one value per unknown")]
    fn the_mass_of_a_density_of_the_wrong_length_panics() {
        let grid = Grid::new(-1.0, 2.0, 1.0, 0.25).unwrap();
        let _ = grid.mass(&[1.0; 13]);
    }

    /// Oracle: the reset a grid was built with, and `Grid::new` itself: a `v_r` is the
    /// grid's reset exactly when a grid built with it has the same reset node. Off the
    /// node by a fraction of a cell, a whole cell away, non-finite: not.
    #[test]
    fn the_reset_a_grid_was_built_with_is_its_reset() {
        for (v_min, v_f, v_r, dv) in [
            (-4.0, 2.0, 1.0, 0.02),
            (-1.0, 2.0, 0.5, 0.5),
            (0.0, 1.0, 0.3, 0.1),
        ] {
            let grid = Grid::new(v_min, v_f, v_r, dv).unwrap();
            assert!(grid.is_reset(v_r), "{v_r} on {grid:?}");
            assert!(grid.is_reset(grid.node(grid.reset_index())));
            for other in [v_r + 0.3 * dv, v_r - dv, v_r + dv, f64::NAN, f64::INFINITY] {
                assert!(!grid.is_reset(other), "{other} on {grid:?}");
            }
        }
    }

    /// Oracle: each refusal names its argument.
    #[test]
    fn refusals_name_the_argument() {
        let field = |r: Result<Grid, GridError>| r.unwrap_err().field;
        assert_eq!(field(Grid::new(-4.0, f64::NAN, 1.0, 0.1)), "v_f");
        assert_eq!(field(Grid::new(-4.0, 2.0, f64::INFINITY, 0.1)), "v_r");
        assert_eq!(field(Grid::new(-4.0, 2.0, 1.0, 0.0)), "dv");
        assert_eq!(field(Grid::new(-4.0, 2.0, 1.0, 0.3)), "dv"); // does not divide v_f - v_r
        assert_eq!(field(Grid::new(-4.0, 2.0, 1.0, 0.5)), "dv"); // two cells above v_r
        assert_eq!(field(Grid::new(f64::NAN, 2.0, 1.0, 0.1)), "v_min");
        assert_eq!(field(Grid::new(1.0 - 1e-12, 2.0, 1.0, 0.1)), "v_min"); // r = 0
        assert_eq!(field(Grid::new(-1e12, 2.0, 1.0, 1e-3)), "dv"); // > MAX_CELLS
        assert_eq!(field(Grid::new(1e17, 1e17 + 64.0, 1e17 + 32.0, 1.0)), "dv");
        assert!(Grid::new(-4.0, 2.0, 1.0, 1e-8).is_ok()); // 6e8 cells: nothing allocated
    }
}
