//! `spikes.csv`: the spike raster of a run's particle phases.
//!
//! Header `t,population,neuron`, one row per spike in time order (within an instant by
//! population, then neuron): `t` the time of the event the neuron fired in (the start of
//! the step for an input kick, the end of the step otherwise; rounded for the report as
//! the samples are), `population` its name (`all` for a single population), `neuron` its
//! id in the population. Written whenever the run records a raster (`output.raster > 0`
//! and a solver with particles), with the header alone if no sampled neuron fired.
//! `pandas.read_csv` reads it as it is; `numpy.genfromtxt(..., delimiter=",",
//! names=True, dtype=None, encoding=None)` too.

use std::path::Path;

use multiscale::Trace;
use nlif_model::network::SINGLE_POPULATION_NAME;

use super::Result;
use crate::config::Config;

/// The file's name.
pub const FILE: &str = "spikes.csv";

/// Whether a run of `config` records a raster (and writes [`FILE`]).
#[must_use]
pub fn records(config: &Config) -> bool {
    config.output.raster > 0 && config.solver.kind.uses_micro()
}

/// The name of population `alpha` as the trace names it (`all` for a single population).
pub(crate) fn population_name(trace: &Trace, alpha: u32) -> &str {
    trace
        .populations
        .get(alpha as usize)
        .map_or(SINGLE_POPULATION_NAME, String::as_str)
}

/// Writes `dir/spikes.csv` if the run records a raster.
pub(super) fn write(dir: &Path, config: &Config, trace: &Trace) -> Result<()> {
    if !records(config) {
        return Ok(());
    }
    let mut writer = csv::Writer::from_path(dir.join(FILE))?;
    writer.write_record(["t", "population", "neuron"])?;
    for s in &trace.spikes {
        writer.write_record([
            nlif_model::time::tidy(s.t).to_string(),
            population_name(trace, s.population).to_owned(),
            s.neuron.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
