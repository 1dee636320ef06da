//! `--set KEY=VALUE`: the library's override ([`set::assign`]) in the command line's words.

use anyhow::{Result, anyhow};
use nlif_experiment::Config;
use nlif_experiment::set;
use nlif_experiment::sweep::refused_override;

/// Applies one `--set KEY=VALUE`.
pub(crate) fn apply(config: &mut Config, assignment: &str) -> Result<()> {
    let (key, value) = set::split(assignment).ok_or_else(|| {
        anyhow!("--set `{assignment}`: expected KEY=VALUE, e.g. --set model.b=2.5")
    })?;
    set::assign(config, key, value).map_err(|e| anyhow!(refused_override(key, &e)))
}
