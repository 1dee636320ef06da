//! What a command reads: a config with its overrides, checked, or the file `check` and
//! `inspect` are pointed at.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use multiscale::MemoryEstimate;
use nlif_experiment::{Config, checkpoint, config};

use crate::{cluster, overrides, session};

/// Loads (or takes the built-in) config, applies the overrides, validates (every check a
/// run makes before it starts).
pub(crate) fn resolve(path: Option<PathBuf>, set: &[String]) -> Result<(Config, MemoryEstimate)> {
    let loaded = match path {
        Some(path) => {
            let (config, text) = config::load(&path)?;
            Some((path, config, text))
        }
        None => None,
    };
    resolve_loaded(loaded, set)
}

/// As [`resolve`], for a config already read: its path, the config and its text.
pub(crate) fn resolve_loaded(
    loaded: Option<(PathBuf, Config, String)>,
    set: &[String],
) -> Result<(Config, MemoryEstimate)> {
    // The environment's memory limit is checked once, before any config.
    config::memory_limit()?;
    let (mut config, source) = match loaded {
        Some((path, config, text)) => (config, Some((path, text))),
        None => (Config::builtin(), None),
    };
    for assignment in set {
        overrides::apply(&mut config, assignment)?;
    }
    let located = if set.is_empty() {
        source.as_ref().map(|(p, t)| (p.as_path(), t.as_str()))
    } else {
        None
    };
    let overridden: Vec<&str> = set
        .iter()
        .filter_map(|a| a.split_once('=').map(|(key, _)| key.trim()))
        .collect();
    match config::check(&config, located, &overridden, cluster::processes()) {
        Err(e) if !set.is_empty() => {
            Err(anyhow::Error::new(e).context("after the --set overrides"))
        }
        other => Ok(other.map(|memory| (config, memory))?),
    }
}

/// The file `nlif check` / `nlif inspect` read for `path`, and its bytes, read once.
/// A directory, or a path that does not exist, names a run's output: its checkpoint is
/// that of the interrupted run in `.NAME.partial` if there is one (the one `nlif resume`
/// continues), else `NAME/checkpoint.nlif`. Otherwise `path` itself (`checkpoint` says
/// whether only a checkpoint is expected there).
pub(crate) fn read_input(path: &Path, checkpoint: bool) -> Result<(PathBuf, Vec<u8>)> {
    let exists = std::fs::metadata(path).is_ok();
    let target = if !exists || path.is_dir() {
        let staging = session::checkpoint_staging(path);
        // `.NAME.partial`, not `./.NAME.partial`, for a NAME given without a directory.
        let staging = match path.parent() {
            Some(p) if p.as_os_str().is_empty() => staging
                .strip_prefix(".")
                .map(Path::to_path_buf)
                .unwrap_or(staging),
            _ => staging,
        };
        let candidates = [staging.join(checkpoint::FILE), path.join(checkpoint::FILE)];
        match candidates.iter().find(|c| c.is_file()) {
            Some(found) => found.clone(),
            None if checkpoint || exists => bail!(
                "no checkpoint at {}: neither {} nor {} exists",
                path.display(),
                candidates[1].display(),
                candidates[0].display()
            ),
            None => path.to_path_buf(),
        }
    } else {
        path.to_path_buf()
    };
    let what = if checkpoint {
        "checkpoint"
    } else {
        "config file"
    };
    let bytes = std::fs::read(&target)
        .with_context(|| format!("cannot read the {what} {}", target.display()))?;
    Ok((target, bytes))
}
