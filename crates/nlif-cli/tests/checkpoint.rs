//! Checkpoint and restart, as a user meets them: a run killed (SIGKILL) or interrupted
//! (SIGINT) and resumed, on another thread count, or extended to a later end, writes what
//! the uninterrupted run writes; a damaged checkpoint is refused and nothing is changed.
//!
//! Oracle: the straight run's own outputs, byte for byte (`summary.json` without the
//! wall-clock fields `wall_seconds`, `peak_rss_bytes` and `checkpoints.seconds`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{bin, config, listing, nlif, scratch, stderr};

/// Blow-up A with dt = 1e-3 and 2e5 particles (a few seconds: long enough to be stopped
/// in either phase), a checkpoint every 0.5.
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
        "solver.micro.particles=200000",
        "--set",
        "solver.macro.dt=1e-3",
        "--set",
        "solver.micro.dt=1e-3",
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
    // The spike raster of the particle phases, where the run has one.
    if let Ok(bytes) = std::fs::read(dir.join("spikes.csv")) {
        files.push(("spikes.csv".to_owned(), bytes));
    }
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let map = summary.as_object_mut().unwrap();
    map.remove("wall_seconds");
    map.remove("peak_rss_bytes");
    map["checkpoints"]
        .as_object_mut()
        .unwrap()
        .remove("seconds");
    files.push(("summary.json".into(), summary.to_string().into_bytes()));
    files
}

