//! Saved states continue a run bit for bit; parts of a network stepped in lock-step
//! reproduce the whole network bit for bit.
//!
//! Oracle throughout: the same run computed without the operation under test (without a
//! save/restore, as one system instead of two parts). Determinism makes the comparison
//! exact: every `f64` is compared by its bits.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use nlif_micro::normal::Normals;
use nlif_micro::{
    BLOCK_SIZE, MicroConfig, MicroError, PARTICLE_STATE_VERSION, Parallelism, ParticleState,
    ParticleSystem, Partition, Reduction, StepReport, Stepper,
};
use nlif_model::{InitialDensity, Input, ModelParams};

/// Three whole blocks and a partial one: halves of the blocks are uneven parts.
const PARTICLES: usize = 3 * BLOCK_SIZE + 100;
const SEED: u64 = 11;
const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.3,
};

fn periodic() -> Input {
    Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    }
}

fn params() -> ModelParams {
    // Excitatory enough for cascades every few steps and near-complete bursts (which
    // outgrow the cascade window and take the heap path) within 200 steps.
    ModelParams {
        b: 2.0,
        ..ModelParams::default()
    }
}

fn config(particles: usize) -> MicroConfig {
    MicroConfig {
        particles,
        dt: 1e-2,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        // Report every cascade, so that the reports show the rounds.
        mfe_min_fraction: 0.0,
    }
}

fn whole(input: Input, par: Parallelism) -> ParticleSystem {
    ParticleSystem::from_initial(
        params(),
        input,
        config(PARTICLES),
        &INITIAL,
        -4.0,
        SEED,
        par,
    )
    .unwrap()
}

fn bits(v: impl Iterator<Item = f64>) -> Vec<u64> {
    v.map(f64::to_bits).collect()
}

fn run(net: &mut ParticleSystem, steps: usize) -> Vec<StepReport> {
    (0..steps).map(|_| net.step()).collect()
}

