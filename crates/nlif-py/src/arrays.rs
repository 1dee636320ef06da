//! A run's record as NumPy arrays.
//!
//! The record ([`multiscale::Trace`]) holds its samples as structs (`t`, `rate`, `mode`
//! together); each column is gathered once into a `Vec` of its own and that `Vec` is
//! moved into NumPy ([`PyArray1::from_vec`] keeps the Rust allocation as the array's
//! buffer): one pass over the record per column, no second copy. A 2-D array (the
//! density snapshots, the rates per population) is one `Vec` moved in the same way
//! ([`PyArray2::from_owned_array`]).

use multiscale::{Mode, Trace};
use ndarray::Array2;
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `mode` codes: 0 macro, 1 micro (the Python side names them).
fn code(mode: Mode) -> u8 {
    match mode {
        Mode::Macro => 0,
        Mode::Micro => 1,
    }
}

/// A `rows × cols` array from `values` in row order, moved into NumPy.
fn matrix<'py>(
    py: Python<'py>,
    rows: usize,
    cols: usize,
    values: Vec<f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let array = Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| PyRuntimeError::new_err(format!("the run's record is inconsistent: {e}")))?;
    Ok(PyArray2::from_owned_array(py, array))
}

/// The columns of `trace` into `out`: `t`, `rate`, `mode_code`; with several populations
/// `populations` (names) and `rates` (samples × populations); the multiple firing
/// events `mfe_t`, `mfe_fraction`, `mfe_fired`, `mfe_rounds` (and `mfe_fractions`, events
/// × populations); the density snapshots `density_t`, `density_mode_code`, `density`
/// (snapshots × cells, every population's cells one after the other), `grids` (each
/// population's nodes) and `population_cells`; the spikes `spike_t`,
/// `spike_population`, `spike_neuron`.
pub(crate) fn trace_arrays(
    py: Python<'_>,
    out: &Bound<'_, PyDict>,
    trace: Trace,
    grids: Vec<Vec<f64>>,
) -> PyResult<()> {
    let n = trace.samples.len();
    let t: Vec<f64> = trace.samples.iter().map(|s| s.t).collect();
    let rate: Vec<f64> = trace.samples.iter().map(|s| s.rate).collect();
    let mode: Vec<u8> = trace.samples.iter().map(|s| code(s.mode)).collect();
    out.set_item("t", PyArray1::from_vec(py, t))?;
    out.set_item("rate", PyArray1::from_vec(py, rate))?;
    out.set_item("mode_code", PyArray1::from_vec(py, mode))?;
    let p = trace.populations.len();
    out.set_item("populations", trace.populations.clone())?;
    if p > 0 {
        out.set_item("rates", matrix(py, n, p, trace.population_rates)?)?;
    }

    let mfes = &trace.mfes;
    out.set_item(
        "mfe_t",
        PyArray1::from_vec(py, mfes.iter().map(|m| m.t).collect()),
    )?;
    out.set_item(
        "mfe_fraction",
        PyArray1::from_vec(py, mfes.iter().map(|m| m.fraction).collect()),
    )?;
    out.set_item(
        "mfe_fired",
        PyArray1::from_vec(py, mfes.iter().map(|m| m.fired).collect()),
    )?;
    out.set_item(
        "mfe_rounds",
        PyArray1::from_vec(py, mfes.iter().map(|m| m.rounds).collect()),
    )?;
    if p > 0 {
        out.set_item(
            "mfe_fractions",
            matrix(py, mfes.len(), p, trace.mfe_fractions)?,
        )?;
    }

    let snapshots = trace.densities;
    let cells: usize = grids.iter().map(Vec::len).sum();
    let density_t: Vec<f64> = snapshots.iter().map(|d| d.t).collect();
    let density_mode: Vec<u8> = snapshots.iter().map(|d| code(d.mode)).collect();
    let mut values = Vec::with_capacity(snapshots.len() * cells);
    for snapshot in snapshots {
        if snapshot.values.len() != cells {
            return Err(PyRuntimeError::new_err(format!(
                "the run's record is inconsistent: a density snapshot of {} values on grids of {cells} nodes",
                snapshot.values.len()
            )));
        }
        values.extend_from_slice(&snapshot.values);
    }
    let m = density_t.len();
    out.set_item("density_t", PyArray1::from_vec(py, density_t))?;
    out.set_item("density_mode_code", PyArray1::from_vec(py, density_mode))?;
    out.set_item("density", matrix(py, m, cells, values)?)?;
    let population_cells: Vec<usize> = grids.iter().map(Vec::len).collect();
    out.set_item("population_cells", population_cells)?;
    let grids: Vec<Bound<'_, PyArray1<f64>>> = grids
        .into_iter()
        .map(|g| PyArray1::from_vec(py, g))
        .collect();
    out.set_item("grids", grids)?;

    let spikes = &trace.spikes;
    out.set_item(
        "spike_t",
        PyArray1::from_vec(
            py,
            spikes.iter().map(|s| nlif_model::time::tidy(s.t)).collect(),
        ),
    )?;
    out.set_item(
        "spike_population",
        PyArray1::from_vec(py, spikes.iter().map(|s| s.population).collect()),
    )?;
    out.set_item(
        "spike_neuron",
        PyArray1::from_vec(py, spikes.iter().map(|s| s.neuron).collect()),
    )?;
    out.set_item("macro_steps", trace.macro_steps)?;
    out.set_item("micro_steps", trace.micro_steps)?;
    Ok(())
}

/// `n` samples handed to NumPy as [`trace_arrays`] hands the rate over (a `Vec` moved in):
/// the measurement of the hand-over's cost in time and memory (docs/python.md).
#[pyfunction]
pub(crate) fn _vec_handover(py: Python<'_>, n: usize) -> Bound<'_, PyArray1<f64>> {
    let values: Vec<f64> = (0..n).map(|k| k as f64).collect();
    PyArray1::from_vec(py, values)
}
