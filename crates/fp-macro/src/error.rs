//! Errors of the Fokker–Planck solver.

use nlif_model::ModelError;

/// Why a solver cannot be built (or restored from a [`MacroState`](crate::MacroState)).
///
/// New variants may be added: match with a wildcard arm, or use [`MacroError::field`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MacroError {
    /// The model parameters, input or initial data are invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A solver setting is invalid.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the field: of the `solver.macro` section ([`MacroConfig`](crate::MacroConfig)),
        /// or of a constructor's arguments and [`MacroState`](crate::MacroState)
        /// (`t_start`, `rate`, `steps`, `density`).
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A density handed to the solver has a negative, NaN or infinite value.
    #[error("density value {index} = {value:?} is not a finite non-negative number")]
    Density {
        /// Index of the offending value.
        index: usize,
        /// The value.
        value: f64,
        /// Number of unknowns of the grid.
        len: usize,
    },
    /// A density handed to the solver does not hold one value per unknown of the grid.
    #[error("the density has {found} values, the grid {expected} unknowns")]
    DensityLength {
        /// The number of values given.
        found: usize,
        /// The number of unknowns of the grid.
        expected: usize,
    },
    /// A saved [`MacroState`](crate::MacroState) has a version this build does not read.
    #[error(
        "unsupported `version` = {found} of a saved macro state (this build reads version {supported})"
    )]
    StateVersion {
        /// The version of the state.
        found: u32,
        /// [`MACRO_STATE_VERSION`](crate::MACRO_STATE_VERSION).
        supported: u32,
    },
}

impl MacroError {
    /// The name of the offending field, for front ends.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            MacroError::Model(e) => e.field(),
            MacroError::Invalid { field, .. } => field,
            MacroError::Density { .. } | MacroError::DensityLength { .. } => "density",
            MacroError::StateVersion { .. } => "version",
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
