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

Usage: python3 benches/peers/lif_brian2.py --n 100000 --b 0 [--t-end 10] [--repeats 3] [--json]
"""
import argparse
import json
import time

import numpy as np


def run(n, b, t_end, seed, target):
    import brian2 as b2

    b2.start_scope()
    b2.prefs.codegen.target = target
    b2.seed(seed)
    b2.defaultclock.dt = 1 * b2.ms
    tau = 1 * b2.second
    a = 1.0
    eqs = "dv/dt = -v / tau + sqrt(2 * a / tau) * xi : 1"
    group = b2.NeuronGroup(n, eqs, threshold="v >= 2", reset="v = 1", method="euler")
    group.v = np.clip(np.random.default_rng(seed).normal(0.5, np.sqrt(0.3), n), -6, 1.99)
    monitor = b2.PopulationRateMonitor(group)
    if b != 0.0:
        kick = b / n
        # Spikes of the last step are visible through the rate monitor's count of the
        # previous step; this is the kick the particle system applies at step end.
        counter = b2.SpikeMonitor(group, record=False)
        state = {"last": 0}

        @b2.network_operation(when="end")
        def couple():
            total = int(counter.num_spikes)
            fired = total - state["last"]
            state["last"] = total
            if fired:
                group.v_[:] += kick * fired
        net = b2.Network(group, monitor, counter, couple)
    else:
        net = b2.Network(group, monitor)
    net.run(0.2 * b2.second)  # compile and warm up outside the timing
    start = time.perf_counter()
    net.run(t_end * b2.second)
    seconds = time.perf_counter() - start
    steps = int(round(t_end / 1e-3))
    rates = np.asarray(monitor.rate / b2.Hz)
    burn = int(round(min(2.2, t_end / 2) / 1e-3))
    rate = float(rates[burn:].mean())
    return n * steps / seconds, rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--b", type=float, default=0.0)
    parser.add_argument("--t-end", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", default="cython")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [run(args.n, args.b, args.t_end, seed, args.target) for seed in range(1, args.repeats + 1)]
    throughput = float(np.median([r[0] for r in results]))
    rate = float(np.mean([r[1] for r in results]))
    if args.json:
        print(json.dumps({"n": args.n, "b": args.b, "neuron_steps_per_second": throughput,
                          "rate": rate if np.isfinite(rate) else None, "target": args.target,
                          "brian2": __import__("brian2").__version__}))
    else:
        print(f"N = {args.n}, b = {args.b}: {throughput:.3e} neuron-steps/s, rate {rate:.5f}")


if __name__ == "__main__":
    main()
