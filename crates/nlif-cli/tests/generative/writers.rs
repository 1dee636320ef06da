//! The output's contract over its class, not only the instances of issue #23: every
//! spelling of `--out` (`.`, `..`, extra and trailing slashes, links on the way, relative
//! or absolute) and a second writer of an output being written.
//!
//! Oracles: the directory the spelling denotes, worked out by hand from how the test
//! built the tree (links followed, `..` from where they lead); the PID of the first
//! writer; the seeds each writer was given.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;

use super::{SEED, nlif, scratch};

fn config() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs/macro-steady.ron")
        .to_string_lossy()
        .into_owned()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The tree every case starts from, in `dir`: `out/sub/` (a directory), `via -> out`,
/// `deep -> out/sub`, `out/link -> ts` (a link as the output itself).
fn tree(dir: &Path) {
    fs::create_dir_all(dir.join("out/sub")).unwrap();
    std::os::unix::fs::symlink("out", dir.join("via")).unwrap();
    std::os::unix::fs::symlink(dir.join("out/sub"), dir.join("deep")).unwrap();
    std::os::unix::fs::symlink("ts", dir.join("out/link")).unwrap();
}

/// Ways to reach `out/` from the case's directory, all denoting it: through dots, a
/// missing directory, a link to it, `..` out of a link into `out/sub`.
const TO_OUT: &[&str] = &[
    "out/",
    "out/./",
    "out//",
    "./out/",
    "out/sub/../",
    "out/missing/../",
    "out/ts/../",
    "via/",
    "via/sub/../",
    "deep/../",
    "deep/./../../out/",
];

/// Endings of the output's name that denote the same directory.
const ENDINGS: &[&str] = &["", "/", "/.", "/./", "//"];

/// A spelling of `out/ts` (or, if `link`, of the link `out/link`), relative or absolute.
fn spelling(dir: &Path, to_out: usize, ending: usize, absolute: bool, link: bool) -> String {
    let prefix = if absolute {
        format!("{}/", dir.display())
    } else {
        String::new()
    };
    let name = if link { "link" } else { "ts" };
    format!("{prefix}{}{name}{}", TO_OUT[to_out], ENDINGS[ending])
}

fn run_to(dir: &Path, out: &str, t_end: &str, seed: &str) -> super::Ran {
    let config = config();
    let (t_end, seed) = (format!("t_end={t_end}"), format!("seed={seed}"));
    nlif(
        &[
            "run", &config, "--set", &t_end, "--set", &seed, "--out", out, "--quiet",
        ],
        dir,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 20,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(SEED),
        ..ProptestConfig::default()
    })]

    /// A second run to any spelling of an earlier output replaces exactly that output
    /// (or, spelled as a link, is refused and changes nothing); nothing else changes,
    /// nothing is left beside it.
    #[test]
    fn every_spelling_of_out_lands_where_it_resolves(
        to_out in 0..TO_OUT.len(),
        ending in 0..ENDINGS.len(),
        absolute: bool,
        link in prop::bool::weighted(0.2),
    ) {
        let dir = scratch();
        tree(&dir);
        let first = run_to(&dir, "out/ts", "0.1", "1");
        prop_assert_eq!(first.code, 0, "{}", first.stderr);
        let before = names(&dir.join("out"));
        let out = spelling(&dir, to_out, ending, absolute, link);
        let second = run_to(&dir, &out, "0.2", "2");
        let ts = summary(&dir.join("out/ts"));
        if link {
            prop_assert_eq!(second.code, 1, "--out {} accepted", out);
            prop_assert!(second.stderr.contains("symbolic link"), "{}", second.stderr);
            prop_assert_eq!(&ts["seed"], 1);
        } else {
            prop_assert_eq!(second.code, 0, "--out {}: {}", out, second.stderr);
            prop_assert_eq!(&ts["seed"], 2, "--out {}", out);
            prop_assert_eq!(&ts["t_end"], 0.2);
        }
        prop_assert_eq!(names(&dir.join("out")), before, "--out {}", out);
        prop_assert_eq!(names(&dir.join("out/sub")), Vec::<String>::new());
        prop_assert_eq!(names(&dir), ["deep", "foreign", "keep.txt", "out", "via"]);
        fs::remove_dir_all(&dir).ok();
    }
}

