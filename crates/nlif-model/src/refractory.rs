//! The refractory period (docs/model.md §11): after a spike a neuron leaves the voltage
//! line for a while and comes back at the reset `V_R`.

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, require};

/// How long a neuron that fired stays away from the voltage line.
///
/// - [`Refractory::None`]: it is back at `V_R` at once (the model of [`ModelParams`]
///   alone, bit for bit).
/// - [`Refractory::Fixed`]: it comes back after exactly `tau`; in the mean field the mass
///   re-injected at `V_R` at `t` is the rate `N(t - tau)`.
/// - [`Refractory::Exponential`]: it comes back at rate `1/tau` (a refractory compartment
///   `R` with `dR/dt = N - R/tau`, re-injection `R/tau`).
///
/// Both have the mean time away `tau`, and so the same stationary rates
/// (`1/N = tau + 1/ν`, [`stationary_states_refractory`](crate::stationary_states_refractory)).
///
/// In a config: `refractory: None`, `refractory: Fixed(tau: 0.025)`,
/// `refractory: Exponential(tau: 0.025)`.
///
/// [`ModelParams`]: crate::ModelParams
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Refractory {
    /// No refractory period (the default).
    #[default]
    None,
    /// A refractory period of exactly `tau`.
    Fixed {
        /// The period, `tau >= 0`.
        tau: f64,
    },
    /// An exponentially distributed refractory period of mean `tau`.
    Exponential {
        /// The mean period, `tau >= 0`.
        tau: f64,
    },
}

impl Refractory {
    /// The mean time a neuron stays away after a spike: `tau`, 0 for
    /// [`Refractory::None`].
    #[must_use]
    pub fn mean_time(&self) -> f64 {
        match *self {
            Refractory::None => 0.0,
            Refractory::Fixed { tau } | Refractory::Exponential { tau } => tau,
        }
    }

    /// Whether this is [`Refractory::None`] (what a config may leave out).
    #[must_use]
    pub fn is_none(&self) -> bool {
        matches!(self, Refractory::None)
    }

    /// Checks `tau`: finite and non-negative; the error names `refractory.tau`.
    ///
    /// ```
    /// use nlif_model::Refractory;
    /// assert!(Refractory::Fixed { tau: 0.025 }.validate().is_ok());
    /// let bad = Refractory::Exponential { tau: -1.0 };
    /// assert_eq!(bad.validate().unwrap_err().field(), "refractory.tau");
    /// ```
    ///
    /// # Errors
    ///
    /// [`ModelError::Invalid`] naming `refractory.tau`.
    pub fn validate(&self) -> Result<(), ModelError> {
        let tau = self.mean_time();
        require(
            "refractory.tau",
            tau,
            tau.is_finite() && tau >= 0.0,
            "the refractory period must be finite and non-negative",
        )?;
        Ok(())
    }
}
