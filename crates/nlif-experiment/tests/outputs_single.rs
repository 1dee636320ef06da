//! The outputs of a run of one population are written byte for byte as before networks
//! of populations had outputs of their own. Oracle: the files the writer wrote for the
//! same hand-built run before that change (`tests/written/single/`, written by this test
//! with `NLIF_BLESS_OUTPUTS=1` at the commit before the change, then never again):
//! `summary.json` (but its peak memory), `rate.csv`, the `.npy` files and
//! `rate.svg` (the PNG plots are listed, not compared: their bytes are the PNG encoder's).

mod common;

use std::path::{Path, PathBuf};

use multiscale::{DensitySnapshot, Mode, Outcome, Sample, Switch, SwitchReason, Trace};
use nlif_experiment::output::{self, RunResult};
use nlif_micro::Mfe;

/// The files compared, byte for byte.
const COMPARED: &[&str] = &[
    "rate.csv",
    "density.npy",
    "grid.npy",
    "density_t.npy",
    "rate.svg",
];

/// A run of one population written out by hand: macro and micro samples, a switch up and
/// down, two multiple firing events, three density snapshots of five cells.
fn trace() -> Trace {
    let mut trace = Trace::default();
    let rates = [0.5, 0.75, 1.25, 6.5, 40.0, 3.0, 1.0, 0.875, 0.8125, 0.8];
    for (k, rate) in rates.into_iter().enumerate() {
        let k = k as f64 + 1.0;
        let mode = if (4.0..=6.0).contains(&k) {
            Mode::Micro
        } else {
            Mode::Macro
        };
        trace.samples.push(Sample {
            t: k / 10.0,
            rate,
            mode,
        });
    }
    trace.switches.push(Switch {
        t: 0.3,
        triggered_at: 0.31,
        to: Mode::Micro,
        reason: SwitchReason::RateAboveBound {
            rate: 6.0,
            bound: 5.0,
        },
        rate_before: 1.25,
        rate_after: Some(6.5),
    });
    trace.switches.push(Switch {
        t: 0.6,
        triggered_at: 0.6,
        to: Mode::Macro,
        reason: SwitchReason::BurstOver { smoothed_rate: 1.5 },
        rate_before: 3.0,
        rate_after: Some(1.0),
    });
    for (t, fired, rounds) in [(0.42, 300, 3), (0.47, 150, 2)] {
        trace.mfes.push(Mfe {
            t,
            fired,
            fraction: fired as f64 / 1000.0,
            rounds,
        });
    }
    for (k, t) in [0.0, 0.5, 1.0].into_iter().enumerate() {
        trace.densities.push(DensitySnapshot {
            t,
            mode: if k == 1 { Mode::Micro } else { Mode::Macro },
            values: (0..5).map(|i| f64::from(i) * 0.25 + k as f64).collect(),
        });
    }
    trace.mass_error_max = 1.5e-13;
    trace.macro_steps = 700;
    trace.micro_steps = 300;
    trace
}

/// The nodes of the grid of the snapshots.
fn grid() -> Vec<f64> {
    vec![-1.0, -0.5, 0.0, 0.5, 1.0]
}

fn written_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/written/single")
}

/// The text of `summary.json` without the line of the process's peak memory (the run's
/// wall time is the one handed in).
fn summary_without_memory(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("  \"peak_rss_bytes\": "))
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn a_run_of_one_population_writes_the_same_files_as_before() {
    let config = common::valid();
    let result = RunResult {
        trace: trace(),
        outcome: Outcome::Completed,
        wall_seconds: 1.0,
        grids: vec![grid()],
        checkpoints: None,
        processes: 1,
    };
    let root = std::env::temp_dir().join(format!("nlif-outputs-single-{}", std::process::id()));
    std::fs::remove_dir_all(&root).ok();
    std::fs::create_dir_all(&root).unwrap();
    let out = root.join("out");
    let files = output::write_all(&out, &config, &result, None).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let golden = written_dir();
    if std::env::var_os("NLIF_BLESS_OUTPUTS").is_some() {
        std::fs::create_dir_all(&golden).unwrap();
        for name in COMPARED {
            std::fs::copy(out.join(name), golden.join(name)).unwrap();
        }
        let summary = summary_without_memory(&out.join("summary.json"));
        std::fs::write(golden.join("summary.json"), summary).unwrap();
        std::fs::write(golden.join("files.txt"), names.join("\n") + "\n").unwrap();
    }
    // Every file written before is written again; the only new ones are the spike
    // raster's (a run with particles records one by default, `output.raster`).
    let listed = std::fs::read_to_string(golden.join("files.txt")).unwrap();
    let listed: Vec<&str> = listed.lines().collect();
    let added: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !listed.contains(n))
        .collect();
    assert!(
        listed.iter().all(|n| names.iter().any(|m| m == n)),
        "the files written: {names:?}, before: {listed:?}"
    );
    assert_eq!(added, ["raster.png", "spikes.csv"], "the files added");
    for name in COMPARED {
        let now = std::fs::read(out.join(name)).unwrap();
        let before = std::fs::read(golden.join(name)).unwrap();
        assert!(now == before, "{name} differs from what was written before");
    }
    let before = std::fs::read_to_string(golden.join("summary.json")).unwrap();
    let now = summary_without_memory(&out.join("summary.json"));
    assert_eq!(now, before, "summary.json");
    std::fs::remove_dir_all(&root).ok();
}
