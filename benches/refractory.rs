//! The particle step with and without a refractory period, side by side:
//! `micro_step/refractory`, `N_p = 1e5`, Brownian bridge, `dt = 1e-3`, one thread, coupled
//! asynchronous (`b = 0.5`, relaxed for two time units with the period of the case).
//! `none` is the step without a period (what every run without `refractory` takes);
//! `Fixed(0.025)` and `Exponential(0.025)` keep the fired neurons away for 25 steps (a
//! few per mille of the neurons at this rate, more near a burst). Issue 27's bound: a
//! period adds at most 15 % to the step.

mod common;

use common::{one_thread, relaxed};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nlif_micro::Stepper;
use nlif_micro::normal::Normals;
use nlif_model::Refractory;

fn refractory(c: &mut Criterion) {
    let single = one_thread();
    let particles = 100_000usize;
    let mut group = c.benchmark_group("micro_step/refractory");
    group.sample_size(30);
    group.throughput(Throughput::Elements(particles as u64));
    let cases = [
        ("none", Refractory::None),
        ("Fixed(0.025)", Refractory::Fixed { tau: 0.025 }),
        ("Exponential(0.025)", Refractory::Exponential { tau: 0.025 }),
    ];
    for (label, period) in cases {
        let base = relaxed(
            0.5,
            particles,
            Stepper::BrownianBridge,
            period,
            Normals::BoxMuller,
        );
        group.bench_with_input(BenchmarkId::new("b=0.5", label), &particles, |bench, _| {
            let mut net = base.clone();
            single.install(|| bench.iter(|| net.step()));
        });
    }
    group.finish();
}

criterion_group!(benches, refractory);
criterion_main!(benches);
