//! Overrides: replace one field of the config, named by its dotted path, with a RON value.
//!
//! Nothing here lists a section's fields: the config is written out as RON and read back,
//! and on the way back the value at the path is read from the given text instead, as the
//! type the config's own `Deserialize` asks for there (module `walk`). A path that does not
//! exist is reported with the names that do, as the config's types declare them.

mod walk;

use crate::config::Config;

/// Why an override cannot be made. `at` is the dotted path of the node where the walk
/// stopped (a prefix of the path asked for).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// A struct has no field of that name.
    #[error("no field `{name}` here; expected one of: {}", expected.join(", "))]
    NoField {
        /// Where the struct is.
        at: String,
        /// The name asked for.
        name: String,
        /// The struct's fields, in order.
        expected: Vec<&'static str>,
    },
    /// The variant at `at` has no field of that name.
    #[error("`{variant}` has no field `{name}`; expected one of: {}", expected.join(", "))]
    NoVariantField {
        /// Where the enum is.
        at: String,
        /// Its current variant.
        variant: String,
        /// The name asked for.
        name: String,
        /// The variant's fields, in order.
        expected: Vec<&'static str>,
    },
    /// The path goes below a value that has no fields (a number, a name, a variant
    /// without fields).
    #[error("this field has no sub-field `{name}`")]
    NoSubField {
        /// Where the value is.
        at: String,
        /// The name asked for below it.
        name: String,
        /// The value's variant, if it is an enum.
        variant: Option<String>,
    },
    /// The path goes more than one field below a variant.
    #[error("expected one field of `{variant}`, got `{rest}`")]
    BelowVariantField {
        /// Where the enum is.
        at: String,
        /// Its current variant.
        variant: String,
        /// The rest of the path from the variant on.
        rest: String,
    },
    /// The value is not RON of the field's type.
    #[error("cannot read `{value}`: {reason}")]
    Value {
        /// The text given.
        value: String,
        /// What the RON reader says.
        reason: String,
    },
    /// The config, written out and read back, is not the same shape (a config type whose
    /// serialised form does not read back).
    #[error("the config does not read back after the override: {0}")]
    Reread(String),
}

impl SetError {
    /// The dotted path of the node where the walk stopped, if it stopped at a node.
    pub fn at(&self) -> Option<&str> {
        match self {
            SetError::NoField { at, .. }
            | SetError::NoVariantField { at, .. }
            | SetError::NoSubField { at, .. }
            | SetError::BelowVariantField { at, .. } => Some(at),
            SetError::Value { .. } | SetError::Reread(_) => None,
        }
    }
}

/// Replaces the field at the dotted `path` of `config` with `value` (RON text, read as
/// the field's type). `config` is unchanged on error.
///
/// # Errors
///
/// The path names no field ([`SetError`] says which names exist there), or the value is
/// not RON of the field's type.
pub fn assign(config: &mut Config, path: &str, value: &str) -> Result<(), SetError> {
    let path: Vec<&str> = path.split('.').collect();
    *config = walk::replace(config, &path, value)?;
    Ok(())
}

/// One override written as `PATH=VALUE` could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// The text has no `=`.
    #[error("`{0}`: expected PATH=VALUE")]
    NotAssignment(String),
    /// The override of `path` is refused.
    #[error("{path}: {source}")]
    Set {
        /// The dotted path, as given.
        path: String,
        /// Why.
        #[source]
        source: SetError,
    },
}

/// Splits `PATH=VALUE` at its first `=`, both sides trimmed.
pub fn split(assignment: &str) -> Option<(&str, &str)> {
    let (path, value) = assignment.split_once('=')?;
    Some((path.trim(), value.trim()))
}

/// Applies one `PATH=VALUE` override ([`split`], then [`assign`]).
///
/// # Errors
///
/// The text is not `PATH=VALUE`, or [`assign`] refuses it.
pub fn apply(config: &mut Config, assignment: &str) -> Result<(), OverrideError> {
    let (path, value) =
        split(assignment).ok_or_else(|| OverrideError::NotAssignment(assignment.to_owned()))?;
    assign(config, path, value).map_err(|source| OverrideError::Set {
        path: path.to_owned(),
        source,
    })
}
