//! `nlif run` and `nlif resume`: drive a simulation to its end, writing checkpoints on the
//! way and stopping cleanly on SIGINT / SIGTERM, then write the outputs.
//!
//! A checkpointed run works in a staging directory `.NAME.partial` beside its output
//! `NAME` (a name that does not depend on the process, so `nlif resume NAME` finds it):
//! `config.ron` and `checkpoint.nlif` live there while the run goes on, and the outputs are
//! added at the end, when the directory is renamed into place. A run without checkpoints
//! writes everything at the end through a staging directory of its own.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fp_macro::Scheme;
use multiscale::{BuiltinPolicy, Outcome, PhaseState, Problem, Simulation, With};
use nlif_micro::{Parallelism, Stepper};
use nlif_model::time::{next_multiple, reached};

use nlif_experiment::Config;
use nlif_experiment::checkpoint::{self, Checkpoint, Stats};
use nlif_experiment::lock::Lock;
use nlif_experiment::output::{self, RunResult};
use nlif_experiment::progress::{Progress, Show};

use crate::cluster::{Cluster, Exchange};

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
    stats: Stats,
    /// The checkpoint being written in the background.
    writing: Option<Writing>,
    quiet: bool,
    /// The lock of the output, held until the outputs are in place (rank 0).
    _lock: Option<Lock>,
}

/// The staging directory of a checkpointed run writing to `out`.
pub(crate) fn checkpoint_staging(out: &Path) -> PathBuf {
    nlif_experiment::target::beside(out, ".partial")
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
        staging,
        stats: Stats::default(),
        writing: None,
        quiet: quiet || !cluster.is_root(),
        _lock: lock,
    };
    let start = Simulation::builder(
        config.model.params(),
        config.model.input,
        config.run_config(),
    )
    .reduction(cluster.exchange())
    .part(cluster.rank(), cluster.size())
    .parallelism(Parallelism::Rayon)
    .start(&config.initial)
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

/// Takes the lock of the output `out` (rank 0) before anything else is looked at, and
/// removes what dead runs left beside it.
fn claim(out: &Path) -> Result<Lock> {
    let lock = Lock::exclusive(out)?;
    lock.remove_leftovers(out);
    Ok(lock)
}

/// Rank 0's lock, checks and staging directory before a run.
fn prepare(config: &Config, out: &Path) -> Result<(PathBuf, Option<Lock>)> {
    let lock = claim(out)?;
    let staging = stage(config, out)?;
    Ok((staging, Some(lock)))
}

/// Rank 0's checks and staging directory before a run (the lock held).
fn stage(config: &Config, out: &Path) -> Result<PathBuf> {
    output::check_target(out)?;
    if config.output.checkpoint.is_none()
        && checkpoint_staging(out).join(checkpoint::FILE).is_file()
    {
        bail!(
            "an interrupted checkpointed run of {} is waiting in {}: continue it with `nlif resume {}`, or remove that directory first",
            out.display(),
            checkpoint_staging(out).display(),
            out.display()
        );
    }
    match config.output.checkpoint {
        None => output::staging_for(out),
        Some(_) => {
            let staging = checkpoint_staging(out);
            if fs::symlink_metadata(&staging).is_ok_and(|m| m.is_dir()) {
                remove_if_stale(&staging)?;
            }
            if fs::symlink_metadata(&staging).is_ok() {
                bail!(
                    "an interrupted run of {} is waiting in {}: continue it with `nlif resume {}`, or remove that directory to start afresh",
                    out.display(),
                    staging.display(),
                    out.display()
                );
            }
            if let Some(parent) = staging.parent() {
                fs::create_dir_all(parent).with_context(|| {
                    format!("cannot create the output directory {}", parent.display())
                })?;
            }
            fs::create_dir(&staging)
                .with_context(|| format!("cannot create {}", staging.display()))?;
            checkpoint::write_config_file(&staging, config)?;
            Ok(staging)
        }
    }
}

