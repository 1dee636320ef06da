//! The output's staging directory, lock and checkpoint files before a run starts or
//! continues (rank 0's side of `nlif run` and `nlif resume`).
//!
//! A checkpointed run works in a staging directory `.NAME.partial` beside its output
//! `NAME` (a name that does not depend on the process, so `nlif resume NAME` finds it):
//! `config.ron` and `checkpoint.nlif` live there while the run goes on, and the outputs are
//! added at the end, when the directory is renamed into place. A run without checkpoints
//! writes everything at the end through a staging directory of its own.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use multiscale::BuiltinPolicy;
use nlif_experiment::Config;
use nlif_experiment::checkpoint::{self, Checkpoint, Stats};
use nlif_experiment::lock::Lock;
use nlif_experiment::output;

/// The staging directory of a checkpointed run writing to `out`.
pub(crate) fn checkpoint_staging(out: &Path) -> PathBuf {
    nlif_experiment::target::beside(out, ".partial")
}

/// Takes the lock of the output `out` (rank 0) before anything else is looked at, and
/// removes what dead runs left beside it.
pub(super) fn claim(out: &Path) -> Result<Lock> {
    let lock = Lock::exclusive(out).map_err(crate::words::lock)?;
    lock.remove_leftovers(out);
    Ok(lock)
}

/// Rank 0's lock, checks and staging directory before a run.
pub(super) fn prepare(config: &Config, out: &Path) -> Result<(PathBuf, Option<Lock>)> {
    let lock = claim(out)?;
    let staging = stage(config, out)?;
    Ok((staging, Some(lock)))
}

/// Rank 0's checks and staging directory before a run (the lock held).
pub(super) fn stage(config: &Config, out: &Path) -> Result<PathBuf> {
    output::check_target(out).map_err(crate::words::output)?;
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
        None => Ok(output::staging_for(out)?),
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

/// A checkpointed run's staging directory left without a checkpoint (the run was
/// stopped before its first one): nothing to resume, so it is removed. Only what nlif
/// writes there is accepted.
pub(super) fn remove_if_stale(staging: &Path) -> Result<bool> {
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

/// The checkpoint to resume: where it is, whether the run had finished, and its
/// contents. Rank 0 also checks `config.ron` and the output directory.
pub(super) fn open_checkpoint(
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
        checkpoint::check_config_file(&source, &config).map_err(crate::words::checkpoint)?;
        output::check_target(out).map_err(crate::words::output)?;
    }
    Ok((source, finished, config, stats, state))
}

/// Rank 0: the staging directory of a resumed run, with its (possibly extended) config.
pub(super) fn stage_resumed(
    out: &Path,
    staging: &Path,
    finished: bool,
    config: &Config,
) -> Result<()> {
    if finished {
        output::check_target(out).map_err(crate::words::output)?;
        if fs::symlink_metadata(staging).is_ok() {
            bail!("{} exists; remove it to extend the run", staging.display());
        }
        fs::create_dir(staging).with_context(|| format!("cannot create {}", staging.display()))?;
    }
    Ok(checkpoint::write_config_file(staging, config)?)
}
