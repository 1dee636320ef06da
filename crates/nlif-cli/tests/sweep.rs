//! `nlif sweep` as a user runs it.
//!
//! Oracles: the definition of the sweep (the cartesian product, row-major, a documented
//! seed derivation), the single `nlif run` of a point (the same summary), and the sweep
//! itself run another way (other `--jobs`, shards merged, resumed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::{config, nlif, scratch, stderr};

/// Blow-up A shortened and coarsened: a few milliseconds a point.
const SETS: [&str; 10] = [
    "--set",
    "solver.micro.particles=2000",
    "--set",
    "solver.macro.dt=1e-3",
    "--set",
    "solver.micro.dt=1e-3",
    "--set",
    "t_end=3.6",
    "--set",
    "output.interval=1e-2",
];

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let config = config("blowup-a.ron");
    let mut args = vec![
        "sweep",
        &config,
        "--vary",
        "model.b=0:3:4",
        "--vary",
        "initial.mean=[-1.0, 0.5]",
        "--out",
        out,
        "--quiet",
    ];
    args.extend_from_slice(&SETS);
    args.extend_from_slice(extra);
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    nlif(&args, dir)
}

/// `sweep.csv` without its wall-time column (the only one allowed to differ).
fn table(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let wall = rows[0].iter().position(|h| h == "wall_seconds").unwrap();
    for row in &mut rows {
        row.remove(wall);
    }
    rows
}

