//! One particle step for N_p = 1e4, 1e5, 1e6: uncoupled (b = 0), coupled asynchronous
//! (b = 0.5) and excitatory near a cascade (b = 3, started from the state just before the
//! first synchronous burst), on one thread and on all threads. Throughput is reported in
//! neuron-steps per second.
//!
//! `micro_step/ei`: the excitatory–inhibitory network of docs/model.md §10 (two
//! populations, shares 0.8/0.2, `coupling = [[1, -0.5], [2, -1.5]]`, asynchronous) as one
//! `ParticleNetwork` of 1e5 neurons in all, Euler–Maruyama, one thread: per neuron-step
//! beside `micro_step/b=0/EulerMaruyama/1thread/100000` (docs/performance.md); and the
//! same network with every connection delayed (`delay = [[0.02, 0.05], [0.05, 0.1]]`,
//! 20 to 100 steps: the spike history and the delayed kicks, `…/delayed/…`).
//!
//! `micro_normals`: the step as it was before the batched normals (one `rand_distr`
//! ziggurat deviate drawn inside a plain particle loop, `Outside<true, false>` below), with
//! the batched normals in the plain loop (`Outside<false, false>`), and the built-in step
//! (batched normals and the vectorized split pass), and the built-in step written outside
//! the crate (`Outside<false, true>`, which must be as fast as the built-in), side by side
//! in one group, from the same relaxed state, on one thread.

mod common;

use common::{one_thread, relaxed};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nlif_micro::normal::Normals;
use nlif_micro::stepper::{
    BRIDGE_CUTOFF, KernelVisitor, Rng, SubthresholdStep, SubthresholdStepper, standard_normal,
    uniform,
};
use nlif_micro::{
    MicroConfig, Parallelism, ParticleNetwork, ParticleState, ParticleSystem, Stepper,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Refractory};

/// The built-in Euler–Maruyama and Brownian-bridge steps written outside the crate, one
/// monomorphic kernel per stepper as in `Coefficients`.
///
/// - `Outside<true, false>`, the baseline: the steps as they were before the batched
///   normals, the kernel drawing its own ziggurat deviate (`NORMAL = false`, so the system
///   draws none) in the plain loop (`SPLIT = false`);
/// - `Outside<false, false>`: the `z` the system hands them, in the plain loop;
/// - `Outside<false, true>`: the same steps in their split form, a custom stepper that must
///   run as fast as the built-in one.
#[derive(Debug, Clone, Copy)]
struct Outside<const OWN_NORMAL: bool, const SPLIT: bool>(Stepper);

#[derive(Debug, Clone, Copy)]
struct OutsideStep<const BRIDGE: bool, const OWN_NORMAL: bool, const SPLIT: bool> {
    decay: f64,
    drive: f64,
    noise: f64,
    v_f: f64,
    bridge: f64,
}

#[derive(Debug, Clone, Copy)]
enum OutsideKernel<const OWN_NORMAL: bool, const SPLIT: bool> {
    Plain(OutsideStep<false, OWN_NORMAL, SPLIT>),
    Bridged(OutsideStep<true, OWN_NORMAL, SPLIT>),
}

impl<const OWN_NORMAL: bool, const SPLIT: bool> SubthresholdStepper for Outside<OWN_NORMAL, SPLIT> {
    type Kernel = OutsideKernel<OWN_NORMAL, SPLIT>;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> Self::Kernel {
        assert!(self.0 != Stepper::ExactOu, "EM and the bridge only");
        let (decay, drive, noise, bridge) = (
            1.0 - dt,
            current * dt,
            (2.0 * a * dt).sqrt(),
            1.0 / (a * dt),
        );
        if self.0 == Stepper::EulerMaruyama {
            OutsideKernel::Plain(OutsideStep {
                decay,
                drive,
                noise,
                v_f,
                bridge,
            })
        } else {
            OutsideKernel::Bridged(OutsideStep {
                decay,
                drive,
                noise,
                v_f,
                bridge,
            })
        }
    }
}

impl<const BRIDGE: bool, const OWN_NORMAL: bool, const SPLIT: bool> SubthresholdStep
    for OutsideStep<BRIDGE, OWN_NORMAL, SPLIT>
{
    const NORMAL: bool = !OWN_NORMAL;
    // A kernel drawing its own deviate cannot settle (propagate has no z).
    const SPLIT: bool = SPLIT && !OWN_NORMAL;

    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        let xi = if OWN_NORMAL { standard_normal(rng) } else { z };
        let next = self.decay * v + self.drive + self.noise * xi;
        if next >= self.v_f {
            return (next, true);
        }
        if BRIDGE {
            let exponent = (self.v_f - v) * (self.v_f - next) * self.bridge;
            if exponent < BRIDGE_CUTOFF && uniform(rng) < (-exponent).exp() {
                return (next, true);
            }
        }
        (next, false)
    }

    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        let next = self.decay * v + self.drive + self.noise * z;
        let exponent = (self.v_f - v) * (self.v_f - next) * self.bridge;
        (
            next,
            !(next >= self.v_f) & (!BRIDGE | !(exponent < BRIDGE_CUTOFF)),
        )
    }
}

