#![doc = include_str!("../README.md")]
//!
//! ## API map
//!
//! - the experiment file: [`Config`] (one RON file, every section; [`config::load`],
//!   [`config::parse`]), its dotted overrides ([`set::assign`]), the one validation path
//!   with messages naming the field's file, line and column ([`config::check`]), and the
//!   run settings it defines ([`Config::run_config`]);
//! - a run in this process: [`run`], giving a [`RunResult`];
//! - what a run leaves: [`output`] (`summary.json`, `rate.csv`, `.npy`, written into
//!   place atomically), [`plot`] (rate and density, with the embedded font and the
//!   clipping and legend layout shared by every plot of the project), [`progress`] (an
//!   observer showing a run on stderr), [`checkpoint`] (the `checkpoint.nlif` format),
//!   [`target`] (an output path resolved once) and [`lock`] (one writer per output);
//! - [`sweep`]: one config over a grid of parameter values, its results and phase
//!   diagram.
//!
//! Every error is typed ([`config::LoadError`], [`config::CheckError`],
//! [`set::SetError`], [`sweep::VaryError`], [`target::TargetError`],
//! [`ExperimentError`], [`checkpoint::CheckpointError`], [`lock::LockError`],
//! [`output::OutputError`], [`plot::PlotError`], [`sweep::SweepError`], …): each carries
//! the file, place and field as data, keeps its causes as sources and names no
//! command-line option; a front end adds its own words (matching on the variant where
//! it suggests an option). [`report`] says each cause once, for these errors and for an
//! `anyhow::Error` of a front end.

pub mod checkpoint;
pub mod config;
pub mod lock;
pub mod output;
pub mod plot;
pub mod progress;
pub mod set;
pub mod stdout;
pub mod sweep;
pub mod target;
pub mod writer;

use std::time::Instant;

use multiscale::{DriveError, Driver, Finish, Observer, Outcome, Simulation};

pub use config::Config;
pub use nlif_micro::Parallelism;
pub use output::RunResult;

/// Runs the experiment `config` to its end in this process, all its particles here
/// (`parallelism` says how they are stepped; the results do not depend on it), without
/// checkpoints: what the writers of [`output`] and the plots need.
///
/// [`config::check`] first gives the messages that name a field's place in the file and
/// checks the memory; [`run`] itself refuses an invalid config through
/// [`multiscale::preflight`].
///
/// # Errors
///
/// The config cannot start a run (invalid settings), or the run fails (a conversion
/// between density and particles that cannot be made).
pub fn run(config: &Config, parallelism: Parallelism) -> Result<RunResult, ExperimentError> {
    run_with(config, parallelism, &mut (), || false)
}

/// [`run`] watched by `observer` (every step, sample, switch and event; it may stop the
/// run) and cancelled when `cancel` returns true (polled every 50 of the run's finest
/// steps, e.g. a flag set by a signal handler or another thread). A stopped or cancelled
/// run returns what it recorded so far, with the outcome [`multiscale::Outcome::Stopped`].
///
/// ```
/// use std::ops::ControlFlow;
/// use nlif_experiment::{Config, Parallelism, run_with};
/// use multiscale::{Event, observe_with};
///
/// let mut config = Config::builtin();
/// config.solver.kind = multiscale::SolverKind::Macro;
/// config.t_end = 0.5;
/// let mut steps = 0;
/// let mut count = observe_with(|event| {
///     if let Event::Step(_) = event { steps += 1; }
///     ControlFlow::Continue(())
/// });
/// let result = run_with(&config, Parallelism::Sequential, &mut count, || false)?;
/// assert!(result.outcome.is_completed());
/// assert_eq!(steps, result.trace.macro_steps);
/// // Cancelled at once: stopped at the first poll, with the record so far.
/// let cancelled = run_with(&config, Parallelism::Sequential, &mut (), || true)?;
/// assert_eq!(cancelled.outcome.as_str(), "stopped");
/// # Ok::<(), nlif_experiment::ExperimentError>(())
/// ```
///
/// # Errors
///
/// As [`run`].
pub fn run_with<O: Observer>(
    config: &Config,
    parallelism: Parallelism,
    observer: &mut O,
    cancel: impl FnMut() -> bool,
) -> Result<RunResult, ExperimentError> {
    let clock = Instant::now();
    let mut simulation = Simulation::for_problem(config.problem())
        .parallelism(parallelism)
        .start(config.initial_density())
        .map_err(|source| ExperimentError::Start {
            name: config.name.clone(),
            source,
        })?;
    let finish = Driver::new()
        .interrupt(cancel)
        .run(&mut simulation, observer, &mut ())
        .map_err(|e| match e {
            DriveError::Run(e) => ExperimentError::Run(e),
            DriveError::Checkpoint(never) => match never {},
            _ => unreachable!("the driver fails only in the run or a checkpoint"),
        })?;
    let outcome = match finish {
        Finish::Ended(outcome) => outcome,
        Finish::Interrupted { t } | Finish::Stopped { t } => Outcome::Stopped { t },
        _ => Outcome::Stopped {
            t: nlif_model::time::tidy(simulation.time()),
        },
    };
    let wall_seconds = clock.elapsed().as_secs_f64();
    let grids = output::grid_nodes(&simulation);
    Ok(RunResult {
        trace: simulation.into_trace(),
        outcome,
        wall_seconds,
        grids,
        checkpoints: None,
        processes: 1,
    })
}