/// Serialises to JSON text and back, as a fresh process reading a file would.
fn through_json(state: &ParticleState) -> ParticleState {
    let text = serde_json::to_string(state).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Oracle: the uninterrupted run. Running to T, or to a split point, saving the state
/// through JSON, restoring it in a new system and running on to T, give the same reports
/// and the same voltages, bit for bit, on 1 and 2 threads; with a time-dependent input
/// (the clock must be restored exactly) and cascades. Split points: T/2, and right after
/// the first cascade of more than one round (a kick and resets pending).
#[test]
fn a_saved_state_continues_bit_for_bit() {
    let total = 200;
    for threads in [1, 2] {
        pool(threads).install(|| {
            let mut reference = whole(periodic(), Parallelism::Rayon);
            let reports = run(&mut reference, total);
            let final_bits = bits(reference.voltages());
            let cascade = reports
                .iter()
                .position(|r| r.mfes[1].is_some_and(|m| m.rounds > 1))
                .expect("the run must contain a cascade");
            assert!(
                reports.iter().any(|r| r.spikes > PARTICLES as u64 / 2),
                "the run must contain a burst"
            );
            for split in [total / 2, cascade + 1] {
                let mut first = whole(periodic(), Parallelism::Rayon);
                let mut got = run(&mut first, split);
                assert_ne!(
                    first.pending_kick(),
                    0.0,
                    "split {split}: a kick is pending"
                );
                assert!(first.voltages().all(|v| v.is_finite()));
                let saved = first.state();
                let restored_state = through_json(&saved);
                assert_eq!(restored_state, saved, "split {split}: the JSON round trip");
                assert_eq!(restored_state.steps, split as u64);
                drop(first);
                let mut second =
                    ParticleSystem::from_state(restored_state, Parallelism::Rayon).unwrap();
                assert_eq!(
                    second.state(),
                    saved,
                    "split {split}: state of the restored"
                );
                got.extend(run(&mut second, total - split));
                assert_eq!(got, reports, "split {split}, {threads} threads: reports");
                assert_eq!(
                    bits(second.voltages()),
                    final_bits,
                    "split {split}, {threads} threads: voltages"
                );
                assert_eq!(second.time().to_bits(), reference.time().to_bits());
            }
        });
    }
}

/// Oracle: the uninterrupted run, and the other generator. A system built with
/// `normals: Ziggurat` draws other deviates than the default (its voltages differ after one
/// step: the config reaches the pass), keeps the setting in its state, and continues from
/// that state through JSON bit for bit, on 2 threads, across a burst.
#[test]
fn the_ziggurat_setting_reaches_the_pass_and_its_state() {
    let with = |normals| MicroConfig {
        normals,
        ..config(PARTICLES)
    };
    let build = |normals| {
        ParticleSystem::from_initial(
            params(),
            periodic(),
            with(normals),
            &INITIAL,
            -4.0,
            SEED,
            Parallelism::Rayon,
        )
        .unwrap()
    };
    pool(2).install(|| {
        let (mut boxed, mut zig) = (build(Normals::BoxMuller), build(Normals::Ziggurat));
        assert!(boxed.step().is_valid() && zig.step().is_valid());
        assert_ne!(bits(boxed.voltages()), bits(zig.voltages()));
        let mut reference = build(Normals::Ziggurat);
        let reports = run(&mut reference, 200);
        let mut first = build(Normals::Ziggurat);
        let mut got = run(&mut first, 100);
        let saved = through_json(&first.state());
        assert_eq!(saved.config.normals, Normals::Ziggurat);
        let mut second = ParticleSystem::from_state(saved, Parallelism::Rayon).unwrap();
        got.extend(run(&mut second, 100));
        assert_eq!(got, reports);
        assert_eq!(bits(second.voltages()), bits(reference.voltages()));
    });
}

/// Oracle: the same run without the calls. Reading the state or the voltages, or
/// settling them in place, every step does not change the future of the run.
#[test]
fn reading_the_state_does_not_change_the_run() {
    let mut plain = whole(periodic(), Parallelism::Rayon);
    let mut observed = whole(periodic(), Parallelism::Rayon);
    let mut settled = whole(periodic(), Parallelism::Sequential);
    for step in 0..150 {
        let state = observed.state();
        assert_eq!(state.voltages.len(), PARTICLES);
        let lazily = bits(settled.voltages());
        assert_eq!(bits(settled.settle().iter().copied()), lazily);
        assert_eq!(settled.pending_kick(), 0.0);
        let expected = plain.step();
        assert_eq!(observed.step(), expected, "step {step}");
        assert_eq!(settled.step(), expected, "step {step}");
    }
    assert_eq!(bits(observed.voltages()), bits(plain.voltages()));
    assert_eq!(bits(settled.voltages()), bits(plain.voltages()));
}

/// Oracle: the field names of the validation rules. A state that cannot be continued is
/// rejected with the field named.
#[test]
fn invalid_states_are_rejected_with_the_field_named() {
    let mut net = whole(periodic(), Parallelism::Rayon);
    for _ in 0..5 {
        let _ = net.step();
    }
    let good = net.state();
    assert!(ParticleSystem::from_state(good.clone(), Parallelism::Rayon).is_ok());
    let check = |edit: &dyn Fn(&mut ParticleState), field: &str| {
        let mut state = good.clone();
        edit(&mut state);
        let err = ParticleSystem::from_state(state, Parallelism::Rayon).unwrap_err();
        assert_eq!(err.field(), field, "{err}");
    };
    check(&|s| s.version = PARTICLE_STATE_VERSION + 1, "version");
    check(&|s| s.rngs[1] = [0; 4], "rngs");
    check(&|s| s.rngs.truncate(s.rngs.len() - 1), "rngs");
    check(&|s| s.voltages[3] = 2.5, "particles");
    check(&|s| s.voltages.truncate(s.voltages.len() - 1), "particles");
    check(&|s| s.t_start = f64::NAN, "t_start");
    check(&|s| s.rate = f64::INFINITY, "rate");
    check(&|s| s.config.dt = 0.0, "dt");
    check(&|s| s.params.a0 = -1.0, "a0");
    check(&|s| s.partition.first_block = 1, "particles");
    check(
        &|s| s.partition.global_particles = 0,
        "partition.global_particles",
    );
    check(&|s| s.last_initiators = u64::MAX, "last_initiators");
    let mut bad = good.clone();
    bad.voltages[0] = f64::NAN;
    assert!(matches!(
        ParticleSystem::from_state(bad, Parallelism::Rayon),
        Err(MicroError::Voltage { index: 0, .. })
    ));
    // An unknown field in the saved text is an error, not silently dropped.
    let mut text: serde_json::Value = serde_json::to_value(&good).unwrap();
    text["extra"] = serde_json::Value::Bool(true);
    assert!(serde_json::from_value::<ParticleState>(text).is_err());
}

/// What the parts exchange.
enum Message {
    Count(u64),
    Counts(Vec<u64>),
    Values(Vec<f64>),
}

/// A reduction over two parts on two threads: each sends its value to the other and adds
/// the two.
struct TwoThreads {
    send: Sender<Message>,
    receive: Receiver<Message>,
    calls: u64,
}

impl TwoThreads {
    fn pair() -> (TwoThreads, TwoThreads) {
        let (to_1, from_0) = channel();
        let (to_0, from_1) = channel();
        (
            TwoThreads {
                send: to_1,
                receive: from_1,
                calls: 0,
            },
            TwoThreads {
                send: to_0,
                receive: from_0,
                calls: 0,
            },
        )
    }

    fn exchange(&mut self, message: Message) -> Message {
        self.calls += 1;
        self.send.send(message).unwrap();
        // A part making a different sequence of calls than the other fails the test
        // instead of hanging it.
        self.receive
            .recv_timeout(Duration::from_secs(60))
            .expect("the other part answers every reduction")
    }
}

impl Reduction for TwoThreads {
    fn sum_u64(&mut self, local: u64) -> u64 {
        match self.exchange(Message::Count(local)) {
            Message::Count(other) => local + other,
            _ => panic!("the parts disagree on the kind of reduction"),
        }
    }

    fn sum_u64_slice(&mut self, local: &mut [u64]) {
        let Message::Counts(other) = self.exchange(Message::Counts(local.to_vec())) else {
            panic!("the parts disagree on the kind of reduction");
        };
        assert_eq!(other.len(), local.len());
        for (x, y) in local.iter_mut().zip(other) {
            *x += y;
        }
    }
}

impl TwoThreads {
    /// An `f64` sum in part order, `x_0 + x_1`: with two parts both compute the same bits
    /// because IEEE addition is commutative (with more parts the order would matter).
    fn sum_f64(&mut self, local: &mut [f64]) {
        let Message::Values(other) = self.exchange(Message::Values(local.to_vec())) else {
            panic!("the parts disagree on the kind of reduction");
        };
        assert_eq!(other.len(), local.len());
        for (x, y) in local.iter_mut().zip(other) {
            *x += y;
        }
    }
}

/// Unit-weight histogram of the voltages on 64 bins over [-4, 2): exact counts.
fn histogram(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut h = vec![0.0; 64];
    for x in v {
        let bin = (((x + 4.0) / 6.0 * 64.0).floor() as usize).min(63);
        h[bin] += 1.0;
    }
    h
}

/// Per-block sums of the voltages in the slots of the network's blocks (zero elsewhere).
fn block_sums(net: &ParticleSystem, blocks: usize) -> Vec<f64> {
    let mut slots = vec![0.0; blocks];
    let first = net.partition().first_block;
    let v: Vec<f64> = net.voltages().collect();
    for (j, chunk) in v.chunks(BLOCK_SIZE).enumerate() {
        slots[first + j] = chunk.iter().sum();
    }
    slots
}

struct PartRun {
    reports: Vec<StepReport>,
    voltages: Vec<u64>,
    histogram: Vec<f64>,
    mean: f64,
    calls: u64,
}

/// Oracle: the whole network as one system. Two systems over the halves of the blocks
/// (8192 and 4196 neurons), stepped on two threads and joined by a reduction over the
/// threads, report the same steps, hold the same voltages (concatenated) and give the
/// same `f64` sums (exact histogram counts; per-block sums combined in block order) bit
/// for bit — with a periodic input and with an input kick, both with cascades; part 1
/// also goes through a save/restore midway.
#[test]
fn two_parts_reproduce_the_whole_network_bit_for_bit() {
    let steps = 200;
    let blocks = PARTICLES.div_ceil(BLOCK_SIZE);
    for input in [periodic(), Input::Kick { t0: 0.305, dv: 0.6 }] {
        let mut single = whole(input, Parallelism::Rayon);
        let reports = run(&mut single, steps);
        assert!(reports.iter().any(|r| r.mfes().any(|m| m.rounds > 1)));
        let expected_voltages = bits(single.voltages());
        let expected_histogram = histogram(single.voltages());
        let per_block = block_sums(&single, blocks);
        let expected_mean = per_block.iter().sum::<f64>() / PARTICLES as f64;

        let parts = Partition::split(PARTICLES, 2).unwrap();
        assert_eq!(
            parts,
            vec![
                (
                    Partition {
                        global_particles: PARTICLES,
                        first_block: 0
                    },
                    2 * BLOCK_SIZE
                ),
                (
                    Partition {
                        global_particles: PARTICLES,
                        first_block: 2
                    },
                    BLOCK_SIZE + 100
                ),
            ]
        );
        let (red0, red1) = TwoThreads::pair();
        let results: Vec<PartRun> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .zip([red0, red1])
                .enumerate()
                .map(|(p, (&(partition, len), mut reduction))| {
                    scope.spawn(move || {
                        // Part 0 on the rayon pool, part 1 sequentially: no matter.
                        let par = [Parallelism::Rayon, Parallelism::Sequential][p];
                        let mut net = ParticleSystem::builder(params(), input, config(len), SEED)
                            .partition(partition)
                            .parallelism(par)
                            .sample(&INITIAL, -4.0)
                            .unwrap();
                        assert_eq!((net.len(), net.global_len()), (len, PARTICLES));
                        let mut reports = Vec::new();
                        for k in 0..steps {
                            if p == 1 && k == steps / 2 {
                                let state = through_json(&net.state());
                                assert_eq!(state.partition, partition);
                                net = ParticleSystem::from_state(state, par).unwrap();
                            }
                            reports.push(net.step_with(&mut reduction));
                        }
                        let mut h = histogram(net.voltages());
                        reduction.sum_f64(&mut h);
                        let mut slots = block_sums(&net, blocks);
                        reduction.sum_f64(&mut slots);
                        let mean = slots.iter().sum::<f64>() / net.global_len() as f64;
                        PartRun {
                            reports,
                            voltages: bits(net.voltages()),
                            histogram: h,
                            mean,
                            calls: reduction.calls,
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let concatenated: Vec<u64> = results.iter().flat_map(|r| r.voltages.clone()).collect();
        assert_eq!(concatenated, expected_voltages, "{input:?}: voltages");
        for (p, part) in results.iter().enumerate() {
            assert_eq!(part.reports, reports, "{input:?}: reports of part {p}");
            assert_eq!(part.histogram, expected_histogram, "{input:?}: histogram");
            assert_eq!(
                part.mean.to_bits(),
                expected_mean.to_bits(),
                "{input:?}: mean"
            );
        }
        assert_eq!(results[0].calls, results[1].calls);
        assert!(
            results[0].calls > 2 * steps as u64,
            "cascade rounds are reduced"
        );
    }
}

/// Oracle: the definition of the streams (block `j` uses the seed's stream jumped `j`
/// times), through the voltages drawn. A part starting at block 2 draws what the whole
/// network draws in blocks 2 and 3.
#[test]
fn a_part_draws_the_voltages_of_its_blocks() {
    let single = whole(Input::None, Parallelism::Sequential);
    let part = ParticleSystem::builder(params(), Input::None, config(BLOCK_SIZE + 100), SEED)
        .partition(Partition {
            global_particles: PARTICLES,
            first_block: 2,
        })
        .sample(&INITIAL, -4.0)
        .unwrap();
    let tail: Vec<f64> = single.voltages().skip(2 * BLOCK_SIZE).collect();
    assert_eq!(bits(part.voltages()), bits(tail.into_iter()));
}

/// Oracle: the partition rules (whole blocks except at the end; inside the network).
#[test]
fn invalid_partitions_are_rejected() {
    let build = |particles: usize, partition: Partition| {
        ParticleSystem::builder(params(), Input::None, config(particles), 1)
            .partition(partition)
            .sample(&INITIAL, -4.0)
            .map(|_| ())
    };
    let p = |global_particles, first_block| Partition {
        global_particles,
        first_block,
    };
    assert!(build(BLOCK_SIZE, p(PARTICLES, 1)).is_ok());
    let field = |r: Result<(), MicroError>| r.unwrap_err().field();
    assert_eq!(field(build(100, p(PARTICLES, 0))), "particles");
    assert_eq!(
        field(build(BLOCK_SIZE, p(PARTICLES, 4))),
        "partition.first_block"
    );
    assert_eq!(field(build(2 * BLOCK_SIZE, p(PARTICLES, 2))), "particles");
    assert_eq!(field(build(10, p(0, 0))), "partition.global_particles");
    assert_eq!(Partition::split(PARTICLES, 5).unwrap_err().field(), "parts");
    assert_eq!(Partition::split(PARTICLES, 0).unwrap_err().field(), "parts");
}

/// A part stepped without a reduction would see only its own spikes.
#[test]
#[should_panic(expected = "step_with")]
fn a_part_cannot_be_stepped_alone() {
    let mut part = ParticleSystem::builder(params(), Input::None, config(BLOCK_SIZE), 1)
        .partition(Partition {
            global_particles: PARTICLES,
            first_block: 0,
        })
        .sample(&INITIAL, -4.0)
        .unwrap();
    let _ = part.step();
}

/// Oracle: the whole network's state. Cut into the parts of `Partition::split` for 2 and
/// 3 parts and joined again (in any order) it is the same state; a part cut from it is
/// the state that part's own system holds; parts that do not tile the network, or whose
/// clocks differ, are refused.
#[test]
fn states_of_the_parts_join_into_the_whole() {
    let mut single = whole(periodic(), Parallelism::Sequential);
    let _ = run(&mut single, 30);
    let state = single.state();
    for parts in [2, 3] {
        let split = Partition::split(PARTICLES, parts).unwrap();
        let mut cut: Vec<ParticleState> = split
            .iter()
            .map(|&(partition, len)| state.part(partition, len).unwrap())
            .collect();
        for (piece, &(partition, len)) in cut.iter().zip(&split) {
            assert_eq!(piece.voltages.len(), len);
            assert_eq!(piece.partition, partition);
            let from = partition.first_block * BLOCK_SIZE;
            assert_eq!(piece.voltages, state.voltages[from..from + len]);
        }
        cut.reverse();
        assert_eq!(ParticleState::join(cut.clone()).unwrap(), state);
        // A missing part, a part twice, a part from another clock.
        let missing = cut[1..].to_vec();
        assert_eq!(
            ParticleState::join(missing).unwrap_err().field(),
            "partition"
        );
        let mut twice = cut.clone();
        twice.push(cut[0].clone());
        assert!(ParticleState::join(twice).is_err());
        let mut late = cut.clone();
        late[0].steps += 1;
        assert_eq!(ParticleState::join(late).unwrap_err().field(), "steps");
    }
    // A part that ends inside a block but not at the end of the network.
    let bad = Partition {
        global_particles: PARTICLES,
        first_block: 0,
    };
    assert!(state.part(bad, BLOCK_SIZE + 1).is_err());
    assert!(state.part(bad, PARTICLES + 1).is_err());
}
