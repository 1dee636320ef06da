//! A long computation run without the GIL while the calling (Python) thread answers
//! Ctrl-C and draws progress.
//!
//! The computation runs on a rayon pool of its own (the `threads` of `nlif.run`, as
//! `--threads` sizes the program's pool; the results do not depend on it). The calling
//! thread releases the GIL and waits for it, waking every [`POLL`] to run Python's signal
//! handlers (`Python::check_signals`: only the main thread's wake-ups can raise
//! `KeyboardInterrupt`) and to hand the time reached to a progress callback. A signal's
//! exception sets the stop flag, which the run driver polls between chunks of 50 of the
//! run's finest steps; the run stops there, consistent, and the exception is raised once
//! it has. The computation itself never takes the GIL: waking costs the simulation
//! nothing but a relaxed atomic load per chunk.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// How often the waiting thread runs the signal handlers and the progress callback.
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// The most threads per core, as the program's `--threads` allows.
const THREADS_PER_CORE: usize = 4;

/// What the computation and the waiting thread share.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    stop: AtomicBool,
    /// The time reached, as `f64` bits (for the progress callback).
    t: AtomicU64,
}

impl Watch {
    /// Whether the computation should stop (a signal's exception, a failing callback).
    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The stop flag itself, for a library function that polls an `AtomicBool` (a
    /// sweep's `run_until`).
    pub(crate) fn flag(&self) -> &AtomicBool {
        &self.stop
    }

    /// Records the time reached.
    pub(crate) fn reached(&self, t: f64) {
        self.t.store(t.to_bits(), Ordering::Relaxed);
    }
}

/// A rayon pool of `threads` threads (the machine's cores when `None`), refused as the
/// program refuses `--threads`: 0, or more than 4 per core.
pub(crate) fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    bounded("threads", threads)?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .thread_name(|k| format!("nlif-{k}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the worker threads: {e}")))
}

/// Refuses a count of threads `name` (`threads`, a sweep's `jobs`) as the program
/// refuses `--threads` and `--jobs`: 0, or more than 4 per core.
pub(crate) fn bounded(name: &str, threads: Option<usize>) -> PyResult<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match threads {
        Some(0) => Err(PyValueError::new_err(format!("{name} must be at least 1"))),
        Some(n) if n > THREADS_PER_CORE * cores => Err(PyValueError::new_err(format!(
            "{name} = {n}: at most {} ({THREADS_PER_CORE} per core of this machine); the results do not depend on it",
            THREADS_PER_CORE * cores
        ))),
        _ => Ok(()),
    }
}

/// Runs `work` on `pool` without the GIL while this thread answers signals and calls
/// `progress(t)` every [`POLL`]. Returns what `work` returned and the exception that
/// stopped it, if any (`KeyboardInterrupt`, or what the callback raised): `work` has
/// then seen [`Watch::stopped`] and returned early.
///
/// # Errors
///
/// `RuntimeError` if `work` panicked (an internal error; nothing in the library panics
/// on input).
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    pool: &rayon::ThreadPool,
    progress: Option<Py<PyAny>>,
    work: impl FnOnce(&Watch) -> T + Send,
) -> PyResult<(T, Option<PyErr>)> {
    let watch = Watch::default();
    let (sender, receiver) = mpsc::channel();
    let (done, stopped) = py.detach(move || {
        let watch = &watch;
        pool.in_place_scope(move |scope| {
            scope.spawn(move |_| {
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(watch)));
                // The receiver waits until this arrives: it cannot have gone.
                let _ = sender.send(done);
            });
            let mut stopped: Option<PyErr> = None;
            loop {
                match receiver.recv_timeout(POLL) {
                    Ok(done) => return (Some(done), stopped),
                    Err(mpsc::RecvTimeoutError::Timeout) if stopped.is_none() => {
                        stopped = Python::attach(|py| poll(py, watch, progress.as_ref()));
                        if stopped.is_some() {
                            watch.stop.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => return (None, stopped),
                }
            }
        })
    });
    match done {
        Some(Ok(value)) => Ok((value, stopped)),
        Some(Err(panic)) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(PyRuntimeError::new_err(format!(
                "internal error: the computation panicked: {why}"
            )))
        }
        None => Err(PyRuntimeError::new_err(
            "internal error: the computation ended without a result",
        )),
    }
}

/// Runs the signal handlers, then the progress callback: the exception either raised.
fn poll(py: Python<'_>, watch: &Watch, progress: Option<&Py<PyAny>>) -> Option<PyErr> {
    if let Err(e) = py.check_signals() {
        return Some(e);
    }
    let t = f64::from_bits(watch.t.load(Ordering::Relaxed));
    progress.and_then(|callback| callback.call1(py, (t,)).err())
}
