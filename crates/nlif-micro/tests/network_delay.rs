//! Synaptic delays of a particle network (docs/model.md §12): when a delayed spike
//! arrives and what it does, against exact oracles.
//!
//! The oracle throughout is the same network without the connection under test: a
//! population draws from streams of its own (`population_seed`), so the target population
//! moves bit for bit alike in both runs until the delayed connection acts, and then by
//! exactly what it delivers.

use nlif_micro::{MicroConfig, MicroError, Parallelism, ParticleNetwork, Stepper};
use nlif_model::Input;
use nlif_model::network::{Network, Population};

const DT: f64 = 1e-2;
/// The step whose input-kick event fires every neuron of the source (`t0` in it).
const KICK_STEP: u64 = 7;

/// A source `S` kicked over threshold at `t = 0.075` (all of it fires at the point
/// `t_7`) and a target `T` far below threshold, both with little noise; `S` acts on `T`
/// through `coupling[1][0] = b` after `delay`, and through `a1[1][0] = a1`.
fn network(b: f64, a1: f64, delay: f64) -> Network {
    let mut source = Population::new("S", 0.5, 1e-4);
    source.input = Input::Kick {
        t0: (KICK_STEP as f64 + 0.5) * DT,
        dv: 3.0,
    };
    Network {
        populations: vec![source, Population::new("T", 0.5, 1e-4)],
        coupling: vec![vec![0.0, 0.0], vec![b, 0.0]],
        a1: vec![vec![0.0, 0.0], vec![a1, 0.0]],
        delay: vec![vec![0.0, 0.0], vec![delay, 0.0]],
    }
}

fn build(network: Network) -> Result<ParticleNetwork, MicroError> {
    let config = MicroConfig {
        particles: 2 * 700,
        dt: DT,
        stepper: Stepper::EulerMaruyama,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    };
    // S at 0.5 (no noise could bring it to V_F = 2 before the kick), T around 0.
    let s: Vec<f64> = (0..700).map(|i| 0.5 + i as f64 * 1e-4).collect();
    let t: Vec<f64> = (0..700).map(|i| -0.05 + i as f64 * 1e-4).collect();
    ParticleNetwork::builder(network, config, 5)
        .parallelism(Parallelism::Sequential)
        .voltages(vec![s, t])
}

fn target(net: &ParticleNetwork) -> Vec<u64> {
    net.voltages(1).map(f64::to_bits).collect()
}

/// A kick of `b` over `d` steps: the source's 700 spikes at `t_7` are owed to the target
/// at the end of step `7 + d - 1` (the point `t_{7+d}`), exactly `fl(700 · b/700)` on top
/// of what it was owed without the connection; until then the target is bit for bit the
/// unconnected one.
#[test]
fn a_delayed_kick_arrives_whole_steps_later_exactly() {
    for d in [1u64, 3, 25] {
        let b = 0.3;
        let mut with = build(network(b, 0.0, d as f64 * DT)).unwrap();
        let mut without = build(network(0.0, 0.0, d as f64 * DT)).unwrap();
        let arrival = KICK_STEP + d - 1;
        for step in 0..=arrival {
            let (r, r0) = (with.step(), without.step());
            assert_eq!(r.spikes, r0.spikes, "step {step}");
            if step == KICK_STEP {
                assert_eq!(with.last_spikes(), &[700, 0], "the kick fires all of S");
            }
            let (owed, owed0) = (
                with.population(1).unwrap().pending_kick(),
                without.population(1).unwrap().pending_kick(),
            );
            if step < arrival {
                assert_eq!(target(&with), target(&without), "d = {d}, step {step}");
                assert_eq!(owed.to_bits(), owed0.to_bits(), "d = {d}, step {step}");
            } else {
                let kick = 700.0 * (b / 700.0);
                assert_eq!(owed0, 0.0, "nobody fired in T");
                assert_eq!(owed.to_bits(), kick.to_bits(), "d = {d}");
                let shifted: Vec<u64> = without.voltages(1).map(|v| (v + kick).to_bits()).collect();
                assert_eq!(target(&with), shifted, "d = {d}");
            }
        }
    }
}

/// The noise of the target reads the source's rate `d` steps late: with `a1[T][S] > 0` the
/// target leaves the run without it exactly at the pass of step `7 + d` (`d = 0`: the
/// step after the kick, reading the last step's rate), not one step earlier.
#[test]
fn the_noise_reads_the_delayed_rate() {
    for d in [0u64, 1, 4] {
        let mut with = build(network(0.0, 0.5, d as f64 * DT)).unwrap();
        let mut without = build(network(0.0, 0.0, d as f64 * DT)).unwrap();
        let first = KICK_STEP + d.max(1);
        for step in 0..=first {
            let _ = (with.step(), without.step());
            let same = target(&with) == target(&without);
            assert_eq!(same, step < first, "d = {d}, step {step}");
        }
    }
}

