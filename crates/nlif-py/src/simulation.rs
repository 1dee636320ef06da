//! `nlif.Simulation`: a run stepped from Python — `multiscale::Simulation::advance` with
//! an observer, its state pickled as the bytes of the program's checkpoint file
//! (`nlif_experiment::checkpoint::encode` / `decode`), restored bit for bit.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Mutex;

use multiscale::{Event, Simulation, observe_with};
use nlif_experiment::checkpoint::{self, Checkpoint, Stats};
use nlif_experiment::{Config, Parallelism, report};
use numpy::PyArray1;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::config::PyConfig;
use crate::errors::run_error;
use crate::interrupt::{pool, watched};
use crate::run::resolved;

/// A run advanced step by step: ``Simulation(config)``, then ``advance(until)``; ``t``,
/// ``rate``, ``phase`` and ``density()`` read where it is; ``pickle`` saves and restores
/// it bit for bit (as the program's checkpoints).
#[pyclass(name = "Simulation", module = "nlif")]
pub struct PySimulation {
    config: Config,
    pool: rayon::ThreadPool,
    simulation: Mutex<Simulation>,
}

impl PySimulation {
    /// The simulation, locked (a second Python thread waits for the first's call).
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, Simulation>> {
        self.simulation
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the simulation failed in another thread"))
    }
}

/// An event as a dict: `kind` (`"step"`, `"sample"`, `"switch"`, `"mfe"`,
/// `"rollback"`), `t`, and what the event carries.
fn event_dict<'py>(py: Python<'py>, event: &Event<'_>) -> PyResult<Option<Bound<'py, PyDict>>> {
    let d = PyDict::new(py);
    match event {
        Event::Step(s) => {
            d.set_item("kind", "step")?;
            d.set_item("t", s.t)?;
            d.set_item("rate", s.rate)?;
            d.set_item("mode", s.mode.as_str())?;
        }
        Event::Sample(s) => {
            d.set_item("kind", "sample")?;
            d.set_item("t", s.t)?;
            d.set_item("rate", s.rate)?;
            d.set_item("mode", s.mode.as_str())?;
        }
        Event::Switch(s) => {
            d.set_item("kind", "switch")?;
            d.set_item("t", s.t)?;
            d.set_item("to", s.to.as_str())?;
            d.set_item("reason", s.reason.as_str())?;
        }
        Event::Mfe(m) => {
            d.set_item("kind", "mfe")?;
            d.set_item("t", m.t)?;
            d.set_item("fraction", m.fraction)?;
            d.set_item("fired", m.fired)?;
        }
        Event::Rollback { t } => {
            d.set_item("kind", "rollback")?;
            d.set_item("t", *t)?;
        }
        _ => return Ok(None),
    }
    Ok(Some(d))
}

#[pymethods]
impl PySimulation {
    #[new]
    #[pyo3(signature = (config, *, set = None, threads = None))]
    fn new(
        py: Python<'_>,
        config: &Bound<'_, PyAny>,
        set: Option<&Bound<'_, PyDict>>,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let config = resolved(py, config, set)?.config;
        let pool = pool(threads)?;
        let started = py.detach(|| {
            pool.install(|| {
                Simulation::for_problem(config.problem())
                    .parallelism(Parallelism::Rayon)
                    .start(config.initial_density())
            })
        });
        let simulation = started.map_err(|e| run_error(&e))?;
        Ok(PySimulation {
            config,
            pool,
            simulation: Mutex::new(simulation),
        })
    }

