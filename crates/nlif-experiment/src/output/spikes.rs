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

#[cfg(test)]
mod tests {
    use multiscale::{Mode, Sample};
    use nlif_micro::Spike;

    use super::*;

    /// Oracle: the file written by hand. A network names its populations, times are
    /// rounded as the samples' are; a single population is `all`.
    #[test]
    fn rows_name_the_population_and_round_the_time() {
        let dir = std::env::temp_dir().join(format!("nlif-spikes-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = Config::builtin();
        config.solver.kind = multiscale::SolverKind::Micro;
        let spike = |t, population, neuron| Spike {
            t,
            population,
            neuron,
        };
        let mut trace = Trace {
            populations: vec!["E".into(), "I".into()],
            spikes: vec![spike(0.1 + 0.2, 0, 17), spike(0.3, 1, 2), spike(0.5, 0, 3)],
            ..Trace::default()
        };
        trace.samples.push(Sample {
            t: 0.5,
            rate: 1.0,
            mode: Mode::Micro,
        });
        write(&dir, &config, &trace).unwrap();
        let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert_eq!(text, "t,population,neuron\n0.3,E,17\n0.3,I,2\n0.5,E,3\n");
        trace.populations.clear();
        trace.spikes.truncate(1);
        write(&dir, &config, &trace).unwrap();
        let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert_eq!(text, "t,population,neuron\n0.3,all,17\n");
        config.output.raster = 0;
        std::fs::remove_file(dir.join(FILE)).unwrap();
        write(&dir, &config, &trace).unwrap();
        assert!(!dir.join(FILE).exists());
        std::fs::remove_dir_all(&dir).ok();
    }
}
