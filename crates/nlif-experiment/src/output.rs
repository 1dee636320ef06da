//! Writing a finished run: `summary.json`, `rate.csv`, density `.npy` files, plots.
//!
//! Everything is written into a temporary directory beside the target, which is renamed
//! into place only when complete: an interrupted or failed run never leaves a directory
//! that looks finished.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use multiscale::{Outcome, Trace};

mod check;
mod density;
mod error;
mod files;
mod populations;
mod rate;
pub mod spikes;

pub use error::OutputError;
pub(crate) use files::only_run_files;
pub use files::{check_population_names, density_file, grid_file, rate_column};

type Result<T, E = OutputError> = std::result::Result<T, E>;

/// What a finished run hands to the writers.
pub struct RunResult {
    /// The record of the run.
    pub trace: Trace,
    /// How it ended.
    pub outcome: Outcome,
    /// Its wall time (without writing the outputs).
    pub wall_seconds: f64,
    /// The nodes of each population's macro grid, in population order (one grid for a
    /// network of one population): the cells of the density snapshots, whose values are
    /// the populations' densities one after the other
    /// ([`Trace::population_density`](multiscale::Trace::population_density)).
    pub grids: Vec<Vec<f64>>,
    /// What the checkpoints cost, for a checkpointed run.
    pub checkpoints: Option<crate::checkpoint::Stats>,
    /// Processes that ran it (MPI ranks; 1 without MPI).
    pub processes: usize,
}

#[derive(Serialize)]
struct SwitchRecord {
    t: f64,
    triggered_at: f64,
    to: &'static str,
    reason: &'static str,
    rate_before: f64,
    rate_after: Option<f64>,
}

#[derive(Serialize)]
struct MfeRecord {
    t: f64,
    fraction: f64,
    fired: u64,
    rounds: u32,
    /// The fraction of each population that fired, for a network of several.
    #[serde(skip_serializing_if = "Option::is_none")]
    fractions: Option<std::collections::BTreeMap<String, f64>>,
}

/// The nodes of each population's grid of `simulation` ([`RunResult::grids`]).
pub fn grid_nodes<C: multiscale::Components>(
    simulation: &multiscale::Simulation<C>,
) -> Vec<Vec<f64>> {
    simulation
        .grids()
        .iter()
        .map(|grid| grid.nodes().collect())
        .collect()
}

/// The outcome as JSON: `null` for a completed run, otherwise the time it ended and what
/// it measured there.
fn outcome_detail(outcome: &Outcome) -> Value {
    match *outcome {
        Outcome::BlowUp { t, rate } => json!({ "t": t, "rate": rate }),
        Outcome::SynchronousEvent { t, fraction } => json!({ "t": t, "fraction": fraction }),
        Outcome::MassLost { t, error } => json!({ "t": t, "mass_error": error }),
        other => other.ended_at().map_or(Value::Null, |t| json!({ "t": t })),
    }
}

/// The first sample whose asynchronous rate is not resolved by its solver's step
/// ([`multiscale::Trace::unresolved_rate`]), with that step.
pub fn unresolved_rate(
    config: &Config,
    trace: &multiscale::Trace,
) -> Option<(multiscale::RateCrossing, f64)> {
    let run = config.run_config();
    let crossing = trace.unresolved_rate(multiscale::UNRESOLVED_FRACTION, |m| run.step_of(m))?;
    let mode = trace
        .samples
        .iter()
        .find(|s| s.t == crossing.t)
        .map_or(multiscale::Mode::Macro, |s| s.mode);
    Some((crossing, run.step_of(mode)))
}

/// The warnings of a run, for stderr (the same facts are fields of `summary.json`).
pub fn warnings(config: &Config, trace: &multiscale::Trace) -> Vec<String> {
    unresolved_rate(config, trace)
        .map(|(c, dt)| {
            format!(
                "from t = {} the rate ({:.4e}, multiple firing events excluded) exceeds {} / dt = {:.4e} (dt = {dt:e}): the step does not resolve it, the rate is biased low; use a smaller dt",
                c.t,
                c.rate,
                multiscale::UNRESOLVED_FRACTION,
                multiscale::UNRESOLVED_FRACTION / dt
            )
        })
        .into_iter()
        .collect()
}

