"""Shared fixtures: the repository's paths and the `nlif` program the parity tests compare
with (built by `cargo test --workspace --release`, or named by NLIF_BIN)."""

import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
CONFIGS = ROOT / "configs"


def nlif_program():
    """The `nlif` program: $NLIF_BIN, else target/release/nlif of this tree (the test run
    of `cargo xtask test` builds it first)."""
    given = os.environ.get("NLIF_BIN")
    if given:
        return given
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    built = target / "release" / "nlif"
    if built.is_file():
        return str(built)
    return shutil.which("nlif")


@pytest.fixture(scope="session")
def program():
    path = nlif_program()
    if path is None:
        pytest.skip("the nlif program is not built (cargo build --release -p nlif-cli) and NLIF_BIN is not set")
    return path
