//! Initial data (docs/model.md §5).

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, finite, require};

/// The initial voltage density, restricted to the computational domain below `V_F` and
/// normalised there by whoever discretises it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum InitialDensity {
    /// `p0(v) ∝ exp(-(v - mean)^2 / (2 var))`; `var` is a variance.
    Gaussian {
        /// Centre of the Gaussian.
        mean: f64,
        /// Variance `σ0^2 > 0`.
        var: f64,
    },
}

impl Default for InitialDensity {
    /// The Gaussian of the blow-up experiments, `mean = -1`, `var = 0.5`.
    fn default() -> Self {
        InitialDensity::Gaussian {
            mean: -1.0,
            var: 0.5,
        }
    }
}

impl InitialDensity {
    /// Checks every field; the error names the first offending one.
    pub fn validate(&self) -> Result<(), ModelError> {
        match *self {
            InitialDensity::Gaussian { mean, var } => {
                finite("initial.mean", mean)?;
                require(
                    "initial.var",
                    var,
                    var > 0.0,
                    "the variance must be positive",
                )?;
            }
        }
        Ok(())
    }

    /// The density up to its normalisation constant.
    #[inline]
    pub fn unnormalised(&self, v: f64) -> f64 {
        match *self {
            InitialDensity::Gaussian { mean, var } => (-(v - mean).powi(2) / (2.0 * var)).exp(),
        }
    }
}
