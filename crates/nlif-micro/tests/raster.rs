//! A spike raster does not depend on the threads nor on how the run is split into parts,
//! and recording never changes the run.
//!
//! Oracle throughout: the same run recorded on one thread as one whole system (its spikes)
//! and the same run not recorded (its reports and voltages); every `f64` by its bits.

use nlif_micro::{
    BLOCK_SIZE, MicroConfig, NetworkPart, Parallelism, ParticleNetwork, ParticleSystem, Partition,
    Spike, SpikeRaster, Stepper, ThreadGroup,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};

/// Five blocks and a partial one: three parts own uneven ranges.
const PARTICLES: usize = 5 * BLOCK_SIZE + 300;
const SEED: u64 = 31;
const SIZE: usize = 150;
const STEPS: usize = 120;
const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.3,
};

fn config(particles: usize) -> MicroConfig {
    MicroConfig {
        particles,
        dt: 1e-2,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    }
}

/// An excitatory population kicked into a large cascade at `t = 0.3`.
fn system(part: (Partition, usize), parallelism: Parallelism) -> ParticleSystem {
    let params = ModelParams {
        b: 1.5,
        ..ModelParams::default()
    };
    let input = Input::Kick { t0: 0.3, dv: 0.5 };
    ParticleSystem::builder(params, input, config(part.1), SEED)
        .partition(part.0)
        .parallelism(parallelism)
        .sample(&INITIAL, -4.0)
        .unwrap()
}

fn bits(v: impl Iterator<Item = f64>) -> Vec<u64> {
    v.map(f64::to_bits).collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The spikes of the whole system recorded step by step, with its reports and voltages.
fn recorded(net: &mut ParticleSystem, raster: &mut SpikeRaster) -> (Vec<Spike>, Vec<String>) {
    let mut spikes = Vec::new();
    let mut reports = Vec::new();
    for _ in 0..STEPS {
        let report = net.step_recording(&mut nlif_micro::SingleProcess, raster);
        reports.push(format!("{report:?}"));
        raster.take(&mut spikes);
    }
    (spikes, reports)
}

/// Threads (1, 2) and parts (1, 2, 3, stepped in lock-step) record the spikes of the
/// sequential whole run; recording leaves the reports and voltages of the run without.
#[test]
fn a_system_records_the_same_spikes_on_any_threads_and_parts() {
    let whole = (Partition::whole(PARTICLES), PARTICLES);
    let mut plain = system(whole, Parallelism::Sequential);
    let plain_reports: Vec<String> = (0..STEPS).map(|_| format!("{:?}", plain.step())).collect();
    let mut net = system(whole, Parallelism::Sequential);
    let mut raster = SpikeRaster::new(SEED, &[PARTICLES], SIZE);
    let (expected, reports) = recorded(&mut net, &mut raster);
    assert_eq!(reports, plain_reports);
    assert_eq!(bits(net.voltages()), bits(plain.voltages()));
    assert!(expected.len() > SIZE, "{} spikes", expected.len());
    assert!(expected.iter().any(|s| s.t == 0.3) && expected.iter().any(|s| s.t != 0.3));
    for threads in [1, 2] {
        let mut net = system(whole, Parallelism::Rayon);
        let mut raster = SpikeRaster::new(SEED, &[PARTICLES], SIZE);
        let (got, _) = pool(threads).install(|| recorded(&mut net, &mut raster));
        assert_eq!(got, expected, "{threads} threads");
    }
    for parts in [1, 2, 3] {
        let split = Partition::split(PARTICLES, parts).unwrap();
        let got: Vec<Vec<Spike>> = std::thread::scope(|s| {
            let handles: Vec<_> = (ThreadGroup::new(parts).into_iter().zip(&split))
                .map(|(mut group, &part)| {
                    s.spawn(move || {
                        let mut net = system(part, Parallelism::Sequential);
                        let mut raster = SpikeRaster::new(SEED, &[PARTICLES], SIZE);
                        let mut spikes = Vec::new();
                        for _ in 0..STEPS {
                            let _ = net.step_recording(&mut group, &mut raster);
                            raster.take(&mut spikes);
                        }
                        spikes
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (p, spikes) in got.iter().enumerate() {
            assert_eq!(spikes, &expected, "part {p} of {parts}");
        }
    }
}

fn network() -> Network {
    let population = |name: &str, share, a0, input| Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    };
    Network {
        populations: vec![
            population("E", 0.8, 1.0, Input::Kick { t0: 0.3, dv: 0.5 }),
            population("I", 0.2, 0.5, Input::Constant { i0: 0.5 }),
        ],
        coupling: vec![vec![2.5, -1.0], vec![2.0, -1.0]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

fn build(part: NetworkPart, parallelism: Parallelism) -> ParticleNetwork {
    ParticleNetwork::builder(network(), config(PARTICLES), SEED)
        .partition(part)
        .parallelism(parallelism)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap()
}

fn network_spikes(
    net: &mut ParticleNetwork,
    reduction: &mut impl nlif_micro::Reduction,
) -> Vec<Spike> {
    let neurons: Vec<usize> = net.neurons().collect();
    let mut raster = SpikeRaster::new(SEED, &neurons, SIZE);
    let mut spikes = Vec::new();
    for _ in 0..STEPS {
        let _ = net.step_recording(reduction, &mut raster);
        raster.take(&mut spikes);
    }
    spikes
}

/// A network of two populations: the same spikes on 2 threads and in 2 or 3 parts (the
/// first of 3 owns no neuron of I) as the sequential whole run, from both populations.
#[test]
fn a_network_records_the_same_spikes_on_any_threads_and_parts() {
    let mut whole = build(NetworkPart::WHOLE, Parallelism::Sequential);
    let expected = network_spikes(&mut whole, &mut nlif_micro::SingleProcess);
    for alpha in 0..2 {
        assert!(expected.iter().filter(|s| s.population == alpha).count() > 20);
    }
    let mut net = build(NetworkPart::WHOLE, Parallelism::Rayon);
    let got = pool(2).install(|| network_spikes(&mut net, &mut nlif_micro::SingleProcess));
    assert_eq!(got, expected, "2 threads");
    for parts in [2, 3] {
        let got: Vec<Vec<Spike>> = std::thread::scope(|s| {
            let handles: Vec<_> = (ThreadGroup::new(parts).into_iter().enumerate())
                .map(|(index, mut group)| {
                    s.spawn(move || {
                        let mut net = build(NetworkPart { index, parts }, Parallelism::Sequential);
                        network_spikes(&mut net, &mut group)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (p, spikes) in got.iter().enumerate() {
            assert_eq!(spikes, &expected, "part {p} of {parts}");
        }
    }
}
