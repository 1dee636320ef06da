//! Model parameters of the NLIF network (docs/model.md §1).

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, finite, require};

/// Parameters of the noisy leaky integrate-and-fire network.
///
/// Time is in membrane time constants, voltages are dimensionless. Between spikes a
/// neuron follows `dV = (-V + I(t)) dt + sqrt(2 a(N)) dW` with the diffusion
/// coefficient `a(N) = a0 + a1 N`; at `V = v_f` it fires and is reset to `v_r`, and every
/// other neuron is kicked by `b / N_p` (mean-field drift `b N`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelParams {
    /// Constant part of the diffusion coefficient, `a0 > 0`.
    pub a0: f64,
    /// Rate-dependent part of the diffusion coefficient, `a1 >= 0`.
    pub a1: f64,
    /// Connectivity: `b > 0` excitatory, `b < 0` inhibitory.
    pub b: f64,
    /// Firing threshold `V_F`.
    pub v_f: f64,
    /// Reset potential `V_R < V_F`.
    pub v_r: f64,
}

impl Default for ModelParams {
    /// The defaults of docs/model.md §1: `a0 = 1, a1 = 0, b = 0, V_F = 2, V_R = 1`.
    fn default() -> Self {
        ModelParams {
            a0: 1.0,
            a1: 0.0,
            b: 0.0,
            v_f: 2.0,
            v_r: 1.0,
        }
    }
}

impl ModelParams {
    /// Checks every field; the error names the first offending one.
    ///
    /// ```
    /// use nlif_model::ModelParams;
    /// let bad = ModelParams { a0: -1.0, ..ModelParams::default() };
    /// assert_eq!(bad.validate().unwrap_err().field(), "a0");
    /// ```
    pub fn validate(&self) -> Result<(), ModelError> {
        require(
            "a0",
            self.a0,
            self.a0 > 0.0,
            "the noise `a0` must be positive",
        )?;
        require("a1", self.a1, self.a1 >= 0.0, "`a1` must be non-negative")?;
        finite("b", self.b)?;
        finite("v_f", self.v_f)?;
        require(
            "v_r",
            self.v_r,
            self.v_r < self.v_f,
            "the reset `v_r` must lie below the threshold `v_f`",
        )?;
        Ok(())
    }

    /// The diffusion coefficient `a(N) = a0 + a1 N` at firing rate `rate`.
    #[inline]
    pub fn diffusion(&self, rate: f64) -> f64 {
        self.a0 + self.a1 * rate
    }
}
