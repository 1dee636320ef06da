//! Configuration and errors of the particle solver.

use nlif_model::ModelError;
use serde::{Deserialize, Serialize};

use crate::Stepper;

/// Settings of the particle solver, as written in the `solver.micro` section of a config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MicroConfig {
    /// Number of neurons `N_p` (at most `u32::MAX`).
    pub particles: usize,
    /// Time step.
    pub dt: f64,
    /// Sub-threshold stepper.
    pub stepper: Stepper,
    /// A cascade (or an input kick) is recorded as a multiple firing event when it fires
    /// at least this fraction of the network in one instant.
    pub mfe_min_fraction: f64,
}

impl Default for MicroConfig {
    fn default() -> Self {
        MicroConfig {
            particles: 100_000,
            dt: 1e-4,
            stepper: Stepper::BrownianBridge,
            mfe_min_fraction: 0.01,
        }
    }
}

impl MicroConfig {
    /// Checks every field; the error names the first offending one.
    pub fn validate(&self) -> Result<(), MicroError> {
        if self.particles == 0 || self.particles > u32::MAX as usize {
            return Err(MicroError::Invalid {
                field: "particles",
                value: self.particles as f64,
                reason: "the number of particles must lie in 1..=4294967295",
            });
        }
        if !(self.dt.is_finite() && self.dt > 0.0 && self.dt < 1.0) {
            return Err(MicroError::Invalid {
                field: "dt",
                value: self.dt,
                reason: "the time step must be positive and below one membrane time constant",
            });
        }
        if !(0.0..=1.0).contains(&self.mfe_min_fraction) {
            return Err(MicroError::Invalid {
                field: "mfe_min_fraction",
                value: self.mfe_min_fraction,
                reason: "a fraction must lie in [0, 1]",
            });
        }
        Ok(())
    }
}

/// Why a particle system cannot be built or continued.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MicroError {
    /// The model parameters, input or initial data are invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A solver setting is invalid.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the field in the `solver.micro` section.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A voltage handed to the solver is NaN, infinite or not below the threshold.
    #[error("voltage {index} = {value:?} is not finite and below the threshold v_f")]
    Voltage {
        /// Index of the particle.
        index: usize,
        /// Its voltage.
        value: f64,
    },
    /// The number of voltages does not match `particles`.
    #[error("expected {expected} voltages (`particles`), got {got}")]
    Count {
        /// `particles` of the config.
        expected: usize,
        /// Voltages given.
        got: usize,
    },
}

impl MicroError {
    /// The name of the offending field, for front ends.
    pub fn field(&self) -> &'static str {
        match self {
            MicroError::Model(e) => e.field(),
            MicroError::Invalid { field, .. } => field,
            MicroError::Voltage { .. } | MicroError::Count { .. } => "particles",
        }
    }
}
