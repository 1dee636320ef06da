//! `nlif sweep`: one config run over the cartesian product of varied fields.
//!
//! Points are numbered in row-major order of the `--vary` options (the first varies
//! slowest). Each point is its own run: the base config with the `--set` overrides, then
//! one assignment per varied field, single-threaded, so its result does not depend on
//! `--jobs` or on the order the points run in. A point's result is
//! `DIR/points/<index>/point.json` (written last, atomically): its presence with the
//! point's config hash marks the point done, so running the same command again skips it,
//! and a sweep split with `--shard I/N` over several machines is assembled by
//! `--merge`.

use std::fmt::Write as _;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use multiscale::Simulation;
use nlif_micro::Parallelism;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::checkpoint::{self, Checkpoint, Stats};
use crate::config::Config;
use crate::output::{self, RunResult};
use crate::sweep_plot::{self, Class, PlotPoint};

/// One `--vary PATH=…`: a dotted config path and its values as RON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Vary {
    pub(crate) path: String,
    pub(crate) values: Vec<String>,
}

/// Parses `PATH=START:STOP:COUNT` (COUNT evenly spaced values, ends included) or
/// `PATH=[v1, v2, …]` (RON values).
pub(crate) fn parse_vary(text: &str) -> Result<Vary> {
    let (path, spec) = text.split_once('=').ok_or_else(|| {
        anyhow!("--vary `{text}`: expected PATH=START:STOP:COUNT or PATH=[v1,v2,...]")
    })?;
    let path = path.trim().to_owned();
    let spec = spec.trim();
    let values = if let Some(list) = spec.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        split_top_level(list)
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        let [start, stop, count] = parts[..] else {
            bail!("--vary `{text}`: expected START:STOP:COUNT or a list [v1,v2,...]");
        };
        let number = |s: &str, what: &str| -> Result<f64> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| anyhow!("--vary `{text}`: {what} `{s}` is not a finite number"))
        };
        let (start, stop) = (number(start, "START")?, number(stop, "STOP")?);
        let count: usize = count
            .trim()
            .parse()
            .ok()
            .filter(|&n| (1..=100_000).contains(&n))
            .ok_or_else(|| anyhow!("--vary `{text}`: COUNT must be an integer in 1..=100000"))?;
        (0..count)
            .map(|k| {
                let f = if count == 1 {
                    0.0
                } else {
                    k as f64 / (count - 1) as f64
                };
                // Each end weighted separately: no overflow for ends near ±f64::MAX.
                let x = multiscale::tidy_time(start * (1.0 - f) + stop * f);
                // Whole numbers without a fraction, so integer fields take them too.
                if x.fract() == 0.0 && x.abs() < 9e15 {
                    format!("{}", x as i64)
                } else {
                    format!("{x:?}")
                }
            })
            .collect()
    };
    if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
        bail!("--vary `{text}`: no values");
    }
    Ok(Vary { path, values })
}

/// Splits a RON list body at its top-level commas (not inside parentheses or brackets).
fn split_top_level(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for c in list.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        items.push(current.trim().to_owned());
    }
    items
}

/// The seed of point `index` with `--seed-per-point`: SplitMix64 of the base seed and the
/// index, so points get independent, reproducible seeds.
pub(crate) fn point_seed(base: u64, index: usize) -> u64 {
    let mut z = base ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The most points one sweep may have.
pub(crate) const MAX_POINTS: usize = 1_000_000;

/// The definition of a sweep, as `sweep.json` records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Definition {
    pub(crate) program: String,
    pub(crate) version: String,
    pub(crate) base: Config,
    pub(crate) vary: Vec<Vary>,
    pub(crate) seed_per_point: bool,
}

impl Definition {
    /// Number of points (saturating; a sweep is refused above [`MAX_POINTS`]).
    pub(crate) fn len(&self) -> usize {
        self.vary
            .iter()
            .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
            .unwrap_or(usize::MAX)
    }

    /// Refuses a sweep of more than [`MAX_POINTS`] points.
    pub(crate) fn validate(&self) -> Result<()> {
        let n = self.len();
        if n > MAX_POINTS {
            bail!(
                "the sweep has {} points; at most {MAX_POINTS} are allowed (split it into several sweeps)",
                if n == usize::MAX {
                    "more than 2^64".to_owned()
                } else {
                    n.to_string()
                }
            );
        }
        Ok(())
    }

    /// The values (RON text) of point `index`, one per varied field.
    pub(crate) fn values(&self, index: usize) -> Vec<&str> {
        let mut rest = index;
        let mut values = vec![""; self.vary.len()];
        for (k, vary) in self.vary.iter().enumerate().rev() {
            values[k] = &vary.values[rest % vary.values.len()];
            rest /= vary.values.len();
        }
        values
    }

