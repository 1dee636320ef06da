#!/usr/bin/env python3
"""The Scharfetter-Gummel step of fp-macro written with NumPy/SciPy, as a peer baseline.

Same discretisation as `crates/fp-macro` (vertex-centred grid, V_R on a node, fitted interior
fluxes, one-sided diffusive outflow (a/h) p_{n-1} re-injected implicitly at V_R through a
Sherman-Morrison correction), assembled with vectorised NumPy and solved with
`scipy.linalg.solve_banded`. Prints, per size n, the median wall time of one step, and the
long-time rate for b = 0.5 at h = 0.02 so that speed is compared between equal results.

Usage: python3 benches/peers/fp_scipy.py [--repeats 200] [--json]
"""
import argparse
import json
import time

import numpy as np
from scipy.linalg import solve_banded


def bernoulli(x):
    out = np.empty_like(x)
    small = np.abs(x) < 1e-3
    xs = x[small]
    out[small] = 1.0 - 0.5 * xs + xs * xs / 12.0
    xl = x[~small]
    out[~small] = xl / np.expm1(xl)
    return out


class Solver:
    def __init__(self, n, dv, b=0.5, a0=1.0, v_f=2.0, v_r=1.0, dt=1e-3):
        self.n, self.h, self.b, self.a0, self.dt = n, dv, b, a0, dt
        self.nodes = v_f - (n - np.arange(n)) * dv
        self.faces = self.nodes + 0.5 * dv
        self.r = n - int(round((v_f - v_r) / dv))
        p = np.exp(-(self.nodes - 0.0) ** 2 / (2 * 0.5))
        self.p = p / (dv * p.sum())
        self.rate = a0 * self.p[-1] / dv
        self.ab = np.zeros((3, n))
        self.e_r = np.zeros(n)
        self.e_r[self.r] = 1.0

    def step(self):
        n, h, dt = self.n, self.h, self.dt
        a = self.a0
        kappa = a / (h * h)
        w = (-self.faces + self.b * self.rate) * h / a
        A = bernoulli(-w)  # weight of p_i
        B = bernoulli(w)  # weight of p_{i+1}
        ab = self.ab
        diag = np.full(n, 1.0 / dt)
        diag[:-1] += kappa * A[:-1]
        diag[1:] += kappa * B[:-1]
        diag[-1] += kappa  # diffusive outflow (a/h) p_{n-1}
        ab[1] = diag
        ab[0, 1:] = -kappa * B[:-1]  # upper
        ab[2, :-1] = -kappa * A[:-1]  # lower
        rhs = np.stack([self.p / dt, self.e_r], axis=1)
        yz = solve_banded((1, 1), ab, rhs, check_finite=False)
        y, z = yz[:, 0], yz[:, 1]
        c = kappa
        s = c * y[-1] / (1.0 - c * z[-1])
        self.p = y + s * z
        self.rate = a * self.p[-1] / h
        return self.rate


def make(n):
    k = round(n / 6.0)
    dv = 1.0 / k
    return Solver(n, dv)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for n in [100, 300, 1000, 3000, 10000]:
        s = make(n)
        for _ in range(50):
            s.step()
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            s.step()
            times.append(time.perf_counter() - t0)
        results[n] = float(np.median(times))
    steady = Solver(400, 0.02, dt=0.01)  # [-6, 2], as the fp-macro steady-state tests
    for _ in range(4000):
        steady.step()
    out = {"step_seconds": results, "rate_b05_h002": steady.rate,
           "numpy": np.__version__, "scipy": __import__("scipy").__version__}
    if args.json:
        print(json.dumps(out))
    else:
        for n, t in results.items():
            print(f"n = {n:6d}: {t * 1e6:9.2f} us per step")
        print(f"long-time rate, b = 0.5, h = 0.02: {steady.rate:.8f}")


if __name__ == "__main__":
    main()
