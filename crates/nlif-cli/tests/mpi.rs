//! `mpirun -n K nlif run` is the single-process `nlif run`, byte for byte (feature `mpi`).
//!
//! Oracle: the program built without MPI (its path in `NLIF_SERIAL_BIN`; `.ci/run` builds
//! it first), run on one process. For K = 1, 2, 3 ranks (oversubscribed on a small
//! machine), a particle run with cascades and a multi-scale run through a burst must write
//! the same `rate.csv` and `.npy` files and the same `summary.json` but for the wall time,
//! the memory and the process count. A checkpoint written by 2 ranks in a particle phase,
//! extended on 3 ranks, must give the straight single-process run. Errors end every rank
//! with one message: an invalid config (met by every rank) and an output directory that
//! only rank 0 checks.
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const NLIF: &str = env!("CARGO_BIN_EXE_nlif");

fn serial() -> PathBuf {
    let path = std::env::var_os("NLIF_SERIAL_BIN").map(PathBuf::from).expect(
        "set NLIF_SERIAL_BIN to an nlif built without the mpi feature (the oracle), e.g. target/release/nlif",
    );
    assert!(
        path.is_file(),
        "NLIF_SERIAL_BIN={} is not a file",
        path.display()
    );
    path
}

fn config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nlif-mpi-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `command` to its end, killing it after two minutes (a hang fails the test).
fn finish(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun starts (is an MPI installed?)");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("{command:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mpirun(ranks: usize, args: &[&str]) -> Output {
    let mut command = Command::new("mpirun");
    command
        .args(["--oversubscribe", "-n", &ranks.to_string(), NLIF])
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    finish(command)
}

fn alone(args: &[&str]) -> Output {
    let mut command = Command::new(serial());
    command.args(args);
    finish(command)
}

fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what}: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The summary without what depends on the machine and the number of processes.
fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let map = value.as_object_mut().unwrap();
    for key in ["wall_seconds", "peak_rss_bytes", "processes"] {
        map.remove(key);
    }
    if let Some(c) = map.get_mut("checkpoints").and_then(|c| c.as_object_mut()) {
        c.remove("seconds");
    }
    value
}

/// Every data file of `b` is the one of `a`, byte for byte, and so is the summary.
fn same_outputs(a: &Path, b: &Path, what: &str) {
    let mut files = 0;
    for entry in std::fs::read_dir(a).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".csv") || name.ends_with(".npy") {
            let (x, y) = (
                std::fs::read(a.join(&*name)).unwrap(),
                std::fs::read(b.join(&*name)),
            );
            assert!(y.as_ref().is_ok_and(|y| *y == x), "{what}: {name} differs");
            files += 1;
        }
    }
    assert!(files >= 3, "{what}: rate.csv and the .npy files compared");
    assert_eq!(summary(a), summary(b), "{what}: summary.json");
}

/// (config, overrides): a particle run whose blow-up is a cascade of nearly the whole
/// network, a multi-scale run with a kick handed to particles and back, a multi-scale
/// run of an E–I network through its first bursts, and a particle run of the same
/// network with refractory periods (E fixed, I exponential) and its inhibition delayed
/// (the excitation instantaneous, so its bursts are still cascades), and the multi-scale
/// run of it, whose hand-overs carry the neurons away and the delays' histories both
/// ways (it switches four times).
fn cases() -> [(&'static str, Vec<&'static str>); 5] {
    [
        (
            "blowup-a.ron",
            vec![
                "--set",
                "solver.kind=Micro",
                "--set",
                "solver.micro.particles=20000",
                "--set",
                "solver.micro.dt=1e-3",
                "--set",
                "t_end=4.5",
            ],
        ),
        (
            "kick.ron",
            vec![
                "--set",
                "solver.micro.particles=20000",
                "--set",
                "t_end=4.0",
            ],
        ),
        (
            "ei-synchrony.ron",
            vec![
                "--set",
                "solver.micro.particles=20000",
                "--set",
                "solver.micro.dt=1e-3",
                "--set",
                "solver.macro.dt=1e-3",
                "--set",
                "t_end=3.3",
            ],
        ),
        ("ei-synchrony.ron", periods_and_delays("Micro")),
        ("ei-synchrony.ron", periods_and_delays("Multiscale")),
    ]
}

