//! One semi-implicit Fokker–Planck step for n = 100, 300, 1000, 3000, 10000 unknowns, each
//! scheme (assembly of the sparse operator + O(n) solve), against the floor: a bare
//! Thomas solve of a pre-assembled tridiagonal system of the same size; and the step of a
//! network of densities (Scharfetter–Gummel) of one population (`network-1`, the same
//! problem as the single solver's) and of two (`network-2`, the excitatory–inhibitory
//! network of docs/model.md §10, both populations on the same grid; `network-2-twin`, two
//! populations each with the single solver's problem: the network's own overhead), whose
//! cost per step the single solver's step is the yardstick of.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fp_macro::{DensityNetwork, MacroConfig, MacroSolver, Scheme};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};
use std::hint::black_box;

/// A solver with exactly `n` unknowns on `[2 - n h, 2]`, `1/h` an integer, relaxed to t = 2.
fn solver(n: usize, scheme: Scheme) -> MacroSolver {
    let k = (n as f64 / 6.0).round();
    let dv = 1.0 / k;
    let config = MacroConfig {
        scheme,
        dv,
        v_min: 2.0 - n as f64 * dv,
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let mut s = MacroSolver::from_initial(params, Input::None, config, &initial)
        .expect("valid benchmark setup");
    assert_eq!(s.grid().len(), n);
    while s.time() < 2.0 {
        let outcome = s.step(f64::INFINITY);
        assert!(outcome.rate().is_some(), "benchmark setup: {outcome:?}");
    }
    s
}

/// A network of densities with exactly `n` unknowns per population on `[2 - n h, 2]`
/// (Scharfetter–Gummel), relaxed to t = 2: `"network-1"` is the problem of [`solver`],
/// `"network-2"` the excitatory–inhibitory network (shares 0.8, 0.2; `a0` 1 and 0.5;
/// coupling `[[1, -0.5], [2, -1.5]]`), `"network-2-twin"` two populations with `a0 = 1`
/// and coupling `0.25` everywhere (each the single problem, `b = 0.5` in all).
fn network(n: usize, kind: &str) -> DensityNetwork {
    let k = (n as f64 / 6.0).round();
    let dv = 1.0 / k;
    let config = MacroConfig {
        scheme: Scheme::ScharfetterGummel,
        dv,
        v_min: 2.0 - n as f64 * dv,
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let model = match kind {
        "network-1" => Network::single(&params, Input::None),
        "network-2" => Network {
            populations: vec![
                Population::new("E", 0.8, 1.0),
                Population::new("I", 0.2, 0.5),
            ],
            coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
            a1: Vec::new(),
            delay: Vec::new(),
        },
        _ => Network {
            populations: vec![
                Population::new("A", 0.5, 1.0),
                Population::new("B", 0.5, 1.0),
            ],
            coupling: vec![vec![0.25, 0.25], vec![0.25, 0.25]],
            a1: Vec::new(),
            delay: Vec::new(),
        },
    };
    let populations = model.len();
    let initial = vec![
        InitialDensity::Gaussian {
            mean: 0.0,
            var: 0.5,
        };
        populations
    ];
    let mut s =
        DensityNetwork::from_initial(model, config, &initial).expect("valid benchmark setup");
    assert_eq!(s.grid(0).len(), n);
    while s.time() < 2.0 {
        let outcome = s.step(f64::INFINITY);
        assert!(outcome.rate().is_some(), "benchmark setup: {outcome:?}");
    }
    s
}

/// The floor: Thomas algorithm on fixed bands (no assembly, no off-band entry).
fn thomas(lower: &[f64], diag: &[f64], upper: &[f64], rhs: &[f64], c: &mut [f64], x: &mut [f64]) {
    let n = diag.len();
    c[0] = upper[0] / diag[0];
    x[0] = rhs[0] / diag[0];
    for i in 1..n {
        let inv = 1.0 / (diag[i] - lower[i] * c[i - 1]);
        c[i] = upper[i] * inv;
        x[i] = (rhs[i] - lower[i] * x[i - 1]) * inv;
    }
    for i in (0..n - 1).rev() {
        x[i] -= c[i] * x[i + 1];
    }
}

fn macro_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("macro_step");
    for n in [100usize, 300, 1000, 3000, 10_000] {
        group.throughput(Throughput::Elements(n as u64));
        for scheme in [Scheme::ScharfetterGummel, Scheme::ChangCooper] {
            let base = solver(n, scheme);
            group.bench_with_input(
                BenchmarkId::new(format!("{scheme:?}"), n),
                &n,
                |bench, _| {
                    let mut s = base.clone();
                    bench.iter(|| black_box(s.step(f64::INFINITY)));
                },
            );
        }
        for kind in ["network-1", "network-2", "network-2-twin"] {
            let base = network(n, kind);
            group.bench_with_input(BenchmarkId::new(kind, n), &n, |bench, _| {
                let mut s = base.clone();
                bench.iter(|| black_box(s.step(f64::INFINITY)));
            });
        }
        let lower = vec![-1.0; n];
        let diag = vec![2.5; n];
        let upper = vec![-1.0; n];
        let rhs = vec![1.0; n];
        let mut cp = vec![0.0; n];
        let mut x = vec![0.0; n];
        group.bench_with_input(BenchmarkId::new("bare-thomas", n), &n, |bench, _| {
            bench.iter(|| {
                thomas(&lower, &diag, &upper, black_box(&rhs), &mut cp, &mut x);
                black_box(x[0])
            });
        });
    }
    group.finish();
}

criterion_group!(benches, macro_step);
criterion_main!(benches);
