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
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::checkpoint;
use crate::config::Config;
use crate::lock::Lock;
use point::{done, run_point, write_atomically};
use progress::Progress;

mod assemble;
mod error;
pub mod plot;
mod point;
mod progress;
mod vary;
mod words;

pub use error::SweepError;
pub use point::PointResult;

type Result<T, E = SweepError> = std::result::Result<T, E>;
pub use vary::{ShardError, Vary, VaryError, parse_shard, parse_vary};
pub use words::refused_override;

/// The seed of point `index` with `--seed-per-point`: SplitMix64 of the base seed and the
/// index, so points get independent, reproducible seeds.
pub fn point_seed(base: u64, index: usize) -> u64 {
    nlif_model::seed::derive(base, index as u64 + 1)
}

/// The most points one sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The definition of a sweep, as `sweep.json` records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Definition {
    /// The program that ran it (`nlif`).
    pub program: String,
    /// Its version.
    pub version: String,
    /// The config every point starts from (overrides applied).
    pub base: Config,
    /// The varied fields; the first varies slowest.
    pub vary: Vec<Vary>,
    /// Whether each point gets its own seed ([`point_seed`]).
    pub seed_per_point: bool,
}

impl Definition {
    /// Number of points (saturating; a sweep is refused above [`MAX_POINTS`]).
    pub fn len(&self) -> usize {
        self.vary
            .iter()
            .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
            .unwrap_or(usize::MAX)
    }

    /// Whether the sweep has no point (never: every varied field has a value).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Refuses a sweep of more than [`MAX_POINTS`] points.
    pub fn validate(&self) -> Result<()> {
        let n = self.len();
        if n > MAX_POINTS {
            return Err(SweepError::TooManyPoints {
                points: (n != usize::MAX).then_some(n),
            });
        }
        Ok(())
    }

    /// The values (RON text) of point `index`, one per varied field.
    pub fn values(&self, index: usize) -> Vec<&str> {
        let mut rest = index;
        let mut values = vec![""; self.vary.len()];
        for (k, vary) in self.vary.iter().enumerate().rev() {
            values[k] = &vary.values[rest % vary.values.len()];
            rest /= vary.values.len();
        }
        values
    }

    /// The config of point `index`.
    pub fn config(&self, index: usize) -> Result<Config> {
        let mut config = self.base.clone();
        for (vary, value) in self.vary.iter().zip(self.values(index)) {
            crate::set::assign(&mut config, &vary.path, value).map_err(|e| SweepError::Point {
                index,
                source: Box::new(SweepError::Refused {
                    path: vary.path.clone(),
                    text: refused_override(&vary.path, &e),
                    refused: Box::new(e),
                }),
            })?;
        }
        if self.seed_per_point {
            config.seed = point_seed(self.base.seed, index);
        }
        config.name = format!("{}-{index}", self.base.name);
        Ok(config)
    }
}

/// What `nlif sweep` was asked.
pub struct Request {
    /// The sweep.
    pub definition: Definition,
    /// Its directory (new, or an earlier run of the same sweep, which is resumed).
    pub dir: PathBuf,
    /// Points run at once, each on one thread.
    pub jobs: usize,
    /// Run only the points `index = I - 1 mod N` of the shard `(I, N)`.
    pub shard: Option<(usize, usize)>,
    /// Keep every point's full outputs in `points/INDEX/run/`.
    pub keep_outputs: bool,
    /// No progress and no final line.
    pub quiet: bool,
}

