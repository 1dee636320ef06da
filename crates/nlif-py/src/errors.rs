//! The library's typed errors as Python exceptions.

use std::io::ErrorKind;

use nlif_experiment::{Causes, report};
use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyIsADirectoryError, PyNotADirectoryError, PyOSError,
    PyPermissionError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;

pyo3::create_exception!(
    nlif,
    ConfigError,
    PyValueError,
    "A config that cannot run: its `field` attribute is the dotted path of the field at fault (as in `--set`), or None."
);

/// A [`ConfigError`] saying `message`, its `field` attribute set to `field`.
pub(crate) fn config_error(py: Python<'_>, field: Option<&str>, message: String) -> PyErr {
    let err = ConfigError::new_err(message);
    // Setting an attribute on a fresh exception instance does not fail; if it did, the
    // exception without it is still the right one.
    let _ = err.value(py).setattr("field", field);
    err
}

/// The Python `OSError` subclass for an I/O error of `kind`, with the library's `message`
/// (which names the file).
pub(crate) fn os_error(kind: ErrorKind, message: String) -> PyErr {
    match kind {
        ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
        ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
        ErrorKind::AlreadyExists => PyFileExistsError::new_err(message),
        ErrorKind::IsADirectory => PyIsADirectoryError::new_err(message),
        ErrorKind::NotADirectory => PyNotADirectoryError::new_err(message),
        _ => PyOSError::new_err(message),
    }
}

/// The first I/O error among the causes of `e`, if any.
fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = c.source();
    }
    None
}

/// An error of the library that is about files (reading, writing, locking an output):
/// `OSError` (the subclass of its I/O cause) with every cause said once; an error without
/// an I/O cause (an output that is not nlif's, a lock held by another run) is still about
/// the file system, and an `OSError`.
pub(crate) fn file_error<E: std::error::Error + 'static>(e: &E) -> PyErr {
    let kind = io_kind(e).unwrap_or(ErrorKind::Other);
    os_error(kind, report(e))
}

/// A run that could not be made (not a config problem, which `validate` reports first):
/// `RuntimeError` with every cause.
pub(crate) fn run_error<E: Causes + ?Sized>(e: &E) -> PyErr {
    PyRuntimeError::new_err(report(e))
}
