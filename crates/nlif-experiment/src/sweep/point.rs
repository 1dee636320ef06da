//! One point of a sweep: its run, its result (`point.json`), and whether it is done.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use multiscale::{
    Builtin, Checkpoint as Checkpoints, DriveError, Driver, Finish, Outcome, Save, Simulation,
};
use nlif_micro::Parallelism;
use serde::{Deserialize, Serialize};

use super::plot::Class;
use super::{Definition, Result, SweepError};
use crate::checkpoint::{self, Checkpoint, CheckpointError, Stats};
use crate::config::Config;
use crate::output::{self, RunResult};

/// The hash of a point's config (CRC-32 of its RON text): a result is reused only for
/// the same config.
fn config_hash(config: &Config) -> Result<u32> {
    Ok(crc32fast::hash(ron::to_string(config)?.as_bytes()))
}

/// What one point produced (`point.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointResult {
    /// The point's index (row-major over the varied fields).
    pub index: usize,
    /// Its values (RON text), one per varied field.
    pub values: Vec<String>,
    /// CRC-32 of its config: the result is reused only for the same config.
    pub config_hash: u32,
    /// The run's outcome (`completed`, …, or `error`).
    pub outcome: String,
    /// Its class ([`Class::as_str`]).
    pub class: String,
    /// The mean rate over the second half of the run.
    pub mean_rate: Option<f64>,
    /// The number of multiple firing events.
    pub mfes: usize,
    /// The time of the first one.
    pub first_mfe: Option<f64>,
    /// The largest fraction of the network one fired.
    pub largest_mfe_fraction: Option<f64>,
    /// The fraction of the run spent in particles.
    pub micro_fraction: f64,
    /// The number of switches between the solvers.
    pub switches: usize,
    /// The wall time of the point.
    pub wall_seconds: f64,
    /// Why the point failed, if it did.
    pub error: Option<String>,
}

/// The outcome class of a finished run: a Macro run whose rate passed the blow-up rate,
/// or that ended early, is `blow_up`; a run without multiple firing events is
/// asynchronous; one whose last event lies in the first three quarters of the run
/// relaxed after its events; otherwise the events are sustained.
fn classify(config: &Config, result: &RunResult) -> Class {
    let trace = &result.trace;
    if trace.blow_up.is_some() || !result.outcome.is_completed() {
        return Class::BlowUp;
    }
    match trace.mfes.last() {
        None => Class::Asynchronous,
        Some(last) if last.t < 0.75 * config.t_end => Class::MfesThenRelaxation,
        Some(_) => Class::SustainedMfes,
    }
}

/// Runs point `index` and records it under `dir/points/<index>/`; `None` if `stop` was
/// raised first (a checkpointed point has written its state, to continue from).
pub(super) fn run_point(
    definition: &Definition,
    index: usize,
    dir: &Path,
    keep_outputs: bool,
    stop: &AtomicBool,
) -> Result<Option<PointResult>> {
    let point_dir = dir.join("points").join(index.to_string());
    let values: Vec<String> = definition
        .values(index)
        .iter()
        .map(|v| (*v).to_owned())
        .collect();
    let clock = Instant::now();
    let failed = |error: String, hash: u32| PointResult {
        index,
        values: values.clone(),
        config_hash: hash,
        outcome: "error".into(),
        class: Class::Error.as_str().into(),
        mean_rate: None,
        mfes: 0,
        first_mfe: None,
        largest_mfe_fraction: None,
        micro_fraction: 0.0,
        switches: 0,
        wall_seconds: clock.elapsed().as_secs_f64(),
        error: Some(error),
    };
    let mut config = match definition.config(index) {
        Ok(config) => config,
        Err(e) => return Ok(Some(failed(crate::report(&e), 0))),
    };
    if !keep_outputs {
        config.output.plots = false;
        config.output.density_interval = None;
    }
    let hash = config_hash(&config)?;
    if let Err(e) = crate::config::check(&config, None, &[], 1) {
        return Ok(Some(failed(crate::report(&e), hash)));
    }
    let run = || -> Result<Option<RunResult>, PointFailure> {
        let mut simulation = match resume_point(&point_dir, &config) {
            Some(simulation) => simulation,
            None => Simulation::for_problem(config.problem())
                .parallelism(Parallelism::Sequential)
                .start(config.initial_density())
                .map_err(PointFailure::Run)?,
        };
        let Some(outcome) = advance(&mut simulation, &config, &point_dir, stop)? else {
            return Ok(None);
        };
        let grids = output::grid_nodes(&simulation);
        Ok(Some(RunResult {
            trace: simulation.into_trace(),
            outcome,
            wall_seconds: clock.elapsed().as_secs_f64(),
            grids,
            checkpoints: None,
            processes: 1,
        }))
    };
    let result = match run() {
        Ok(Some(result)) => result,
        Ok(None) => return Ok(None),
        Err(e) => return Ok(Some(failed(crate::report(&e), hash))),
    };
    let summary = output::summary(&config, &result);
    fs::create_dir_all(&point_dir).map_err(|source| SweepError::Create {
        dir: point_dir.clone(),
        source,
    })?;
    if keep_outputs {
        let outputs = point_dir.join("run");
        if outputs.exists() {
            fs::remove_dir_all(&outputs).ok();
        }
        output::write_all(&outputs, &config, &result, None)?;
    }
    write_atomically(
        &point_dir.join("summary.json"),
        &(serde_json::to_string_pretty(&summary)? + "\n"),
    )?;

    let trace = &result.trace;
    let t_final = trace.samples.last().map_or(0.0, |s| s.t);
    Ok(Some(PointResult {
        index,
        values,
        config_hash: hash,
        outcome: result.outcome.as_str().into(),
        class: classify(&config, &result).as_str().into(),
        mean_rate: summary["mean_rate"].as_f64(),
        mfes: trace.mfes.len(),
        first_mfe: trace.mfes.first().map(|m| m.t),
        largest_mfe_fraction: trace.mfes.iter().map(|m| m.fraction).reduce(f64::max),
        micro_fraction: if t_final > 0.0 {
            summary["micro_time"].as_f64().unwrap_or(0.0) / t_final
        } else {
            0.0
        },
        switches: trace.switches.len(),
        wall_seconds: result.wall_seconds,
        error: None,
    }))
}

