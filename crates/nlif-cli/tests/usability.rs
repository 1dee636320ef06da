//! Issue #23, as the user met it: a closed pipe, absurd thread counts, a repeated
//! `--vary`, a memory limit with a unit, and messages that pointed the wrong way.
//!
//! Oracles: the documented exit statuses and formats (docs/config.md, docs/sweeps.md),
//! the files a run writes, and values the test computes itself (the grid's lower end, the
//! documented seed formula, the thread bound from the machine's cores).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "usability/checkpoints.rs"]
mod checkpoints;
mod common;

use common::{bin, fails, nlif_env, scratch, status, stderr, stdout, summary, valid_without_plots};

/// `nlif ARGS` in `dir`, with a memory limit that every run here fits.
fn nlif(args: &[&str], dir: &Path) -> Output {
    nlif_env(args, dir, "8000000000")
}

/// `nlif run` of [`valid_without_plots`] (written to `dir/t.ron` first) into `dir/OUT`
/// with a checkpoint every 0.3 and the overrides `sets`.
fn checkpointed(dir: &Path, out: &str, sets: &[&str]) -> Output {
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    let mut args = vec![
        "run",
        "t.ron",
        "--out",
        out,
        "--quiet",
        "--checkpoint-every",
        "0.3",
    ];
    for set in sets {
        args.extend(["--set", set]);
    }
    nlif(&args, dir)
}

