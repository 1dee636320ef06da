//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! Commands:
//! - `test [CARGO TEST ARGS]`: the README's test command: `cargo test --workspace
//!   --release`, then the Python package's tests in `target/py-venv` (module `pytest`).
//! - `ci`: the checks of `.ci/run` (format, clippy with warnings denied, the test suite,
//!   documentation without warnings, benches compiled, the quick figures checked), in the
//!   same order, stopping at the first failure.
//! - `figures [--quick] [--only NAME[,NAME…]] [--check] [--out DIR] [--seed-offset K]
//!   [--seed-study N]`: the paper's experiments as figures under `docs/figures/`, and
//!   `docs/figures.md` with the numbers of that run; another realization, or the spread of
//!   the numbers over seeds.
//! - `bench [--quick] [--no-run] [--peers]`: runs the criterion benchmarks (shorter with
//!   `--quick`; `--no-run` reuses the last results), with `--peers` also the peer baselines
//!   under `benches/peers/`, with `--runs` whole runs of `nlif` (multi-scale against
//!   micro, output cost), with `--accuracy` the accuracy per cost of the particle steppers
//!   and Brian2 (and `docs/figures/accuracy.png`), and writes `docs/performance.md`.

mod accuracy;
mod accuracy_plot;
mod bench;
mod curves;
mod figures;
mod pytest;
mod runs;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test     the Rust tests (cargo test --workspace --release [ARGS]), then the Python
           package's (pytest, in the virtual environment target/py-venv)
  ci       format check, clippy (warnings denied), tests, docs, benches compiled, quick figures
  figures  regenerate the experiments as docs/figures/*.png|svg and docs/figures.md
           [--quick] reduced sizes (into target/figures-quick)  [--only NAME[,NAME…]]
           some figures  [--check] compare the numbers with the committed
           docs/figures/summary*.json (into target/figures-check)  [--out DIR] elsewhere
           [--seed-offset K] another realization (every seed + 1000 K; needs --out)
           [--seed-study N] offsets 0 … N-1: each number's mean, SD and range over
           them, and how many pass --check (needs --out)
  bench    run the criterion benchmarks and write docs/performance.md
           [--quick] shorter measurements  [--no-run] reuse the last results
           [--peers] also run the peer baselines of benches/peers/ (needs python3 with
           numpy, scipy and brian2: see benches/peers/README.md)
           [--runs] also whole runs of nlif: multi-scale vs micro, output cost
           [--accuracy] also the bias of the stationary rate against its cost for each
           stepper (and Brian2 where installed), and a blow-up's first MFE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("test") => pytest::test(&args[1..]),
        Some("bench") => {
            let has = |flag: &str| args.iter().any(|a| a == flag);
            bench::bench(bench::Options {
                quick: has("--quick"),
                run: !has("--no-run"),
                peers: has("--peers"),
                runs: has("--runs"),
                accuracy: has("--accuracy"),
            })
        }
        Some("figures") => figures::figures(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--release",
        "--",
        "-D",
        "warnings",
    ])?;
    pytest::test(&[])?;
    let flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    let doc = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", format!("{flags} -D warnings"))
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo doc: {e}"))?;
    if !doc.success() {
        return Err("`cargo doc` produced warnings".into());
    }
    cargo(&["bench", "--workspace", "--no-run"])?;
    figures::figures(&[
        "--quick".into(),
        "--out".into(),
        root().join("target/figures-quick").display().to_string(),
        "--check".into(),
    ])?;
    mpi()
}

/// The MPI build's lints and tests, where an MPI is installed (`.ci/run` installs one).
fn mpi() -> Result<(), String> {
    let found = Command::new("mpirun").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "xtask: no mpirun: the MPI build is not checked (docs/scaling.md says how to install one)"
        );
        return Ok(());
    }
    // In the default target directory, with the selection of the default build so the
    // shared dependencies keep their features and are reused (.ci/run says more); the MPI
    // build replaces target/release/nlif, the oracle, so it is copied aside first.
    let serial = root().join("target/nlif-serial");
    std::fs::copy(root().join("target/release/nlif"), &serial).map_err(|e| {
        format!(
            "cannot copy target/release/nlif to {}: {e}",
            serial.display()
        )
    })?;
    let selection = ["--workspace", "--features", "nlif-cli/mpi", "--release"];
    let mut clippy = vec!["clippy", "--all-targets"];
    clippy.extend(selection);
    clippy.extend(["--", "-D", "warnings"]);
    cargo(&clippy)?;
    let mut test = vec!["test"];
    test.extend(selection);
    test.extend(["--test", "mpi"]);
    let serial = serial.display().to_string();
    cargo_with(
        &test,
        &[
            ("NLIF_SERIAL_BIN", serial.as_str()),
            ("OMPI_ALLOW_RUN_AS_ROOT", "1"),
            ("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"),
        ],
    )
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn cargo(args: &[&str]) -> Result<(), String> {
    cargo_with(args, &[])
}

/// `cargo ARGS` in the workspace root with extra environment variables.
fn cargo_with(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("xtask: cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
