//! Errors of the conversions.

/// Why a conversion cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CouplingError {
    /// An array does not have the grid's length.
    #[error("expected {expected} density values (the grid's unknowns), got {got}")]
    Length {
        /// The grid's number of unknowns.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A density value is NaN, infinite or negative beyond round-off
    /// ([`ROUND_OFF`](crate::ROUND_OFF)).
    #[error("density value {index} = {value:?} is not a finite non-negative number")]
    Value {
        /// Its index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A particle voltage is NaN or infinite.
    #[error("particle voltage {index} = {value:?} is not a finite number")]
    Voltage {
        /// Its index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Particle voltages that are NaN or infinite, counted in a [`Tally`](crate::Tally).
    #[error("{count} particle voltages are not finite numbers")]
    NonFinite {
        /// How many.
        count: u64,
    },
    /// The density has no mass to sample from, or no particle lies below the threshold.
    #[error("nothing to convert: zero mass or no particle below the threshold")]
    NoMass,
    /// A setting is out of range.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the setting.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
}

impl CouplingError {
    /// The name of the offending input: the setting's name for [`CouplingError::Invalid`]
    /// (`"bandwidth"` for [`Estimator::validate`](crate::Estimator::validate), relative to
    /// the estimator), `"density"` or `"voltages"` otherwise.
    pub fn field(&self) -> &'static str {
        match self {
            CouplingError::Length { .. } | CouplingError::Value { .. } | CouplingError::NoMass => {
                "density"
            }
            CouplingError::Voltage { .. } | CouplingError::NonFinite { .. } => "voltages",
            CouplingError::Invalid { field, .. } => field,
        }
    }
}
