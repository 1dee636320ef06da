//! Writing a finished run: `summary.json`, `rate.csv`, density `.npy` files, plots.
//!
//! Everything is written into a temporary directory beside the target, which is renamed
//! into place only when complete: an interrupted or failed run never leaves a directory
//! that looks finished.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use multiscale::{Outcome, Trace};

/// What a finished run hands to the writers.
pub(crate) struct RunResult {
    pub(crate) trace: Trace,
    pub(crate) outcome: Outcome,
    pub(crate) wall_seconds: f64,
    /// Nodes of the macro grid (the cells of the density snapshots).
    pub(crate) grid: Vec<f64>,
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
}

/// `summary.json`.
pub(crate) fn summary(config: &Config, result: &RunResult) -> Value {
    let trace = &result.trace;
    let first_above = |threshold: f64| {
        trace
            .samples
            .iter()
            .find(|s| s.rate > threshold)
            .map(|s| s.t)
    };
    let late: Vec<f64> = trace
        .samples
        .iter()
        .filter(|s| s.t > config.t_end / 2.0)
        .map(|s| s.rate)
        .collect();
    let mean_rate = if late.is_empty() {
        None
    } else {
        Some(late.iter().sum::<f64>() / late.len() as f64)
    };
    let switches: Vec<SwitchRecord> = trace
        .switches
        .iter()
        .map(|s| SwitchRecord {
            t: s.t,
            triggered_at: s.triggered_at,
            to: s.to.as_str(),
            reason: s.reason.as_str(),
            rate_before: s.rate_before,
            rate_after: s.rate_after.is_finite().then_some(s.rate_after),
        })
        .collect();
    let mfe: Vec<MfeRecord> = trace
        .mfes
        .iter()
        .map(|m| MfeRecord {
            t: m.t,
            fraction: m.fraction,
            fired: m.fired,
            rounds: m.rounds,
        })
        .collect();
    let t_final = trace.samples.last().map_or(0.0, |s| s.t);
    let micro_time = trace
        .samples
        .iter()
        .filter(|s| s.mode == multiscale::Mode::Micro)
        .count() as f64
        * config.output.interval;
    json!({
        "name": config.name,
        "version": env!("CARGO_PKG_VERSION"),
        "seed": config.seed,
        "config": config,
        "solver": config.solver.kind.as_str(),
        "t_end": config.t_end,
        "t_final": t_final,
        "steps": trace.macro_steps + trace.micro_steps,
        "macro_steps": trace.macro_steps,
        "micro_steps": trace.micro_steps,
        "micro_time": micro_time,
        "wall_seconds": result.wall_seconds,
        "peak_rss_bytes": peak_rss_bytes(),
        "mass_error_max": trace.mass_error_max,
        "switches": switches,
        "mfe": mfe,
        "first_time_rate_above": {
            "1": first_above(1.0),
            "5": first_above(5.0),
            "20": first_above(20.0),
        },
        "mean_rate": mean_rate,
        "outcome": result.outcome.as_str(),
        "outcome_detail": format!("{:?}", result.outcome),
    })
}

/// The peak resident memory of this process (`VmHWM` of `/proc/self/status`), where the
/// platform reports it.
fn peak_rss_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `rate.csv`: `t,rate,mode`, one row per sample (shortest round-trip decimals).
fn rate_csv(path: &Path, trace: &Trace) -> Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["t", "rate", "mode"])?;
    for s in &trace.samples {
        writer.write_record([
            s.t.to_string(),
            s.rate.to_string(),
            s.mode.as_str().to_owned(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

fn densities(dir: &Path, result: &RunResult) -> Result<()> {
    let snapshots = &result.trace.densities;
    if snapshots.is_empty() {
        return Ok(());
    }
    let cells = result.grid.len();
    let mut values = Array2::<f64>::zeros((snapshots.len(), cells));
    for (mut row, snapshot) in values.rows_mut().into_iter().zip(snapshots) {
        row.assign(&Array1::from(snapshot.values.clone()));
    }
    write_npy(dir.join("density.npy"), &values)?;
    write_npy(dir.join("grid.npy"), &Array1::from(result.grid.clone()))?;
    let times: Array1<f64> = snapshots.iter().map(|s| s.t).collect();
    write_npy(dir.join("density_t.npy"), &times)?;
    Ok(())
}

/// Writes every output of a run into `out`, atomically.
pub(crate) fn write_all(out: &Path, config: &Config, result: &RunResult) -> Result<Vec<PathBuf>> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the output directory {}", parent.display()))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).ok();
    }
    fs::create_dir(&staging)
        .with_context(|| format!("cannot write to the output directory {}", parent.display()))?;
    let written = (|| -> Result<Vec<PathBuf>> {
        let summary = summary(config, result);
        fs::write(
            staging.join("summary.json"),
            serde_json::to_string_pretty(&summary)? + "\n",
        )?;
        rate_csv(&staging.join("rate.csv"), &result.trace)?;
        densities(&staging, result)?;
        if config.output.plots {
            crate::plot::rate(&staging, config, &result.trace)?;
            crate::plot::density(&staging, &result.trace, &result.grid)?;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&staging)?
            .filter_map(|e| e.ok().map(|e| out.join(e.file_name())))
            .collect();
        files.sort();
        Ok(files)
    })();
    let files = match written {
        Ok(files) => files,
        Err(e) => {
            fs::remove_dir_all(&staging).ok();
            return Err(e.context(format!("writing the outputs of {}", out.display())));
        }
    };
    if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(out, &old).with_context(|| format!("cannot replace {}", out.display()))?;
        fs::rename(&staging, out)
            .with_context(|| format!("cannot move the outputs to {}", out.display()))?;
        fs::remove_dir_all(&old).ok();
    } else {
        fs::rename(&staging, out)
            .with_context(|| format!("cannot move the outputs to {}", out.display()))?;
    }
    Ok(files)
}
