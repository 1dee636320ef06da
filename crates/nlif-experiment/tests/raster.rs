//! `output.raster`: the field, its overrides and refusals, and what a run writes with it
//! (`spikes.csv`, `raster.png`) beside outputs that stay byte for byte those of a run
//! without it.
//!
//! Oracles: the text written by hand (the field's default and overrides); the run with
//! `raster: 0` (every other output's bytes); the rate samples (every neuron sampled, the
//! rows of `spikes.csv` in a sample's interval are its rate).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use nlif_experiment::config::DEFAULT_RASTER;
use nlif_experiment::{Config, Parallelism, output, set};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nlif-raster-{}-{name}", std::process::id()));
    fs::remove_dir_all(&dir).ok();
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn small(kind: multiscale::SolverKind, raster: usize) -> Config {
    let mut config = common::valid();
    config.solver.kind = kind;
    config.solver.micro.particles = 3000;
    config.t_end = 0.3;
    config.output.raster = raster;
    config
}

fn write(config: &Config, out: &Path) {
    let result = nlif_experiment::run(config, Parallelism::Rayon).unwrap();
    output::write_all(out, config, &result, None).unwrap();
}

/// `(t, population, neuron)` of each row, after checking the header.
fn rows(path: &Path) -> Vec<(f64, String, u64)> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,population,neuron"));
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 3, "{line}");
            (
                f[0].parse().unwrap(),
                f[1].to_owned(),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

/// The default, a value in the file, `--set` from the default and from another value;
/// a negative or fractional value refused, and one above the largest refused by name.
#[test]
fn the_field_reads_sets_and_refuses_by_name() {
    let mut config = common::valid();
    assert_eq!(config.output.raster, DEFAULT_RASTER);
    set::assign(&mut config, "output.raster", "7").unwrap();
    assert_eq!(config.output.raster, 7);
    set::assign(&mut config, "output.raster", "0").unwrap();
    assert_eq!(config.output.raster, 0);
    let text = common::VALID.replace(
        "density_interval: Some(0.1))",
        "density_interval: Some(0.1), raster: 3)",
    );
    assert_eq!(
        nlif_experiment::config::parse(&text).unwrap().output.raster,
        3
    );
    for bad in ["-1", "2.5", "many"] {
        assert!(
            set::assign(&mut config, "output.raster", bad).is_err(),
            "{bad}"
        );
    }
    config.output.raster = multiscale::MAX_RASTER + 1;
    let (field, message) = config.validate(&[], 1).unwrap_err();
    assert_eq!(field, "output.raster");
    assert!(message.contains("10000"), "{message}");
}

/// A particle run writes `spikes.csv` and `raster.png`; `rate.csv` and the `.npy` files
/// are those of the run without a raster byte for byte, and `summary.json` has no new
/// field; every neuron sampled, the rows of each sample's interval are its rate.
#[test]
fn a_particle_run_writes_its_raster_and_changes_nothing_else() {
    let dir = scratch("micro");
    let micro = multiscale::SolverKind::Micro;
    let (plain, recorded, all) = (dir.join("plain"), dir.join("recorded"), dir.join("all"));
    write(&small(micro, 0), &plain);
    write(&small(micro, DEFAULT_RASTER), &recorded);
    assert!(!plain.join("spikes.csv").exists() && !plain.join("raster.png").exists());
    assert!(recorded.join("raster.png").is_file());
    for file in ["rate.csv", "density.npy", "grid.npy", "density_t.npy"] {
        assert_eq!(
            fs::read(plain.join(file)).unwrap(),
            fs::read(recorded.join(file)).unwrap(),
            "{file}"
        );
    }
    let keys = |out: &Path| {
        let text = fs::read_to_string(out.join("summary.json")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&plain), keys(&recorded));
    let spikes = rows(&recorded.join("spikes.csv"));
    assert!(spikes.len() > DEFAULT_RASTER, "{} rows", spikes.len());
    assert!(spikes.windows(2).all(|w| w[0].0 <= w[1].0), "time order");
    assert!(spikes.iter().all(|s| s.1 == "all" && s.2 < 3000));
    let mut ids: Vec<u64> = spikes.iter().map(|s| s.2).collect();
    ids.sort_unstable();
    ids.dedup();
    assert!(ids.len() <= DEFAULT_RASTER);

    let config = small(micro, 3000);
    write(&config, &all);
    let spikes = rows(&all.join("spikes.csv"));
    let rate = fs::read_to_string(all.join("rate.csv")).unwrap();
    let interval = config.output.interval;
    for line in rate.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (t, rate): (f64, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let count = spikes
            .iter()
            .filter(|s| s.0 > t - interval * (1.0 - 1e-9) && s.0 <= t * (1.0 + 1e-12))
            .count();
        let from_spikes = count as f64 / (3000.0 * interval);
        assert!(
            (from_spikes - rate).abs() <= 1e-9 * rate.max(1.0),
            "t = {t}: {from_spikes} vs {rate}"
        );
    }
}

/// A density-only run records nothing and writes no raster.
#[test]
fn a_density_run_writes_no_raster() {
    let dir = scratch("macro");
    let out = dir.join("run");
    write(&small(multiscale::SolverKind::Macro, DEFAULT_RASTER), &out);
    assert!(out.join("rate.csv").is_file());
    assert!(!out.join("spikes.csv").exists() && !out.join("raster.png").exists());
}

/// The raster of a network of two populations is drawn from a trace of its spikes (the
/// rows of each band the ids the run samples).
#[test]
fn a_network_raster_is_drawn() {
    let dir = scratch("network");
    let config = common::ei();
    let neurons = config.network().neurons(20_000).unwrap();
    let mut trace = multiscale::Trace {
        populations: vec!["E".into(), "I".into()],
        ..Default::default()
    };
    for (alpha, &n) in neurons.iter().enumerate() {
        let ids = nlif_micro::raster::sample_ids(config.seed, alpha, n, DEFAULT_RASTER);
        for (k, &neuron) in ids.iter().enumerate() {
            trace.spikes.push(nlif_micro::Spike {
                t: 0.01 * (k + 1) as f64,
                population: alpha as u32,
                neuron,
            });
        }
    }
    trace.samples.push(multiscale::Sample {
        t: 0.6,
        rate: 1.0,
        mode: multiscale::Mode::Micro,
    });
    nlif_experiment::plot::raster(&dir, &config, &trace).unwrap();
    assert!(fs::metadata(dir.join("raster.png")).unwrap().len() > 1000);
}
