//! One particle step for N_p = 1e4, 1e5, 1e6: uncoupled (b = 0), coupled asynchronous
//! (b = 0.5) and excitatory near a cascade (b = 3, started from the state just before the
//! first synchronous burst), on one thread and on all threads. Throughput is reported in
//! neuron-steps per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams};

fn network(b: f64, particles: usize, stepper: Stepper) -> ParticleSystem {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let config = MicroConfig {
        particles,
        dt: 1e-3,
        stepper,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -1.0,
        var: 0.5,
    };
    let mut net = ParticleSystem::from_initial(
        params,
        Input::None,
        config,
        &initial,
        -4.0,
        1,
        Parallelism::Rayon,
    )
    .expect("valid benchmark setup");
    // Relax (b = 0, 0.5) or approach the first burst (b = 3, which comes near t = 3.4).
    let warm = if b > 1.0 { 3.2 } else { 2.0 };
    while net.time() < warm {
        let _ = net.step();
    }
    net
}

fn micro_step(c: &mut Criterion) {
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    for (label, b) in [("b=0", 0.0), ("b=0.5", 0.5), ("b=3", 3.0)] {
        let mut group = c.benchmark_group(format!("micro_step/{label}"));
        group.sample_size(20);
        for particles in [10_000usize, 100_000, 1_000_000] {
            group.throughput(Throughput::Elements(particles as u64));
            for stepper in [
                Stepper::EulerMaruyama,
                Stepper::BrownianBridge,
                Stepper::ExactOu,
            ] {
                // Coupled networks: the default stepper, and Euler–Maruyama for the Brian2
                // comparison at b = 0.5.
                let compared = b == 0.5 && stepper == Stepper::EulerMaruyama;
                if b > 0.0 && stepper != Stepper::BrownianBridge && !compared {
                    continue;
                }
                let base = network(b, particles, stepper);
                let id = format!("{stepper:?}/1thread");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = base.clone();
                    single.install(|| bench.iter(|| net.step()));
                });
                let id = format!("{stepper:?}/all-threads");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = base.clone();
                    bench.iter(|| net.step());
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, micro_step);
criterion_main!(benches);
