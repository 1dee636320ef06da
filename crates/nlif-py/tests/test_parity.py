"""A run from Python is the program's run: the same config gives the same samples, bit for
bit, as the `rate.csv` of `nlif run`, and `out=` writes the same files. Oracle: the
program's own output files, parsed exactly (`float()` of Rust's shortest round-trip
text is the very double)."""

import csv
import json
import pathlib
import subprocess

import numpy as np
import pytest

import nlif
from conftest import CONFIGS

# The timing fields of summary.json, which differ between any two runs.
TIMING = {"wall_seconds", "peak_rss_bytes"}


def program_run(program, config, sets, out):
    args = [program, "run", str(config), "--out", str(out), "--quiet"]
    for s in sets:
        args += ["--set", s]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode in (0, 3), done.stderr
    return out


def read_rate_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


# Blow-up A to t = 4: density, the switch to particles near 3.4 and their bursts (MFEs).
CASES = [
    ("blowup-a.ron", {"t_end": 4.0, "solver.micro.particles": 20000}),
    ("ei-synchrony.ron", {"t_end": 0.5}),
    ("macro-steady.ron", {"t_end": 1.0}),
]


@pytest.mark.parametrize("name,sets", CASES)
def test_rate_is_rate_csv_bit_for_bit(program, tmp_path, name, sets):
    config = CONFIGS / name
    out = program_run(program, config, [f"{k}={v!r}" for k, v in sets.items()], tmp_path / "cli")
    rows = read_rate_csv(out / "rate.csv")
    result = nlif.run(config, set=sets, threads=2)
    assert len(rows) == len(result.t)
    t = np.array([float(r["t"]) for r in rows])
    rate = np.array([float(r["rate"]) for r in rows])
    # Bit for bit: compare the bits, not the values (NaN-safe, -0.0 distinguished).
    assert np.array_equal(t.view(np.uint64), result.t.view(np.uint64))
    assert np.array_equal(rate.view(np.uint64), result.rate.view(np.uint64))
    assert [r["mode"] for r in rows] == list(result.mode)
    for k, population in enumerate(result.populations):
        column = np.array([float(r[f"rate_{population}"]) for r in rows])
        assert np.array_equal(column.view(np.uint64), result.rates[:, k].view(np.uint64))
    summary = json.loads((out / "summary.json").read_text())
    for key in TIMING:
        summary.pop(key)
        result.summary.pop(key)
    assert summary == result.summary


def test_out_writes_the_programs_files(program, tmp_path):
    config = CONFIGS / "blowup-a.ron"
    sets = {"t_end": 3.6, "solver.micro.particles": 10000}
    cli = program_run(program, config, [f"{k}={v!r}" for k, v in sets.items()], tmp_path / "cli")
    result = nlif.run(config, set=sets, out=tmp_path / "py")
    py = pathlib.Path(result.out)
    names = sorted(p.name for p in cli.iterdir())
    assert names == sorted(p.name for p in py.iterdir())
    assert "rate.csv" in names and "summary.json" in names
    for name in names:
        if name == "summary.json":
            a, b = (json.loads((d / name).read_text()) for d in (cli, py))
            for key in TIMING:
                a.pop(key), b.pop(key)
            assert a == b
        else:
            assert (cli / name).read_bytes() == (py / name).read_bytes(), name


def test_threads_do_not_change_the_run():
    sets = {"t_end": 3.6, "solver.micro.particles": 10000}
    one = nlif.run(CONFIGS / "blowup-a.ron", set=sets, threads=1)
    two = nlif.run(CONFIGS / "blowup-a.ron", set=sets, threads=2)
    assert np.array_equal(one.rate.view(np.uint64), two.rate.view(np.uint64))
    assert one.summary["switches"] == two.summary["switches"]


def test_densities_and_spikes():
    result = nlif.run(CONFIGS / "ei-synchrony.ron", set={"t_end": 0.5})
    assert result.populations == ["E", "I"]
    assert result.rates.shape == (len(result.t), 2)
    # The network's rate is the share-weighted sum of the populations' (shares 0.8, 0.2
    # in the config): a conservation law of the record, to rounding.
    shares = np.array([p["share"] for p in result.summary["config"]["model"]["populations"]])
    np.testing.assert_allclose(result.rates @ shares, result.rate, rtol=1e-12, atol=1e-12)
    for name in result.populations:
        density = result.density_of(name)
        grid = result.grid_of(name)
        assert density.shape == (len(result.density_t), len(grid))
    assert len(result.spike_t) == len(result.spike_neuron) == len(result.spike_population)