    /// The config of point `index`.
    pub(crate) fn config(&self, index: usize) -> Result<Config> {
        let mut config = self.base.clone();
        for (vary, value) in self.vary.iter().zip(self.values(index)) {
            crate::set::apply(&mut config, &format!("{}={value}", vary.path))
                .with_context(|| format!("point {index}"))?;
        }
        if self.seed_per_point {
            config.seed = point_seed(self.base.seed, index);
        }
        config.name = format!("{}-{index}", self.base.name);
        Ok(config)
    }
}

/// The hash of a point's config (CRC-32 of its RON text): a result is reused only for
/// the same config.
fn config_hash(config: &Config) -> Result<u32> {
    Ok(crc32fast::hash(ron::to_string(config)?.as_bytes()))
}

/// What one point produced (`point.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PointResult {
    pub(crate) index: usize,
    pub(crate) values: Vec<String>,
    pub(crate) config_hash: u32,
    pub(crate) outcome: String,
    pub(crate) class: String,
    pub(crate) mean_rate: Option<f64>,
    pub(crate) mfes: usize,
    pub(crate) first_mfe: Option<f64>,
    pub(crate) largest_mfe_fraction: Option<f64>,
    pub(crate) micro_fraction: f64,
    pub(crate) switches: usize,
    pub(crate) wall_seconds: f64,
    pub(crate) error: Option<String>,
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

/// Runs point `index` and records it under `dir/points/<index>/`.
fn run_point(
    definition: &Definition,
    index: usize,
    dir: &Path,
    keep_outputs: bool,
) -> Result<PointResult> {
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
        Err(e) => return Ok(failed(crate::report(&e), 0)),
    };
    if !keep_outputs {
        config.output.plots = false;
        config.output.density_interval = None;
    }
    let hash = config_hash(&config)?;
    if let Err(e) = crate::config::check(&config, None, &[]) {
        return Ok(failed(crate::report(&e), hash));
    }
    let run = || -> Result<RunResult> {
        let mut simulation = match resume_point(&point_dir, &config) {
            Some(simulation) => simulation,
            None => Simulation::new(
                config.model.params(),
                config.model.input,
                &config.initial,
                config.run_config(),
                Parallelism::Sequential,
            )?,
        };
        let outcome = match config.output.checkpoint {
            None => simulation.run(&mut ())?,
            // A checkpointed point writes its state every `dt` into its directory, so an
            // interrupted sweep continues the point where it stopped.
            Some(dt) => {
                let eps = 1e-9 * config.run_config().finest_step();
                loop {
                    let t = simulation.time();
                    let next = (((t + eps) / dt).floor() * dt + dt).min(config.t_end);
                    if let Some(outcome) = simulation.advance(next, &mut ())? {
                        break outcome;
                    }
                    fs::create_dir_all(&point_dir)?;
                    let checkpoint = Checkpoint {
                        config: config.clone(),
                        stats: Stats::default(),
                        state: simulation.state(),
                    };
                    checkpoint::write(&point_dir, &checkpoint)?;
                }
            }
        };
        let grid = simulation.grid_nodes();
        Ok(RunResult {
            trace: simulation.into_trace(),
            outcome,
            wall_seconds: clock.elapsed().as_secs_f64(),
            grid,
            checkpoints: None,
            processes: 1,
        })
    };
    let result = match run() {
        Ok(result) => result,
        Err(e) => return Ok(failed(crate::report(&e), hash)),
    };
    let summary = output::summary(&config, &result);
    fs::create_dir_all(&point_dir)
        .with_context(|| format!("cannot create {}", point_dir.display()))?;
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
    Ok(PointResult {
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
    })
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
    Simulation::from_state(saved.state, Parallelism::Sequential).ok()
}

/// Writes `text` to `path` through a temporary file and a rename.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    // Named after the process, so shards sharing a directory never share a temporary.
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// The recorded result of point `index`, if it is done with the same config.
fn done(
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

/// What `nlif sweep` was asked.
pub(crate) struct Request {
    pub(crate) definition: Definition,
    pub(crate) dir: PathBuf,
    pub(crate) jobs: usize,
    pub(crate) shard: Option<(usize, usize)>,
    pub(crate) keep_outputs: bool,
    pub(crate) quiet: bool,
}

/// Parses `I/N` (1 <= I <= N).
pub(crate) fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let parse = || -> Option<(usize, usize)> {
        let (i, n) = text.split_once('/')?;
        let (i, n) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (1 <= i && i <= n).then_some((i, n))
    };
    parse().ok_or_else(|| anyhow!("--shard `{text}`: expected I/N with 1 <= I <= N, e.g. 2/4"))
}

