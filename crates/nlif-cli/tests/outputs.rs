//! Where outputs go, as the user of issue #23 found it: spellings of `--out` with `.`,
//! `..` and links, two writers of one output, staging directories left behind, names
//! too long for the staging directory, and `nlif sweep` stopped or failing.
//!
//! Oracles: the contract of docs/config.md ("Where outputs go", exit statuses), the files
//! on disk before and after, the PID of the process holding the output, and the outputs
//! of the same run made another way.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::{bin, scratch, status, stderr, summary};

/// The memory limit of every run here.
const MEMORY_LIMIT: &str = "2000000000";

/// `nlif ARGS` in `dir`, with [`MEMORY_LIMIT`].
fn nlif(args: &[&str], dir: &Path) -> Output {
    common::nlif_env(args, dir, MEMORY_LIMIT)
}

/// The steady macro config every test here runs.
fn config() -> String {
    common::config("macro-steady.ron")
}

fn spawn(args: &[&str], dir: &Path) -> Child {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NLIF_MEMORY_LIMIT", MEMORY_LIMIT)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `nlif run` of the steady macro config to `out`, ending at `t_end`.
fn run(dir: &Path, out: &str, t_end: &str, extra: &[&str]) -> Output {
    let config = config();
    let t_end = format!("t_end={t_end}");
    let mut args = vec![
        "run",
        &config,
        "--set",
        &t_end,
        "--out",
        out,
        "--quiet",
        "--threads",
        "1",
    ];
    args.extend_from_slice(extra);
    nlif(&args, dir)
}

/// Waits (polling) until `path` exists, while `child` is still running.
fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the run ended ({status}) before {} appeared",
                path.display()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn signal(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {signal}");
}

#[test]
fn dotted_spellings_of_out_replace_the_earlier_output_in_place() {
    let dir = scratch("dots");
    for spelling in [
        "out/ts/../ts",
        "out/ts/.",
        "out/ts/",
        "./out/./ts//",
        "out/new/../ts",
    ] {
        let o = run(&dir, "out/ts", "0.1", &[]);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
        let o = run(&dir, spelling, "0.2", &[]);
        assert_eq!(status(&o), 0, "--out {spelling}: {}", stderr(&o));
        assert_eq!(
            summary(&dir.join("out/ts"))["t_end"],
            0.2,
            "--out {spelling}"
        );
        assert_eq!(names(&dir.join("out")), ["ts"], "--out {spelling}");
    }
    // A link in the parent path is followed; the output lands where it leads.
    std::os::unix::fs::symlink("out", dir.join("via")).unwrap();
    let o = run(&dir, "via/ts", "0.3", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(summary(&dir.join("out/ts"))["t_end"], 0.3);
    assert_eq!(names(&dir.join("out")), ["ts"]);
    // A link as the output itself is refused, however spelled, and not touched.
    std::os::unix::fs::symlink("ts", dir.join("out/link")).unwrap();
    for spelling in ["out/link", "out/link/", "out/link/."] {
        let o = run(&dir, spelling, "0.1", &[]);
        assert_eq!(status(&o), 1, "--out {spelling}");
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert_eq!(names(&dir.join("out")), ["link", "ts"]);
        assert_eq!(summary(&dir.join("out/ts"))["t_end"], 0.3);
    }
    // `nlif resume` through a dotted spelling.
    let o = run(&dir, "out/rs", "0.1", &["--checkpoint-every", "0.05"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let o = nlif(
        &["resume", "out/rs/../rs", "--t-end", "0.2", "--quiet"],
        &dir,
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(summary(&dir.join("out/rs"))["t_end"], 0.2);
    assert_eq!(names(&dir.join("out")), ["link", "rs", "ts"]);
}

/// Takes the lock of the output `out` (in `parent`) as a running nlif would, writing this
/// process's PID into it.
fn hold_lock(parent: &Path, out: &str) -> File {
    fs::create_dir_all(parent).unwrap();
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(parent.join(format!(".{out}.lock")))
        .unwrap();
    file.try_lock().expect("the lock is free");
    writeln!(file, "{}", std::process::id()).unwrap();
    file
}

#[test]
fn a_second_writer_is_refused_naming_the_first() {
    let dir = scratch("lock");
    let me = std::process::id().to_string();
    // The lock held here: run, resume and sweep are refused, and change nothing.
    let o = run(&dir, "out/rs", "0.1", &["--checkpoint-every", "0.05"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let lock = hold_lock(&dir.join("out"), "rs");
    let before = names(&dir.join("out"));
    let o = run(&dir, "out/rs", "0.2", &[]);
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains(&me), "{}", stderr(&o));
    let o = nlif(&["resume", "out/rs", "--t-end", "0.2", "--quiet"], &dir);
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains(&me), "{}", stderr(&o));
    assert_eq!(names(&dir.join("out")), before);
    assert_eq!(summary(&dir.join("out/rs"))["t_end"], 0.1);
    drop(lock);
    let _lock = hold_lock(&dir.join("out"), "sw");
    let config = config();
    let o = nlif(
        &[
            "sweep", &config, "--vary", "seed=[1]", "--out", "out/sw", "--quiet",
        ],
        &dir,
    );
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains(&me), "{}", stderr(&o));
    assert!(!dir.join("out/sw").exists());

    // Two real runs: the first, held still, keeps the output; the second is refused.
    let config = self::config();
    let first = [
        "run",
        &config,
        "--set",
        "t_end=20",
        "--set",
        "seed=1",
        "--checkpoint-every",
        "0.1",
        "--out",
        "out/same",
        "--quiet",
    ];
    let mut a = spawn(&first, &dir);
    wait_for(&dir.join("out/.same.partial/checkpoint.nlif"), &mut a);
    signal(&a, "-STOP");
    let pid = a.id().to_string();
    let o = run(&dir, "out/same", "0.1", &["--set", "seed=2"]);
    let refused_run = (status(&o), stderr(&o));
    let o = nlif(&["resume", "out/same", "--quiet"], &dir);
    let refused_resume = (status(&o), stderr(&o));
    signal(&a, "-CONT");
    let a = a.wait_with_output().unwrap();
    assert_eq!(status(&a), 0, "{}", stderr(&a));
    assert_eq!(refused_run.0, 1);
    assert!(refused_run.1.contains(&pid), "{}", refused_run.1);
    assert_eq!(refused_resume.0, 1);
    assert!(refused_resume.1.contains(&pid), "{}", refused_resume.1);
    let same = dir.join("out/same");
    assert_eq!(summary(&same)["seed"], 1);
    let config_ron = fs::read_to_string(same.join("config.ron")).unwrap();
    assert!(config_ron.contains("seed: 1"), "{config_ron}");
}

#[test]
fn staging_is_removed_on_a_failed_write_and_after_a_dead_run() {
    let dir = scratch("staging");
    // A write that fails (the file-size limit stands for a full disk): nothing is left.
    let config = config();
    let o = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 4; exec \"$0\" \"$@\"",
            bin(),
            "run",
            &config,
            "--set",
            "t_end=0.1",
            "--out",
            "out/r3",
            "--quiet",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(status(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("File too large"), "{}", stderr(&o));
    assert_eq!(names(&dir.join("out")), Vec::<String>::new());

    // A run killed without warning leaves its staging directory; the next run to the
    // same output removes it.
    let mut a = spawn(
        &[
            "run",
            &config,
            "--set",
            "t_end=1e4",
            "--out",
            "out/k",
            "--quiet",
        ],
        &dir,
    );
    let staging = dir.join(format!("out/.k.partial-{}", a.id()));
    wait_for(&staging, &mut a);
    signal(&a, "-KILL");
    a.wait().unwrap();
    assert!(staging.exists());
    // Beside it, what nlif did not make (or that is not a dead run's): left alone.
    let out = dir.join("out");
    fs::create_dir(out.join(".k.partial-4000001")).unwrap();
    fs::write(out.join(".k.partial-4000001/rate.csv"), "t,rate,mode\n").unwrap();
    fs::create_dir(out.join(".k.partial-12")).unwrap();
    fs::write(out.join(".k.partial-12/notes.txt"), "mine").unwrap();
    fs::create_dir(out.join(".k.partial-x1")).unwrap();
    fs::create_dir(out.join(".kk.partial-5")).unwrap();
    fs::write(out.join(".k.partial-7"), "a file").unwrap();
    let o = run(&dir, "out/k", "0.1", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(
        names(&out),
        [
            ".k.partial-12",
            ".k.partial-7",
            ".k.partial-x1",
            ".kk.partial-5",
            "k"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join(".k.partial-12/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn names_too_long_for_the_staging_directory_are_refused_at_check_and_run() {
    let dir = scratch("long");
    let config = config();
    // nlif creates `.NAME.partial-PID-K` beside NAME: 23 bytes more, within 255.
    let long = "n".repeat(233);
    let set = format!("name=\"{long}\"");
    let o = nlif(&["check", &config, "--set", &set], &dir);
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains("`name`"), "{}", stderr(&o));
    assert!(stderr(&o).contains("232"), "{}", stderr(&o));
    let o = nlif(&["run", &config, "--set", &set, "--quiet"], &dir);
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains("`name`"), "{}", stderr(&o));
    let out = format!("out/{long}");
    let o = run(&dir, &out, "0.1", &[]);
    assert_eq!(status(&o), 1);
    assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
    assert_eq!(names(&dir.join("out")), Vec::<String>::new());
    // The longest name allowed runs.
    let out = format!("out/{}", "n".repeat(232));
    let o = run(&dir, &out, "0.1", &["--checkpoint-every", "0.05"]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(names(&dir.join("out")), ["n".repeat(232)]);
}

#[test]
fn an_empty_directory_is_accepted_as_out() {
    let dir = scratch("empty");
    fs::create_dir_all(dir.join("out/e")).unwrap();
    let o = run(&dir, "out/e", "0.1", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(summary(&dir.join("out/e"))["t_end"], 0.1);
    assert_eq!(names(&dir.join("out")), ["e"]);
}

fn sweep_args<'a>(config: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "sweep", config, "--set", "t_end=20", "--out", out, "--quiet", "--jobs", "1",
    ];
    args.extend_from_slice(extra);
    args
}

/// `summary.json` of a point without what may differ between runs.
fn steady_part(path: &Path) -> Value {
    let mut value = summary(path);
    let map = value.as_object_mut().unwrap();
    map.remove("wall_seconds");
    map.remove("peak_rss_bytes");
    value
}

#[test]
fn a_sweep_stops_on_a_signal_and_continues_where_it_stopped() {
    let dir = scratch("sweep-signal");
    let config = config();
    let vary = ["--vary", "seed=[1]", "--checkpoint-every", "0.1"];
    let mut a = spawn(&sweep_args(&config, "out/s", &vary), &dir);
    wait_for(&dir.join("out/s/points/0/checkpoint.nlif"), &mut a);
    signal(&a, "-INT");
    let a = a.wait_with_output().unwrap();
    assert_eq!(status(&a), 130, "{}", stderr(&a));
    assert!(stderr(&a).contains("interrupted"), "{}", stderr(&a));
    assert!(dir.join("out/s/points/0/checkpoint.nlif").exists());
    assert!(!dir.join("out/s/points/0/point.json").exists());
    let o = nlif(&sweep_args(&config, "out/s", &vary), &dir);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let o = nlif(&sweep_args(&config, "out/straight", &vary), &dir);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(
        steady_part(&dir.join("out/s/points/0")),
        steady_part(&dir.join("out/straight/points/0"))
    );
}

#[test]
fn a_sweep_with_failed_points_exits_4() {
    let dir = scratch("sweep-failed");
    let config = config();
    let o = nlif(
        &[
            "sweep",
            &config,
            "--set",
            "t_end=0.1",
            "--vary",
            "model.a0=[1.0, -1.0]",
            "--out",
            "out/f",
            "--quiet",
        ],
        &dir,
    );
    assert_eq!(status(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 of 2 points failed"),
        "{}",
        stderr(&o)
    );
    let table = fs::read_to_string(dir.join("out/f/sweep.csv")).unwrap();
    assert_eq!(table.lines().count(), 3, "{table}");
}
