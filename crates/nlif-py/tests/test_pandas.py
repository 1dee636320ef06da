"""`Result.to_pandas()` is the record's arrays as a DataFrame, the columns of `rate.csv`:
the same values bit for bit (oracle: the arrays themselves, which test_parity compares with
the program's `rate.csv`)."""

import numpy as np
import pytest

import nlif
from conftest import CONFIGS

pd = pytest.importorskip("pandas", reason="pandas is not installed (pip install pandas); `cargo xtask test` installs it where it can")


def bits(x):
    return np.asarray(x, dtype=np.float64).view(np.uint64)


def test_one_population():
    result = nlif.run(CONFIGS / "blowup-a.ron", set={"t_end": 3.6, "solver.micro.particles": 5000})
    frame = result.to_pandas()
    assert list(frame.columns) == ["t", "rate", "mode"]
    assert len(frame) == len(result.t)
    assert np.array_equal(bits(frame["t"].to_numpy()), bits(result.t))
    assert np.array_equal(bits(frame["rate"].to_numpy()), bits(result.rate))
    assert list(frame["mode"]) == list(result.mode)
    # The run switched to particles (near t = 3.41): both modes are in the column.
    assert set(frame["mode"]) == {"macro", "micro"}


def test_populations_are_columns():
    result = nlif.run(CONFIGS / "ei-synchrony.ron", set={"t_end": 0.3})
    frame = result.to_pandas()
    assert list(frame.columns) == ["t", "rate", "mode", "rate_E", "rate_I"]
    for k, name in enumerate(result.populations):
        assert np.array_equal(bits(frame[f"rate_{name}"].to_numpy()), bits(result.rates[:, k])), name
        assert np.array_equal(bits(frame[f"rate_{name}"].to_numpy()), bits(result.rate_of(name)))
