//! A network of populations does not depend on the threads nor on how it is split into
//! parts, and a saved state continues it bit for bit — without and with refractory
//! periods and synaptic delays.
//!
//! Oracle throughout: the same run computed without the operation under test (on one
//! thread, as one whole network, without a save/restore); every `f64` compared by its bits.

use nlif_micro::{
    BLOCK_SIZE, MicroConfig, NetworkPart, NetworkStepReport, Parallelism, ParticleNetwork,
    ParticleNetworkState, Stepper, ThreadGroup,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, Refractory};

/// Five blocks of E and two of I (the last ones partial): three parts own uneven ranges,
/// and the first owns no neuron of I.
const PARTICLES: usize = 5 * BLOCK_SIZE + 300;
const SEED: u64 = 23;
const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.3,
};

/// The network of [`network`] with both mechanisms: E refractory for a fixed 0.02, I for
/// an exponential time of mean 0.03, and the inhibition delayed by 3 (on E) and 5 (on I)
/// steps; the excitation stays instantaneous, so cascades still cross both populations.
fn with_mechanisms() -> Network {
    let mut network = network();
    network.populations[0].refractory = Refractory::Fixed { tau: 0.02 };
    network.populations[1].refractory = Refractory::Exponential { tau: 0.03 };
    network.delay = vec![vec![0.0, 0.03], vec![0.0, 0.05]];
    network
}

/// An E–I network excitatory enough for cascades across both populations, E kicked at
/// `t = 0.3` into a large cascade, I driven periodically.
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
    let periodic = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    Network {
        populations: vec![
            population("E", 0.8, 1.0, Input::Kick { t0: 0.3, dv: 0.5 }),
            population("I", 0.2, 0.5, periodic),
        ],
        coupling: vec![vec![2.5, -1.0], vec![2.0, -1.0]],
        a1: vec![vec![0.1, 0.0], vec![0.0, 0.05]],
        delay: Vec::new(),
    }
}

fn config() -> MicroConfig {
    MicroConfig {
        particles: PARTICLES,
        dt: 1e-2,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    }
}

fn build(part: NetworkPart, parallelism: Parallelism) -> ParticleNetwork {
    build_of(network(), part, parallelism)
}

fn build_of(network: Network, part: NetworkPart, parallelism: Parallelism) -> ParticleNetwork {
    ParticleNetwork::builder(network, config(), SEED)
        .partition(part)
        .parallelism(parallelism)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap()
}

/// What a report says, with every `f64` as its bits.
fn report_bits(r: &NetworkStepReport) -> String {
    format!(
        "{} {} {} {:?}",
        r.spikes,
        r.rate.to_bits(),
        r.non_finite,
        r.mfes
    )
}

/// The state as text in which every `f64` is written exactly (`Debug` writes the shortest
/// decimal that reads back to the same bits, and `-inf` for a neuron away).
fn json(state: &ParticleNetworkState) -> String {
    format!("{state:?}")
}

/// The state through the binary form of checkpoints (JSON cannot hold `-inf`).
fn round_trip(state: &ParticleNetworkState) -> ParticleNetworkState {
    postcard::from_bytes(&postcard::to_allocvec(state).unwrap()).unwrap()
}