/// Checks every point; all invalid ones are reported at once.
pub fn check_all(definition: &Definition) -> Result<usize> {
    let mut invalid = String::new();
    let mut count = 0;
    for index in 0..definition.len() {
        let problem = definition
            .config(index)
            .map(|config| crate::config::check(&config, None, &[], 1).map(|_| ()));
        let said = match problem {
            Ok(Ok(())) => continue,
            Err(e) => crate::report(&e),
            Ok(Err(e)) => crate::report(&e),
        };
        count += 1;
        let values = definition.values(index).join(", ");
        let _ = writeln!(invalid, "  point {index} ({values}): {said}");
    }
    if count > 0 {
        return Err(SweepError::InvalidPoints {
            count,
            total: definition.len(),
            list: invalid.trim_end().to_owned(),
        });
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

/// Creates `dir/points`.
fn create_points(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir.join("points")).map_err(|source| SweepError::Create {
        dir: dir.to_owned(),
        source,
    })
}

/// The sweep directory: new, or an earlier sweep of the same definition (resumed).
fn prepare(request: &Request) -> Result<()> {
    let dir = &request.dir;
    let sweep_json = dir.join("sweep.json");
    match fs::symlink_metadata(dir) {
        Err(_) => {
            create_points(dir)?;
        }
        // Another shard may have just created it: only sweep artifacts inside.
        Ok(meta) if meta.is_dir() && !sweep_json.is_file() && only_sweep_artifacts(dir) => {
            create_points(dir)?;
        }
        Ok(meta) if meta.is_dir() && sweep_json.is_file() => {
            let text = fs::read_to_string(&sweep_json)?;
            let earlier: Value =
                serde_json::from_str(&text).map_err(|source| SweepError::NotADefinition {
                    path: sweep_json.clone(),
                    source,
                })?;
            let same = earlier
                .get("definition")
                .map(|d| d == &json!(request.definition));
            if same != Some(true) {
                return Err(SweepError::DifferentSweep { dir: dir.clone() });
            }
        }
        Ok(_) => return Err(SweepError::NotASweep { dir: dir.clone() }),
    }
    write_atomically(
        &sweep_json,
        &(serde_json::to_string_pretty(&json!({ "definition": request.definition }))? + "\n"),
    )
}

/// Runs the sweep (the points of its shard); assembles the results when all are done.
///
/// Returns every point's result, by index (none for a shard: [`merge`] assembles them
/// once every shard is done).
///
/// # Errors
///
/// The directory cannot be prepared or written (a failed point is a result with its
/// error, not an error of the sweep).
pub fn run(request: Request) -> Result<Vec<PointResult>> {
    Ok(run_until(request, &AtomicBool::new(false))?.results)
}

/// How [`run_until`] ended.
#[derive(Debug)]
pub struct Ran {
    /// Every point's result, by index, once assembled (none for a shard, or if stopped).
    pub results: Vec<PointResult>,
    /// The points this run was to run (not done before).
    pub points: usize,
    /// Those of them that failed (their rows carry the error).
    pub failed: usize,
    /// Whether `stop` ended the sweep before every point was run.
    pub stopped: bool,
}

/// [`run`], stopping when `stop` is raised (a signal): points not started are left for
/// the next run of the same command, a running checkpointed point writes its state. The
/// sweep directory is locked for the run ([`Lock`]: shared by the shards of a sweep,
/// exclusive otherwise).
///
/// # Errors
///
/// As [`run`]; another process is writing the sweep.
pub fn run_until(request: Request, stop: &AtomicBool) -> Result<Ran> {
    run_reporting(request, stop, |_| {})
}

/// [`run_until`], calling `points_run(n)` each time a point is done, `n` the points this
/// call has run so far (a caller's own progress display; it never changes what is run).
///
/// # Errors
///
/// As [`run_until`].
pub fn run_reporting(
    request: Request,
    stop: &AtomicBool,
    points_run: impl Fn(usize) + Sync,
) -> Result<Ran> {
    let definition = &request.definition;
    let total = definition.len();
    let _lock = if request.shard.is_some() {
        Lock::shared(&request.dir)?
    } else {
        Lock::exclusive(&request.dir)?
    };
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
        .map_err(SweepError::Threads)?;
    let progress = Mutex::new(Progress::new(todo.len(), request.quiet));
    let count = AtomicUsize::new(0);
    let clock = Instant::now();
    let results: Vec<Result<Option<PointResult>>> = pool.install(|| {
        todo.par_iter()
            .with_max_len(1)
            .map(|&index| {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok(None);
                }
                let Some(result) =
                    run_point(definition, index, &request.dir, request.keep_outputs, stop)?
                else {
                    return Ok(None);
                };
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
                points_run(count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                Ok(Some(result))
            })
            .collect()
    });
    if let Ok(p) = progress.into_inner() {
        p.finish();
    }
    let mut ran = Vec::new();
    for r in results {
        ran.extend(r?);
    }
    let failed = ran.iter().filter(|r| r.error.is_some()).count();
    let ended = |results| Ran {
        results,
        points: todo.len(),
        failed,
        stopped: ran.len() < todo.len(),
    };
    if ran.len() < todo.len() {
        eprintln!(
            "nlif sweep: interrupted after {} of {} points; run the same command again to continue (a checkpointed point continues from its last checkpoint)",
            ran.len(),
            todo.len()
        );
        return Ok(ended(Vec::new()));
    }
    if !request.quiet {
        eprintln!(
            "nlif sweep: {} points run, {skipped} already done, in {:.1} s",
            todo.len(),
            clock.elapsed().as_secs_f64()
        );
    }
    if request.shard.is_some() {
        // Shards may finish together: assembling is left to one [`merge`] (the front
        // end says how to call it).
        return Ok(ended(Vec::new()));
    }
    Ok(ended(assemble::assemble(
        definition,
        &request.dir,
        request.quiet,
    )?))
}

/// `--merge DIR`: assembles `sweep.csv`, `sweep.json` and the plot from the points;
/// returns every point's result, by index.
///
/// # Errors
///
/// `dir` is not a sweep directory, a point has no result yet, or the outputs cannot be
/// written.
pub fn merge(dir: &Path, quiet: bool) -> Result<Vec<PointResult>> {
    let text =
        fs::read_to_string(dir.join("sweep.json")).map_err(|source| SweepError::NotASweepDir {
            dir: dir.to_owned(),
            source,
        })?;
    let _lock = Lock::exclusive(dir)?;
    let value: Value = serde_json::from_str(&text)?;
    let definition: Definition =
        serde_json::from_value(value["definition"].clone()).map_err(|source| {
            SweepError::NoDefinition {
                dir: dir.to_owned(),
                source,
            }
        })?;
    assemble::assemble(&definition, dir, quiet)
}
