//! One density step with and without a refractory period (issue 27): the problem of
//! `benches/macro_step.rs`'s single solver (Scharfetter–Gummel, `n` unknowns on
//! `[2 - n h, 2]`, `b = 0.5`, `dt = 1e-3`, relaxed to `t = 2`), with no period, an
//! exponential one and a fixed one of `τ = 0.025` (25 steps).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fp_macro::{MacroConfig, MacroSolver, Scheme};
use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
use std::hint::black_box;

fn solver(n: usize, period: Refractory) -> MacroSolver {
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
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let mut s = MacroSolver::from_initial(params, Input::None, config, &initial)
        .and_then(|s| s.with_refractory(period))
        .expect("valid benchmark setup");
    assert_eq!(s.grid().len(), n);
    while s.time() < 2.0 {
        let outcome = s.step(f64::INFINITY);
        assert!(outcome.rate().is_some(), "benchmark setup: {outcome:?}");
    }
    s
}

fn refractory_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("refractory_step");
    for n in [300usize, 1000] {
        group.throughput(Throughput::Elements(n as u64));
        for (name, period) in [
            ("none", Refractory::None),
            ("exponential", Refractory::Exponential { tau: 0.025 }),
            ("fixed", Refractory::Fixed { tau: 0.025 }),
        ] {
            let base = solver(n, period);
            group.bench_with_input(BenchmarkId::new(name, n), &n, |bench, _| {
                let mut s = base.clone();
                bench.iter(|| black_box(s.step(f64::INFINITY)));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, refractory_step);
criterion_main!(benches);
