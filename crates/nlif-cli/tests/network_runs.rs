//! Runs of an excitatory–inhibitory network through the program, as `nlif init
//! --populations 2` prints it, with each solver: the outputs of a network (`rate_<name>`
//! columns, `summary.json` `populations` and each event's `fractions`, per-population
//! densities), an extended run equal to the straight one, a network of one population equal to the single form, and a sweep over
//! a coupling entry reaching each point's exact stationary state.
//!
//! Oracles: the spellings of docs/config.md ("Outputs of a network of several
//! populations"); the network's rate and fraction are per neuron of the whole network, so
//! with 4000 neurons split exactly (3200 E, 800 I) they are `0.8 · E + 0.2 · I` of the
//! populations' own, to round-off; a straight run's own files for the extended one; the
//! single form's own files for a network of one population.

mod common;

use std::path::Path;

use common::{nlif, scratch, status, stderr, summary};
use serde_json::Value;

/// `nlif init --populations 2`, written into `dir` as `ei.ron`.
fn ei_file(dir: &Path) -> String {
    let out = nlif(&["init", "--populations", "2"], dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("ei.ron"), &out.stdout).unwrap();
    dir.join("ei.ron").to_string_lossy().into_owned()
}

/// The shares of the example: E 0.8, I 0.2.
const SHARES: [f64; 2] = [0.8, 0.2];

/// A short run of the example with `kind` (4000 neurons, a sample every 0.01, a
/// snapshot every 0.1, to `t_end`), E's self-coupling strong enough and the start near the
/// threshold so that it bursts (micro phases and multiple firing events for particles).
fn run_args<'a>(file: &'a str, out: &'a str, kind: &'a str, t_end: &'a str) -> Vec<String> {
    [
        "run",
        file,
        "--out",
        out,
        "--quiet",
        "--threads",
        "2",
        "--set",
        &format!("solver.kind={kind}"),
        "--set",
        &format!("t_end={t_end}"),
        "--set",
        "model.coupling[0][0]=3.5",
        "--set",
        "initial=Gaussian(mean: 1.5, var: 0.005)",
        "--set",
        "solver.micro.particles=4000",
        "--set",
        "output.interval=0.01",
        "--set",
        "output.density_interval=Some(0.1)",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn run(dir: &Path, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = nlif(&args, dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
}

/// `a` equals `b` to round-off (a sum of two products, each rounded).
fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) + 1e-300,
        "{what}: {a} against {b}"
    );
}

/// The shape in the header of a `.npy` file (`'shape': (3, 151), ` → `[3, 151]`).
fn npy_shape(path: &Path) -> Vec<usize> {
    let bytes = std::fs::read(path).unwrap();
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).into_owned();
    let after = header.split("'shape': (").nth(1).unwrap();
    let inside = after.split(')').next().unwrap();
    inside
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

/// Checks the outputs of a network run in `out` (see the module documentation).
fn check_network_outputs(out: &Path, kind: &str) {
    // rate.csv: the header, and the network's rate the share-weighted sum of the columns.
    let text = std::fs::read_to_string(out.join("rate.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,rate,mode,rate_E,rate_I"), "{kind}");
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 5, "{kind}: {line}");
        let x = |i: usize| cells[i].parse::<f64>().unwrap();
        close(
            x(1),
            SHARES[0] * x(3) + SHARES[1] * x(4),
            &format!("{kind}: {line}"),
        );
        rows += 1;
    }
    assert_eq!(rows, 20, "{kind}: a sample every 0.01 to 0.2");
    // summary.json: the populations, the network's mean their share-weighted mean.
    let s = summary(out);
    assert_eq!(s["outcome"], "completed", "{kind}");
    let populations = s["populations"].as_array().unwrap();
    let names: Vec<&str> = populations
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["E", "I"], "{kind}");
    let shares: Vec<f64> = populations
        .iter()
        .map(|p| p["share"].as_f64().unwrap())
        .collect();
    assert_eq!(shares, SHARES, "{kind}");
    let weighted: f64 = populations
        .iter()
        .zip(SHARES)
        .map(|(p, share)| share * p["mean_rate"].as_f64().unwrap())
        .sum();
    close(s["mean_rate"].as_f64().unwrap(), weighted, kind);
    // Each event: the fraction of each population, the network's their weighted sum.
    for event in s["mfe"].as_array().unwrap() {
        let fractions = event["fractions"].as_object().unwrap();
        assert_eq!(fractions.keys().collect::<Vec<_>>(), ["E", "I"], "{kind}");
        let sum = SHARES[0] * fractions["E"].as_f64().unwrap()
            + SHARES[1] * fractions["I"].as_f64().unwrap();
        close(event["fraction"].as_f64().unwrap(), sum, kind);
    }
    // The densities: one file per population on its own grid, the shared times.
    assert!(!out.join("density.npy").exists() && !out.join("grid.npy").exists());
    assert_eq!(npy_shape(&out.join("density_t.npy")), [3], "{kind}");
    for name in ["E", "I"] {
        let grid = npy_shape(&out.join(format!("grid_{name}.npy")));
        let density = npy_shape(&out.join(format!("density_{name}.npy")));
        assert_eq!(density, [3, grid[0]], "{kind}: {name}");
    }
}