/// A delayed connection takes no part in cascades: an excitatory `S → T` connection with a
/// delay fires no neuron of `T` in the instant `S` fires, however strong (without the
/// delay the same kick fires all of `T` at once).
#[test]
fn a_delayed_connection_has_no_cascade() {
    for (delay, fired) in [(0.0, 700), (DT, 0)] {
        let mut net = build(network(5.0, 0.0, delay)).unwrap();
        for _ in 0..=KICK_STEP {
            let _ = net.step();
        }
        assert_eq!(net.last_spikes(), &[700, fired], "delay {delay}");
    }
}

/// A delay that is not a whole number of steps is refused, naming the entry.
#[test]
fn a_delay_between_steps_is_refused() {
    let error = build(network(0.3, 0.0, 2.5 * DT)).unwrap_err();
    assert!(error.to_string().contains("delay[1][0]"), "{error}");
    assert!(
        error.to_string().contains("whole number of steps"),
        "{error}"
    );
}

/// A state with a spike history restores only into the network whose delays it was
/// saved with.
#[test]
fn a_history_of_the_wrong_length_is_refused() {
    let mut net = build(network(0.3, 0.0, 3.0 * DT)).unwrap();
    for _ in 0..10 {
        let _ = net.step();
    }
    let mut state = net.state();
    assert_eq!(state.delay_history.len(), (3 + 1) * 2);
    state.delay_history.pop();
    let error = ParticleNetwork::from_state(state, Parallelism::Sequential).unwrap_err();
    assert!(error.to_string().contains("delay_history"), "{error}");
}

/// Oracle: the running sum rounded to whole spikes, written out by hand (docs/model.md
/// §12). A source that fired at `prior_rate` before the start begins with
/// `c(k) = round(k e) - round((k - 1) e)` spikes at the `d` complete points of its
/// history (`e = prior_rate · dt · N`, `k = 1` the oldest, `t_{-d}`), the point being
/// filled its own (empty); every window of points holds its expected count to within one
/// spike. The target is owed the point `t_{-d}` at the build (it arrives at `t_0`) and
/// `t_{k-d}` at the end of step `k - 1`, each exactly `fl(c · b/N)`, while the source's
/// own spikes (none before its kick at step 7) follow.
#[test]
fn the_prior_rate_is_delivered_as_whole_spikes_of_a_running_sum() {
    // e = 23.45: the counts alternate, so a point delivered a step early or late shows.
    let (d, b, rate) = (5usize, 0.3, 3.35);
    let mut prior = network(b, 0.0, d as f64 * DT);
    prior.populations[0].prior_rate = rate;
    let mut with = build(prior).unwrap();
    let mut without = build(network(b, 0.0, d as f64 * DT)).unwrap();
    let e = rate * DT * 700.0;
    // Oldest first, k = 1 ..= d.
    let counts: Vec<u64> = (1..=d)
        .map(|k| ((k as f64 * e).round() - ((k - 1) as f64 * e).round()) as u64)
        .collect();
    assert!(counts.windows(2).any(|w| w[0] != w[1]), "{counts:?}");
    // Saved form: the complete points newest first, then the point being filled; the
    // target (population 1) fired before nothing.
    let mut saved: Vec<u64> = counts.iter().rev().flat_map(|&c| [c, 0]).collect();
    saved.extend([0, 0]);
    assert_eq!(with.spike_history(), saved);
    for start in 0..d {
        for end in start + 1..=d {
            let window: u64 = counts[start..end].iter().sum();
            let expected = (end - start) as f64 * e;
            assert!((window as f64 - expected).abs() <= 1.0, "{start}..{end}");
        }
    }
    assert_eq!(without.spike_history(), vec![0; 2 * (d + 1)]);
    let owed = |net: &ParticleNetwork| net.population(1).unwrap().pending_kick();
    for (step, &count) in counts.iter().enumerate() {
        // Owed now: the point that arrives at t_step.
        assert_eq!(
            owed(&with).to_bits(),
            (count as f64 * (b / 700.0)).to_bits(),
            "step {step}"
        );
        assert_eq!(owed(&without), 0.0);
        let (r, r0) = (with.step(), without.step());
        assert_eq!(r.spikes, r0.spikes, "step {step}");
    }
    // At t_d arrive the source's own spikes of t_0: none.
    assert_eq!(owed(&with), 0.0);
}

/// A prior rate of more than one spike per neuron and step is refused naming it.
#[test]
fn an_impossible_prior_rate_is_refused_by_its_path() {
    let mut prior = network(0.3, 0.0, 3.0 * DT);
    prior.populations[0].prior_rate = 1.5 / DT;
    let error = build(prior).unwrap_err();
    assert!(
        error.to_string().contains("populations[0].prior_rate"),
        "{error}"
    );
}
