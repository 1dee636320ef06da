//! Errors of the Fokker–Planck solver.

use nlif_model::ModelError;

/// Why a solver cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MacroError {
    /// The model parameters, input or initial data are invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A solver setting is invalid.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the field in the `solver.macro` section.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A density handed to the solver has the wrong length or a negative, NaN or
    /// infinite value.
    #[error(
        "density value {index} = {value:?} is not a finite non-negative number (or the length is not the grid's {len})"
    )]
    Density {
        /// Index of the offending value (the length if the length is wrong).
        index: usize,
        /// The value.
        value: f64,
        /// Number of unknowns of the grid.
        len: usize,
    },
}

impl MacroError {
    /// The name of the offending field, for front ends.
    pub fn field(&self) -> &'static str {
        match self {
            MacroError::Model(e) => e.field(),
            MacroError::Invalid { field, .. } => field,
            MacroError::Density { .. } => "density",
        }
    }
}

pub(crate) fn invalid(field: &'static str, value: f64, reason: &'static str) -> MacroError {
    MacroError::Invalid {
        field,
        value,
        reason,
    }
}