#[test]
fn a_network_runs_with_every_solver_and_writes_its_populations() {
    let dir = scratch("kinds");
    let file = ei_file(&dir);
    for kind in ["Macro", "Micro", "Multiscale"] {
        let out = format!("out-{kind}");
        let mut args = run_args(&file, &out, kind, "0.2");
        args.extend(["--set".into(), "output.plots=false".into()]);
        run(&dir, &args);
        check_network_outputs(&dir.join(&out), kind);
    }
    // Particles burst: the multi-scale run hands over and records events per population.
    let s = summary(&dir.join("out-Multiscale"));
    assert!(!s["switches"].as_array().unwrap().is_empty(), "{s}");
    assert!(!s["mfe"].as_array().unwrap().is_empty(), "{s}");
    // With plots: the rate and density plots of the network.
    run(&dir, &run_args(&file, "plotted", "Multiscale", "0.2"));
    for plot in ["rate.png", "rate.svg", "density.png"] {
        assert!(dir.join("plotted").join(plot).is_file(), "{plot}");
    }
    // An earlier output of a network is replaced by a new run.
    run(&dir, &run_args(&file, "plotted", "Macro", "0.2"));
    assert_eq!(summary(&dir.join("plotted"))["solver"], "macro");
}

/// The files of a run that must not depend on how it was carried out (`summary.json`
/// without its clocks).
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![];
    for name in [
        "rate.csv",
        "density_E.npy",
        "density_I.npy",
        "grid_E.npy",
        "grid_I.npy",
        "density_t.npy",
    ] {
        files.push((name.to_owned(), std::fs::read(dir.join(name)).unwrap()));
    }
    let mut s: Value = summary(dir);
    let map = s.as_object_mut().unwrap();
    map.remove("wall_seconds");
    map.remove("peak_rss_bytes");
    map["checkpoints"]
        .as_object_mut()
        .unwrap()
        .remove("seconds");
    files.push(("summary.json".into(), s.to_string().into_bytes()));
    files
}

