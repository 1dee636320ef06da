//! The time-dilated solver (`solver.kind: Dilated`, docs/model.md §13) through the
//! program: it runs a shipped config through its firing events, records them as the
//! particles do, continues from its checkpoint bit for bit, and refuses what it does not
//! simulate by the field's path.

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
}