/// `summary.json`. For a network of several populations also `populations` (each one's
/// `name`, `share` and `mean_rate` over the window of the network's) and each multiple
/// firing event's `fractions`, by name.
pub fn summary(config: &Config, result: &RunResult) -> Value {
    let trace = &result.trace;
    let first_above = |threshold: f64| {
        trace
            .samples
            .iter()
            .find(|s| s.rate > threshold)
            .map(|s| s.t)
    };
    let window = (config.t_end / 2.0, config.t_end);
    let mean_rate = trace.mean_rate(window.0, window.1);
    let micro_time = trace.micro_time();
    let switches: Vec<SwitchRecord> = trace
        .switches
        .iter()
        .map(|s| SwitchRecord {
            t: s.t,
            triggered_at: s.triggered_at,
            to: s.to.as_str(),
            reason: s.reason.as_str(),
            rate_before: s.rate_before,
            rate_after: s.rate_after,
        })
        .collect();
    let mfe: Vec<MfeRecord> = trace
        .mfes
        .iter()
        .enumerate()
        .map(|(i, m)| MfeRecord {
            t: m.t,
            fraction: m.fraction,
            fired: m.fired,
            rounds: m.rounds,
            fractions: populations::fractions(trace, i),
        })
        .collect();
    let t_final = trace.samples.last().map_or(0.0, |s| s.t);
    let finite = trace.samples.iter().all(|s| s.rate.is_finite())
        && trace
            .densities
            .iter()
            .all(|d| d.values.iter().all(|v| v.is_finite()));
    let mut summary = json!({
        "name": config.name,
        "program": "nlif",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": config.seed,
        "config": config,
        "solver": config.solver.kind.as_str(),
        "t_end": config.t_end,
        "t_final": t_final,
        "steps": trace.macro_steps + trace.micro_steps,
        "macro_steps": trace.macro_steps,
        "micro_steps": trace.micro_steps,
        "micro_time": nlif_model::time::tidy(micro_time),
        "wall_seconds": result.wall_seconds,
        "peak_rss_bytes": peak_rss_bytes(),
        "processes": result.processes,
        "mass_error_max": trace.mass_error_max,
        "invariants": {
            "mass_error_max": trace.mass_error_max,
            "mass_tolerance": multiscale::MASS_TOLERANCE,
            "finite": finite,
            "reached_t_end": result.outcome.is_completed(),
        },
        "switches": switches,
        "mfe": mfe,
        "first_time_rate_above": {
            "1": first_above(1.0),
            "5": first_above(5.0),
            "20": first_above(20.0),
        },
        "blow_up": trace.blow_up.map(|b| json!({ "t": b.t, "rate": b.rate })),
        "unresolved_rate": unresolved_rate(config, trace).map(|(c, dt)| json!({
            "t": c.t,
            "rate": c.rate,
            "dt": dt,
            "fraction_of_one_over_dt": multiscale::UNRESOLVED_FRACTION,
        })),
        "checkpoints": result.checkpoints.map(|c| json!({
            "count": c.count,
            "bytes": c.bytes,
            "seconds": c.seconds,
        })),
        "mean_rate": mean_rate,
        "outcome": result.outcome.as_str(),
        "outcome_detail": outcome_detail(&result.outcome),
    });
    if let Some(entries) = populations::populations(config, trace, window) {
        summary["populations"] = entries;
    }
    summary
}

/// The peak resident memory of this process (`VmHWM` of `/proc/self/status`), where the
/// platform reports it.
fn peak_rss_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Checks that `out` can receive a run's outputs without losing anything nlif did not
/// write: it does not exist yet, is an empty directory, or is an earlier nlif output
/// directory (which the new outputs replace as a whole). Called before a run starts and
/// again before writing.
pub fn check_target(out: &Path) -> Result<()> {
    let last = out.components().next_back();
    let out_buf = || out.to_owned();
    if !matches!(last, Some(std::path::Component::Normal(_))) {
        return Err(OutputError::NotADirectoryName { out: out_buf() });
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OutputError::Inspect {
                out: out_buf(),
                source,
            });
        }
    };
    if meta.file_type().is_symlink() {
        return Err(OutputError::Symlink { out: out_buf() });
    }
    if !meta.is_dir() {
        return Err(OutputError::NotADirectory { out: out_buf() });
    }
    if let (Ok(target), Ok(cwd)) = (fs::canonicalize(out), std::env::current_dir())
        && cwd.starts_with(&target)
    {
        return Err(OutputError::HoldsCurrentDirectory { out: out_buf() });
    }
    let empty = fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_none());
    if empty {
        return Ok(());
    }
    if let Err(why) = files::is_nlif_output(out) {
        return Err(OutputError::NotNlifOutput {
            out: out_buf(),
            why,
        });
    }
    Ok(())
}