fn run(net: &mut ParticleNetwork, steps: usize) -> Vec<String> {
    (0..steps).map(|_| report_bits(&net.step())).collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The parts `0..parts` built from `start` (a part each) stepped on threads in lock-step
/// with a `ThreadGroup`: their reports (which must agree) and their states joined.
fn run_parts(
    start: impl Fn(NetworkPart) -> ParticleNetwork + Sync,
    parts: usize,
    steps: usize,
) -> (Vec<String>, ParticleNetworkState) {
    let outcomes: Vec<(Vec<String>, ParticleNetworkState)> = std::thread::scope(|s| {
        let handles: Vec<_> = (ThreadGroup::new(parts).into_iter().enumerate())
            .map(|(index, mut group)| {
                let start = &start;
                s.spawn(move || {
                    let mut net = start(NetworkPart { index, parts });
                    let reports = (0..steps)
                        .map(|_| report_bits(&net.step_with(&mut group)))
                        .collect();
                    (reports, net.state())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (reports, _) in &outcomes[1..] {
        assert_eq!(reports, &outcomes[0].0, "the parts' reports differ");
    }
    let reports = outcomes[0].0.clone();
    let states = outcomes.into_iter().map(|(_, state)| state).collect();
    (reports, ParticleNetworkState::join(states).unwrap())
}

/// Pools of 1 and 2 threads and 1, 2 and 3 parts give the sequential whole run's reports
/// and final state, bit for bit; the run has cascades across both populations and a
/// large one from the kick.
#[test]
fn threads_and_parts_do_not_change_the_run() {
    threads_and_parts_of(network);
}

/// As [`threads_and_parts_do_not_change_the_run`] with refractory periods and delays.
#[test]
fn threads_and_parts_do_not_change_a_run_with_periods_and_delays() {
    threads_and_parts_of(with_mechanisms);
}

fn threads_and_parts_of(network: fn() -> Network) {
    let build = |part, parallelism| build_of(network(), part, parallelism);
    let steps = 200;
    let mut whole = build(NetworkPart::WHOLE, Parallelism::Sequential);
    let mut across = 0;
    let mut large = false;
    let reports: Vec<String> = (0..steps)
        .map(|_| {
            let report = whole.step();
            for mfe in report.mfes() {
                across += usize::from(
                    mfe.network.rounds > 0 && mfe.populations.iter().all(|p| p.fired > 0),
                );
                large |= mfe.network.fraction > 0.3;
            }
            report_bits(&report)
        })
        .collect();
    assert!(
        across > 5 && large,
        "{across} cascades across populations, large: {large}"
    );
    let expected = json(&whole.state());
    for threads in [1, 2] {
        let mut net = build(NetworkPart::WHOLE, Parallelism::Rayon);
        let got = pool(threads).install(|| run(&mut net, steps));
        assert_eq!(got, reports, "{threads} threads");
        assert_eq!(json(&net.state()), expected, "{threads} threads");
    }
    for parts in [1, 2, 3] {
        let (got, state) = run_parts(|part| build(part, Parallelism::Sequential), parts, steps);
        assert_eq!(got, reports, "{parts} parts");
        assert_eq!(json(&state), expected, "{parts} parts");
    }
}

/// A state saved mid-run and restored (through JSON) continues bit for bit, as a whole
/// and cut into three parts (`part`) that are stepped together and joined.
#[test]
fn a_saved_state_continues_bit_for_bit() {
    saved_state_of(network);
}

/// As [`a_saved_state_continues_bit_for_bit`] with refractory periods and delays (the
/// state holds the neurons away and the spike history).
#[test]
fn a_saved_state_with_periods_and_delays_continues_bit_for_bit() {
    saved_state_of(with_mechanisms);
}

fn saved_state_of(network: fn() -> Network) {
    let mut net = build_of(network(), NetworkPart::WHOLE, Parallelism::Sequential);
    let _ = run(&mut net, 40);
    let rate_before = net.rate();
    let saved = round_trip(&net.state());
    let expected_reports = run(&mut net, 100);
    let expected = json(&net.state());
    let mut restored = ParticleNetwork::from_state(saved.clone(), Parallelism::Rayon).unwrap();
    assert_eq!(restored.rate().to_bits(), rate_before.to_bits());
    assert_eq!(run(&mut restored, 100), expected_reports);
    assert_eq!(json(&restored.state()), expected);
    let start = |part| {
        ParticleNetwork::from_state(saved.part(part).unwrap(), Parallelism::Sequential).unwrap()
    };
    let (reports, state) = run_parts(start, 3, 100);
    assert_eq!(reports, expected_reports);
    assert_eq!(json(&state), expected);
}

/// Reading the state (which settles a copy) and settling a population in place do not
/// change the run.
#[test]
fn reading_and_settling_do_not_change_the_run() {
    let mut a = build(NetworkPart::WHOLE, Parallelism::Sequential);
    let mut b = a.clone();
    for _ in 0..60 {
        let _ = a.step();
        let _ = b.step();
        let _ = b.state();
        let settled: Vec<u64> = b.settle(1).iter().map(|v| v.to_bits()).collect();
        let fly: Vec<u64> = a.voltages(1).map(f64::to_bits).collect();
        assert_eq!(settled, fly);
    }
    assert_eq!(run(&mut a, 60), run(&mut b, 60));
    assert_eq!(json(&a.state()), json(&b.state()));
}

/// A built-in stepper chosen on the builder (not `config.stepper`) is the one the state
/// names, and the restored run continues bit for bit with it.
#[test]
fn the_builder_s_stepper_is_saved_and_restored() {
    let mut net = ParticleNetwork::builder(network(), config(), SEED)
        .stepper(Stepper::ExactOu)
        .parallelism(Parallelism::Sequential)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap();
    let _ = run(&mut net, 20);
    let saved = net.state();
    assert_eq!(saved.config.stepper, Stepper::ExactOu);
    let mut restored = ParticleNetwork::from_state(saved, Parallelism::Sequential).unwrap();
    assert_eq!(run(&mut restored, 50), run(&mut net, 50));
    assert_eq!(json(&restored.state()), json(&net.state()));
}
