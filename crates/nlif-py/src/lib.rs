//! The extension module `nlif._nlif` of the Python package `nlif`: a thin layer over the
//! library crates the `nlif` program uses (`nlif-experiment` for configs, overrides,
//! validation, runs, sweeps and outputs; `multiscale` for the run driver and the stepping
//! simulation; `nlif-model` for the exact results). Nothing here simulates: every number
//! comes from the same code as the program's, so a run from Python is the program's run
//! bit for bit.
//!
//! The Python side (`python/nlif/__init__.py`) adds what is Python's: the result object,
//! `to_pandas`, the tqdm progress bar.
//!
//! Errors cross as Python exceptions: [`ConfigError`] (a `ValueError` whose `field` names
//! the config field), `OSError` and its subclasses for files, `ValueError` for bad
//! arguments, `RuntimeError` for a run that fails; no code path here panics on input.

#![deny(unsafe_code)]

use pyo3::prelude::*;

mod arrays;
mod config;
mod errors;
mod exact;
mod interrupt;
mod run;
mod simulation;
mod sweep;
mod values;

pub use errors::ConfigError;

/// Noisy leaky integrate-and-fire networks (the Rust core of the package `nlif`).
#[pymodule]
#[pyo3(name = "_nlif")]
fn nlif_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add_class::<config::PyConfig>()?;
    m.add_class::<simulation::PySimulation>()?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(arrays::_vec_handover, m)?)?;
    m.add_function(wrap_pyfunction!(exact::steady, m)?)?;
    m.add_function(wrap_pyfunction!(exact::siegert_rate, m)?)?;
    m.add_function(wrap_pyfunction!(exact::stationary_density, m)?)?;
    m.add_function(wrap_pyfunction!(exact::blowup_witness, m)?)?;
    Ok(())
}
