//! `nlif run` and `nlif resume`: the command-line side of a run. The library's driver
//! (`multiscale::Driver`) runs the simulation; this module brings what only a program
//! has: the signals that interrupt it, the processes of a distributed run, the progress
//! on the terminal, the staging directory (module `staging`) and the outputs.

use std::fs;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fp_macro::Scheme;
use multiscale::{
    BuiltinPolicy, Checkpoint as Checkpoints, DriveError, Driver, Finish, Outcome, PhaseState,
    Save, Simulation, With,
};
use nlif_micro::{Parallelism, ParticleState, Stepper};

use nlif_experiment::Config;
use nlif_experiment::checkpoint::{self, Stats};
use nlif_experiment::lock::Lock;
use nlif_experiment::output::{self, RunResult};
use nlif_experiment::progress::{Progress, Show};
use nlif_experiment::writer::CheckpointWriter;

use crate::cluster::{Cluster, Exchange};
pub(crate) use crate::staging::checkpoint_staging;
use crate::staging::{claim, open_checkpoint, prepare, stage_resumed};

/// How a command that ran a simulation ended.
pub(crate) enum Ended {
    /// Reached `t_end` with every invariant held.
    Completed,
    /// Ended before `t_end` (outputs written).
    Early,
    /// Stopped by a signal after writing a checkpoint.
    Interrupted,
}

/// A run of this process's part of the particles (all of them without MPI).
type Run<'a> = Simulation<With<BuiltinPolicy, Scheme, Stepper, Exchange<'a>>>;

/// Where a run writes and how often it checkpoints (on rank 0; the other ranks only
/// take part in the checkpoints).
struct Plan {
    out: PathBuf,
    /// The staging directory: a checkpointed run's `.NAME.partial`, or
    /// `.NAME.partial-PID`, made before the run (so an unwritable place fails at once).
    staging: PathBuf,
    every: Option<f64>,
    /// The checkpoints, written into `staging` in the background (rank 0).
    writer: CheckpointWriter,
    quiet: bool,
    /// The lock of the output, held until the outputs are in place (rank 0).
    _lock: Option<Lock>,
}

/// Sizes rayon's global pool, on which the particle blocks are stepped (the driving
/// thread stays the main thread, the only one that calls MPI). The main thread is one of
/// the pool's threads: a step's parallel pass starts on it at once, instead of being
/// handed to the workers while the main thread sleeps until they finish (two context
/// switches per particle step). The main thread does not run rayon's work-stealing loop:
/// work that another thread hands to the global pool while the main thread waits for it
/// would not run with `--threads 1` (nothing does so: no `rayon::spawn`, no scopes).
fn threads(threads: Option<usize>) -> Result<()> {
    if let Some(0) = threads {
        bail!("--threads must be at least 1");
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .use_current_thread()
        .build_global()
        .context("cannot start the worker threads")
}

/// `nlif run`: a fresh run of a validated config, by every process of `cluster`.
pub(crate) fn run(
    config: Config,
    out: PathBuf,
    threads: Option<usize>,
    quiet: bool,
    cluster: &Cluster,
) -> Result<Ended> {
    let interrupted = signal_flag()?;
    self::threads(threads)?;
    let prepared = if cluster.is_root() {
        prepare(&config, &out)
    } else {
        Ok((PathBuf::new(), None))
    };
    let (staging, lock) = cluster.agree(prepared)?;
    let mut plan = Plan {
        out,
        every: config.output.checkpoint,
        writer: CheckpointWriter::new(staging.clone(), config.clone(), Stats::default()),
        staging,
        quiet: quiet || !cluster.is_root(),
        _lock: lock,
    };
    let start = Simulation::for_problem(config.problem())
        .reduction(cluster.exchange())
        .part(cluster.rank(), cluster.size())
        .parallelism(Parallelism::Rayon)
        .start(config.initial_density())
        .with_context(|| format!("cannot start `{}`", config.name));
    match cluster.agree(start) {
        Ok(simulation) => drive(simulation, &config, plan, interrupted, false, cluster),
        Err(e) => {
            if cluster.is_root() {
                discard(&mut plan);
            }
            Err(e)
        }
    }
}

/// Removes the staging directory after a failure that a resume could not get past
/// (once a checkpoint being written has finished).
fn discard(plan: &mut Plan) {
    let _ = plan.writer.wait();
    // A checkpoint is the user's work: kept (a resume may get past the failure, e.g.
    // after freeing disk space); without one the staging directory holds nothing of
    // value.
    if plan.staging.join(checkpoint::FILE).is_file() {
        eprintln!(
            "nlif: the checkpoints are kept in {}; `nlif resume {}` continues from the last one",
            plan.staging.display(),
            plan.out.display()
        );
        return;
    }
    fs::remove_dir_all(&plan.staging).ok();
}

/// Installs the SIGINT / SIGTERM handlers: the first signal sets the returned flag (the
/// run, or sweep, stops at its next check and, if checkpointed, writes a last
/// checkpoint); a second one ends the process at once with status 130.
pub(crate) fn signal_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&flag))
            .context("cannot install the signal handlers")?;
        signal_hook::flag::register(signal, Arc::clone(&flag))
            .context("cannot install the signal handlers")?;
    }
    Ok(flag)
}

