"""The exact results against the values the Rust tests assert (docs/model.md §6) and the
laws they obey."""

import math

import numpy as np
import pytest

import nlif


def test_steady_rates_are_the_documented_ones():
    # Oracle: nlif-model's tests/exact_results.rs (relative 1e-10).
    (low, low_stable), (high, high_stable) = nlif.steady(b=1.5)
    assert low == pytest.approx(0.192_364_012_568_479, rel=1e-10) and low_stable
    assert high == pytest.approx(2.289_125_707_746_863, rel=1e-10) and not high_stable
    (rate, stable), = nlif.steady(b=0.0)
    assert rate == pytest.approx(0.119_975_965_239_105, rel=1e-10) and stable
    assert nlif.steady(b=3.0) == []


def test_steady_with_a_refractory_period():
    # Oracle: the doc test of stationary_states_refractory.
    rates = [r for r, _ in nlif.steady(b=1.5, refractory=0.025)]
    for r, e in zip(rates, [0.1907361294, 2.9169876555, 10.7133751877]):
        assert r / e - 1 == pytest.approx(0, abs=1e-9)


def test_steady_is_a_fixed_point_of_the_siegert_rate():
    for rate, _ in nlif.steady(b=1.5, input=0.1):
        assert nlif.siegert_rate(1.5 * rate + 0.1, 1.0) == pytest.approx(rate, rel=1e-10)


def test_the_stationary_density_is_a_probability_density():
    # Conservation: ∫ p = 1 at a stationary rate. Simpson on 20001 nodes of [-8, 2]; the
    # kink at V_R is a node, so each piece is smooth and the error is far below 1e-8.
    (rate, _), = nlif.steady(b=0.5)
    left = np.linspace(-8.0, 1.0, 18001)
    right = np.linspace(1.0, 2.0, 2001)
    total = 0.0
    for v in (left, right):
        p = nlif.stationary_density(v, rate, b=0.5)
        h = v[1] - v[0]
        total += h / 3 * (p[0] + p[-1] + 4 * p[1:-1:2].sum() + 2 * p[2:-1:2].sum())
    assert total == pytest.approx(1.0, abs=1e-8)
    assert nlif.stationary_density(2.0, rate, b=0.5) == 0.0


def test_bad_parameters_name_the_field():
    with pytest.raises(ValueError) as e:
        nlif.steady(a0=-1.0)
    assert e.value.field == "a0"
    with pytest.raises(nlif.ConfigError) as e:
        nlif.siegert_rate(0.0, a=-1.0)
    assert e.value.field == "a"


def test_blowup_witness():
    # Oracle: the doc test of blowup_witness.
    assert nlif.blowup_witness([1.99], [1.0], b=3.0) is not None
    assert nlif.blowup_witness([-3.0], [1.0], b=3.0) is None
    with pytest.raises(nlif.ConfigError) as e:
        nlif.blowup_witness([1.0, 1.5], [1.0], b=3.0)
    assert e.value.field == "mass"