impl<const OWN_NORMAL: bool, const SPLIT: bool> SubthresholdStep
    for OutsideKernel<OWN_NORMAL, SPLIT>
{
    const NORMAL: bool = !OWN_NORMAL;
    // A kernel drawing its own deviate cannot settle (propagate has no z).
    const SPLIT: bool = SPLIT && !OWN_NORMAL;

    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        match self {
            OutsideKernel::Plain(s) => s.advance(v, z, rng),
            OutsideKernel::Bridged(s) => s.advance(v, z, rng),
        }
    }

    #[inline(always)]
    fn dispatch<V: KernelVisitor>(self, visitor: V) -> V::Output {
        match self {
            OutsideKernel::Plain(s) => visitor.visit(s),
            OutsideKernel::Bridged(s) => visitor.visit(s),
        }
    }
}

fn micro_step(c: &mut Criterion) {
    let single = one_thread();
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
                let base = relaxed(b, particles, stepper, Refractory::None, Normals::BoxMuller);
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

/// The E–I network of docs/model.md §10 with `particles` neurons in all and the synaptic
/// delays `delay` (empty: none), relaxed for two time units from the benchmarks' initial
/// density.
fn ei_network(particles: usize, stepper: Stepper, delay: Vec<Vec<f64>>) -> ParticleNetwork {
    let network = Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 0.5),
        ],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay,
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
    let mut net = ParticleNetwork::builder(network, config, 1)
        .parallelism(Parallelism::Rayon)
        .sample(&[initial, initial], -4.0)
        .expect("valid benchmark setup");
    while net.time() < 2.0 {
        let _ = net.step();
    }
    net
}

/// The two-population step beside the one-population one (same size, stepper, thread).
fn micro_step_ei(c: &mut Criterion) {
    let single = one_thread();
    let mut group = c.benchmark_group("micro_step/ei");
    group.sample_size(20);
    let particles = 100_000usize;
    group.throughput(Throughput::Elements(particles as u64));
    let delays = [
        ("", Vec::new()),
        ("/delayed", vec![vec![0.02, 0.05], vec![0.05, 0.1]]),
    ];
    for (label, delay) in delays {
        let base = ei_network(particles, Stepper::EulerMaruyama, delay);
        let id = format!("{:?}{label}/1thread", Stepper::EulerMaruyama);
        group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
            let mut net = base.clone();
            single.install(|| bench.iter(|| net.step()));
        });
    }
    group.finish();
}

/// The system continuing from `state` with the stepper `variant`.
fn outside<const OWN: bool, const SPLIT: bool>(
    state: &ParticleState,
    variant: Outside<OWN, SPLIT>,
) -> ParticleSystem<Outside<OWN, SPLIT>> {
    ParticleSystem::from_state_with_stepper(state.clone(), variant, Parallelism::Rayon)
        .expect("a valid state")
}

/// Before (ziggurat inside a plain loop), batched normals in the plain loop, the built-in
/// step (batched normals, split pass) and the same written outside the crate, one thread,
/// `dt = 1e-3`, all continuing from the same relaxed state.
fn micro_normals(c: &mut Criterion) {
    let single = one_thread();
    for (label, b) in [("b=0", 0.0), ("b=0.5", 0.5)] {
        let mut group = c.benchmark_group(format!("micro_normals/{label}"));
        group.sample_size(20);
        for particles in [100_000usize, 1_000_000] {
            group.throughput(Throughput::Elements(particles as u64));
            for stepper in [Stepper::EulerMaruyama, Stepper::BrownianBridge] {
                let base = relaxed(b, particles, stepper, Refractory::None, Normals::BoxMuller);
                let state = base.state();
                let before = outside(&state, Outside::<true, false>(stepper));
                let plain = outside(&state, Outside::<false, false>(stepper));
                let custom = outside(&state, Outside::<false, true>(stepper));
                let id = format!("{stepper:?}/ziggurat");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = before.clone();
                    single.install(|| bench.iter(|| net.step()));
                });
                let id = format!("{stepper:?}/batched-plain");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = plain.clone();
                    single.install(|| bench.iter(|| net.step()));
                });
                let id = format!("{stepper:?}/batched");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = base.clone();
                    single.install(|| bench.iter(|| net.step()));
                });
                let id = format!("{stepper:?}/batched-custom");
                group.bench_with_input(BenchmarkId::new(id, particles), &particles, |bench, _| {
                    let mut net = custom.clone();
                    single.install(|| bench.iter(|| net.step()));
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, micro_normals, micro_step, micro_step_ei);
criterion_main!(benches);
