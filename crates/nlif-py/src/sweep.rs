//! `nlif.sweep`: one config run over the cartesian product of varied fields, as `nlif
//! sweep` runs it — the same parsing of the varied values (`sweep::parse_vary`), the
//! same points, seeds and directory (`sweep::run_reporting`), the same table (the rows
//! of `sweep.csv`, returned as columns for the Python side to make a NumPy structured
//! array of).

use std::path::PathBuf;

use nlif_experiment::config::{self, CheckError};
use nlif_experiment::sweep::{
    Definition, PointResult, Request, SweepError, Vary, check_all, parse_vary, run_reporting,
};
use nlif_experiment::{report, target};
use numpy::PyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::errors::{config_error, file_error, run_error};
use crate::interrupt::{bounded, pool, watched};
use crate::run::overridden;
use crate::values::ron_text;

/// The text of `--vary PATH=…` for the values `spec` of `path`: a string is the text
/// after `=` itself (`"0:1:5"`, `"[Macro, Micro]"`); a tuple `(start, stop, count)` is
/// the range `START:STOP:COUNT`; any other iterable lists the values (each written as
/// RON, as `set` writes a value).
fn vary_text(path: &str, spec: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = spec.py();
    let wrong = |why: &str| config_error(py, Some(path), format!("vary `{path}`: {why}"));
    if path.contains('=') {
        return Err(wrong("a config path has no `=`"));
    }
    if let Ok(text) = spec.cast::<PyString>() {
        return Ok(format!("{path}={text}"));
    }
    if let Ok(range) = spec.cast::<PyTuple>() {
        let (start, stop, count): (f64, f64, i64) = range.extract().map_err(|_| {
            wrong("a tuple is a range (start, stop, count), count an integer; give the values as a list")
        })?;
        // `{:?}` is the shortest text that reads back as the same double.
        return Ok(format!("{path}={start:?}:{stop:?}:{count}"));
    }
    let items = spec
        .try_iter()
        .map_err(|_| wrong("expected (start, stop, count), a list of values, or a str"))?;
    let values: PyResult<Vec<String>> = items.map(|v| ron_text(&v?)).collect();
    Ok(format!("{path}=[{}]", values?.join(", ")))
}

/// The varied fields of `vary` (path → values), in the dict's order: the first varies
/// slowest.
fn varied(py: Python<'_>, vary: &Bound<'_, PyDict>) -> PyResult<Vec<Vary>> {
    if vary.is_empty() {
        return Err(PyValueError::new_err(
            "vary: a sweep needs at least one varied field, e.g. vary={\"model.b\": (0.0, 3.0, 7)}",
        ));
    }
    let mut fields = Vec::with_capacity(vary.len());
    for (path, spec) in vary.iter() {
        let path: String = path
            .extract()
            .map_err(|_| PyTypeError::new_err("vary: the keys are config paths (str)"))?;
        let text = vary_text(&path, &spec)?;
        let field =
            parse_vary(&text).map_err(|e| config_error(py, Some(&path), format!("vary {e}")))?;
        fields.push(field);
    }
    Ok(fields)
}

/// The field at fault in the first invalid point: a varied path its value is refused by,
/// or the field the point's config check names.
fn first_fault(definition: &Definition) -> Option<String> {
    (0..definition.len()).find_map(|index| match definition.config(index) {
        Err(SweepError::Point { source, .. }) => match *source {
            SweepError::Refused { path, .. } => Some(path),
            _ => None,
        },
        Err(_) => None,
        Ok(config) => match config::check(&config, None, &[], 1) {
            Err(CheckError::Field { field, .. }) => Some(field),
            _ => None,
        },
    })
}

/// A column of floats, `None` as NaN (an empty cell of `sweep.csv`).
fn floats<'py>(
    py: Python<'py>,
    rows: &[PointResult],
    f: impl Fn(&PointResult) -> Option<f64>,
) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, rows.iter().map(|r| f(r).unwrap_or(f64::NAN)).collect())
}