/// `nlif resume DIR`: continues an interrupted run from its checkpoint, or extends a
/// finished one to a later `--t-end`, on any number of processes (each reads the
/// checkpoint and keeps its own part of the particles).
pub(crate) fn resume(
    out: PathBuf,
    t_end: Option<f64>,
    threads: Option<usize>,
    quiet: bool,
    cluster: &Cluster,
) -> Result<Ended> {
    let interrupted = signal_flag()?;
    self::threads(threads)?;
    let staging = checkpoint_staging(&out);
    // No other process may write the run while it is read and continued.
    let lock = cluster.agree(if cluster.is_root() {
        claim(&out).map(Some)
    } else {
        Ok(None)
    })?;
    let opened = cluster.agree(open_checkpoint(&out, &staging, cluster.is_root()));
    let (source, finished, mut config, mut stats, state) = opened?;
    let ended_before = state.outcome.is_some();
    // A run that ended early has nothing more to run (only its outputs to write, if
    // it was stopped while writing them): neither a continuation nor an extension.
    if let Some(outcome) = state.outcome
        && !outcome.is_completed()
        && (finished || t_end.is_some())
    {
        bail!(
            "the run in {} ended early ({} at t = {}): it cannot be continued or extended (only a run that completed or was interrupted can)",
            out.display(),
            outcome.as_str(),
            nlif_experiment::shortest(state.trace.samples.last().map_or(0.0, |s| s.t))
        );
    }
    let resumed = Simulation::for_problem(config.problem())
        .reduction(cluster.exchange())
        .part(cluster.rank(), cluster.size())
        .parallelism(Parallelism::Rayon)
        .resume(state)
        .context("the checkpoint cannot be continued");
    let mut simulation: Run<'_> = cluster.agree(resumed)?;
    match t_end {
        Some(t_end) => {
            simulation.extend_to(t_end).with_context(|| {
                format!(
                    "cannot extend the run to t_end = {}",
                    nlif_experiment::shortest(t_end)
                )
            })?;
            // The finished run's last checkpoint, at its old end, counted as a scheduled
            // one; a straight run to the new end writes none there unless the old end
            // is a checkpoint time.
            if let Some(dt) = config.output.checkpoint {
                let k = config.t_end / dt;
                if (k - k.round()).abs() > 1e-9 * k.max(1.0) && stats.count > 0 {
                    stats.count -= 1;
                }
            }
            config.t_end = t_end;
            config
                .validate(&[], cluster.size())
                .map_err(|(field, reason)| {
                    anyhow::anyhow!(
                        "invalid `{field}` with --t-end {}: {reason}",
                        nlif_experiment::shortest(t_end)
                    )
                })?;
        }
        None if finished => bail!(
            "the run in {} is complete (t_end = {}); give --t-end to extend it",
            out.display(),
            nlif_experiment::shortest(config.t_end)
        ),
        None => {}
    }
    let _ = source;
    let staged = if cluster.is_root() {
        stage_resumed(&out, &staging, finished, &config)
    } else {
        Ok(())
    };
    cluster.agree(staged)?;
    let plan = Plan {
        out,
        writer: CheckpointWriter::new(staging.clone(), config.clone(), stats),
        staging,
        every: config.output.checkpoint,
        quiet: quiet || !cluster.is_root(),
        _lock: lock,
    };
    // An extension starts a new end; otherwise a state that had already ended has its
    // final checkpoint written (the run was stopped while writing its outputs).
    let ended_before = ended_before && t_end.is_none();
    drive(
        simulation,
        &config,
        plan,
        interrupted,
        ended_before,
        cluster,
    )
}