#[test]
fn an_extended_network_run_equals_the_straight_one() {
    let dir = scratch("extend");
    let file = ei_file(&dir);
    let every = ["--checkpoint-every".to_owned(), "0.05".to_owned()];
    let mut straight = run_args(&file, "straight", "Multiscale", "0.2");
    straight.extend(every.clone());
    run(&dir, &straight);
    let mut short = run_args(&file, "extended", "Multiscale", "0.1");
    short.extend(every);
    run(&dir, &short);
    let out = nlif(&["resume", "extended", "--t-end", "0.2", "--quiet"], &dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(
        outputs(&dir.join("extended")) == outputs(&dir.join("straight")),
        "the extended run's outputs differ from the straight run's"
    );
}

#[test]
fn a_network_of_one_population_runs_as_the_single_form() {
    let dir = scratch("one");
    let single = common::valid_without_plots();
    // The same model as one population of the populations form, with its own initial
    // density (the single form's) and another top-level one, which it overrides.
    let model = "model: (a0: 1.0, a1: 0.0, b: 1.5, v_f: 2.0, v_r: 1.0, input: None),";
    assert!(single.contains(model));
    let network = single
        .replacen(
            model,
            "model: (populations: [(name: \"E\", share: 1.0, a0: 1.0, v_f: 2.0, v_r: 1.0, input: None, initial: Some(Gaussian(mean: 1.5, var: 0.005)))], coupling: [[1.5]], a1: [[0.0]]),",
            1,
        )
        .replacen(
            "initial: Gaussian(mean: 1.5, var: 0.005),",
            "initial: Gaussian(mean: -1.0, var: 0.5),",
            1,
        );
    std::fs::write(dir.join("single.ron"), &single).unwrap();
    std::fs::write(dir.join("network.ron"), &network).unwrap();
    for (file, out) in [("single.ron", "single"), ("network.ron", "network")] {
        let o = nlif(&["run", file, "--out", out, "--quiet"], &dir);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
    }
    let (a, b) = (dir.join("single"), dir.join("network"));
    for name in ["rate.csv", "density.npy", "grid.npy", "density_t.npy"] {
        let same = std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap();
        assert!(same, "{name} differs");
    }
    let (mut x, mut y) = (summary(&a), summary(&b));
    for s in [&mut x, &mut y] {
        let map = s.as_object_mut().unwrap();
        for key in ["wall_seconds", "peak_rss_bytes", "config"] {
            map.remove(key);
        }
    }
    assert_eq!(x, y);
    assert!(y.get("populations").is_none());
    let header = std::fs::read_to_string(b.join("rate.csv")).unwrap();
    assert!(
        header.starts_with("t,rate,mode\n"),
        "no column per population"
    );
}

/// A sweep over an entry of the coupling matrix: each point's density run relaxes to the
/// network's stationary state. Oracle: the exact stationary rates of the rate map
/// (`nlif_model::network::network_stationary_states`), the network's rate their
/// share-weighted sum; the points' `mean_rate` (over `[t_end/2, t_end]`) within the grid's
/// discretisation error (2.5e-3 relative at the example's `dv = 0.02`, docs/model.md §10).
#[test]
fn a_sweep_over_a_coupling_entry_reaches_each_points_stationary_state() {
    use nlif_model::network::{Network, Population, network_stationary_states};
    let dir = scratch("sweep");
    let file = ei_file(&dir);
    let out = nlif(
        &[
            "sweep",
            &file,
            "--vary",
            "model.coupling[0][0]=[0.0, 0.5, 1.0]",
            "--set",
            "solver.kind=Macro",
            "--set",
            "solver.macro.dt=1e-2",
            "--set",
            "t_end=16",
            "--set",
            "output.interval=0.1",
            "--set",
            "output.density_interval=None",
            "--out",
            "sweep",
            "--quiet",
        ],
        &dir,
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join("sweep/sweep.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (w_col, rate_col) = (column("model.coupling[0][0]"), column("mean_rate"));
    let mut points = 0;
    for line in lines {
        let row: Vec<&str> = line.split(',').collect();
        let w: f64 = row[w_col].parse().unwrap();
        let rate: f64 = row[rate_col].parse().unwrap();
        let network = Network {
            populations: vec![
                Population::new("E", 0.8, 1.0),
                Population::new("I", 0.2, 0.5),
            ],
            coupling: vec![vec![w, -0.5], vec![2.0, -1.5]],
            a1: Vec::new(),
            delay: Vec::new(),
        };
        let exact = network_stationary_states(&network).unwrap()[0]
            .rates
            .clone();
        let network_rate = SHARES[0] * exact[0] + SHARES[1] * exact[1];
        assert!(
            (rate / network_rate - 1.0).abs() < 5e-3,
            "w = {w}: {rate} against {network_rate}"
        );
        points += 1;
    }
    assert_eq!(points, 3);
}