/// `nlif ARGS` with stdout a pipe whose reading end is closed before the program starts:
/// every write to stdout fails with EPIPE.
fn with_closed_stdout(args: &[&str], dir: &Path) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NLIF_MEMORY_LIMIT", "8000000000")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Item 7: a closed stdout (`nlif … | head -1`, `| true`) ends the printing quietly, with
/// the command's own exit status, as Unix tools do; the outputs of a run are written.
#[test]
fn a_closed_stdout_is_a_quiet_end() {
    let dir = scratch("pipe");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    for args in [
        &["init"][..],
        &["steady", "--b", "1.5"],
        &["check", "t.ron"],
        &["check", "t.ron", "--print"],
        &["run", "t.ron", "--out", "run"],
        &[
            "sweep",
            "t.ron",
            "--vary",
            "model.b=[1.0, 1.5]",
            "--out",
            "sw",
        ],
    ] {
        let o = with_closed_stdout(args, &dir);
        assert_eq!(status(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("Broken pipe"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    assert_eq!(summary(&dir.join("run"))["outcome"], "completed");
    assert!(dir.join("sw/sweep.csv").is_file());
}

/// The most threads (or sweep jobs) nlif starts: 4 per core of this machine.
fn thread_bound() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Item 8: `--threads` and `--jobs` above 4 × the cores are refused, naming the option
/// and the bound, before anything starts or is written; the bound itself is accepted.
#[test]
fn thread_counts_are_bounded() {
    let dir = scratch("threads");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    let max = thread_bound();
    let over = (max + 1).to_string();
    let o = nlif(&["run", "t.ron", "--out", "x", "--threads", &over], &dir);
    fails(
        &o,
        &[&format!(
            "--threads {over}: at most {max} (4 per core of this machine)"
        )],
    );
    assert!(!dir.join("x").exists());
    let o = nlif(&["resume", "x", "--threads", "100000"], &dir);
    fails(
        &o,
        &["--threads 100000: at most", "(4 per core of this machine)"],
    );
    let o = nlif(
        &[
            "sweep",
            "t.ron",
            "--vary",
            "model.b=[1.0]",
            "--out",
            "s",
            "--jobs",
            &over,
        ],
        &dir,
    );
    fails(
        &o,
        &[&format!(
            "--jobs {over}: at most {max} (4 per core of this machine)"
        )],
    );
    assert!(!dir.join("s").exists());
    let o = nlif(
        &[
            "run",
            "t.ron",
            "--out",
            "y",
            "--quiet",
            "--threads",
            &max.to_string(),
        ],
        &dir,
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
}

/// Item 9: a `--vary` path given twice is refused, naming it; nothing is written.
#[test]
fn a_repeated_vary_path_is_refused() {
    let dir = scratch("vary");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    let o = nlif(
        &[
            "sweep",
            "t.ron",
            "--vary",
            "model.b=[1.0, 1.5]",
            "--vary",
            "model.a0=[1.0]",
            "--vary",
            " model.b =[2.0]",
            "--out",
            "s",
        ],
        &dir,
    );
    fails(&o, &["--vary `model.b` is given twice"]);
    assert!(!dir.join("s").exists());
}

/// Item 9: NLIF_MEMORY_LIMIT takes K, M, G, T (powers of 1000) and Ki, Mi, Gi, Ti
/// (powers of 1024), with an optional B; anything else is refused, naming the variable.
#[test]
fn the_memory_limit_takes_units_or_is_refused() {
    let dir = scratch("memory");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    for bad in ["abc", "-5", "8X", "1.5.2G", ""] {
        let o = nlif_env(&["check", "t.ron"], &dir, bad);
        fails(
            &o,
            &[
                &format!("invalid NLIF_MEMORY_LIMIT `{bad}`"),
                "e.g. 8G or 16GiB",
            ],
        );
    }
    for (limit, says) in [
        ("2000", "but 2.0 kB is available"),
        ("1K", "but 1.0 kB is available"),
        ("1KiB", "but 1.0 kB is available"),
        ("1MB", "but 1.0 MB is available"),
        ("1.2 m", "but 1.2 MB is available"),
    ] {
        let o = nlif_env(&["check", "t.ron"], &dir, limit);
        fails(&o, &[says]);
    }
    for fine in ["8G", "8GB", "8gib", "1T", "1Ti", "8000000000"] {
        let o = nlif_env(&["check", "t.ron"], &dir, fine);
        assert_eq!(status(&o), 0, "{fine}: {}", stderr(&o));
    }
}

/// `nlif ARGS` with `input` on stdin, through a pipe.
fn with_stdin(args: &[&str], dir: &Path, input: &[u8]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NLIF_MEMORY_LIMIT", "8000000000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let o = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    o
}

/// Item 10: a config or a checkpoint read from a pipe (`nlif check <(nlif init)`) is read
/// once: sniffing for a checkpoint does not eat the config's first bytes.
#[test]
fn a_piped_config_or_checkpoint_is_read_once() {
    let dir = scratch("piped");
    let o = with_stdin(
        &["check", "/dev/stdin"],
        &dir,
        valid_without_plots().as_bytes(),
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("ok: `t` (Multiscale solver"),
        "{}",
        stdout(&o)
    );
    let o = checkpointed(&dir, "a", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(dir.join("a/checkpoint.nlif")).unwrap();
    for command in ["check", "inspect"] {
        let o = with_stdin(&[command, "/dev/stdin"], &dir, &bytes);
        assert_eq!(status(&o), 0, "{command}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("run `t` (multiscale solver), t = 0.6 of t_end = 0.6"),
            "{}",
            stdout(&o)
        );
    }
}

/// Item 10: times print in their shortest form (`1e300`, not 301 digits).
#[test]
fn huge_times_print_in_short_form() {
    let dir = scratch("times");
    let o = checkpointed(&dir, "a", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let o = nlif(&["resume", "a", "--t-end", "1e300", "--quiet"], &dir);
    fails(&o, &["cannot extend the run to t_end = 1e300:"]);
    assert!(!stderr(&o).contains("0000000000"), "{}", stderr(&o));
}

/// Item 10: `--print` writes RON that reads back as the same config: `None`, not `r#None`.
#[test]
fn print_writes_none_as_none() {
    let dir = scratch("print");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    let o = nlif(&["check", "t.ron", "--print"], &dir);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let printed = stdout(&o);
    assert!(printed.contains("input: None,"), "{printed}");
    assert!(!printed.contains("r#"), "{printed}");
    std::fs::write(dir.join("printed.ron"), &printed).unwrap();
    let again = nlif(&["check", "printed.ron", "--print"], &dir);
    assert_eq!(status(&again), 0, "{}", stderr(&again));
    assert_eq!(stdout(&again), printed);
}

/// Item 10: a `v_min` off the grid is moved to the node below it, and `nlif check` says
/// so with the value used; a `v_min` on the grid gets no note.
#[test]
fn check_notes_a_v_min_moved_to_the_grid() {
    let dir = scratch("vmin");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    // v_f = 2, dv = 0.02: the nodes are 2 - 0.02 k; the first at or below -3.99 is -4.
    let o = nlif(
        &["check", "t.ron", "--set", "solver.macro.v_min=-3.99"],
        &dir,
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "note: `solver.macro.v_min` = -3.99 is not a node of the grid (spacing dv = 0.02 from v_f = 2): the grid starts at the node below it, v_min = -4\n"
    );
    let o = nlif(
        &["check", "t.ron", "--set", "solver.macro.v_min=-4.0"],
        &dir,
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

fn docs(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(name),
    )
    .unwrap()
}

/// Item 13: exit status 2 (a usage error, clap's) is what nlif returns for a bad option,
/// and docs/config.md lists it with the others.
#[test]
fn usage_errors_exit_with_the_documented_status_2() {
    let dir = scratch("usage");
    let o = nlif(&["run", "--no-such-option"], &dir);
    assert_eq!(status(&o), 2);
    let config = docs("config.md");
    assert!(
        config.contains("Exit status 2: a usage error"),
        "docs/config.md does not document exit status 2"
    );
}

/// docs/sweeps.md's formula of `--seed-per-point`, written out as it reads.
fn documented_point_seed(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Item 13: `--seed-per-point` is documented as what it computes (the SplitMix64 output
/// function of `seed XOR (i + 1) γ`, not SplitMix64's i-th output), and the sweep's
/// points run with exactly those seeds.
#[test]
fn seed_per_point_does_what_the_docs_say() {
    let sweeps = docs("sweeps.md");
    let formula = "`mix64(seed XOR ((i + 1) × 0x9E3779B97F4A7C15 mod 2^64))`";
    assert!(
        sweeps.contains(formula),
        "docs/sweeps.md does not state {formula}"
    );
    assert!(
        sweeps.contains(
            "`mix64(z)`: `z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31`"
        ),
        "docs/sweeps.md does not define mix64"
    );
    let dir = scratch("seeds");
    std::fs::write(dir.join("t.ron"), valid_without_plots()).unwrap();
    let o = nlif(
        &[
            "sweep",
            "t.ron",
            "--vary",
            "model.b=[1.0, 1.2]",
            "--seed-per-point",
            "--keep-outputs",
            "--quiet",
            "--out",
            "s",
            "--set",
            "t_end=0.1",
        ],
        &dir,
    );
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    for i in 0..2u64 {
        let s = summary(&dir.join(format!("s/points/{i}/run")));
        assert_eq!(s["seed"].as_u64(), Some(documented_point_seed(7, i)));
    }
}
