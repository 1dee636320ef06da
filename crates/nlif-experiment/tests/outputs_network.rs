//! The outputs of a run of a network of two populations, from a record written by hand:
//! `rate.csv`'s `rate_<name>` columns, `summary.json`'s `populations` and each event's
//! `fractions`, the per-population `.npy` files, and the recognised files of an earlier
//! output. Oracle: the values put into the record, read back exactly, and means computed
//! by hand from them.

mod common;

use std::path::{Path, PathBuf};

use multiscale::{DensitySnapshot, Mode, Outcome, Sample, Trace};
use ndarray::{Array1, Array2};
use ndarray_npy::read_npy;
use nlif_experiment::output::{self, OutputError, RunResult};
use nlif_micro::Mfe;
use serde_json::{Value, json};

/// The shares of `common::ei()`: E 0.8, I 0.2.
const SHARES: [f64; 2] = [0.8, 0.2];

/// Six samples at `t = k / 10`: E fires at `k`, I at `10 k`, the network at the
/// share-weighted `0.8 k + 0.2 · 10 k`; the last three macro, the first three micro.
fn sample_rates(k: u32) -> (f64, f64) {
    (f64::from(k), 10.0 * f64::from(k))
}

/// The grids of E (3 nodes) and I (2 nodes).
fn grids() -> Vec<Vec<f64>> {
    vec![vec![-1.0, 0.0, 1.0], vec![0.25, 0.75]]
}

/// Snapshot `k`'s densities of E and I.
fn snapshot_parts(k: u32) -> (Vec<f64>, Vec<f64>) {
    let k = f64::from(k);
    (vec![k, k + 0.5, k + 0.25], vec![100.0 + k, 200.0 + k])
}

fn trace() -> Trace {
    let mut trace = Trace {
        populations: vec!["E".into(), "I".into()],
        population_cells: vec![3, 2],
        ..Trace::default()
    };
    for k in 1..=6 {
        let (e, i) = sample_rates(k);
        trace.samples.push(Sample {
            t: f64::from(k) / 10.0,
            rate: SHARES[0] * e + SHARES[1] * i,
            mode: if k <= 3 { Mode::Micro } else { Mode::Macro },
        });
        trace.population_rates.extend([e, i]);
    }
    for (t, fractions) in [(0.15, [0.25, 0.5]), (0.25, [0.125, 0.0])] {
        let fraction = SHARES[0] * fractions[0] + SHARES[1] * fractions[1];
        trace.mfes.push(Mfe {
            t,
            fired: (fraction * 1000.0) as u64,
            fraction,
            rounds: 2,
        });
        trace.mfe_fractions.extend(fractions);
    }
    for k in 0..3 {
        let (e, i) = snapshot_parts(k);
        trace.densities.push(DensitySnapshot {
            t: 0.3 * f64::from(k),
            mode: Mode::Macro,
            values: [e, i].concat(),
        });
    }
    trace
}

fn result(trace: Trace) -> RunResult {
    RunResult {
        trace,
        outcome: Outcome::Completed,
        wall_seconds: 1.0,
        grids: grids(),
        checkpoints: None,
        processes: 1,
    }
}

