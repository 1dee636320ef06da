//! Checking that a run's result fits together before anything is written: the record's
//! per-population parts against its populations, the snapshots against the grids, and
//! the populations against the config's. A run always hands in such a result; a result
//! built by hand may not, and is refused with what does not fit rather than written wrong.

use super::files::check_population_names;
use super::{OutputError, Result, RunResult};
use crate::config::Config;

/// Checks `result` against itself and `config` (see the module documentation).
///
/// # Errors
///
/// [`OutputError::PopulationName`] for a population whose name cannot name its files,
/// [`OutputError::Inconsistent`] saying what does not fit.
pub(crate) fn check_result(config: &Config, result: &RunResult) -> Result<()> {
    let trace = &result.trace;
    let names = &trace.populations;
    let p = names.len();
    let inconsistent = |what: String| Err(OutputError::Inconsistent(what));
    if let Err((alpha, why)) = check_population_names(names) {
        return Err(OutputError::PopulationName {
            name: names[alpha].clone(),
            why,
        });
    }
    if p == 1 {
        return inconsistent(
            "the record names one population (a network of one names none)".into(),
        );
    }
    let network = config.network();
    if p >= 2 || network.len() >= 2 {
        let configured: Vec<&str> = network
            .populations
            .iter()
            .map(|x| x.name.as_str())
            .collect();
        if configured != *names {
            return inconsistent(format!(
                "the record's populations {names:?} are not the config's {configured:?}"
            ));
        }
        if trace.population_rates.len() != p * trace.samples.len() {
            return inconsistent(format!(
                "{} population rates for {} samples of {p} populations",
                trace.population_rates.len(),
                trace.samples.len()
            ));
        }
        if trace.mfe_fractions.len() != p * trace.mfes.len() {
            return inconsistent(format!(
                "{} population fractions for {} multiple firing events of {p} populations",
                trace.mfe_fractions.len(),
                trace.mfes.len()
            ));
        }
    }
    if trace.densities.is_empty() {
        return Ok(());
    }
    let cells: Vec<usize> = result.grids.iter().map(Vec::len).collect();
    let wanted = p.max(1);
    if cells.len() != wanted {
        return inconsistent(format!(
            "{} grids for the density snapshots of {wanted} population(s)",
            cells.len()
        ));
    }
    if p >= 2 && trace.population_cells != cells {
        return inconsistent(format!(
            "the snapshots' cells per population {:?} are not the grids' {cells:?}",
            trace.population_cells
        ));
    }
    let total: usize = cells.iter().sum();
    if let Some(s) = trace.densities.iter().find(|s| s.values.len() != total) {
        return inconsistent(format!(
            "the density snapshot at t = {} has {} values, the grid(s) {total} nodes",
            s.t,
            s.values.len()
        ));
    }
    Ok(())
}