/// Runs a point to its end with the library's driver, which answers `stop` promptly (the
/// results do not depend on it). A checkpointed point writes its state every `dt` into
/// its directory, and once more when stopped, so an interrupted sweep continues the point
/// where it stopped; `None` if stopped.
fn advance(
    simulation: &mut Simulation,
    config: &Config,
    point_dir: &Path,
    stop: &AtomicBool,
) -> Result<Option<Outcome>, PointFailure> {
    let mut files = PointCheckpoint { config, point_dir };
    let finish = Driver::new()
        .checkpoint_every(config.output.checkpoint)
        .interrupt(|| stop.load(Ordering::SeqCst))
        .run(simulation, &mut (), &mut files);
    match finish {
        Ok(Finish::Ended(outcome)) => Ok(Some(outcome)),
        Ok(_) => Ok(None),
        Err(DriveError::Checkpoint(e)) => Err(PointFailure::Checkpoint(e)),
        Err(DriveError::Run(e)) => Err(PointFailure::Run(e)),
        Err(e) => Err(PointFailure::Drive(e.to_string())),
    }
}

/// Why the run of a point failed: what its row says.
#[derive(Debug, thiserror::Error)]
pub(super) enum PointFailure {
    /// The simulation could not start or failed.
    #[error(transparent)]
    Run(multiscale::RunError),
    /// Its checkpoint could not be written.
    #[error(transparent)]
    Checkpoint(CheckpointError),
    /// Another failure of the driver.
    #[error("{0}")]
    Drive(String),
}

/// A point's checkpoint file, in its directory.
struct PointCheckpoint<'a> {
    config: &'a Config,
    point_dir: &'a Path,
}

impl Checkpoints<Builtin> for PointCheckpoint<'_> {
    type Error = CheckpointError;
    fn save(&mut self, simulation: &Simulation, _why: Save) -> Result<(), CheckpointError> {
        fs::create_dir_all(self.point_dir)?;
        let checkpoint = Checkpoint {
            config: self.config.clone(),
            stats: Stats::default(),
            state: simulation.state()?,
        };
        checkpoint::write(self.point_dir, &checkpoint)?;
        Ok(())
    }
}

/// The run of a point continued from its checkpoint, if one exists for this very config.
fn resume_point(point_dir: &Path, config: &Config) -> Option<Simulation> {
    let path = point_dir.join(checkpoint::FILE);
    if !path.is_file() {
        return None;
    }
    let (saved, _) = checkpoint::read(&path).ok()?;
    if &saved.config != config {
        return None;
    }
    Simulation::from_state(config.problem(), saved.state, Parallelism::Sequential).ok()
}

/// Writes `text` to `path` through a temporary file and a rename.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<()> {
    // Named after the process, so shards sharing a directory never share a temporary.
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| SweepError::Write { path, source }
    };
    fs::write(&tmp, text).map_err(failed(&tmp))?;
    fs::rename(&tmp, path).map_err(failed(path))
}

/// The recorded result of point `index`, if it is done with the same config.
pub(super) fn done(
    definition: &Definition,
    index: usize,
    dir: &Path,
    keep_outputs: bool,
) -> Option<PointResult> {
    let text = fs::read_to_string(
        dir.join("points")
            .join(index.to_string())
            .join("point.json"),
    )
    .ok()?;
    let result: PointResult = serde_json::from_str(&text).ok()?;
    let mut config = definition.config(index).ok()?;
    if !keep_outputs {
        config.output.plots = false;
        config.output.density_interval = None;
    }
    let hash = config_hash(&config).ok()?;
    (result.config_hash == hash && result.error.is_none()).then_some(result)
}