fn scratch(tag: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("nlif-outputs-{tag}-{}", std::process::id()));
    std::fs::remove_dir_all(&root).ok();
    std::fs::create_dir_all(&root).unwrap();
    root
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_network_writes_a_column_a_summary_entry_and_densities_per_population() {
    let config = common::ei();
    assert_eq!(
        config.t_end, 0.6,
        "the mean rates below are over (0.3, 0.6]"
    );
    let root = scratch("network");
    let out = root.join("out");
    let files = output::write_all(&out, &config, &result(trace()), None).unwrap();
    assert_eq!(
        names(&files),
        [
            "density.png",
            "density_E.npy",
            "density_I.npy",
            "density_t.npy",
            "grid_E.npy",
            "grid_I.npy",
            // A run with particles records its spike raster (`output.raster`).
            "raster.png",
            "rate.csv",
            "rate.png",
            "rate.svg",
            "spikes.csv",
            "summary.json",
        ]
    );

    // rate.csv: the header, then each sample's values, parsed back exactly.
    let text = std::fs::read_to_string(out.join("rate.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,rate,mode,rate_E,rate_I"));
    for (k, line) in (1..=6).zip(lines.by_ref()) {
        let cells: Vec<&str> = line.split(',').collect();
        let (e, i) = sample_rates(k);
        let number = |c: &str| c.parse::<f64>().unwrap();
        assert_eq!(number(cells[0]), f64::from(k) / 10.0);
        assert_eq!(number(cells[1]), SHARES[0] * e + SHARES[1] * i);
        assert_eq!(cells[2], if k <= 3 { "micro" } else { "macro" });
        assert_eq!((number(cells[3]), number(cells[4])), (e, i), "{line}");
        assert_eq!(cells.len(), 5);
    }
    assert_eq!(lines.next(), None);

    // summary.json: each population's share and mean rate over (0.3, 0.6], samples 4, 5,
    // 6 (equal spans): E (4 + 5 + 6) / 3 = 5, I 50, the network 0.8 · 5 + 0.2 · 50 = 14.
    let s = summary(&out);
    let populations = s["populations"].as_array().unwrap();
    assert_eq!(populations.len(), 2);
    let close = |x: &Value, want: f64| {
        let x = x.as_f64().unwrap();
        // The spans (0.4 − 0.3 …) are rounded in binary: agreement to round-off.
        assert!((x - want).abs() <= 1e-12 * want, "{x} against {want}");
    };
    for (entry, (name, share, mean)) in populations.iter().zip([("E", 0.8, 5.0), ("I", 0.2, 50.0)])
    {
        let keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["mean_rate", "name", "share"]);
        assert_eq!(entry["name"], name);
        assert_eq!(entry["share"], share);
        close(&entry["mean_rate"], mean);
    }
    close(&s["mean_rate"], 14.0);
    // The network's mean is the share-weighted mean of the populations'.
    let weighted: f64 = populations
        .iter()
        .zip(SHARES)
        .map(|(e, share)| share * e["mean_rate"].as_f64().unwrap())
        .sum();
    close(&s["mean_rate"], weighted);
    // Each event: the network's fraction as before, and each population's by name.
    let mfe = s["mfe"].as_array().unwrap();
    assert_eq!(mfe[0]["fractions"], json!({ "E": 0.25, "I": 0.5 }));
    assert_eq!(mfe[1]["fractions"], json!({ "E": 0.125, "I": 0.0 }));
    assert_eq!(mfe[0]["fraction"], 0.8 * 0.25 + 0.2 * 0.5);

    // The .npy files: each population's part of every snapshot, its grid, the times.
    for (alpha, name) in ["E", "I"].into_iter().enumerate() {
        let density: Array2<f64> = read_npy(out.join(format!("density_{name}.npy"))).unwrap();
        let parts: Vec<Vec<f64>> = (0..3)
            .map(|k| {
                let (e, i) = snapshot_parts(k);
                if alpha == 0 { e } else { i }
            })
            .collect();
        assert_eq!(density.nrows(), 3);
        for (row, part) in density.rows().into_iter().zip(&parts) {
            assert_eq!(row.to_vec(), *part, "{name}");
        }
        let grid: Array1<f64> = read_npy(out.join(format!("grid_{name}.npy"))).unwrap();
        assert_eq!(grid.to_vec(), grids()[alpha]);
    }
    let times: Array1<f64> = read_npy(out.join("density_t.npy")).unwrap();
    assert_eq!(times.to_vec(), [0.0, 0.3, 0.6]);

    // The network's outputs are an earlier nlif output: a new run replaces them.
    output::write_all(&out, &config, &result(trace()), None).unwrap();
    // But not with a file of a population the summary does not name.
    std::fs::write(out.join("density_X.npy"), b"x").unwrap();
    let e = output::write_all(&out, &config, &result(trace()), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("`density_X.npy`, which nlif did not write"),
        "{e}"
    );
    std::fs::remove_dir_all(&root).ok();
}

/// What spoils a result.
type Spoil = Box<dyn Fn(&mut RunResult)>;

#[test]
fn a_record_that_does_not_fit_is_refused_before_anything_is_written() {
    let config = common::ei();
    let root = scratch("refused");
    let out = root.join("out");
    let cases: [(&str, Spoil); 5] = [
        (
            "2 population rates for 6 samples",
            Box::new(|r| r.trace.population_rates.truncate(2)),
        ),
        (
            "3 population fractions for 2 multiple firing events",
            Box::new(|r| r.trace.mfe_fractions.truncate(3)),
        ),
        (
            "1 grids for the density snapshots of 2 population(s)",
            Box::new(|r| r.grids.truncate(1)),
        ),
        (
            "the density snapshot at t = 0.3 has 4 values",
            Box::new(|r| r.trace.densities[1].values.truncate(4)),
        ),
        (
            "the record's populations [\"E\", \"X\"] are not the config's [\"E\", \"I\"]",
            Box::new(|r| r.trace.populations[1] = "X".into()),
        ),
    ];
    for (words, spoil) in cases {
        let mut spoilt = result(trace());
        spoil(&mut spoilt);
        let e = output::write_all(&out, &config, &spoilt, None).unwrap_err();
        assert!(
            matches!(e.innermost(), OutputError::Inconsistent(what) if what.contains(words)),
            "{words}: {e:?}"
        );
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(&root).unwrap().count(),
            0,
            "no staging left"
        );
    }
    // A name that cannot name a file (a record built by hand: a config refuses it).
    let mut spoilt = result(trace());
    spoilt.trace.populations[1] = "../I".into();
    let e = output::write_all(&out, &config, &spoilt, None).unwrap_err();
    assert!(
        matches!(e.innermost(), OutputError::PopulationName { name, .. } if name == "../I"),
        "{e:?}"
    );
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
    std::fs::remove_dir_all(&root).ok();
}
