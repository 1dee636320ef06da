"""The cost of running from Python: `nlif.run` of the built-in run (blow-up A, the
multi-scale solver) against `nlif run` of the same config, whole processes, side by side.

Each repetition runs, in turn (the order rotating, so that a drift of the machine's load
falls on every variant alike):
  cli      `nlif run --out DIR --quiet`
  py-out   `python -c 'nlif.run(nlif.Config(), out=DIR)'`   (the same files written)
  py       `python -c 'nlif.run(nlif.Config())'`            (arrays only)
  import   `python -c 'import nlif'`                         (what Python adds before a run)
and times each process from start to exit (the Python ones include starting the
interpreter and importing NumPy and nlif), takes its CPU time, and reads the run's own
`wall_seconds` (the simulation and its record, without the process around it). Prints a
Markdown table of each: the median and the range of each variant, and the ratio to `cli`
(the ratio of the medians, and the median and range of the per-repetition ratios).

    flock /tmp/nlif-build.lock python crates/nlif-py/bench/overhead.py \
        --nlif target/release/nlif --repeats 10

(hold the build lock while timing, and run no other benchmark at the same time). The
interpreter running the script is the one timed: it must have the package installed.
"""

import argparse
import json
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY_OUT = "import nlif, sys; print(nlif.run(nlif.Config(), out=sys.argv[1]).wall_seconds)"
PY = "import nlif; print(nlif.run(nlif.Config()).wall_seconds)"
IMPORT = "import nlif"


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args, out):
    """The process's wall time, its CPU time (user + system, every thread: less disturbed
    by other work on a shared machine than the wall time), and the run's own wall time
    (`wall_seconds`: the simulation and its record, as `summary.json` gives it) if it made
    one."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = cpu_of_children() - cpu
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    if done.stdout.strip():
        return seconds, cpu, float(done.stdout.split()[-1])
    summary = out / "summary.json"
    run = json.loads(summary.read_text())["wall_seconds"] if summary.is_file() else None
    return seconds, cpu, run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlif", default="target/release/nlif", help="the nlif program")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print the times as JSON")
    options = parser.parse_args()
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="nlif-overhead-"))
    variants = {
        "cli": lambda out: [options.nlif, "run", "--out", str(out), "--quiet"],
        "py-out": lambda out: [sys.executable, "-c", PY_OUT, str(out)],
        "py": lambda out: [sys.executable, "-c", PY],
        "import": lambda out: [sys.executable, "-c", IMPORT],
    }
    names = list(variants)
    times = {name: [] for name in names}
    inner = {name: [] for name in names}
    cpu = {name: [] for name in names}
    try:
        # A warm-up of each (page cache, the CPU's clock), not counted.
        for name in names:
            timed(variants[name](scratch / f"warm-{name}"), scratch / f"warm-{name}")
        for k in range(options.repeats):
            order = names[k % len(names):] + names[: k % len(names)]
            for name in order:
                out = scratch / f"{name}-{k}"
                seconds, used, run = timed(variants[name](out), out)
                times[name].append(seconds)
                cpu[name].append(used)
                inner[name].append(run)
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    tables = (("process, wall time", times), ("process, CPU time", cpu), ("the run's own wall_seconds", inner))
    for title, table in tables:
        cli = table["cli"]
        print(f"\n{title}\n")
        print("| variant | median (s) | range (s) | median / cli | per-repetition ratio: median (range) |")
        print("|---|---|---|---|---|")
        for name in names:
            t = table[name]
            if None in t:
                continue
            ratios = [a / b for a, b in zip(t, cli)]
            print(
                f"| {name} | {statistics.median(t):.3f} | {min(t):.3f}–{max(t):.3f} | "
                f"{statistics.median(t) / statistics.median(cli):.4f} | "
                f"{statistics.median(ratios):.4f} ({min(ratios):.4f}–{max(ratios):.4f}) |"
            )
    if options.json:
        print(json.dumps({"process": times, "cpu": cpu, "run": inner}))


if __name__ == "__main__":
    main()