    /// Advances to `until` (at most ``t_end``), the end of the run, or until `observer`
    /// (called with a dict per event: every step, sample, switch, multiple firing event
    /// and rollback) returns True. Returns the outcome once the run has ended
    /// (``"completed"``, ``"blow_up"``, …), else None. Ctrl-C stops it within a fraction
    /// of a second (``KeyboardInterrupt``), the simulation left usable where it stopped.
    #[pyo3(signature = (until, observer = None))]
    fn advance(
        &self,
        py: Python<'_>,
        until: f64,
        observer: Option<Py<PyAny>>,
    ) -> PyResult<Option<&'static str>> {
        if until.is_nan() {
            return Err(PyValueError::new_err("until: not a number"));
        }
        let mut simulation = self.lock()?;
        let simulation = &mut *simulation;
        let (done, stopped) = watched(py, &self.pool, None, |watch| {
            let mut failed: Option<PyErr> = None;
            let mut watcher = observe_with(|event| {
                if let Event::Sample(s) = event {
                    watch.reached(s.t);
                }
                if watch.stopped() || failed.is_some() {
                    return ControlFlow::Break(());
                }
                let Some(callback) = &observer else {
                    return ControlFlow::Continue(());
                };
                Python::attach(|py| {
                    let stop = event_dict(py, &event).and_then(|d| match d {
                        Some(d) => callback.call1(py, (d,))?.is_truthy(py),
                        None => Ok(false),
                    });
                    match stop {
                        Ok(true) => ControlFlow::Break(()),
                        Ok(false) => ControlFlow::Continue(()),
                        Err(e) => {
                            failed = Some(e);
                            ControlFlow::Break(())
                        }
                    }
                })
            });
            let advanced = simulation.advance(until, &mut watcher);
            (advanced, failed)
        })?;
        let (advanced, failed) = done;
        if let Some(e) = stopped.or(failed) {
            return Err(e);
        }
        let outcome = advanced.map_err(|e| run_error(&e))?;
        Ok(outcome.map(|o| o.as_str()))
    }

    /// The time reached.
    #[getter]
    fn t(&self) -> PyResult<f64> {
        Ok(nlif_model::time::tidy(self.lock()?.time()))
    }

    /// The rate of the last step.
    #[getter]
    fn rate(&self) -> PyResult<f64> {
        Ok(self.lock()?.rate())
    }

    /// Which description advances the network: ``"macro"`` (the density) or ``"micro"``
    /// (the particles).
    #[getter]
    fn phase(&self) -> PyResult<&'static str> {
        Ok(self.lock()?.mode().as_str())
    }

    /// How the run ended (``"completed"``, …), None while it goes on.
    #[getter]
    fn outcome(&self) -> PyResult<Option<&'static str>> {
        Ok(self.lock()?.outcome().map(|o| o.as_str()))
    }

    /// The config it runs.
    #[getter]
    fn config(&self) -> PyConfig {
        PyConfig::of(self.config.clone())
    }

    /// The density on the grid (a copy) in a density phase, None in a particle phase.
    fn density<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyArray1<f64>>>> {
        let simulation = self.lock()?;
        Ok(simulation
            .density()
            .map(|d| PyArray1::from_vec(py, d.to_vec())))
    }

    /// The nodes of the (first population's) grid, where ``density()`` has its values.
    fn grid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(PyArray1::from_vec(py, self.lock()?.grid_nodes()))
    }

    /// The record so far as an ``nlif.Result`` (without a summary: the run is not
    /// over).
    fn record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(py);
        {
            let simulation = self.lock()?;
            let grids = nlif_experiment::output::grid_nodes(&simulation);
            crate::arrays::trace_arrays(py, &d, simulation.trace().clone(), grids)?;
            d.set_item("outcome", simulation.outcome().map(|o| o.as_str()))?;
            d.set_item(
                "completed",
                simulation.outcome().is_some_and(|o| o.is_completed()),
            )?;
        }
        py.import("nlif")?.getattr("Result")?.call1((d,))
    }

    /// The state as the bytes of a checkpoint file (what ``nlif inspect`` reads).
    fn checkpoint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let state = self.lock()?.state().map_err(|e| run_error(&e))?;
        let bytes = checkpoint::encode(&Checkpoint {
            config: self.config.clone(),
            stats: Stats::default(),
            state,
        })
        .map_err(|e| PyRuntimeError::new_err(report(&e)))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The simulation a checkpoint's bytes hold, continued bit for bit.
    #[staticmethod]
    #[pyo3(signature = (data, *, threads = None))]
    fn from_checkpoint(py: Python<'_>, data: &[u8], threads: Option<usize>) -> PyResult<Self> {
        let (checkpoint, _) = checkpoint::decode(Path::new("<checkpoint bytes>"), data)
            .map_err(|e| PyValueError::new_err(report(&e)))?;
        let config = checkpoint.config;
        let state = checkpoint.state;
        let pool = pool(threads)?;
        let resumed = py.detach(|| {
            pool.install(|| {
                Simulation::for_problem(config.problem())
                    .parallelism(Parallelism::Rayon)
                    .resume(state)
            })
        });
        let simulation = resumed.map_err(|e| run_error(&e))?;
        Ok(PySimulation {
            config,
            pool,
            simulation: Mutex::new(simulation),
        })
    }

    /// Pickled as its checkpoint's bytes.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let restore = slf.get_type().getattr("from_checkpoint")?;
        let bytes = slf.borrow().checkpoint(slf.py())?;
        Ok((restore, (bytes,)))
    }

    fn __repr__(&self) -> PyResult<String> {
        let simulation = self.lock()?;
        Ok(format!(
            "nlif.Simulation({:?}, t={}, phase={:?})",
            self.config.name,
            nlif_experiment::shortest(nlif_model::time::tidy(simulation.time())),
            simulation.mode().as_str()
        ))
    }
}