/// Runs to the end, checkpointing on the way; writes the outputs.
fn drive<'c>(
    mut simulation: Run<'c>,
    config: &Config,
    mut plan: Plan,
    interrupted: Arc<AtomicBool>,
    ended_before: bool,
    cluster: &'c Cluster,
) -> Result<Ended> {
    let show = match (plan.quiet, std::io::stderr().is_terminal()) {
        (true, _) => Show::Nothing,
        (false, true) => Show::Bar,
        (false, false) => Show::Lines,
    };
    let clock = Instant::now();
    let mut progress = Progress::new(config.t_end, show);
    if simulation.time() > 0.0 {
        progress = progress.resumed(simulation.time(), simulation.trace());
    }
    // The library's run loop: checkpoints at their times and at an interrupt, which a
    // signal may bring to the ranks at different steps (they stop together).
    let mut saver = Saver {
        plan: &mut plan,
        cluster,
    };
    let driven = Driver::new()
        .checkpoint_every(saver.plan.every)
        .interrupt(|| cluster.any(interrupted.load(Ordering::SeqCst)))
        .run(&mut simulation, &mut progress, &mut saver);
    let outcome = match driven {
        Ok(Finish::Ended(outcome)) => Ok(Some(outcome)),
        Ok(_) => Ok(None),
        Err(DriveError::Checkpoint(e)) => Err(e),
        Err(e) => Err(anyhow::Error::new(e)),
    };
    progress.finish();
    let outcome = match outcome {
        // Another rank may be waiting in a sum this one will not join.
        Err(e) if cluster.size() > 1 => {
            if cluster.is_root() {
                discard(&mut plan);
            }
            return Err(cluster.end_all(e.context("the run failed")));
        }
        other => other,
    };
    if !cluster.is_root() {
        return worker_end(simulation, &mut plan, outcome, ended_before, cluster);
    }
    let outcome = match outcome {
        Ok(Some(outcome)) => outcome,
        Ok(None) if plan.every.is_some() => {
            eprintln!(
                "interrupted at t = {}; continue with: nlif resume {}",
                nlif_experiment::shortest(nlif_model::time::tidy(simulation.time())),
                plan.out.display()
            );
            return Ok(Ended::Interrupted);
        }
        Ok(None) => {
            discard(&mut plan);
            eprintln!(
                "interrupted at t = {}; nothing written (a run with --checkpoint-every can be continued)",
                nlif_experiment::shortest(nlif_model::time::tidy(simulation.time()))
            );
            return Ok(Ended::Interrupted);
        }
        Err(e) => {
            discard(&mut plan);
            return Err(e.context("the run failed"));
        }
    };
    let ended = (outcome, ended_before);
    let finished = finish(simulation, config, &mut plan, ended, clock, cluster);
    let (result, writing) = match finished {
        Ok(finished) => finished,
        Err(e) => {
            // A last checkpoint or the outputs could not be written (a full disk): the
            // staging directory goes, but for the checkpoints a resume continues from.
            discard(&mut plan);
            return Err(e);
        }
    };
    let wall_seconds = result.wall_seconds;
    let t = &result.trace;
    let t_final = t.samples.last().map_or(0.0, |s| s.t);
    if !plan.quiet {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        nlif_experiment::stdout::line(format_args!(
            "{}: {} at t = {} in {:.2} s ({} macro + {} micro steps, {}, {}); outputs in {} (written in {:.2} s)",
            config.name,
            result.outcome.as_str(),
            nlif_experiment::shortest(t_final),
            wall_seconds,
            t.macro_steps,
            t.micro_steps,
            plural(t.switches.len(), "switch", "switches"),
            plural(t.mfes.len(), "MFE", "MFEs"),
            plan.out.display(),
            writing
        ))
        // The outputs are written: a stdout that cannot be written does not undo them.
        .unwrap_or_else(|e| crate::cluster::say(&format!("nlif: {e:#}")));
    }
    // What the outputs hold but the run could not resolve (also in summary.json).
    for warning in nlif_experiment::output::warnings(config, &result.trace) {
        eprintln!("nlif: warning: {warning}");
    }
    if result.outcome.is_completed() {
        Ok(Ended::Completed)
    } else {
        eprintln!(
            "nlif: the run ended early ({}) at t = {} of {}; outputs up to then are in {} (exit status {})",
            result.outcome.as_str(),
            nlif_experiment::shortest(t_final),
            nlif_experiment::shortest(config.t_end),
            plan.out.display(),
            crate::EXIT_ENDED_EARLY
        );
        Ok(Ended::Early)
    }
}

