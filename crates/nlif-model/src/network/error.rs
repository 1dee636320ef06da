//! The error of a network description or of its exact results.

use crate::ModelError;

/// A network that cannot describe a valid model, or whose exact results cannot be formed.
///
/// Every variant names the offending entry by its path in the config, with the spelling of
/// the file: `populations[1].a0`, `coupling[0][1]`, `a1[1]`, `populations`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// An entry holds a value outside its admissible set.
    #[error("invalid `{path}`: {reason}")]
    Invalid {
        /// Path of the entry, as written in a config (`populations[1].v_r`).
        path: String,
        /// Why it is rejected, in words (with the rejected value where there is one).
        reason: String,
    },
}

impl NetworkError {
    /// The path of the offending entry.
    pub fn path(&self) -> &str {
        match self {
            NetworkError::Invalid { path, .. } => path,
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        NetworkError::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// A [`ModelError`] of a field of population `alpha` (`a0` → `populations[alpha].a0`).
    pub(crate) fn in_population(alpha: usize, error: ModelError) -> Self {
        Self::within(&format!("populations[{alpha}]."), error)
    }

    /// A [`ModelError`] with `prefix` put before its field name.
    pub(crate) fn within(prefix: &str, error: ModelError) -> Self {
        let field = error.field();
        Self::at(format!("{prefix}{field}"), error)
    }

    /// A [`ModelError`] of the entry at `path` (a matrix entry, whose path replaces the
    /// error's field name).
    pub(crate) fn at(path: String, error: ModelError) -> Self {
        let reason = match error {
            ModelError::Invalid { value, reason, .. } => format!("{value:?}: {reason}"),
        };
        NetworkError::invalid(path, reason)
    }
}