/// What a second writer of an output being written tries.
#[derive(Debug, Clone, Copy)]
enum Second {
    Run,
    CheckpointedRun,
    Resume,
    Extend,
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        max_shrink_iters: 10,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(SEED),
        ..ProptestConfig::default()
    })]

    /// Two processes, one output: the one that holds it (kept still with SIGSTOP while
    /// the other tries, so the test does not depend on timing) finishes its run; the
    /// other, however it spells the output, is refused naming the first's PID; the
    /// output is one run (summary.json, config.ron and checkpoint of the first's seed).
    #[test]
    fn a_second_writer_is_refused_and_the_output_is_one_run(
        second in prop_oneof![
            Just(Second::Run),
            Just(Second::CheckpointedRun),
            Just(Second::Resume),
            Just(Second::Extend),
        ],
        to_out in 0..TO_OUT.len(),
        ending in 0..ENDINGS.len(),
        absolute: bool,
        (seed_a, seed_b) in (1u64..1000, 1u64..1000).prop_filter("distinct", |(a, b)| a != b),
    ) {
        let dir = scratch();
        tree(&dir);
        let config = config();
        let seed = format!("seed={seed_a}");
        let mut first = Command::new(env!("CARGO_BIN_EXE_nlif"))
            .args([
                "run", &config, "--set", "t_end=20", "--set", &seed, "--checkpoint-every",
                "0.1", "--out", "out/ts", "--quiet",
            ])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let checkpoint = dir.join("out/.ts.partial/checkpoint.nlif");
        let start = Instant::now();
        let pid = first.id().to_string();
        let mut stopped = false;
        while first.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
            if checkpoint.exists() {
                stopped = Command::new("kill").args(["-STOP", &pid]).status().unwrap().success();
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if !stopped {
            first.kill().ok();
            first.wait().ok();
            prop_assert!(false, "the first run ended, or wrote no checkpoint, before it was held");
        }
        let out = spelling(&dir, to_out, ending, absolute, false);
        let b_seed = format!("seed={seed_b}");
        let tried = match second {
            Second::Run => nlif(&["run", &config, "--set", &b_seed, "--set", "t_end=0.1",
                "--out", &out, "--quiet"], &dir),
            Second::CheckpointedRun => nlif(&["run", &config, "--set", &b_seed,
                "--set", "t_end=0.1", "--checkpoint-every", "0.05", "--out", &out,
                "--quiet"], &dir),
            Second::Resume => nlif(&["resume", &out, "--quiet"], &dir),
            Second::Extend => nlif(&["resume", &out, "--t-end", "30", "--quiet"], &dir),
        };
        let cont = Command::new("kill").args(["-CONT", &pid]).status().unwrap();
        prop_assert!(cont.success());
        let first = first.wait_with_output().unwrap();
        prop_assert_eq!(first.status.code(), Some(0), "{}",
            String::from_utf8_lossy(&first.stderr));
        prop_assert_eq!(tried.code, 1, "{:?} to {} was not refused", second, out);
        prop_assert!(tried.stderr.contains(&format!("PID {pid}")), "{}", tried.stderr);
        let ts = dir.join("out/ts");
        prop_assert_eq!(&summary(&ts)["seed"], seed_a);
        let config_ron = fs::read_to_string(ts.join("config.ron")).unwrap();
        prop_assert!(config_ron.contains(&format!("seed: {seed_a},")), "{}", config_ron);
        prop_assert_eq!(names(&dir.join("out")), ["link", "sub", "ts"]);
        // The checkpoint is the same run's: a resume accepts it only with its
        // config.ron, and continues the first's seed.
        let extended = nlif(&["resume", "out/ts", "--t-end", "20.1", "--quiet"], &dir);
        prop_assert_eq!(extended.code, 0, "{}", extended.stderr);
        prop_assert_eq!(&summary(&ts)["seed"], seed_a);
        prop_assert_eq!(&summary(&ts)["t_end"], 20.1);
        fs::remove_dir_all(&dir).ok();
    }
}