/// A fresh staging directory `.NAME.partial-PID[-k]` beside `out` (its parent created if
/// need be), made before a run so that an unwritable place fails at once, not after the
/// run.
pub fn staging_for(out: &Path) -> Result<PathBuf> {
    let (parent, name) = parent_and_name(out)?;
    create_staging(&parent, &name)
}

/// The directory `out` lives in (created if need be) and its name.
fn parent_and_name(out: &Path) -> Result<(PathBuf, String)> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|source| OutputError::CreateDir {
        dir: parent.to_owned(),
        source,
    })?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    Ok((parent.to_path_buf(), name))
}

/// A fresh staging directory `.NAME.partial-PID[-k]` beside the target.
fn create_staging(parent: &Path, name: &str) -> Result<PathBuf> {
    for k in 0..100 {
        let suffix = if k == 0 {
            String::new()
        } else {
            format!("-{k}")
        };
        let staging = parent.join(format!(".{name}.partial-{}{suffix}", std::process::id()));
        match fs::create_dir(&staging) {
            Ok(()) => return Ok(staging),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(OutputError::Staging {
                    dir: parent.to_owned(),
                    source,
                });
            }
        }
    }
    Err(OutputError::NoStagingName {
        dir: parent.to_owned(),
    })
}

/// Writes every output of a run into `out`, atomically: into a staging directory beside
/// it (`staging`, a checkpointed run's, or a fresh one), renamed into place when complete.
/// An existing `out` is replaced only if it is an earlier nlif output ([`check_target`]);
/// the staging directory is removed on every failure.
pub fn write_all(
    out: &Path,
    config: &Config,
    result: &RunResult,
    staging: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    check_target(out)?;
    check::check_result(config, result).map_err(|e| OutputError::Writing {
        out: out.to_owned(),
        source: Box::new(e),
    })?;
    let (parent, name) = parent_and_name(out)?;
    let parent = parent.as_path();
    // A staging directory handed in (a checkpointed run's) holds the checkpoints: on a
    // failure it is kept, so the run can still be resumed.
    let own_staging = staging.is_none();
    let staging = match staging {
        Some(staging) => staging.to_path_buf(),
        None => create_staging(parent, &name)?,
    };
    let written = (|| -> Result<Vec<PathBuf>> {
        let summary = summary(config, result);
        fs::write(
            staging.join("summary.json"),
            serde_json::to_string_pretty(&summary)? + "\n",
        )?;
        rate::rate_csv(&staging.join("rate.csv"), &result.trace)?;
        density::densities(&staging, result)?;
        spikes::write(&staging, config, &result.trace)?;
        if config.output.plots {
            crate::plot::raster(&staging, config, &result.trace)?;
            crate::plot::rate(&staging, config, &result.trace)?;
            crate::plot::density(&staging, &result.trace, &result.grids)?;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&staging)?
            .filter_map(|e| e.ok().map(|e| out.join(e.file_name())))
            .collect();
        files.sort();
        check_target(out)?;
        if out.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            fs::rename(out, &old).map_err(|source| OutputError::Replace {
                out: out.to_owned(),
                source,
            })?;
            if let Err(source) = fs::rename(&staging, out) {
                fs::rename(&old, out).ok();
                return Err(OutputError::Move {
                    out: out.to_owned(),
                    source,
                });
            }
            fs::remove_dir_all(&old).ok();
        } else {
            fs::rename(&staging, out).map_err(|source| OutputError::Move {
                out: out.to_owned(),
                source,
            })?;
        }
        Ok(files)
    })();
    written.map_err(|e| {
        if own_staging && staging.exists() {
            fs::remove_dir_all(&staging).ok();
        }
        OutputError::Writing {
            out: out.to_owned(),
            source: Box::new(e),
        }
    })
}
