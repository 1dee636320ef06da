//! What bounds the particle step on a host (docs/performance.md, "The floor"): the step
//! of `N_p` neurons (`b = 0`, Euler–Maruyama, `dt = 1e-3`, one thread) side by side with
//! its two unavoidable parts measured alone, in one criterion group (`micro_floor`):
//!
//! - `normals`: the step's generator (`nlif_micro::normal::fill_with`, xoshiro256++ and the
//!   batched Box–Muller) drawing `N_p` standard normals, one per neuron-step, into a
//!   buffer of one chunk (in L1, as the step does);
//! - `stream`: `x ← a x + c` over the `N_p` voltages, the step's memory traffic (one
//!   `f64` read and one written per neuron-step, 16 bytes), vectorized by the compiler;
//! - `step_ziggurat` and `normals_ziggurat`: the step and the generator with the other
//!   generator of normal deviates (`Normals::Ziggurat`, `solver.micro.normals`).
//!
//! The step cannot be faster than the slower of the two, nor need more than their sum
//! plus the arithmetic of the update; the ratio of the step to their sum is how far it is
//! from that floor.

mod common;

use std::hint::black_box;

use common::{one_thread, relaxed};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nlif_micro::Stepper;
use nlif_micro::normal::{CHUNK, Normals, fill_with};
use nlif_model::Refractory;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

fn floor(c: &mut Criterion) {
    let single = one_thread();
    let mut group = c.benchmark_group("micro_floor");
    group.sample_size(30);
    for particles in [100_000usize, 1_000_000] {
        group.throughput(Throughput::Elements(particles as u64));
        for (suffix, normals) in [("", Normals::BoxMuller), ("_ziggurat", Normals::Ziggurat)] {
            let base = relaxed(
                0.0,
                particles,
                Stepper::EulerMaruyama,
                Refractory::None,
                normals,
            );
            let id = BenchmarkId::new(format!("step{suffix}"), particles);
            group.bench_with_input(id, &particles, |b, _| {
                let mut net = base.clone();
                single.install(|| b.iter(|| net.step()));
            });
            let id = BenchmarkId::new(format!("normals{suffix}"), particles);
            group.bench_with_input(id, &particles, |b, &n| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
                let mut chunk = [0.0; CHUNK];
                b.iter(|| {
                    for _ in 0..n.div_ceil(CHUNK) {
                        fill_with(normals, &mut rng, &mut chunk);
                        black_box(&chunk);
                    }
                });
            });
        }
        group.bench_with_input(
            BenchmarkId::new("stream", particles),
            &particles,
            |b, &n| {
                let mut x = vec![0.5; n];
                let (a, c) = (black_box(0.999), black_box(1e-3));
                b.iter(|| {
                    for v in &mut x {
                        *v = a * *v + c;
                    }
                    black_box(&x);
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, floor);
criterion_main!(benches);
