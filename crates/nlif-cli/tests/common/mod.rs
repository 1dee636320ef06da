//! What the integration tests of `nlif` share: the binary, a scratch directory per test,
//! running a command and reading what it printed and wrote.
//!
//! Each test file uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `nlif` binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_nlif")
}

/// `nlif ARGS` run in `dir`, to its end.
pub(crate) fn nlif(args: &[&str], dir: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// [`nlif`] with the memory limit `NLIF_MEMORY_LIMIT` set (the run's memory check then
/// does not depend on the machine).
pub(crate) fn nlif_env(args: &[&str], dir: &Path, memory_limit: &str) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NLIF_MEMORY_LIMIT", memory_limit)
        .output()
        .expect("the binary runs")
}

/// A new, empty directory for the test `name`, named after the test file and this process.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let stem = exe.file_stem().unwrap().to_string_lossy();
    let suite = stem.split('-').next().unwrap_or("test");
    let dir = std::env::temp_dir().join(format!("nlif-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the command printed on stderr.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What the command printed on stdout.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exit status, a panic or a signal failing the test.
pub(crate) fn status(o: &Output) -> i32 {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    o.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {err}"))
}

/// A refusal (exit status 1, no panic) whose message holds every needle.
pub(crate) fn fails(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(status(o), 1, "{err}");
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` missing from: {err}");
    }
}

/// The shipped configs.
pub(crate) fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs")
}

/// The path of the shipped config `name`.
pub(crate) fn config(name: &str) -> String {
    configs_dir().join(name).to_string_lossy().into_owned()
}

/// A run's `summary.json`.
pub(crate) fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// Every entry of `dir`, recursively, with file contents (a directory with none): the
/// oracle of "untouched".
pub(crate) fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.push((path.clone(), vec![]));
            all.extend(listing(&path));
        } else {
            all.push((path.clone(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    all.sort();
    all
}

/// A small multi-scale run with a micro phase (switches and MFEs) in well under a second
/// (the valid config of the tests of nlif-experiment).
pub(crate) const VALID: &str = include_str!("../../../nlif-experiment/tests/common/valid.ron");

/// [`VALID`] without plots (a second faster).
pub(crate) fn valid_without_plots() -> String {
    VALID.replace("Some(0.1)),", "Some(0.1), plots: false),")
}

/// The means of the column `column` of `out/rate.csv` over `[2, 6)` in 8 batches of half a
/// time unit (the late, stationary part of the networks' 6-unit runs).
pub(crate) fn batch_means(out: &Path, column: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(out.join("rate.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header.iter().position(|h| *h == column).unwrap();
    let mut sums = [(0.0, 0usize); 8];
    for line in lines {
        let cells: Vec<f64> = line.split(',').map(|c| c.parse().unwrap_or(0.0)).collect();
        if (2.0..6.0).contains(&cells[0]) {
            let b = (((cells[0] - 2.0) / 0.5) as usize).min(7);
            sums[b].0 += cells[k];
            sums[b].1 += 1;
        }
    }
    sums.iter().map(|&(s, n)| s / n as f64).collect()
}
