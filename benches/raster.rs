//! The particle step with and without a spike raster, side by side: `micro_step/raster`,
//! `N_p = 1e5`, Brownian bridge, one thread, coupled asynchronous (`b = 0.5`, relaxed for
//! two time units) and excitatory across bursts (`b = 3`, from just before the first
//! one). `off` is the plain `step` (what every run without `output.raster` takes);
//! `on/100` records the spikes of 100 sampled neurons (`step_recording`).

mod common;

use common::{one_thread, relaxed};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nlif_micro::normal::Normals;
use nlif_micro::{ParticleSystem, SingleProcess, SpikeRaster, Stepper};
use nlif_model::Refractory;

fn raster(c: &mut Criterion) {
    let single = one_thread();
    let particles = 100_000usize;
    let mut group = c.benchmark_group("micro_step/raster");
    group.sample_size(30);
    group.throughput(Throughput::Elements(particles as u64));
    for (label, b) in [("b=0.5", 0.5), ("b=3", 3.0)] {
        let base = relaxed(
            b,
            particles,
            Stepper::BrownianBridge,
            Refractory::None,
            Normals::BoxMuller,
        );
        group.bench_with_input(BenchmarkId::new(label, "off"), &particles, |bench, _| {
            let mut net = base.clone();
            single.install(|| bench.iter(|| net.step()));
        });
        on(&mut group, &single, label, &base);
    }
    group.finish();
}

/// The step recording 100 sampled neurons.
fn on(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    single: &rayon::ThreadPool,
    label: &str,
    base: &ParticleSystem,
) {
    group.bench_with_input(BenchmarkId::new(label, "on/100"), &100, |bench, &size| {
        let mut net = base.clone();
        let mut raster = SpikeRaster::new(1, &[net.global_len()], size);
        let mut spikes = Vec::new();
        single.install(|| {
            bench.iter(|| {
                let report = net.step_recording(&mut SingleProcess, &mut raster);
                raster.take(&mut spikes);
                spikes.clear();
                report
            });
        });
    });
}

criterion_group!(benches, raster);
criterion_main!(benches);
