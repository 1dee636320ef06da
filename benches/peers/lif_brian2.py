#!/usr/bin/env python3
"""The NLIF network of nlif-micro written for Brian2, as a peer baseline.

dV = (-V + I) dt + sqrt(2 a) dW, threshold V_F = 2, reset V_R = 1, tau = 1 (Brian2 wants
units: tau = 1 second, dt = 1 ms, so one of our time units is one Brian2 second). Uses
Brian2's compiled code generation (Cython runtime, or C++ standalone with --standalone).
For b != 0 the all-to-all coupling is written in its cheapest correct form: a population
spike count per step fed back as a summed kick, via a custom (network_operation-free)
formulation `v_post += b/N` through a single Synapses object with all-to-all connectivity
is O(N^2) memory; instead we use the exact mean-field equivalent the kick produces in one
step — all non-firing neurons receive b * (spikes in the step) / N — through a
`run_regularly` block reading the spike count. No in-step cascades (Brian2 has none).

Prints neuron-steps per second (median over repeats) and the long-run rate.

For the accuracy runs of `cargo xtask bench --accuracy`: `--dt` (time step, our units),
`--method` (Brian2's integrator: euler, heun, milstein), `--a1` (rate-dependent noise
a = a0 + a1 N, N the population rate of the previous step, set through a shared
variable), `--burn` (model time discarded before the rate is measured). With `--a1 0` and
the defaults the run is the throughput benchmark it always was.

Usage: python3 benches/peers/lif_brian2.py --n 100000 --b 0 [--t-end 10] [--repeats 3] [--json]
       python3 benches/peers/lif_brian2.py --n 100000 --b 0.5 --dt 1e-3 --method heun --burn 3 --t-end 20 --repeats 1 --json
"""
import argparse
import json
import time

import numpy as np


def run(n, b, t_end, seed, target, dt=1e-3, method="euler", a1=0.0, burn=None):
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = target
    b2.seed(seed)
    b2.defaultclock.dt = dt * b2.second
    tau = 1 * b2.second
    a0 = 1.0
    eqs = """dv/dt = -v / tau + sqrt(2 * a / tau) * xi : 1
             a : 1 (shared)"""
    group = b2.NeuronGroup(n, eqs, threshold="v >= 2", reset="v = 1", method=method)
    group.v = np.clip(np.random.default_rng(seed).normal(0.5, np.sqrt(0.3), n), -6, 1.99)
    group.a = a0
    monitor = b2.PopulationRateMonitor(group)
    objects = [group, monitor]
    if b != 0.0 or a1 != 0.0:
        kick = b / n
        # The spikes of the step just taken: the kick the particle system applies at the
        # end of the step, and the rate N that sets a(N) = a0 + a1 N for the next one.
        counter = b2.SpikeMonitor(group, record=False)
        state = {"last": 0}

        @b2.network_operation(when="end")
        def couple():
            total = int(counter.num_spikes)
            fired = total - state["last"]
            state["last"] = total
            if fired and kick != 0.0:
                group.v_[:] += kick * fired
            if a1 != 0.0:
                group.a = a0 + a1 * fired / (n * dt)
        objects += [counter, couple]
    net = b2.Network(*objects)
    warm = 0.2 if burn is None else burn
    net.run(warm * b2.second)  # compile, warm up (and relax) outside the timing
    start = time.perf_counter()
    net.run(t_end * b2.second)
    seconds = time.perf_counter() - start
    steps = int(round(t_end / dt))
    rates = np.asarray(monitor.rate / b2.Hz)
    if burn is None:
        skip = int(round(min(2.2, t_end / 2) / dt))
        rate = float(rates[skip:].mean())
        batches = None
    else:
        measured = rates[int(round(warm / dt)):]
        per = int(round(1.0 / dt))
        whole = len(measured) // per
        batches = measured[: whole * per].reshape(whole, per).mean(axis=1)
        rate = float(measured.mean())
    return n * steps / seconds, rate, batches


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--b", type=float, default=0.0)
    parser.add_argument("--t-end", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", default="cython")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dt", type=float, default=1e-3)
    parser.add_argument("--method", default="euler")
    parser.add_argument("--a1", type=float, default=0.0)
    parser.add_argument("--burn", type=float, default=None)
    args = parser.parse_args()
    results = [run(args.n, args.b, args.t_end, seed, args.target, args.dt, args.method, args.a1, args.burn)
               for seed in range(1, args.repeats + 1)]
    throughput = float(np.median([r[0] for r in results]))
    rate = float(np.mean([r[1] for r in results]))
    batches = [x for r in results if r[2] is not None for x in r[2]]
    # Standard error of the rate from the 1-time-unit batch means (burn-in runs only).
    se = float(np.std(batches, ddof=1) / np.sqrt(len(batches))) if len(batches) > 1 else None
    if args.json:
        print(json.dumps({"n": args.n, "b": args.b, "neuron_steps_per_second": throughput,
                          "rate": rate if np.isfinite(rate) else None, "target": args.target,
                          "dt": args.dt, "method": args.method, "a1": args.a1, "rate_se": se,
                          "brian2": __import__("brian2").__version__}))
    else:
        print(f"N = {args.n}, b = {args.b}: {throughput:.3e} neuron-steps/s, rate {rate:.5f}")


if __name__ == "__main__":
    main()
