//! `cargo xtask test`: the Rust tests, then the Python package's (`crates/nlif-py`) in a
//! virtual environment of their own, so that one command tests everything on a fresh
//! machine with Rust and Python 3 (≥ 3.9, with `venv` and `pip`).
//!
//! The environment is `target/py-venv` (made once with `python3 -m venv`; `$PYTHON`
//! names another interpreter) with maturin, NumPy, pytest and matplotlib at their minimum
//! versions or later, and pandas where it can be installed (its tests are skipped, saying
//! so, where it cannot); the package is built by maturin in release mode into the
//! workspace's target directory, so the dependencies the Rust tests just built are reused.
//!
//! pandas costs a fresh environment about 7 s once (32 s instead of 26 s with pip's
//! cache filled) and an existing one nothing measurable (one `pip install` call either
//! way, 1.3–1.8 s); its tests add about 0.2 s to pytest's 17 s.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root};

/// What the test environment installs (the package's build and test requirements).
const REQUIREMENTS: &[&str] = &[
    "maturin>=1.9,<2",
    "numpy>=1.21",
    "pytest>=7",
    "matplotlib>=3.5",
];

/// What the test environment installs where it can: the tests of `to_pandas` are skipped
/// without it.
const OPTIONAL: &[&str] = &["pandas>=1.3"];

/// Runs `program args` in the workspace root with `path_first` ahead on `PATH`.
fn run(
    program: &Path,
    args: &[&str],
    path_first: &Path,
    env: &[(&str, &Path)],
) -> Result<(), String> {
    eprintln!("xtask: {} {}", program.display(), args.join(" "));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![path_first.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(paths).map_err(|e| format!("PATH: {e}"))?;
    let status = Command::new(program)
        .args(args)
        .env("PATH", path)
        .envs(env.iter().map(|(k, v)| (*k, v.as_os_str())))
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{} {}` failed ({status})",
            program.display(),
            args.join(" ")
        ))
    }
}

/// The workspace's target directory (`CARGO_TARGET_DIR` or `target/`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// `cargo test --workspace --release ARGS`, then the Python package's tests.
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    let mut rust = vec!["test", "--workspace", "--release"];
    rust.extend(args.iter().map(String::as_str));
    cargo(&rust)?;
    python_tests()
}

/// Builds and installs the package into the test environment and runs pytest on its
/// tests and on docs/python.md's code.
pub(crate) fn python_tests() -> Result<(), String> {
    let target = target_dir();
    let venv = target.join("py-venv");
    let bin = venv.join("bin");
    let python = bin.join("python");
    if !python.is_file() {
        let system =
            std::env::var_os("PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
        let venv_text = venv.display().to_string();
        run(&system, &["-m", "venv", &venv_text], &bin, &[])?;
    }
    let install: Vec<&str> = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    .into_iter()
    .chain(REQUIREMENTS.iter().copied())
    .collect();
    // One pip call with the optional packages (pip's start-up is most of its cost when
    // everything is installed); if they cannot be had (offline), the required ones alone.
    let with_optional: Vec<&str> = install.iter().chain(OPTIONAL).copied().collect();
    if let Err(e) = run(&python, &with_optional, &bin, &[]) {
        eprintln!(
            "xtask: {e}; installing without {} (its tests are skipped)",
            OPTIONAL.join(", ")
        );
        run(&python, &install, &bin, &[])?;
    }
    // The build in the workspace's target directory reuses the dependencies built above.
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-build-isolation",
            "--force-reinstall",
            "--no-deps",
            "./crates/nlif-py",
        ],
        &bin,
        &[("CARGO_TARGET_DIR", &target)],
    )?;
    let program = target.join("release").join("nlif");
    run(
        &python,
        &["-m", "pytest", "-q", "crates/nlif-py/tests"],
        &bin,
        &[("NLIF_BIN", &program)],
    )
}