/// Checks every point; all invalid ones are reported at once.
pub(crate) fn check_all(definition: &Definition) -> Result<usize> {
    let mut invalid = String::new();
    let mut count = 0;
    for index in 0..definition.len() {
        let problem = definition
            .config(index)
            .and_then(|config| crate::config::check(&config, None, &[]).map(|_| ()));
        if let Err(e) = problem {
            count += 1;
            let values = definition.values(index).join(", ");
            let _ = writeln!(invalid, "  point {index} ({values}): {}", crate::report(&e));
        }
    }
    if count > 0 {
        bail!(
            "{count} of {} points are invalid:\n{}",
            definition.len(),
            invalid.trim_end()
        );
    }
    Ok(definition.len())
}

/// Whether `dir` holds nothing but what a sweep writes (a sweep being started by another
/// shard).
fn only_sweep_artifacts(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name == "points" || name.starts_with("sweep.")
        })
    })
}

/// The sweep directory: new, or an earlier sweep of the same definition (resumed).
fn prepare(request: &Request) -> Result<()> {
    let dir = &request.dir;
    let sweep_json = dir.join("sweep.json");
    match fs::symlink_metadata(dir) {
        Err(_) => {
            fs::create_dir_all(dir.join("points"))
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // Another shard may have just created it: only sweep artifacts inside.
        Ok(meta) if meta.is_dir() && !sweep_json.is_file() && only_sweep_artifacts(dir) => {
            fs::create_dir_all(dir.join("points"))
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(meta) if meta.is_dir() && sweep_json.is_file() => {
            let text = fs::read_to_string(&sweep_json)?;
            let earlier: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a sweep definition", sweep_json.display()))?;
            let same = earlier
                .get("definition")
                .map(|d| d == &json!(request.definition));
            if same != Some(true) {
                bail!(
                    "{} holds a different sweep (its sweep.json differs); choose another --out",
                    dir.display()
                );
            }
        }
        Ok(_) => bail!(
            "{} exists and is not an nlif sweep directory; nlif will not write into it: choose another --out",
            dir.display()
        ),
    }
    write_atomically(
        &sweep_json,
        &(serde_json::to_string_pretty(&json!({ "definition": request.definition }))? + "\n"),
    )
}

/// Runs the sweep (the points of its shard); assembles the results when all are done.
pub(crate) fn run(request: Request) -> Result<()> {
    let definition = &request.definition;
    let total = definition.len();
    prepare(&request)?;
    let mine: Vec<usize> = (0..total)
        .filter(|i| request.shard.is_none_or(|(k, n)| i % n == k - 1))
        .collect();
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|&i| done(definition, i, &request.dir, request.keep_outputs).is_none())
        .collect();
    let skipped = mine.len() - todo.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.jobs)
        .build()
        .context("cannot start the worker threads")?;
    let progress = Mutex::new(Progress::new(todo.len(), request.quiet));
    let clock = Instant::now();
    let results: Vec<Result<PointResult>> = pool.install(|| {
        todo.par_iter()
            .with_max_len(1)
            .map(|&index| {
                let result = run_point(definition, index, &request.dir, request.keep_outputs)?;
                let point_json = request
                    .dir
                    .join("points")
                    .join(index.to_string())
                    .join("point.json");
                fs::create_dir_all(point_json.parent().unwrap_or(Path::new(".")))?;
                write_atomically(
                    &point_json,
                    &(serde_json::to_string_pretty(&result)? + "\n"),
                )?;
                // The point is done: its checkpoint (if any) is no longer needed.
                fs::remove_file(point_json.with_file_name(checkpoint::FILE)).ok();
                if let Ok(mut p) = progress.lock() {
                    p.tick(&result);
                }
                Ok(result)
            })
            .collect()
    });
    if let Ok(p) = progress.into_inner() {
        p.finish();
    }
    for r in results {
        r?;
    }
    if !request.quiet {
        eprintln!(
            "nlif sweep: {} points run, {skipped} already done, in {:.1} s",
            todo.len(),
            clock.elapsed().as_secs_f64()
        );
    }
    if request.shard.is_some() {
        // Shards may finish together: assembling is left to one `--merge`.
        if !request.quiet {
            eprintln!(
                "nlif sweep: shard done; once every shard is, assemble with `nlif sweep --merge {}`",
                request.dir.display()
            );
        }
        return Ok(());
    }
    assemble(definition, &request.dir, request.quiet)
}

