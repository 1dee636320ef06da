"""Ctrl-C stops a long run within a fraction of a second, and leaves a stepping
simulation usable. Oracle: the clock, in a child process that sends SIGINT to itself."""

import subprocess
import sys
import textwrap

# What every child shares: a long run (t_end = 1e4) and a SIGINT to itself, timed.
PREAMBLE = textwrap.dedent("""
    import os, pathlib, signal, sys, threading, time
    import nlif
    config = nlif.Config(t_end=1e4, model={"b": 0.5}, solver={"kind": "Macro"},
                         output={"interval": 1.0, "density_interval": None, "plots": False})
    sent = []
    def interrupt():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
""")


def child_lines(code, *args):
    """The words of each line the child printed, after checking it exited cleanly."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [line.split() for line in done.stdout.splitlines()]


CHILD = PREAMBLE + textwrap.dedent("""
    threading.Timer(0.5, interrupt).start()
    try:
        nlif.run(config)
        print("not interrupted")
    except KeyboardInterrupt:
        print("run", time.perf_counter() - sent[0])
    sim = nlif.Simulation(config)
    threading.Timer(0.5, interrupt).start()
    try:
        sim.advance(1e4)
        print("not interrupted")
    except KeyboardInterrupt:
        print("advance", time.perf_counter() - sent[1], sim.t)
    t = sim.t
    sim.advance(t + 1.0)
    print("continued", sim.t - t)
""")


def test_keyboard_interrupt_arrives_quickly():
    lines = child_lines(CHILD)
    assert lines[0][0] == "run" and float(lines[0][1]) < 0.5, lines
    assert lines[1][0] == "advance" and float(lines[1][1]) < 0.5, lines
    assert float(lines[1][2]) > 0.0
    assert lines[2][0] == "continued" and abs(float(lines[2][1]) - 1.0) < 1e-9, lines


SWEEP_CHILD = PREAMBLE + textwrap.dedent("""
    out = pathlib.Path(sys.argv[1])
    threading.Timer(0.5, interrupt).start()
    try:
        nlif.sweep(config, {"model.b": [0.5, 1.0]}, jobs=2, out=out)
        print("not interrupted")
    except KeyboardInterrupt:
        print("sweep", time.perf_counter() - sent[0])
    print("done", len(list(out.glob("points/*/point.json"))), (out / "sweep.json").is_file())
""")


def test_keyboard_interrupt_stops_a_sweep(tmp_path):
    out = tmp_path / "sweep"
    lines = child_lines(SWEEP_CHILD, str(out))
    assert lines[0][0] == "sweep" and float(lines[0][1]) < 0.5, lines
    # No point reached t_end: none is recorded as done; the sweep's definition is, so the
    # same call continues it.
    assert lines[1] == ["done", "0", "True"], lines
