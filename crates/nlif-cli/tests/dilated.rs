//! The time-dilated solver (`solver.kind: Dilated`, docs/model.md §13) through the
//! program: it runs a shipped config through its firing events, records them as the
//! particles do, continues from its checkpoint bit for bit, runs in sweeps as its single
//! runs, and refuses what it does not simulate by the field's path.

use std::path::Path;

mod common;

use common::{config, fails, nlif, scratch, stderr, summary};

fn args<'a>(config: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        config,
        "--out",
        out,
        "--quiet",
        "--checkpoint-every",
        "0.5",
        "--set",
        "solver.kind=Dilated",
        "--set",
        "output.plots=false",
    ];
    a.extend_from_slice(extra);
    a
}

/// The outputs that must not depend on how the run was carried out.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![];
    for name in ["rate.csv", "density.npy", "density_t.npy", "grid.npy"] {
        files.push((name.to_owned(), std::fs::read(dir.join(name)).unwrap()));
    }
    let mut s = summary(dir);
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

/// Oracle: the straight run's own outputs, byte for byte. Blow-up A run to 3.5 (through
/// its first event near 3.418) and extended from its checkpoint to 5 (through four more)
/// writes what the run to 5 writes. The events are recorded with `t` and `fraction` as
/// the particles' (`summary.json` `mfe`), the mass is kept (`mass_error_max` within the
/// run's tolerance) and the run completes.
#[test]
fn a_dilated_run_passes_its_events_and_continues_bit_for_bit() {
    let dir = scratch("dilated-resume");
    let config = config("blowup-a.ron");
    let o = nlif(&args(&config, "straight", &[]), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = summary(&dir.join("straight"));
    assert_eq!(s["solver"], "dilated");
    assert_eq!(s["outcome"], "completed");
    assert!(s["mass_error_max"].as_f64().unwrap() < 1e-10);
    let mfe = s["mfe"].as_array().unwrap();
    assert!(mfe.len() >= 5, "{mfe:?}");
    let first = (
        mfe[0]["t"].as_f64().unwrap(),
        mfe[0]["fraction"].as_f64().unwrap(),
    );
    assert!((3.4..3.5).contains(&first.0) && first.1 > 0.9, "{first:?}");

    let o = nlif(&args(&config, "extended", &["--set", "t_end=3.5"]), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        summary(&dir.join("extended"))["mfe"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let o = nlif(&["resume", "extended", "--t-end", "5", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outputs(&dir.join("extended")) == outputs(&dir.join("straight")));
}

/// Oracle: nothing silent — what the solver does not simulate is refused before the run,
/// naming the field, and nothing is written.
#[test]
fn what_a_dilated_run_does_not_simulate_is_refused_by_its_path() {
    let dir = scratch("dilated-refusals");
    let ei = config("ei-synchrony.ron");
    let o = nlif(&args(&ei, "ei", &[]), &dir);
    fails(&o, &["model.populations", "Dilated"]);
    assert!(!dir.join("ei").exists());
    let a = config("blowup-a.ron");
    let o = nlif(&args(&a, "a1", &["--set", "model.a1=0.1"]), &dir);
    fails(&o, &["model.a1"]);
    assert!(!dir.join("a1").exists());
    let period = ["--set", "model.refractory=Fixed(tau: 0.01)"];
    let o = nlif(&args(&a, "period", &period), &dir);
    fails(
        &o,
        &["model.refractory", "does not simulate refractory periods"],
    );
    assert!(!dir.join("period").exists());
    let o = nlif(&args(&a, "delay", &["--set", "model.delay=0.01"]), &dir);
    fails(&o, &["model.delay", "does not simulate synaptic delays"]);
    assert!(!dir.join("delay").exists());
    // Nor does `nlif init` print a network for it (its example is one population).
    let o = nlif(&["init", "--solver", "dilated", "--populations", "2"], &dir);
    fails(&o, &["--populations 2", "one population"]);
    assert!(o.stdout.is_empty());
}

/// Oracle: the single `nlif run` of each point. A sweep over a `Dilated` config (two
/// couplings) runs every point, and its table's `mean_rate`, `mfes`, `first_mfe` and
/// `largest_mfe_fraction` are the single runs' summaries bit for bit (the dilated solver
/// uses no random numbers, so the points' derived seeds change nothing either).
#[test]
fn a_sweep_of_dilated_runs_is_its_single_runs() {
    let dir = scratch("dilated-sweep");
    let config = config("blowup-a.ron");
    let sets = [
        "--set",
        "solver.kind=Dilated",
        "--set",
        "t_end=3.6",
        "--set",
        "output.interval=1e-2",
    ];
    let sweep = [
        "sweep",
        config.as_str(),
        "--vary",
        "model.b=[2.5, 3.0]",
        "--out",
        "sweep",
        "--quiet",
    ];
    let o = nlif(&[&sweep[..], &sets].concat(), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("sweep/sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    assert_eq!(rows.len(), 3, "{text}");
    for (row, b) in rows[1..].iter().zip(["2.5", "3.0"]) {
        assert_eq!(row[column("outcome")], "completed", "{text}");
        let out = format!("b{b}");
        let set_b = format!("model.b={b}");
        let single = [
            "run",
            config.as_str(),
            "--out",
            out.as_str(),
            "--quiet",
            "--set",
            set_b.as_str(),
        ];
        let o = nlif(&[&single[..], &sets].concat(), &dir);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = summary(&dir.join(&out));
        let mfe = s["mfe"].as_array().unwrap();
        let bits = |cell: &str| cell.parse::<f64>().unwrap().to_bits();
        let rate = s["mean_rate"].as_f64().unwrap();
        assert_eq!(bits(row[column("mean_rate")]), rate.to_bits(), "b = {b}");
        assert_eq!(row[column("mfes")], mfe.len().to_string(), "b = {b}");
        if let Some(first) = mfe.first() {
            let t = first["t"].as_f64().unwrap();
            assert_eq!(bits(row[column("first_mfe")]), t.to_bits(), "b = {b}");
            let largest = mfe
                .iter()
                .map(|m| m["fraction"].as_f64().unwrap())
                .fold(0.0, f64::max);
            let cell = row[column("largest_mfe_fraction")];
            assert_eq!(bits(cell), largest.to_bits(), "b = {b}");
        }
    }
    // Blow-up A (b = 3) passes its first event by t = 3.6, so the comparison has one.
    assert_ne!(rows[2][column("mfes")], "0", "{text}");
}