/// Rank 0 after the run: the final checkpoint, then the outputs, in place; returns the
/// result and the seconds spent writing the outputs.
fn finish(
    simulation: Run<'_>,
    config: &Config,
    plan: &mut Plan,
    (outcome, ended_before): (Outcome, bool),
    clock: Instant,
    cluster: &Cluster,
) -> Result<(RunResult, f64)> {
    // The final state, whatever the outcome: a finished output's checkpoint is its end.
    if plan.every.is_some() && !ended_before {
        save(&simulation, plan, true, true, cluster)?;
    }
    plan.writer.wait()?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    let grids = output::grid_nodes(&simulation);
    let result = RunResult {
        trace: simulation.into_trace(),
        outcome,
        wall_seconds,
        grids,
        checkpoints: plan.every.map(|_| plan.writer.stats),
        processes: cluster.size(),
    };
    let writing = Instant::now();
    output::write_all(&plan.out, config, &result, Some(&plan.staging))
        .map_err(crate::words::output)?;
    Ok((result, writing.elapsed().as_secs_f64()))
}

/// The checkpoints of a driven run: every rank takes part, rank 0 writes.
struct Saver<'a, 'c> {
    plan: &'a mut Plan,
    cluster: &'c Cluster,
}

impl<'a, 'c> Checkpoints<With<BuiltinPolicy, Scheme, Stepper, Exchange<'c>>> for Saver<'a, 'c> {
    type Error = anyhow::Error;
    fn save(&mut self, simulation: &Run<'c>, why: Save) -> Result<()> {
        // A scheduled checkpoint counts in the statistics and is written in the
        // background; the interruption's is waited for.
        let scheduled = why == Save::Scheduled;
        save(simulation, self.plan, scheduled, !scheduled, self.cluster)
    }
}

/// Takes a checkpoint of the run and writes it into the staging directory on a
/// background thread (encoding, writing and flushing to disk overlap the simulation; one
/// checkpoint at a time, so a crash always leaves the previous one complete). `scheduled`
/// ones count in the statistics (an interruption's does not, so a resumed run reports
/// what a straight one would); `wait` waits until the file is on disk.
fn save(
    simulation: &Run<'_>,
    plan: &mut Plan,
    scheduled: bool,
    wait: bool,
    cluster: &Cluster,
) -> Result<()> {
    if plan.every.is_none() {
        return Ok(());
    }
    // Every rank takes part (its particles are gathered); a failure on rank 0 (the
    // previous checkpoint could not be written) stops every rank.
    let mut state = simulation.state()?;
    let gathered = match &state.phase {
        PhaseState::Micro(part) if cluster.size() > 1 => {
            let problem = simulation.problem();
            let (params, input) = problem.single_population()?;
            let micro = problem.config.micro;
            let local = ParticleState::from_dynamics(params, input, micro, part.clone());
            cluster
                .gather_particles(&local)
                .map(|whole| whole.map(|w| PhaseState::Micro(w.into_dynamics())))
        }
        PhaseState::MicroNetwork(part) if cluster.size() > 1 => cluster
            .gather_network(part)
            .map(|whole| whole.map(PhaseState::MicroNetwork)),
        _ => Ok(None),
    };
    let written = if cluster.is_root() {
        plan.writer.wait().map_err(anyhow::Error::from)
    } else {
        Ok(())
    };
    if let Some(whole) = cluster.agree(gathered.and_then(|g| written.map(|()| g)))? {
        state = state.with_phase(whole)?;
    }
    if !cluster.is_root() {
        return Ok(());
    }
    plan.writer.start(state, scheduled);
    if wait {
        plan.writer.wait()?;
    }
    Ok(())
}

/// How a rank other than 0 ends: as rank 0 does (the outcome is the same on every rank),
/// taking part in the final checkpoint, without writing or printing anything.
fn worker_end(
    simulation: Run<'_>,
    plan: &mut Plan,
    outcome: Result<Option<Outcome>>,
    ended_before: bool,
    cluster: &Cluster,
) -> Result<Ended> {
    match outcome? {
        None => Ok(Ended::Interrupted),
        Some(outcome) => {
            if plan.every.is_some() && !ended_before {
                save(&simulation, plan, true, true, cluster)?;
            }
            Ok(if outcome.is_completed() {
                Ended::Completed
            } else {
                Ended::Early
            })
        }
    }
}
