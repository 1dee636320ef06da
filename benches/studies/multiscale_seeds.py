#!/usr/bin/env python3
"""Error of the multi-scale solver against pure micro, over seeds.

For one shipped config (configs/CASE.ron) at dt = 1e-3 for both solvers, samples (and
the multi-scale solver's switching checks) every --interval (default 0.01): a reference, the average rate of two pure micro runs with 1e6 particles (seeds 101
and 102); pure micro and multi-scale runs with 1e5 particles for seeds LO..HI; for each,
the distance to the reference: mean |N(t) - N_ref(t)| of the rates smoothed over 0.1
(a running mean of 0.1 / interval samples), relative to the mean reference rate -- the error of the
whole-runs table of docs/performance.md, over more seeds. Extra arguments are variants
of the multi-scale run, each a space-separated list of --set overrides.

    python3 benches/studies/multiscale_seeds.py periodic 1:8 "solver.macro.dv=0.01"

Needs the release binary (cargo build --release -p nlif-cli). Runs are kept under
--work (default target/studies) and reused when the same run is asked for again with the
same config text and the same binary.
"""
import argparse
import hashlib
import csv
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = ['solver.macro.dt=1e-3', 'solver.micro.dt=1e-3',
        'output.density_interval=None', 'output.plots=false']


def run(args, name, sets):
    # Reused only for the same config text and the same binary.
    config = os.path.join(ROOT, 'configs', args.case + '.ron')
    key = hashlib.sha256(open(config, 'rb').read() + open(args.nlif, 'rb').read()).hexdigest()[:12]
    out = os.path.join(args.work, key, f'{args.interval:g}', name)
    if not os.path.exists(os.path.join(out, 'summary.json')):
        command = [args.nlif, 'run', os.path.join(ROOT, 'configs', args.case + '.ron'),
                   '--out', out, '--quiet']
        for s in BASE + [f'output.interval={args.interval}'] + sets:
            command += ['--set', s]
        subprocess.run(command, check=True)
    summary = json.load(open(os.path.join(out, 'summary.json')))
    with open(os.path.join(out, 'rate.csv')) as f:
        rate = [float(row[1]) for row in list(csv.reader(f))[1:]]
    return summary, rate


def smooth(a, k):
    out, acc = [], 0.0
    for i, x in enumerate(a):
        acc += x
        if i >= k:
            acc -= a[i - k]
        out.append(acc / min(i + 1, k))
    return out


def distance(a, b, k=10):
    a, b = smooth(a, k), smooth(b, k)
    n = min(len(a), len(b))
    return sum(abs(x - y) for x, y in zip(a[:n], b[:n])) / n / (sum(b) / len(b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('case')
    parser.add_argument('seeds', help='LO:HI, inclusive')
    parser.add_argument('variants', nargs='*')
    parser.add_argument('--nlif', default=os.path.join(ROOT, 'target/release/nlif'))
    parser.add_argument('--work', default=os.path.join(ROOT, 'target/studies'))
    parser.add_argument('--interval', type=float, default=1e-2,
                        help='output (and switching) interval; the rates are smoothed over 0.1')
    args = parser.parse_args()
    k = max(1, round(0.1 / args.interval))
    lo, hi = map(int, args.seeds.split(':'))
    seeds = range(lo, hi + 1)
    refs = [run(args, f'{args.case}-ref-{s}',
                ['solver.micro.particles=1000000', 'solver.kind=Micro', f'seed={s}'])[1]
            for s in (101, 102)]
    ref = [(x + y) / 2 for x, y in zip(*refs)]
    print(f'reference: two 1e6 runs, distance between them {distance(refs[0], refs[1], k):.3f}')
    errors, walls = [], []
    for s in seeds:
        summary, rate = run(args, f'{args.case}-micro-{s}',
                            ['solver.micro.particles=100000', 'solver.kind=Micro', f'seed={s}'])
        errors.append(distance(rate, ref, k))
        walls.append(summary['wall_seconds'])
    micro_wall = sum(walls) / len(walls)
    print(f'{"micro":45} errors {" ".join(f"{e:.3f}" for e in errors)} '
          f'mean {sum(errors) / len(errors):.3f} wall {micro_wall:.3f} s')
    for variant in [''] + args.variants:
        sets = variant.split()
        name = f'{args.case}-ms-' + '_'.join(sets).replace('solver.', '')
        errors, walls, share = [], [], []
        for s in seeds:
            summary, rate = run(args, f'{name}-{s}', ['solver.micro.particles=100000',
                                                      'solver.kind=Multiscale', f'seed={s}'] + sets)
            errors.append(distance(rate, ref, k))
            walls.append(summary['wall_seconds'])
            share.append(summary['micro_time'] / summary['t_end'])
        wall = sum(walls) / len(walls)
        print(f'{variant or "config":45} errors {" ".join(f"{e:.3f}" for e in errors)} '
              f'mean {sum(errors) / len(errors):.3f} wall {wall:.3f} s speed-up '
              f'{micro_wall / wall:.1f} in particles {100 * sum(share) / len(share):.0f} %')


if __name__ == '__main__':
    main()