/// `--merge DIR`: assembles `sweep.csv`, `sweep.json` and the plot from the points.
pub(crate) fn merge(dir: &Path, quiet: bool) -> Result<()> {
    let text = fs::read_to_string(dir.join("sweep.json"))
        .with_context(|| format!("{} is not a sweep directory", dir.display()))?;
    let value: Value = serde_json::from_str(&text)?;
    let definition: Definition = serde_json::from_value(value["definition"].clone())
        .with_context(|| format!("{}/sweep.json has no sweep definition", dir.display()))?;
    assemble(&definition, dir, quiet)
}

/// Reads every point's result (failed points included) and writes the sweep's outputs.
fn assemble(definition: &Definition, dir: &Path, quiet: bool) -> Result<()> {
    let mut results = Vec::with_capacity(definition.len());
    let mut missing = Vec::new();
    for index in 0..definition.len() {
        let path = dir
            .join("points")
            .join(index.to_string())
            .join("point.json");
        match fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<PointResult>(&t).ok())
        {
            Some(r) => results.push(r),
            None => missing.push(index),
        }
    }
    if !missing.is_empty() {
        bail!(
            "{} of {} points have no result yet (e.g. point {}); run the remaining shards first",
            missing.len(),
            definition.len(),
            missing[0]
        );
    }
    let mut csv = csv::Writer::from_path(dir.join("sweep.csv"))?;
    let mut header: Vec<String> = definition.vary.iter().map(|v| v.path.clone()).collect();
    header.extend(
        [
            "index",
            "outcome",
            "class",
            "mean_rate",
            "mfes",
            "first_mfe",
            "largest_mfe_fraction",
            "micro_fraction",
            "switches",
            "wall_seconds",
            "error",
        ]
        .map(String::from),
    );
    csv.write_record(&header)?;
    let opt = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    for r in &results {
        let mut row = r.values.clone();
        row.extend([
            r.index.to_string(),
            r.outcome.clone(),
            r.class.clone(),
            opt(r.mean_rate),
            r.mfes.to_string(),
            opt(r.first_mfe),
            opt(r.largest_mfe_fraction),
            r.micro_fraction.to_string(),
            r.switches.to_string(),
            format!("{:.3}", r.wall_seconds),
            r.error.clone().unwrap_or_default(),
        ]);
        csv.write_record(&row)?;
    }
    csv.flush()?;
    write_atomically(
        &dir.join("sweep.json"),
        &(serde_json::to_string_pretty(&json!({
            "definition": definition,
            "points": results,
        }))? + "\n"),
    )?;
    if definition.vary.len() <= 2 {
        let number = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
        let points: Vec<PlotPoint> = results
            .iter()
            .map(|r| PlotPoint {
                x: number(&r.values[0]),
                y: r.values.get(1).map(|v| number(v)),
                mean_rate: r.mean_rate,
                mfes: r.mfes,
                class: class_from(&r.class),
            })
            .collect();
        sweep_plot::draw(
            dir,
            &format!("sweep of `{}`", definition.base.name),
            &definition.base,
            &definition.vary[0].path,
            definition.vary.get(1).map(|v| v.path.as_str()),
            &points,
        )?;
    }
    if !quiet {
        let failed = results.iter().filter(|r| r.error.is_some()).count();
        println!(
            "sweep `{}`: {} points ({failed} failed); results in {}",
            definition.base.name,
            results.len(),
            dir.join("sweep.csv").display()
        );
    }
    Ok(())
}

fn class_from(text: &str) -> Class {
    [
        Class::Asynchronous,
        Class::MfesThenRelaxation,
        Class::SustainedMfes,
        Class::BlowUp,
        Class::Error,
    ]
    .into_iter()
    .find(|c| c.as_str() == text)
    .unwrap_or(Class::Error)
}

/// Progress over points: a bar on a terminal, a line per ~10 % otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: usize,
    tenth: usize,
    quiet: bool,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30.cyan/blue} {pos}/{len} points [{elapsed_precise}, ETA {eta}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
            tenth: 0,
            quiet,
        }
    }

    fn tick(&mut self, result: &PointResult) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let tenth = self.done * 10 / self.total.max(1);
        if !self.quiet && tenth > self.tenth {
            self.tenth = tenth;
            eprintln!(
                "nlif sweep: {}/{} points ({} %), last: point {} {}",
                self.done,
                self.total,
                100 * self.done / self.total.max(1),
                result.index,
                result.outcome
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