#[test]
fn a_sweep_is_the_product_of_its_values_whatever_the_jobs_shards_or_restarts() {
    let dir = scratch("product");
    let o = sweep(&dir, "one", &["--jobs", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = table(&dir.join("one"));
    // 4 × 2 points, row-major (the first --vary slowest), plus the header.
    assert_eq!(reference.len(), 9);
    let pairs: Vec<(&str, &str)> = reference[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("0", "-1.0"),
            ("0", "0.5"),
            ("1", "-1.0"),
            ("1", "0.5"),
            ("2", "-1.0"),
            ("2", "0.5"),
            ("3", "-1.0"),
            ("3", "0.5")
        ]
    );
    // The excitatory b = 3 network from -1 synchronizes; b = 0 does not.
    let class = reference[0].iter().position(|h| h == "class").unwrap();
    assert_eq!(reference[1][class], "asynchronous");
    assert_ne!(reference[7][class], "asynchronous");

    let o = sweep(&dir, "two", &["--jobs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(table(&dir.join("two")), reference, "--jobs 2 differs");

    for shard in ["2/3", "1/3", "3/3"] {
        let o = sweep(&dir, "sharded", &["--shard", shard]);
        assert!(o.status.success(), "{shard}: {}", stderr(&o));
    }
    let o = nlif(&["sweep", "--merge", "sharded", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        table(&dir.join("sharded")),
        reference,
        "merged shards differ"
    );

    // Running the same command again runs nothing and changes nothing.
    let o = sweep(&dir, "one", &["--jobs", "2"]);
    assert!(o.status.success());
    assert_eq!(table(&dir.join("one")), reference);

    // A point's summary is the one `nlif run` writes for its config.
    let o = nlif(
        &[
            &["run", &config("blowup-a.ron"), "--out", "single", "--quiet"][..],
            &SETS,
            &[
                "--set",
                "model.b=2",
                "--set",
                "initial.mean=0.5",
                "--set",
                "name=\"blowup-a-5\"",
                "--set",
                "output.plots=false",
                "--set",
                "output.density_interval=None",
            ],
        ]
        .concat(),
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let read = |p: PathBuf| -> serde_json::Value {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        for key in ["wall_seconds", "peak_rss_bytes"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v
    };
    assert_eq!(
        read(dir.join("one/points/5/summary.json")),
        read(dir.join("single/summary.json"))
    );
}

#[test]
fn invalid_points_are_rows_with_their_error_and_check_lists_them_all() {
    let dir = scratch("errors");
    let config = config("blowup-a.ron");
    let base = [
        "sweep",
        config.as_str(),
        "--vary",
        "model.b=[0.5, 1.0]",
        "--vary",
        "initial.var=[0.5, 0.0, -1.0]",
        "--quiet",
    ];
    let o = nlif(&[&base[..], &["--check"], &SETS].concat(), &dir);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("4 of 6 points are invalid"), "{err}");
    for point in ["point 1 ", "point 2 ", "point 4 ", "point 5 "] {
        assert!(err.contains(point), "{point} missing: {err}");
    }
    // The sweep runs them all; the failed points make its exit status 4.
    let o = nlif(&[&base[..], &["--out", "s"], &SETS].concat(), &dir);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("4 of 6 points failed"),
        "{}",
        stderr(&o)
    );
    let rows = table(&dir.join("s"));
    let error = rows[0].iter().position(|h| h == "error").unwrap();
    let outcome = rows[0].iter().position(|h| h == "outcome").unwrap();
    assert_eq!(rows[1][outcome], "completed");
    assert_eq!(rows[2][outcome], "error");
    assert!(rows[2][error].contains("initial.var"), "{:?}", rows[2]);
}

/// Oracle: the seed derivation as documented (SplitMix64 of seed XOR (i+1)·golden ratio).
#[test]
fn seeds_per_point_follow_the_documented_derivation() {
    fn splitmix(base: u64, i: u64) -> u64 {
        let mut z = base ^ (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let dir = scratch("seeds");
    let o = sweep(&dir, "s", &["--seed-per-point"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for i in 0..8u64 {
        let s: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("s/points/{i}/summary.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(s["seed"].as_u64().unwrap(), splitmix(1, i), "point {i}");
    }
}

#[test]
fn a_sweep_never_writes_into_a_foreign_directory() {
    let dir = scratch("foreign");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/data.txt"), "keep").unwrap();
    let o = sweep(&dir, "mine", &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not an nlif sweep"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(dir.join("mine")).unwrap().count(), 1);
}

/// A sweep of checkpointed points killed (SIGKILL) in the middle of a point continues that
/// point from its checkpoint: the resumed sweep's table equals the uninterrupted one.
#[test]
fn a_killed_sweep_continues_its_checkpointed_point() {
    let dir = scratch("killed");
    let config = config("blowup-a.ron");
    let args = |out: &str| -> Vec<String> {
        [
            "sweep",
            config.as_str(),
            "--vary",
            "model.b=[3.0, 2.5]",
            "--out",
            out,
            "--quiet",
            "--jobs",
            "1",
            "--set",
            "solver.micro.particles=200000",
            "--set",
            "solver.macro.dt=1e-3",
            "--set",
            "solver.micro.dt=1e-3",
            "--set",
            "t_end=4",
            "--set",
            "output.interval=1e-2",
            "--set",
            "output.checkpoint=Some(0.5)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |out: &str| {
        nlif(
            &args(out).iter().map(String::as_str).collect::<Vec<_>>(),
            &dir,
        )
    };
    let o = run("straight");
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = table(&dir.join("straight"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_nlif"))
        .args(args("killed"))
        .current_dir(&dir)
        .spawn()
        .unwrap();
    let checkpoint = dir.join("killed/points/0/checkpoint.nlif");
    let start = std::time::Instant::now();
    while !checkpoint.exists() {
        assert!(start.elapsed().as_secs() < 300, "no checkpoint came");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the sweep ended ({status}) before it could be killed");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.join("killed/points/0/point.json").exists());
    let o = run("killed");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(table(&dir.join("killed")), reference);
    assert!(!checkpoint.exists(), "a finished point keeps no checkpoint");
}

/// Found by review: a range over an integer field gives whole numbers, and a sweep too
/// large to hold is refused before anything runs.
#[test]
fn ranges_fit_integer_fields_and_huge_sweeps_are_refused() {
    let dir = scratch("sizes");
    let config = config("blowup-a.ron");
    let o = nlif(
        &[
            &[
                "sweep",
                config.as_str(),
                "--vary",
                "solver.micro.particles=1000:3000:3",
                "--check",
            ][..],
            &SETS,
        ]
        .concat(),
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nlif(
        &[
            "sweep",
            &config,
            "--vary",
            "model.b=0:1:100000",
            "--vary",
            "initial.mean=0:1:100000",
            "--out",
            "big",
        ],
        &dir,
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("at most 1000000"), "{}", stderr(&o));
    assert!(!dir.join("big").exists());
}
