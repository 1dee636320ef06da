//! The exact results of the mean-field model (docs/model.md §6), as `nlif steady` and the
//! figures compute them: `nlif_model`'s Siegert rate, stationary states with their
//! stability, stationary density and blow-up criterion.

use nlif_model::{ModelError, ModelParams, Refractory};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::errors::config_error;

/// A parameter the exact results refuse, as a `ConfigError` naming it (`nlif steady`'s
/// words: "invalid parameter: invalid `b` = …").
fn refused(py: Python<'_>, e: &ModelError) -> PyErr {
    config_error(py, Some(e.field()), format!("invalid parameter: {e}"))
}

fn params(a0: f64, a1: f64, b: f64, v_f: f64, v_r: f64) -> ModelParams {
    ModelParams {
        a0,
        a1,
        b,
        v_f,
        v_r,
    }
}

/// Every stationary rate of one population, ascending, with its stability: the fixed
/// points `N = ν(bN + I)` of `nlif steady` (with a refractory period `tau`, `1/N = tau +
/// 1/ν`). A rate below the smallest double is 0.0 (see `steady_ln`).
#[pyfunction]
#[pyo3(signature = (a0 = 1.0, a1 = 0.0, b = 0.0, v_f = 2.0, v_r = 1.0, input = 0.0, refractory = 0.0))]
pub(crate) fn steady(
    py: Python<'_>,
    a0: f64,
    a1: f64,
    b: f64,
    v_f: f64,
    v_r: f64,
    input: f64,
    refractory: f64,
) -> PyResult<Vec<(f64, bool, f64)>> {
    let p = params(a0, a1, b, v_f, v_r);
    let period = Refractory::Fixed { tau: refractory };
    let mut states = py
        .detach(|| nlif_model::stationary_states_refractory(&p, input, &period))
        .map_err(|e| refused(py, &e))?;
    states.sort_by(|x, y| x.ln_rate.total_cmp(&y.ln_rate));
    Ok(states
        .iter()
        .map(|s| (s.rate, s.stable, s.ln_rate))
        .collect())
}

/// The Siegert rate `ν(μ)` of one leaky neuron with mean input `mu` and noise `a`.
#[pyfunction]
#[pyo3(signature = (mu, a = 1.0, v_f = 2.0, v_r = 1.0))]
pub(crate) fn siegert_rate(py: Python<'_>, mu: f64, a: f64, v_f: f64, v_r: f64) -> PyResult<f64> {
    nlif_model::siegert_rate(mu, a, v_f, v_r).map_err(|e| refused(py, &e))
}

/// The exact stationary density at firing rate `rate`, at every voltage of `v`.
#[pyfunction]
#[pyo3(signature = (v, rate, a0 = 1.0, a1 = 0.0, b = 0.0, v_f = 2.0, v_r = 1.0, input = 0.0))]
pub(crate) fn stationary_density<'py>(
    py: Python<'py>,
    v: PyReadonlyArray1<'py, f64>,
    rate: f64,
    a0: f64,
    a1: f64,
    b: f64,
    v_f: f64,
    v_r: f64,
    input: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = params(a0, a1, b, v_f, v_r);
    let values: Result<Vec<f64>, ModelError> = v
        .as_array()
        .iter()
        .map(|&v| nlif_model::stationary_density(&p, input, rate, v))
        .collect();
    Ok(PyArray1::from_vec(py, values.map_err(|e| refused(py, &e))?))
}

/// The smallest witness `μ` of the Cáceres–Carrillo–Perthame blow-up condition for the
/// discrete measure `mass` at voltages `v`, or None (which proves nothing).
#[pyfunction]
#[pyo3(signature = (v, mass, a0 = 1.0, a1 = 0.0, b = 0.0, v_f = 2.0, v_r = 1.0))]
pub(crate) fn blowup_witness(
    py: Python<'_>,
    v: PyReadonlyArray1<'_, f64>,
    mass: PyReadonlyArray1<'_, f64>,
    a0: f64,
    a1: f64,
    b: f64,
    v_f: f64,
    v_r: f64,
) -> PyResult<Option<f64>> {
    let p = params(a0, a1, b, v_f, v_r);
    let (v, mass) = (v.as_array(), mass.as_array());
    let (v, mass) = (v.to_vec(), mass.to_vec());
    nlif_model::blowup_witness(&p, &v, &mass).map_err(|e| refused(py, &e))
}
