"""The stepping simulation: the same run as `nlif.run`, pickled and restored bit for bit,
observed step by step. Oracle: the straight run of the same config."""

import pickle

import numpy as np

import nlif
from conftest import CONFIGS

SETS = {"t_end": 3.8, "solver.micro.particles": 10000}


def bits(x):
    return np.asarray(x).view(np.uint64)


def test_stepping_is_the_straight_run_and_pickles_bit_for_bit():
    straight = nlif.run(CONFIGS / "blowup-a.ron", set=SETS)
    assert "micro" in set(straight.mode)  # the run reaches the particles
    sim = nlif.Simulation(CONFIGS / "blowup-a.ron", set=SETS)
    assert sim.advance(1.0) is None and sim.t == 1.0 and sim.phase == "macro"
    assert sim.density().shape == sim.grid().shape
    copy = pickle.loads(pickle.dumps(sim))
    assert sim.advance(3.6) is None
    # Mid-burst, in the particles: pickled again.
    later = pickle.loads(pickle.dumps(sim))
    for s in (sim, copy, later):
        assert s.advance(10.0) == "completed"
        record = s.record()
        assert np.array_equal(bits(record.rate), bits(straight.rate))
        assert list(record.mode) == list(straight.mode)
        assert np.array_equal(bits(record.mfe_t), bits(straight.mfe_t))


def test_an_observer_sees_every_step_and_may_stop():
    sim = nlif.Simulation(nlif.Config(t_end=0.5, solver={"kind": "Macro"}))
    steps = []

    def observer(event):
        if event["kind"] == "step":
            steps.append(event["t"])
        return len(steps) >= 100

    assert sim.advance(0.5, observer) is None
    assert len(steps) == 100 and sim.t == steps[-1]
    assert sim.advance(0.5) == "completed"
    assert sim.record().macro_steps == 5000