/// Removes the staging directory after a failure that a resume could not get past
/// (once a checkpoint being written has finished).
fn discard(plan: &mut Plan) {
    if let Some((_, writer)) = plan.writing.take() {
        let _ = writer.join();
    }
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

/// A checkpointed run's staging directory left without a checkpoint (the run was
/// stopped before its first one): nothing to resume, so it is removed. Only what nlif
/// writes there is accepted.
fn remove_if_stale(staging: &Path) -> Result<bool> {
    if staging.join(checkpoint::FILE).is_file() {
        return Ok(false);
    }
    let entries =
        fs::read_dir(staging).with_context(|| format!("cannot read {}", staging.display()))?;
    for entry in entries {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if name != checkpoint::CONFIG_FILE && !name.ends_with(".tmp") {
            return Ok(false);
        }
    }
    fs::remove_dir_all(staging).with_context(|| format!("cannot remove {}", staging.display()))?;
    Ok(true)
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
    let Problem {
        params,
        input,
        config: run_config,
    } = state.problem;
    let resumed = Simulation::builder(params, input, run_config)
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
        staging,
        every: config.output.checkpoint,
        stats,
        writing: None,
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

/// The checkpoint to resume: where it is, whether the run had finished, and its
/// contents. Rank 0 also checks `config.ron` and the output directory.
fn open_checkpoint(
    out: &Path,
    staging: &Path,
    root: bool,
) -> Result<(
    PathBuf,
    bool,
    Config,
    Stats,
    multiscale::SimulationState<BuiltinPolicy>,
)> {
    let (source, finished) = if staging.join(checkpoint::FILE).is_file() {
        (staging.to_path_buf(), false)
    } else if out.join(checkpoint::FILE).is_file() {
        (out.to_path_buf(), true)
    } else {
        bail!(
            "no checkpoint to resume: neither {} nor {} exists (only a run with --checkpoint-every, or output.checkpoint, can be resumed)",
            staging.join(checkpoint::FILE).display(),
            out.join(checkpoint::FILE).display()
        );
    };
    // Everything is checked before anything is written.
    let (
        Checkpoint {
            config,
            stats,
            state,
        },
        _,
    ) = checkpoint::read(&source.join(checkpoint::FILE))?;
    if root {
        checkpoint::check_config_file(&source, &config)?;
        output::check_target(out)?;
    }
    Ok((source, finished, config, stats, state))
}

/// Rank 0: the staging directory of a resumed run, with its (possibly extended) config.
fn stage_resumed(out: &Path, staging: &Path, finished: bool, config: &Config) -> Result<()> {
    if finished {
        output::check_target(out)?;
        if fs::symlink_metadata(staging).is_ok() {
            bail!("{} exists; remove it to extend the run", staging.display());
        }
        fs::create_dir(staging).with_context(|| format!("cannot create {}", staging.display()))?;
    }
    checkpoint::write_config_file(staging, config)
}

/// Runs to the end, checkpointing on the way; writes the outputs.
fn drive(
    mut simulation: Run<'_>,
    config: &Config,
    mut plan: Plan,
    interrupted: Arc<AtomicBool>,
    ended_before: bool,
    cluster: &Cluster,
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
    let run_config = config.run_config();
    // Chunks short enough to answer a signal promptly (50 steps); the results do not
    // depend on them.
    let chunk = 50.0 * run_config.finest_step();
    let outcome = (|| -> Result<Option<Outcome>> {
        loop {
            let t = simulation.time();
            let next_checkpoint = plan.every.map_or(f64::INFINITY, |dt| next_multiple(t, dt));
            let until = (t + chunk).min(next_checkpoint).min(config.t_end);
            if let Some(outcome) = simulation.advance(until, &mut progress)? {
                return Ok(Some(outcome));
            }
            if reached(simulation.time(), next_checkpoint) {
                save(&simulation, config, &mut plan, true, false, cluster)?;
            }
            // A signal may reach the ranks at different steps: they stop together.
            if cluster.any(interrupted.load(Ordering::SeqCst)) {
                if plan.every.is_some() {
                    save(&simulation, config, &mut plan, false, true, cluster)?;
                }
                return Ok(None);
            }
        }
    })();
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
        return worker_end(
            simulation,
            config,
            &mut plan,
            outcome,
            ended_before,
            cluster,
        );
    }
    let outcome = match outcome {
        Ok(Some(outcome)) => outcome,
        Ok(None) if plan.every.is_some() => {
            eprintln!(
                "interrupted at t = {}; continue with: nlif resume {}",
                nlif_experiment::shortest(multiscale::tidy_time(simulation.time())),
                plan.out.display()
            );
            return Ok(Ended::Interrupted);
        }
        Ok(None) => {
            discard(&mut plan);
            eprintln!(
                "interrupted at t = {}; nothing written (a run with --checkpoint-every can be continued)",
                nlif_experiment::shortest(multiscale::tidy_time(simulation.time()))
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
        save(&simulation, config, plan, true, true, cluster)?;
    }
    finish_writing(plan)?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    let grid = simulation.grid_nodes();
    let result = RunResult {
        trace: simulation.into_trace(),
        outcome,
        wall_seconds,
        grid,
        checkpoints: plan.every.map(|_| plan.stats),
        processes: cluster.size(),
    };
    let writing = Instant::now();
    output::write_all(&plan.out, config, &result, Some(&plan.staging))?;
    Ok((result, writing.elapsed().as_secs_f64()))
}

/// A checkpoint being written on a background thread: whether it is a scheduled one,
/// and the writer, which returns the file's size.
type Writing = (bool, std::thread::JoinHandle<Result<u64>>);

/// Waits for the checkpoint being written, if any; records its size.
fn finish_writing(plan: &mut Plan) -> Result<()> {
    if let Some((scheduled, writer)) = plan.writing.take() {
        let clock = Instant::now();
        let bytes = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the checkpoint writer failed"))??;
        if scheduled {
            plan.stats.bytes = bytes;
        }
        plan.stats.seconds += clock.elapsed().as_secs_f64();
    }
    Ok(())
}

/// Takes a checkpoint of the run and writes it into the staging directory on a
/// background thread (encoding, writing and flushing to disk overlap the simulation; one
/// checkpoint at a time, so a crash always leaves the previous one complete). `scheduled`
/// ones count in the statistics (an interruption's does not, so a resumed run reports
/// what a straight one would); `wait` waits until the file is on disk.
fn save(
    simulation: &Run<'_>,
    config: &Config,
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
        PhaseState::Micro(part) => cluster.gather_particles(part),
        _ => Ok(None),
    };
    let written = if cluster.is_root() {
        finish_writing(plan)
    } else {
        Ok(())
    };
    if let Some(whole) = cluster.agree(gathered.and_then(|g| written.map(|()| g)))? {
        state = state.with_phase(PhaseState::Micro(whole))?;
    }
    if !cluster.is_root() {
        return Ok(());
    }
    let clock = Instant::now();
    if scheduled {
        plan.stats.count += 1;
    }
    let checkpoint = Checkpoint {
        config: config.clone(),
        stats: plan.stats,
        state,
    };
    let staging = plan.staging.clone();
    let writer = std::thread::spawn(move || checkpoint::write(&staging, &checkpoint));
    plan.stats.seconds += clock.elapsed().as_secs_f64();
    plan.writing = Some((scheduled, writer));
    if wait {
        finish_writing(plan)?;
    }
    Ok(())
}

/// How a rank other than 0 ends: as rank 0 does (the outcome is the same on every rank),
/// taking part in the final checkpoint, without writing or printing anything.
fn worker_end(
    simulation: Run<'_>,
    config: &Config,
    plan: &mut Plan,
    outcome: Result<Option<Outcome>>,
    ended_before: bool,
    cluster: &Cluster,
) -> Result<Ended> {
    match outcome? {
        None => Ok(Ended::Interrupted),
        Some(outcome) => {
            if plan.every.is_some() && !ended_before {
                save(&simulation, config, plan, true, true, cluster)?;
            }
            Ok(if outcome.is_completed() {
                Ended::Completed
            } else {
                Ended::Early
            })
        }
    }
}
