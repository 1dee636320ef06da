//! `nlif.run`: one experiment in this process, as `nlif run` runs it — the same config
//! checks, the same run (`nlif_experiment::run_with`, the library's `Driver`), the same
//! outputs (`nlif_experiment::output::write_all`) when asked for.

use std::path::{Path, PathBuf};

use multiscale::{Event, observe_with};
use nlif_experiment::lock::Lock;
use nlif_experiment::{Config, Parallelism, checkpoint, output, run_with, target};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrays::trace_arrays;
use crate::config::PyConfig;
use crate::errors::{config_error, file_error, run_error};
use crate::interrupt::{pool, watched};

/// The config `config` names: an `nlif.Config` (copied) or the path of a RON file.
pub(crate) fn config_of(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<PyConfig> {
    if let Ok(c) = config.cast::<PyConfig>() {
        return Ok(c.borrow().clone());
    }
    let path: PathBuf = config.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "config: expected an nlif.Config or the path of a config file",
        )
    })?;
    let load = py.get_type::<PyConfig>().getattr("load")?;
    Ok(load.call1((path,))?.cast::<PyConfig>()?.borrow().clone())
}

/// `config` with the overrides `set` (dotted path → value), checked as `nlif run` and
/// `nlif sweep` check it.
pub(crate) fn overridden(
    py: Python<'_>,
    config: &Bound<'_, PyAny>,
    set: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyConfig> {
    let mut config = config_of(py, config)?;
    if let Some(set) = set {
        for (path, value) in set.iter() {
            config.assign(py, &path.str()?.to_string(), &value)?;
        }
    }
    config.check(py)?;
    Ok(config)
}

/// The config of a run: [`overridden`], without checkpoints (a run from Python keeps its
/// state by pickling a `Simulation`).
pub(crate) fn resolved(
    py: Python<'_>,
    config: &Bound<'_, PyAny>,
    set: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyConfig> {
    let config = overridden(py, config, set)?;
    if config.config.output.checkpoint.is_some() {
        return Err(config_error(
            py,
            Some("output.checkpoint"),
            "invalid `output.checkpoint`: a run from Python writes no checkpoints (`nlif run` does); keep a run's state with nlif.Simulation and pickle, or set output.checkpoint = None".to_owned(),
        ));
    }
    Ok(config)
}

/// The output directory `out` claimed as `nlif run --out` claims it: resolved, locked,
/// checked (nothing there but an earlier nlif output, no interrupted run waiting), with a
/// staging directory beside it.
fn claim(out: &Path) -> PyResult<(PathBuf, Lock, PathBuf)> {
    let out = target::resolve(out, "out").map_err(|e| file_error(&e))?;
    let lock = Lock::exclusive(&out).map_err(|e| file_error(&e))?;
    lock.remove_leftovers(&out);
    output::check_target(&out).map_err(|e| file_error(&e))?;
    let waiting = target::beside(&out, ".partial");
    if waiting.join(checkpoint::FILE).is_file() {
        return Err(pyo3::exceptions::PyFileExistsError::new_err(format!(
            "an interrupted checkpointed run of {} is waiting in {}: continue it with `nlif resume {}`, or remove that directory first",
            out.display(),
            waiting.display(),
            out.display()
        )));
    }
    let staging = output::staging_for(&out).map_err(|e| file_error(&e))?;
    Ok((out, lock, staging))
}

/// Runs an experiment; returns its record as a dict of NumPy arrays and the summary (the
/// Python package wraps it in `nlif.Result`). See `nlif.run`.
#[pyfunction]
#[pyo3(signature = (config, *, set = None, threads = None, progress = None, out = None))]
pub(crate) fn run<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
    set: Option<&Bound<'py, PyDict>>,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    out: Option<PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let config: Config = resolved(py, config, set)?.config;
    let pool = pool(threads)?;
    let claimed = out.as_deref().map(claim).transpose()?;
    let remove_staging = |claimed: &Option<(PathBuf, Lock, PathBuf)>| {
        if let Some((_, _, staging)) = claimed {
            std::fs::remove_dir_all(staging).ok();
        }
    };
    let ran = watched(py, &pool, progress, |watch| {
        let mut observer = observe_with(|event| {
            if let Event::Sample(sample) = event {
                watch.reached(sample.t);
            }
            std::ops::ControlFlow::Continue(())
        });
        run_with(&config, Parallelism::Rayon, &mut observer, || {
            watch.stopped()
        })
    });
    let result = match ran {
        Ok((Ok(result), None)) => result,
        Ok((_, Some(stopped))) => {
            remove_staging(&claimed);
            return Err(stopped);
        }
        Ok((Err(e), None)) => {
            remove_staging(&claimed);
            return Err(run_error(&e));
        }
        Err(e) => {
            remove_staging(&claimed);
            return Err(e);
        }
    };
    let dict = PyDict::new(py);
    if let Some((out, _lock, staging)) = &claimed {
        let written = output::write_all(out, &config, &result, Some(staging));
        if let Err(e) = written {
            std::fs::remove_dir_all(staging).ok();
            return Err(file_error(&e));
        }
        dict.set_item("out", out)?;
    }
    let summary = output::summary(&config, &result);
    let json = py.import("json")?;
    dict.set_item(
        "summary",
        json.call_method1("loads", (summary.to_string(),))?,
    )?;
    dict.set_item("warnings", output::warnings(&config, &result.trace))?;
    dict.set_item("outcome", result.outcome.as_str())?;
    dict.set_item("completed", result.outcome.is_completed())?;
    dict.set_item("wall_seconds", result.wall_seconds)?;
    trace_arrays(py, &dict, result.trace, result.grids)?;
    Ok(dict)
}