/// Starts a checkpointed run, waits until its checkpoint shows `phase` at or after
/// `after`, and sends `signal`; returns the exit status and what it said on stderr.
fn stop_in(dir: &Path, out: &str, phase: &str, after: f64, signal: &str) -> (Option<i32>, String) {
    let config = config("blowup-a.ron");
    let mut child = Command::new(bin())
        .args(args(&config, out, &[]))
        .current_dir(dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoint = dir.join(format!(".{out}.partial/checkpoint.nlif"));
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no checkpoint came"
        );
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be stopped in {phase}");
        }
        if checkpoint.exists() {
            let o = nlif(&["inspect", &checkpoint.to_string_lossy()], dir);
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let t: f64 = text
                .split("t = ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or(-1.0);
            if text.contains(&format!("phase: {phase}")) && t >= after {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (o.status.code(), stderr(&o))
}

#[test]
fn killed_interrupted_and_extended_runs_equal_the_straight_run() {
    let dir = scratch("resume");
    let config = config("blowup-a.ron");
    let o = nlif(&args(&config, "straight", &[]), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = outputs(&dir.join("straight"));

    // SIGKILL in the particle phase (after the switch near t = 3.4) and in the macro
    // phase; resumed on 1 thread and on 2.
    for (out, phase, after, threads) in [
        ("killed-micro", "micro", 3.5, "1"),
        ("killed-macro", "macro", 1.0, "2"),
    ] {
        let (code, _) = stop_in(&dir, out, phase, after, "-KILL");
        assert_eq!(code, None, "SIGKILL ends the process");
        assert!(!dir.join(out).exists());
        let o = nlif(&["resume", out, "--quiet", "--threads", threads], &dir);
        assert!(o.status.success(), "{out}: {}", stderr(&o));
        assert!(outputs(&dir.join(out)) == reference, "{out} differs");
        assert!(!dir.join(format!(".{out}.partial")).exists());
    }

    // SIGINT: a last checkpoint, status 130 and the way to continue.
    let (code, said) = stop_in(&dir, "interrupted", "micro", 3.5, "-INT");
    assert_eq!(code, Some(130));
    assert!(
        said.contains("interrupted at t = ")
            && said.contains("continue with: nlif resume interrupted"),
        "{said}"
    );
    let o = nlif(
        &["resume", "interrupted", "--quiet", "--threads", "2"],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outputs(&dir.join("interrupted")) == reference);

    // A run to 3 extended to 5 equals the run to 5.
    let o = nlif(&args(&config, "extended", &["--set", "t_end=3"]), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nlif(&["resume", "extended", "--quiet"], &dir);
    assert!(!o.status.success() && stderr(&o).contains("--t-end"));
    let o = nlif(&["resume", "extended", "--t-end", "5", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outputs(&dir.join("extended")) == reference);
}

#[test]
fn damaged_checkpoints_are_refused_and_nothing_changes() {
    let dir = scratch("damaged");
    let config = config("blowup-a.ron");
    let o = nlif(
        &args(
            &config,
            "done",
            &["--set", "t_end=1", "--set", "solver.micro.particles=1000"],
        ),
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nlif(&["check", "done/checkpoint.nlif"], &dir);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    for needle in ["format 2", "blowup-a", "t = 1 of t_end = 1", "phase: macro"] {
        assert!(text.contains(needle), "`{needle}` not in {text}");
    }
    let good = std::fs::read(dir.join("done/checkpoint.nlif")).unwrap();
    let header = 8 + 4 + 2 + env!("CARGO_PKG_VERSION").len() + 4 + 8 + 4;
    let mut flipped = good.clone();
    flipped[header + (good.len() - header) / 2] ^= 0x10;
    let mut magic = good.clone();
    magic[0] = b'X';
    let mut future = good.clone();
    future[8..12].copy_from_slice(&99u32.to_le_bytes());
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated", good[..good.len() / 2].to_vec(), "truncated"),
        ("header only", good[..10].to_vec(), "truncated"),
        ("bit flip", flipped, "checksum"),
        ("wrong magic", magic, "not an nlif checkpoint"),
        ("future version", future, "newer nlif"),
    ];
    for (what, bytes, needle) in cases {
        std::fs::write(dir.join("done/checkpoint.nlif"), &bytes).unwrap();
        let before = listing(&dir);
        let o = nlif(&["resume", "done", "--t-end", "2", "--quiet"], &dir);
        assert!(!o.status.success(), "{what} accepted");
        assert!(stderr(&o).contains(needle), "{what}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
        assert_eq!(listing(&dir), before, "{what}: files changed");
    }
    // The config beside the checkpoint edited since.
    std::fs::write(dir.join("done/checkpoint.nlif"), &good).unwrap();
    let config_file = dir.join("done/config.ron");
    let text = std::fs::read_to_string(&config_file).unwrap();
    std::fs::write(&config_file, text.replace("b: 3.0", "b: 2.5")).unwrap();
    let before = listing(&dir);
    let o = nlif(&["resume", "done", "--t-end", "2", "--quiet"], &dir);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("edited"), "{}", stderr(&o));
    assert_eq!(listing(&dir), before);
    // Restored, the same checkpoint extends the run.
    std::fs::write(&config_file, text).unwrap();
    let o = nlif(&["resume", "done", "--t-end", "2", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Found by review: a run whose end is not a checkpoint time, extended, counted its old
/// final checkpoint once too often. Oracle: the straight run's summary (`checkpoints`
/// included, but for its seconds).
#[test]
fn an_extension_from_an_end_between_checkpoints_reports_what_a_straight_run_does() {
    let dir = scratch("between");
    let config = config("blowup-a.ron");
    let small = ["--set", "solver.micro.particles=20000"];
    let o = nlif(&args(&config, "straight", &small), &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nlif(
        &args(
            &config,
            "extended",
            &[&small[..], &["--set", "t_end=3.2"]].concat(),
        ),
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nlif(&["resume", "extended", "--t-end", "5", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outputs(&dir.join("extended")) == outputs(&dir.join("straight")));
}

/// An E–I network (`configs/ei-synchrony.ron`, 2·10⁴ neurons, dt = 1e-3) run to 2.7,
/// whose last checkpoint holds the particles of both populations (after the switch near
/// t = 2.6), extended to 3.3 on another thread count, writes what the run to 3.3 writes.
/// Oracle: the straight run's outputs, byte for byte.
#[test]
fn an_ei_network_extended_from_its_checkpoint_equals_the_straight_run() {
    let dir = scratch("ei");
    let config = config("ei-synchrony.ron");
    let run = |out: &str, t_end: &str, threads: &str| {
        let o = nlif(
            &[
                "run",
                &config,
                "--out",
                out,
                "--quiet",
                "--threads",
                threads,
                "--checkpoint-every",
                "0.5",
                "--set",
                "solver.micro.particles=20000",
                "--set",
                "solver.macro.dt=1e-3",
                "--set",
                "solver.micro.dt=1e-3",
                "--set",
                "output.plots=false",
                "--set",
                &format!("t_end={t_end}"),
            ],
            &dir,
        );
        assert!(o.status.success(), "{out}: {}", stderr(&o));
    };
    run("straight", "3.3", "2");
    run("extended", "2.7", "1");
    let o = nlif(&["inspect", "extended/checkpoint.nlif"], &dir);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("phase: micro (particles of a network)"),
        "{text}"
    );
    let o = nlif(
        &[
            "resume",
            "extended",
            "--t-end",
            "3.3",
            "--quiet",
            "--threads",
            "2",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files = vec![];
        for name in [
            "rate.csv",
            "density_E.npy",
            "density_I.npy",
            "density_t.npy",
            "grid_E.npy",
            "grid_I.npy",
        ] {
            files.push((name.to_owned(), std::fs::read(d.join(name)).unwrap()));
        }
        let mut summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap())
                .unwrap();
        let map = summary.as_object_mut().unwrap();
        map.remove("wall_seconds");
        map.remove("peak_rss_bytes");
        map.remove("checkpoints");
        files.push(("summary.json".into(), summary.to_string().into_bytes()));
        files
    };
    let (a, b) = (files(&dir.join("straight")), files(&dir.join("extended")));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("straight/summary.json")).unwrap())
            .unwrap();
    assert!(
        summary["mfe"].as_array().is_some_and(|m| !m.is_empty()),
        "the case has a burst before 3.3"
    );
}