/// The E–I network with refractory periods (E fixed, I exponential) and its inhibition
/// delayed, run by `kind` with both steps 1e-3.
fn periods_and_delays(kind: &'static str) -> Vec<&'static str> {
    let kind = if kind == "Micro" {
        "solver.kind=Micro"
    } else {
        "solver.kind=Multiscale"
    };
    let sets = [
        kind,
        "solver.micro.particles=20000",
        "solver.micro.dt=1e-3",
        "solver.macro.dt=1e-3",
        "t_end=3.3",
        "model.populations[0].refractory=Fixed(tau: 0.01)",
        "model.populations[1].refractory=Exponential(tau: 0.01)",
        "model.delay=[[0.0, 0.01], [0.0, 0.02]]",
    ];
    sets.into_iter().flat_map(|s| ["--set", s]).collect()
}

#[test]
fn ranks_reproduce_the_serial_program_byte_for_byte() {
    for (name, sets) in cases() {
        let dir = scratch(name);
        let path = config(name);
        let path = path.to_str().unwrap();
        let reference = dir.join("serial");
        let mut args = vec!["run", path, "--quiet", "--out", reference.to_str().unwrap()];
        args.extend(&sets);
        succeeded(&alone(&args), name);
        let mfes = summary(&reference)["mfe"].as_array().map_or(0, Vec::len);
        assert!(mfes > 0, "{name}: the case has a multiple firing event");
        for ranks in [1, 2, 3] {
            let out = dir.join(format!("k{ranks}"));
            let mut args = vec!["run", path, "--quiet", "--threads", "1"];
            args.extend(["--out", out.to_str().unwrap()]);
            args.extend(&sets);
            succeeded(&mpirun(ranks, &args), name);
            same_outputs(&reference, &out, &format!("{name} on {ranks} ranks"));
            let processes = serde_json::from_str::<serde_json::Value>(
                &std::fs::read_to_string(out.join("summary.json")).unwrap(),
            )
            .unwrap()["processes"]
                .as_u64();
            assert_eq!(processes, Some(ranks as u64));
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_checkpoint_of_two_ranks_continues_on_three() {
    // To 3.05 (in the particle phase after the kick at 3, which hands back to the
    // density at 3.0588) on 2 ranks, then on to 4 on 3.
    checkpoint_on_two_continues_on_three(
        "kick.ron",
        &["--set", "solver.micro.particles=20000"],
        ("3.05", "4.0"),
        &["density.npy", "density_t.npy"],
        "micro (particles)",
    );
}

/// The same for an E–I network: its checkpoint holds both populations' particles, joined
/// from the parts of two ranks, cut again into three.
#[test]
fn a_checkpoint_of_an_ei_network_on_two_ranks_continues_on_three() {
    checkpoint_on_two_continues_on_three(
        "ei-synchrony.ron",
        &[
            "--set",
            "solver.micro.particles=20000",
            "--set",
            "solver.micro.dt=1e-3",
            "--set",
            "solver.macro.dt=1e-3",
        ],
        ("2.7", "3.3"),
        &["density_E.npy", "density_I.npy", "density_t.npy"],
        "micro (particles of a network)",
    );
}

/// A run of `name` to `cut` on 2 ranks with checkpoints, whose checkpoint holds `phase`,
/// resumed on 3 ranks to `end`: its `rate.csv` and `files` are the straight run's.
fn checkpoint_on_two_continues_on_three(
    name: &str,
    sets: &[&str],
    (cut, end): (&str, &str),
    files: &[&str],
    phase: &str,
) {
    let dir = scratch(&format!("checkpoint-{name}"));
    let path = config(name);
    let path = path.to_str().unwrap();
    let reference = dir.join("serial");
    let t_end = format!("t_end={end}");
    let mut args = vec!["run", path, "--quiet", "--set", &t_end];
    args.extend(["--out", reference.to_str().unwrap()]);
    args.extend(sets);
    succeeded(&alone(&args), "straight");
    let out = dir.join("split");
    let t_cut = format!("t_end={cut}");
    let mut args = vec!["run", path, "--quiet", "--set", &t_cut, "--threads", "1"];
    args.extend(["--checkpoint-every", "0.5", "--out", out.to_str().unwrap()]);
    args.extend(sets);
    succeeded(&mpirun(2, &args), "first half");
    let inspect = alone(&["inspect", out.join("checkpoint.nlif").to_str().unwrap()]);
    succeeded(&inspect, "inspect");
    // The phase line, not the config printed below it (which names `micro` too).
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(
        text.lines()
            .any(|l| l.trim().starts_with(&format!("phase: {phase}"))),
        "the checkpoint holds particles:\n{text}"
    );
    let resumed = mpirun(
        3,
        &["resume", out.to_str().unwrap(), "--t-end", end, "--quiet"],
    );
    succeeded(&resumed, "resumed on 3 ranks");
    let data = |d: &Path| std::fs::read(d.join("rate.csv")).unwrap();
    assert!(data(&reference) == data(&out), "rate.csv after the resume");
    for file in files {
        let read = |d: &Path| std::fs::read(d.join(file)).unwrap();
        assert!(read(&reference) == read(&out), "{file} after the resume");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The lines of `stderr` that report an error.
fn error_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.starts_with("error"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn errors_end_every_rank_with_one_message() {
    let dir = scratch("errors");
    let path = config("kick.ron");
    let path = path.to_str().unwrap();
    // Met by every rank: reported once.
    let out = dir.join("bad");
    let bad = mpirun(
        3,
        &[
            "run",
            path,
            "--set",
            "model.a0=-1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    let lines = error_lines(&bad);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("a0"), "{lines:?}");
    // Met by rank 0 alone (a file in the way of the output): reported once, no hang.
    let file = dir.join("taken");
    std::fs::write(&file, "not nlif's").unwrap();
    let taken = mpirun(
        3,
        &[
            "run",
            path,
            "--set",
            "t_end=0.1",
            // The kick at 3 lies past this end (refused by every rank): without it.
            "--set",
            "model.input=None",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(!taken.status.success());
    let lines = error_lines(&taken);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not nlif's");
    std::fs::remove_dir_all(&dir).ok();
}

/// A rank that fails alone (here its memory check, through its own environment) ends
/// every rank: its error is printed once, with its rank, and nobody repeats it.
#[test]
fn a_rank_failing_alone_ends_the_run() {
    let dir = scratch("alone");
    let path = config("kick.ron");
    let path = path.to_str().unwrap();
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    // The kick at 3 lies past this end (refused by every rank): without it.
    let run = [
        "run",
        path,
        "--set",
        "t_end=0.1",
        "--set",
        "model.input=None",
        "--quiet",
        "--out",
        out,
    ];
    let mut command = Command::new("mpirun");
    command
        .args(["--oversubscribe", "-n", "2", NLIF])
        .args(run)
        .args([":", "-n", "1", "env", "NLIF_MEMORY_LIMIT=1000", NLIF])
        .args(run)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    let output = finish(command);
    assert!(!output.status.success());
    let lines = error_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("error: rank 2:") && lines[0].contains("memory"),
        "{lines:?}"
    );
    assert!(!Path::new(out).exists(), "nothing written");
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue #23: the commands that are not split across processes (`steady`, `check`,
/// `init`, `inspect`) run once under `mpirun`, on rank 0: the output of the serial
/// program, once, not once per rank. `sweep` says it runs in one process, once, and
/// writes nothing.
#[test]
fn single_process_commands_run_once_under_mpirun() {
    let dir = scratch("once");
    let path = config("kick.ron");
    let path = path.to_str().unwrap();
    for args in [
        &["steady", "--b", "1.5"][..],
        &["init", "--solver", "macro"],
    ] {
        let serial = alone(args);
        succeeded(&serial, "serial");
        let ranks = mpirun(3, args);
        succeeded(&ranks, &format!("{args:?} on 3 ranks"));
        assert_eq!(
            String::from_utf8_lossy(&ranks.stdout),
            String::from_utf8_lossy(&serial.stdout),
            "{args:?}: printed once, as by one process"
        );
    }
    // Checked once, for what each of 3 processes of `mpirun -n 3 nlif run` would need.
    let check = mpirun(3, &["check", path]);
    succeeded(&check, "check on 3 ranks");
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(
        said.starts_with("ok: `kick` (Multiscale solver, t_end = 6, seed 1, about ")
            && said.ends_with(" of memory per process, 3 processes)\n")
            && said.lines().count() == 1,
        "{said}"
    );
    let out = dir.join("sweep");
    let sweep = mpirun(
        2,
        &[
            "sweep",
            path,
            "--vary",
            "model.b=[1.0, 1.5]",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!sweep.status.success());
    let lines = error_lines(&sweep);
    assert_eq!(
        lines,
        [
            "error: nlif sweep runs in one process, not as 2 processes under mpirun: it runs its points on --jobs threads, and splits a sweep across machines with --shard I/N (docs/sweeps.md)"
        ]
    );
    assert!(!out.exists(), "nothing written");
    std::fs::remove_dir_all(&dir).ok();
}

/// A checkpointed blow-up A on 2 ranks (`extra` options of mpirun first), once its
/// first checkpoint is written: the mpirun process and the checkpoint's path.
fn checkpointed_on_two_ranks(
    dir: &Path,
    out: &str,
    extra: &[&str],
) -> (std::process::Child, PathBuf) {
    let path = config("blowup-a.ron");
    let mut child = Command::new("mpirun")
        .args(["--oversubscribe"])
        .args(extra)
        .args(["-n", "2", NLIF, "run"])
        .arg(&path)
        .args([
            "--out",
            dir.join(out).to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
        ])
        .args([
            "--checkpoint-every",
            "0.1",
            "--set",
            "solver.micro.particles=200000",
        ])
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoint = dir.join(format!(".{out}.partial/checkpoint.nlif"));
    let start = Instant::now();
    while !checkpoint.exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended first");
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint came"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    (child, checkpoint)
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([name, &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Issue #23: SIGINT under `mpirun` ends as docs/scaling.md says. Sent to the ranks (as
/// a batch system's `scancel --signal=INT` does): they stop together, rank 0 writes the
/// last checkpoint, and mpirun exits with their status 130. Sent to mpirun (Ctrl-C):
/// Open MPI does not forward it but ends the job itself (SIGTERM to every rank, SIGKILL
/// a second later) and exits 1; the checkpoint left is a complete one.
#[test]
fn sigint_under_mpirun_ends_as_documented() {
    let dir = scratch("sigint");
    let (child, checkpoint) = checkpointed_on_two_ranks(&dir, "ranks", &[]);
    let children =
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap();
    let ranks: Vec<u32> = children
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(ranks.len(), 2, "mpirun starts the ranks itself: {children}");
    for rank in ranks {
        signal(rank, "-INT");
    }
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("continue with: nlif resume"), "{err}");
    succeeded(
        &alone(&["inspect", checkpoint.to_str().unwrap()]),
        "inspect",
    );

    let (child, checkpoint) = checkpointed_on_two_ranks(&dir, "mpirun", &[]);
    signal(child.id(), "-INT");
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    succeeded(
        &alone(&["inspect", checkpoint.to_str().unwrap()]),
        "inspect",
    );

    let scaling = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scaling.md"),
    )
    .unwrap();
    for says in [
        "sent to the ranks (`scancel --signal=INT`, `kill -INT` of their processes), `mpirun` exits with their status 130",
        "Open MPI's `mpirun` does not forward SIGINT (Ctrl-C) or SIGTERM",
        "`mpirun` itself then exits with status 1",
    ] {
        assert!(
            scaling.contains(says),
            "docs/scaling.md does not say: {says}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