/// Why [`run`] could not run an experiment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// The config cannot start a run.
    #[error("cannot start `{name}`")]
    Start {
        /// The experiment's name.
        name: String,
        /// Why.
        #[source]
        source: multiscale::RunError,
    },
    /// The run stopped with an error.
    #[error("the run failed")]
    Run(#[source] multiscale::RunError),
}

/// A number (a time, a value of a field) as people read it: the shortest text that reads
/// back as the same `f64`, with an exponent when it is very large or small (`1e300`,
/// `1e-7`, not 301 or 8 digits) and without a trailing `.0` (`5`, `0.25`, `-4`).
pub fn shortest(x: f64) -> String {
    let text = format!("{x:?}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

/// An error with a chain of causes (its [`std::error::Error::source`]s): any error, this
/// crate's typed ones as a front end's (an `anyhow::Error` `e` as `&*e`).
pub trait Causes {
    /// The message of the error, then of each cause.
    fn causes(&self) -> Vec<String>;
}

impl<E: std::error::Error + ?Sized> Causes for E {
    fn causes(&self) -> Vec<String> {
        let mut causes = vec![self.to_string()];
        causes
            .extend(std::iter::successors(self.source(), |e| e.source()).map(ToString::to_string));
        causes
    }
}

/// The error and its causes, each said once (a cause whose text the message already
/// holds is not repeated).
pub fn report<E: Causes + ?Sized>(e: &E) -> String {
    let mut text = String::new();
    for part in e.causes() {
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Inner;
    impl std::fmt::Display for Inner {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("density value 3 = -1e-22 is negative")
        }
    }
    impl std::error::Error for Inner {}

    #[derive(Debug)]
    struct Outer(Inner);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "coupling: {}", self.0)
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    /// Oracle: the texts as written by hand, each reading back as the number.
    #[test]
    fn shortest_is_short_and_exact() {
        for (x, text) in [
            (1e300, "1e300"),
            (5.0, "5"),
            (0.25, "0.25"),
            (-4.0, "-4"),
            (1e-7, "1e-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(shortest(x), text);
            assert_eq!(text.parse::<f64>().unwrap(), x);
        }
    }

    /// Oracle: the text of each cause, counted. An error whose message already quotes its
    /// source (as `#[error("coupling: {0}")]` with `#[from]` does) is said once; a front
    /// end's `anyhow::Error` with its context is reported as the typed errors are.
    #[test]
    fn each_cause_is_said_once() {
        let e = anyhow::Error::new(Outer(Inner)).context("the run failed");
        let text = report(&*e);
        assert_eq!(
            text,
            "the run failed: coupling: density value 3 = -1e-22 is negative"
        );
        assert_eq!(text.matches("density value").count(), 1);
        assert_eq!(format!("{e:#}").matches("density value").count(), 2);
    }
}
