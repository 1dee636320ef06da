//! What can be wrong with a config: its file, its text, its fields, the memory limit.

use std::path::PathBuf;

/// The config file cannot be read as a config.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file cannot be read.
    #[error("cannot read the config file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("cannot read the config file {}: it is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The text is not a config.
    #[error("{}:{error}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why.
        error: ParseError,
    },
}

/// RON text that is not a config: a syntax error, an unknown field, a value of the wrong
/// type, at a line and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{column}: {code}")]
pub struct ParseError {
    /// The line (from 1).
    pub line: usize,
    /// The column (from 1).
    pub column: usize,
    /// What the RON reader says.
    pub code: ron::Error,
}

/// `NLIF_MEMORY_LIMIT` is set but is not a size.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "invalid {var} `{text}`: expected a positive number of bytes, optionally with a unit K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), either optionally followed by B, e.g. 8G or 16GiB",
    var = super::MEMORY_LIMIT_VAR
)]
pub struct MemoryLimitError {
    /// The value given.
    pub text: String,
}

/// A config that cannot run, as [`super::check`] says it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The environment's memory limit is not a size.
    #[error(transparent)]
    MemoryLimit(#[from] MemoryLimitError),
    /// A field is invalid.
    #[error("{place}{message}")]
    Field {
        /// `FILE:LINE:COLUMN: ` where the field is written, `FILE: ` where it is not,
        /// empty without a file.
        place: String,
        /// The field's dotted path.
        field: String,
        /// The message, naming the field.
        message: String,
    },
}