/// The table of `rows` as columns (the columns of `sweep.csv`, in its order).
fn columns<'py>(
    py: Python<'py>,
    definition: &Definition,
    rows: &[PointResult],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let paths: Vec<&str> = definition.vary.iter().map(|v| v.path.as_str()).collect();
    let values: Vec<Vec<&str>> = (0..paths.len())
        .map(|k| rows.iter().map(|r| r.values[k].as_str()).collect())
        .collect();
    dict.set_item("paths", paths)?;
    dict.set_item("values", values)?;
    let ints = |f: fn(&PointResult) -> usize| {
        PyArray1::from_vec(py, rows.iter().map(|r| f(r) as i64).collect::<Vec<i64>>())
    };
    dict.set_item("index", ints(|r| r.index))?;
    let text = |f: fn(&PointResult) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    dict.set_item("outcome", text(|r| &r.outcome))?;
    dict.set_item("class", text(|r| &r.class))?;
    dict.set_item("mean_rate", floats(py, rows, |r| r.mean_rate))?;
    dict.set_item("mfes", ints(|r| r.mfes))?;
    dict.set_item("first_mfe", floats(py, rows, |r| r.first_mfe))?;
    dict.set_item(
        "largest_mfe_fraction",
        floats(py, rows, |r| r.largest_mfe_fraction),
    )?;
    dict.set_item(
        "micro_fraction",
        floats(py, rows, |r| Some(r.micro_fraction)),
    )?;
    dict.set_item("switches", ints(|r| r.switches))?;
    dict.set_item("wall_seconds", floats(py, rows, |r| Some(r.wall_seconds)))?;
    dict.set_item("error", text(|r| r.error.as_deref().unwrap_or("")))?;
    Ok(dict)
}

/// Runs a sweep into the directory `out`; returns its table as columns (the Python
/// package makes the structured array). See `nlif.sweep`.
#[pyfunction]
#[pyo3(signature = (config, vary, out, *, set = None, jobs = None, seed_per_point = false, keep_outputs = false, progress = None))]
pub(crate) fn sweep<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
    vary: &Bound<'py, PyDict>,
    out: PathBuf,
    set: Option<&Bound<'py, PyDict>>,
    jobs: Option<usize>,
    seed_per_point: bool,
    keep_outputs: bool,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let base = overridden(py, config, set)?.config;
    let definition = Definition {
        program: "nlif".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        base,
        vary: varied(py, vary)?,
        seed_per_point,
    };
    definition
        .validate()
        .map_err(|e| PyValueError::new_err(report(&e)))?;
    // As `nlif sweep --check`: every invalid point at once, before any runs.
    if let Err(e) = check_all(&definition) {
        return Err(config_error(
            py,
            first_fault(&definition).as_deref(),
            report(&e),
        ));
    }
    bounded("jobs", jobs)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let dir = target::resolve(&out, "out").map_err(|e| file_error(&e))?;
    let request = Request {
        definition: definition.clone(),
        dir: dir.clone(),
        jobs,
        shard: None,
        keep_outputs,
        quiet: true,
    };
    // The sweep makes its own pool of `jobs` threads; the one here only waits for it.
    let waiter = pool(Some(1))?;
    let ran = watched(py, &waiter, progress, |watch| {
        run_reporting(request, watch.flag(), |n| watch.reached(n as f64))
    })?;
    let ran = match ran {
        (_, Some(stopped)) => return Err(stopped),
        (Err(e), None) => {
            return Err(match &e {
                SweepError::Io(_)
                | SweepError::Create { .. }
                | SweepError::Write { .. }
                | SweepError::Lock(_)
                | SweepError::NotASweep { .. }
                | SweepError::DifferentSweep { .. }
                | SweepError::NotADefinition { .. } => file_error(&e),
                _ => run_error(&e),
            });
        }
        (Ok(ran), None) => ran,
    };
    let dict = columns(py, &definition, &ran.results)?;
    dict.set_item("out", dir)?;
    dict.set_item("failed", ran.failed)?;
    Ok(dict)
}
