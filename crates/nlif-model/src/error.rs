//! The error type of the model crate.

/// A parameter, input or initial datum that cannot describe a valid model.
///
/// Every variant names the offending field with the spelling of the config file
/// (`a0`, `v_r`, `input.period`, …) so that a front end can point at it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A field holds a value outside its admissible set.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Dotted name of the field, as written in a config.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected, in words.
        reason: &'static str,
    },
}

impl ModelError {
    /// The name of the offending field.
    pub fn field(&self) -> &'static str {
        match self {
            ModelError::Invalid { field, .. } => field,
        }
    }
}

/// Rejects NaN and infinities.
pub(crate) fn finite(field: &'static str, value: f64) -> Result<f64, ModelError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ModelError::Invalid {
            field,
            value,
            reason: "must be a finite number",
        })
    }
}

/// Checks a condition on a finite value.
pub(crate) fn require(
    field: &'static str,
    value: f64,
    ok: bool,
    reason: &'static str,
) -> Result<f64, ModelError> {
    finite(field, value)?;
    if ok {
        Ok(value)
    } else {
        Err(ModelError::Invalid {
            field,
            value,
            reason,
        })
    }
}
