"""A sweep from Python is `nlif sweep`: the same points give the same table, bit for bit,
as the program's `sweep.csv`, and `out=` writes the same directory. Oracle: the program's
own files, parsed exactly (`float()` of Rust's shortest round-trip text is the very
double; an empty cell is a missing value)."""

import csv
import json
import subprocess

import numpy as np
import pytest

import nlif
from conftest import CONFIGS

# Blow-up A to t = 3.8 over b ∈ {2.8, 3.0} and two seeds: two asynchronous points, two
# that switch to particles and burst (MFEs), so every column has values and gaps.
CONFIG = CONFIGS / "blowup-a.ron"
SET = {"t_end": 3.8, "solver.micro.particles": 5000}
VARY = {"model.b": (2.8, 3.0, 2), "seed": [1, 2]}
CLI_VARY = ["model.b=2.8:3.0:2", "seed=[1, 2]"]
# The wall time of a point differs between any two runs.
TIMING = {"wall_seconds"}
FLOATS = ["mean_rate", "first_mfe", "largest_mfe_fraction", "micro_fraction"]
INTS = ["index", "mfes", "switches"]
TEXT = ["outcome", "class", "error"]


def program_sweep(program, out, jobs=2):
    args = [program, "sweep", str(CONFIG), "--out", str(out), "--quiet", "--jobs", str(jobs)]
    for v in CLI_VARY:
        args += ["--vary", v]
    for k, v in SET.items():
        args += ["--set", f"{k}={v!r}"]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with open(out / "sweep.csv", newline="") as f:
        return list(csv.DictReader(f))


def number(text):
    return float(text) if text != "" else np.nan


def same_bits(a, b):
    """Bit for bit, NaN (an empty cell) only where the other is NaN too."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(
        a[~np.isnan(a)].view(np.uint64), b[~np.isnan(b)].view(np.uint64)
    )


def test_the_table_is_sweep_csv_bit_for_bit(program, tmp_path):
    rows = program_sweep(program, tmp_path / "cli", jobs=2)
    table = nlif.sweep(CONFIG, VARY, set=SET, jobs=1)
    assert isinstance(table, nlif.SweepTable)
    assert list(table.dtype.names) == list(rows[0].keys())
    assert len(table) == len(rows) == 4
    for path in VARY:
        assert same_bits(table[path], [number(r[path]) for r in rows]), path
    for name in FLOATS:
        assert same_bits(table[name], [number(r[name]) for r in rows]), name
    for name in INTS:
        assert list(table[name]) == [int(r[name]) for r in rows], name
    for name in TEXT:
        assert list(table[name]) == [r[name] for r in rows], name
    # Both kinds of point are in the table: the comparison covers values and gaps.
    assert set(table["class"]) == {"asynchronous", "sustained_mfes"}
    assert np.isnan(table["first_mfe"]).any() and not np.isnan(table["first_mfe"]).all()


def without_timing(value):
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items() if k not in TIMING | {"peak_rss_bytes"}}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


def test_out_writes_the_programs_directory(program, tmp_path):
    cli = tmp_path / "cli"
    program_sweep(program, cli)
    py = tmp_path / "py"
    table = nlif.sweep(CONFIG, VARY, set=SET, out=py)
    files = sorted(p.relative_to(cli).as_posix() for p in cli.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(py).as_posix() for p in py.rglob("*") if p.is_file())
    for name in files:
        if name.endswith(".json"):
            a, b = (json.loads((d / name).read_text()) for d in (cli, py))
            assert without_timing(a) == without_timing(b), name
        elif name == "sweep.csv":
            # Every cell but the wall times, as text.
            a, b = (list(csv.DictReader(open(d / name, newline=""))) for d in (cli, py))
            assert without_timing(a) == without_timing(b)
        else:
            assert (cli / name).read_bytes() == (py / name).read_bytes(), name
    # The same call again finds every point done and runs none: the points' recorded wall
    # times come back unchanged, bit for bit.
    again = nlif.sweep(CONFIG, VARY, set=SET, out=py)
    assert same_bits(again["wall_seconds"], table["wall_seconds"])


def test_a_bad_vary_path_is_named():
    with pytest.raises(nlif.ConfigError) as caught:
        nlif.sweep(CONFIG, {"model.bogus": [1.0, 2.0]}, set=SET)
    assert caught.value.field == "model.bogus"
    assert "model.bogus" in str(caught.value) and "2 of 2 points are invalid" in str(caught.value)


def test_a_refused_value_names_its_path():
    # dt must be positive: the second point's config is invalid, caught before any runs.
    with pytest.raises(nlif.ConfigError) as caught:
        nlif.sweep(CONFIG, {"solver.macro.dt": [1e-4, -1.0]}, set=SET)
    assert caught.value.field == "solver.macro.dt"
    assert "point 1" in str(caught.value)


@pytest.mark.parametrize(
    "spec,words",
    [((0.0, 1.0, 0), "COUNT"), ((0.0, 1.0), "(start, stop, count)"), ([], "no values"), (3.0, "expected")],
)
def test_bad_values_name_the_path(spec, words):
    with pytest.raises(nlif.ConfigError) as caught:
        nlif.sweep(CONFIG, {"model.b": spec}, set=SET)
    assert caught.value.field == "model.b"
    assert words in str(caught.value)


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one varied field"):
        nlif.sweep(CONFIG, {}, set=SET)
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        nlif.sweep(CONFIG, {"model.b": [3.0]}, set=SET, jobs=0)


def test_text_values_and_ranges_as_the_command_line_writes_them():
    # A str is the text after `=` of --vary: the same points as the tuple and the list.
    as_text = nlif.sweep(CONFIG, {"model.b": "2.8:3.0:2", "seed": "[1, 2]"}, set={"t_end": 0.2})
    as_python = nlif.sweep(CONFIG, {"model.b": (2.8, 3.0, 2), "seed": [1, 2]}, set={"t_end": 0.2})
    for name in ("model.b", "seed", "mean_rate"):
        assert same_bits(as_text[name], as_python[name])
    # The first varied field varies slowest (row-major order).
    assert list(as_python["model.b"]) == [2.8, 2.8, 3.0, 3.0]
    assert list(as_python["seed"]) == [1.0, 2.0, 1.0, 2.0]
    kinds = nlif.sweep(CONFIG, {"solver.kind": ["Macro", "Multiscale"]}, set={"t_end": 0.2})
    assert list(kinds["solver.kind"]) == ["Macro", "Multiscale"]


def test_the_pandas_table():
    pd = pytest.importorskip("pandas", reason="pandas is not installed (pip install pandas); `cargo xtask test` installs it where it can")
    table = nlif.sweep(CONFIG, {"model.b": (2.8, 3.0, 2)}, set={"t_end": 0.2})
    frame = table.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(table.dtype.names)
    for name in table.dtype.names:
        # The same values, column for column.
        if table.dtype[name].kind == "f":
            assert same_bits(frame[name].to_numpy(), table[name]), name
        else:
            assert list(frame[name]) == list(table[name]), name


def test_out_is_not_written_into_a_foreign_directory(tmp_path):
    # A directory nlif did not make is left alone (OSError), its file untouched.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(OSError, match="not an nlif sweep directory"):
        nlif.sweep(CONFIG, {"model.b": [3.0]}, set={"t_end": 0.2}, out=mine)
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "keep"
