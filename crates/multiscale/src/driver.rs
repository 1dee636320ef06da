//! The run driver: a [`Simulation`] advanced to its end in short chunks, with checkpoints
//! on a schedule, an interrupt polled between chunks, and an observer that sees every
//! step. The simulation computes, the driver drives, the observer and the checkpoint
//! record; what they record never changes what is simulated.
//!
//! The command-line program, the experiment library's sweeps and any front end (a Python
//! package) use this one loop; each brings its own [`Checkpoint`] (files, a gather over
//! the processes of a distributed run) and interrupt (a signal flag, the same flag
//! agreed over processes).

use std::convert::Infallible;

use nlif_model::time::{next_multiple, reached, tidy};

use crate::components::Components;
use crate::config::RunError;
use crate::observer::Observer;
use crate::simulation::Simulation;
use crate::trace::Outcome;

/// Why a checkpoint is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Save {
    /// A checkpoint time `k · every` was reached.
    Scheduled,
    /// The run was interrupted: the last state before stopping.
    Interrupted,
}

/// Where a driven run's checkpoints go.
pub trait Checkpoint<C: Components> {
    /// What saving can fail with.
    type Error;
    /// Saves the state of `simulation` (typically [`Simulation::state`]).
    ///
    /// # Errors
    ///
    /// The checkpoint could not be saved: the run stops with this error.
    fn save(&mut self, simulation: &Simulation<C>, save: Save) -> Result<(), Self::Error>;
}

/// No checkpoints at all.
impl<C: Components> Checkpoint<C> for () {
    type Error = Infallible;
    fn save(&mut self, _simulation: &Simulation<C>, _save: Save) -> Result<(), Infallible> {
        Ok(())
    }
}

/// How a driven run finished.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Finish {
    /// The run ended ([`Outcome::Completed`] at `t_end`, or early).
    Ended(Outcome),
    /// The interrupt was seen at `t` (after a checkpoint, if the run takes them).
    Interrupted {
        /// The time reached.
        t: f64,
    },
    /// The observer stopped the run at `t`.
    Stopped {
        /// The time reached.
        t: f64,
    },
}

/// A failure of a driven run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriveError<E> {
    /// The simulation failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A checkpoint could not be saved.
    #[error("cannot save a checkpoint: {0}")]
    Checkpoint(E),
}

/// Drives a [`Simulation`] to its end (argmin's executor is the model).
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use multiscale::{Driver, Finish, RunConfig, Simulation, SolverKind};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let config = RunConfig { kind: SolverKind::Macro, t_end: 0.5, ..RunConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut run = Simulation::new(ModelParams::default(), Input::None, &initial, config,
///                               nlif_micro::Parallelism::Sequential)?;
/// let cancel = AtomicBool::new(false); // set by a signal handler, a GUI, another thread
/// let finish = Driver::new()
///     .interrupt(|| cancel.load(Ordering::Relaxed))
///     .run(&mut run, &mut (), &mut ())
///     .unwrap();
/// assert_eq!(finish, Finish::Ended(multiscale::Outcome::Completed));
/// # Ok::<(), multiscale::RunError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Driver<I = fn() -> bool> {
    every: Option<f64>,
    chunk_steps: f64,
    interrupt: I,
}

impl Driver {
    /// A driver without checkpoints or interrupt, polling every 50 of the run's finest
    /// steps.
    pub fn new() -> Self {
        Driver {
            every: None,
            chunk_steps: 50.0,
            interrupt: || false,
        }
    }
}

impl Default for Driver {
    fn default() -> Self {
        Driver::new()
    }
}

impl<I: FnMut() -> bool> Driver<I> {
    /// Checkpoints at every multiple of `every` (by the rule of `nlif_model::time`), and
    /// at an interrupt (`None`: none).
    pub fn checkpoint_every(mut self, every: Option<f64>) -> Self {
        self.every = every;
        self
    }

    /// The interrupt, polled between chunks: the run stops (after a checkpoint, if it
    /// takes them) once it returns true.
    pub fn interrupt<J: FnMut() -> bool>(self, interrupt: J) -> Driver<J> {
        Driver {
            every: self.every,
            chunk_steps: self.chunk_steps,
            interrupt,
        }
    }

    /// Steps between two polls of the interrupt (at least 1; default 50 of the run's
    /// finest step): how promptly an interrupt is answered. The results do not depend on
    /// it.
    pub fn poll_every(mut self, steps: u32) -> Self {
        self.chunk_steps = f64::from(steps.max(1));
        self
    }

    /// Runs `simulation` to its end, or until interrupted or stopped by `observer`.
    ///
    /// # Errors
    ///
    /// [`DriveError::Run`] if the simulation fails, [`DriveError::Checkpoint`] if a
    /// checkpoint cannot be saved.
    pub fn run<C, O, K>(
        &mut self,
        simulation: &mut Simulation<C>,
        observer: &mut O,
        checkpoint: &mut K,
    ) -> Result<Finish, DriveError<K::Error>>
    where
        C: Components,
        O: Observer,
        K: Checkpoint<C>,
    {
        let chunk = self.chunk_steps * simulation.config().finest_step();
        loop {
            let t_end = simulation.config().t_end;
            let t = simulation.time();
            let next = self.every.map_or(f64::INFINITY, |dt| next_multiple(t, dt));
            let until = (t + chunk).min(next).min(t_end);
            if let Some(outcome) = simulation.advance(until, observer)? {
                return Ok(Finish::Ended(outcome));
            }
            let t = simulation.time();
            if !reached(t, until) {
                return Ok(Finish::Stopped { t: tidy(t) });
            }
            if self.every.is_some() && reached(t, next) {
                checkpoint
                    .save(simulation, Save::Scheduled)
                    .map_err(DriveError::Checkpoint)?;
            }
            if (self.interrupt)() {
                if self.every.is_some() {
                    checkpoint
                        .save(simulation, Save::Interrupted)
                        .map_err(DriveError::Checkpoint)?;
                }
                return Ok(Finish::Interrupted { t: tidy(t) });
            }
        }
    }
}
