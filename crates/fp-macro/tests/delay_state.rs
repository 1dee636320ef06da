//! Issue 27, density side, synaptic delays: `D = 0` is today's solver bit for bit, the
//! history is read where docs/model.md §12 says, a network of one population is the
//! single solver, bad delays are refused by name, and a run with a delay is saved and
//! continued bit for bit. Each test names its oracle.

mod common;

use common::{
    BEFORE, CASES, INITIAL, INPUT, config, digest, older_state, params, refused_field, solver,
    through_json,
};
use fp_macro::{
    Coefficients, DensityNetwork, FrozenAt, MACRO_STATE_VERSION, MacroSolver,
    NETWORK_STATE_VERSION, Reinjection, Scheme,
};
use nlif_model::network::Network;

/// Oracle: the solver before refractory periods and delays existed (commit 303d286; the
/// digests [`common::BEFORE`] of 500 steps, written by that commit's solver, for the
/// cases [`common::CASES`]). A delay 0, with any prior rate, reproduces them and keeps no
/// history.
#[test]
fn a_zero_delay_takes_the_steps_of_the_solver_before_delays() {
    for ((scheme, reinjection, frozen_at), expected) in CASES.into_iter().zip(BEFORE) {
        for prior in [0.0, 3.0] {
            let mut solver = solver(scheme, reinjection, frozen_at)
                .with_delay(0.0, prior)
                .unwrap();
            assert_eq!(
                digest(&mut solver, 500),
                expected,
                "{scheme:?} {frozen_at:?}"
            );
            assert!(solver.rate_history().is_empty() && solver.state().delay.is_none());
        }
    }
}

/// Oracle: docs/model.md §12 computed by hand — the same steps driven through
/// `step_with` with the coefficients `a0 + a1 N*`, `b N* + I` of the rate `N*` taken
/// from a list of every rate of the run (`N^{m-K}` at the step's start, `N^{m+1-K}` at its
/// end, the prior rate before `t = 0`). Bit for bit, for a delay of 1 and 37 steps.
#[test]
fn the_delay_reads_the_rate_of_k_steps_before() {
    let prior = 0.7;
    for frozen_at in [FrozenAt::StepStart, FrozenAt::StepEnd] {
        for k in [1usize, 37] {
            let config = config(Scheme::ScharfetterGummel, Reinjection::Implicit, frozen_at);
            let start = MacroSolver::from_initial(params(), INPUT, config, &INITIAL).unwrap();
            let mut delayed = start
                .clone()
                .with_delay(k as f64 * config.dt, prior)
                .unwrap();
            let mut by_hand = start;
            // rates[i] = N^{i - K}: K prior rates, then N^0, N^1, ...
            let mut rates = vec![prior; k];
            rates.push(by_hand.rate());
            for m in 0..300 {
                let end = frozen_at == FrozenAt::StepEnd;
                let read = if end { rates[m + 1] } else { rates[m] };
                let t = by_hand.time() + if end { config.dt } else { 0.0 };
                let coefficients = Coefficients {
                    a: params().a0 + params().a1 * read,
                    shift: params().b * read + INPUT.current(t),
                };
                let expected = by_hand.step_with(coefficients, f64::INFINITY);
                assert_eq!(
                    delayed.step(f64::INFINITY),
                    expected,
                    "{frozen_at:?} K = {k}, m = {m}"
                );
                rates.push(expected.rate().unwrap());
            }
            assert_eq!(delayed.density(), by_hand.density());
            assert_eq!(
                delayed.rate_history(),
                rates[rates.len() - 1 - k..rates.len() - 1]
            );
        }
    }
}

/// Oracle: `MacroSolver::with_delay`, the single-population solver, against the network
/// of one population with `delay = [[D]]` (whose coefficients are formed by the network
/// from the population's history): bit for bit.
#[test]
fn one_delayed_population_is_the_delayed_solver() {
    for frozen_at in [FrozenAt::StepStart, FrozenAt::StepEnd] {
        let config = config(Scheme::ChangCooper, Reinjection::Implicit, frozen_at);
        let mut single = MacroSolver::from_initial(params(), INPUT, config, &INITIAL)
            .unwrap()
            .with_delay(0.005, 0.0)
            .unwrap();
        let network = Network {
            delay: vec![vec![0.005]],
            ..Network::single(&params(), INPUT)
        };
        let mut densities = DensityNetwork::from_initial(network, config, &[INITIAL]).unwrap();
        for _ in 0..400 {
            let rate = single.step(f64::INFINITY).rate().unwrap();
            assert_eq!(densities.step(f64::INFINITY).rate(), Some(rate));
        }
        assert_eq!(densities.density(0), single.density());
        assert_eq!(densities.rate_history(0), single.rate_history());
    }
}

/// Oracle: the paths of docs/config.md and the rule of whole steps (`dt = 1e-4`).
#[test]
fn bad_delays_are_refused_by_name() {
    let config = config(
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepStart,
    );
    let solver = MacroSolver::from_initial(params(), INPUT, config, &INITIAL).unwrap();
    for bad in [0.00015, -1e-3, f64::NAN, f64::INFINITY, 1e-5] {
        let e = solver.clone().with_delay(bad, 0.0).unwrap_err();
        assert_eq!(e.field(), "delay", "{bad}");
    }
    let e = solver.clone().with_delay(1e-3, -1.0).unwrap_err();
    assert_eq!(e.field(), "prior_rate");
    assert!(solver.clone().with_delay(0.3, 0.0).is_ok());
    let network = Network {
        delay: vec![vec![0.0, 0.00015], vec![0.0, 0.0]],
        ..two()
    };
    let e = DensityNetwork::from_initial(network, config, &[INITIAL; 2]).unwrap_err();
    assert_eq!(e.path(), "delay[0][1]");
    let densities = DensityNetwork::from_initial(delayed_two(), config, &[INITIAL; 2]).unwrap();
    let e = densities
        .clone()
        .with_prior_rates(&[0.0, f64::NAN])
        .unwrap_err();
    assert_eq!(e.path(), "populations[1].prior_rate");
    let mut densities = densities;
    let e = densities.set_rate_history(1, &[1.0]).unwrap_err();
    assert_eq!(e.path(), "populations[1].delay.history");
}

/// Two coupled populations (excitatory E, inhibitory I).
fn two() -> Network {
    let population = |name: &str, share, a0| nlif_model::network::Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input: INPUT,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    };
    Network {
        populations: vec![population("E", 0.8, 1.0), population("I", 0.2, 0.5)],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: vec![vec![0.01, 0.0], vec![0.005, 0.0]],
        delay: Vec::new(),
    }
}

/// [`two`] with a delay on three of its four connections (the longest 25 steps).
fn delayed_two() -> Network {
    Network {
        delay: vec![vec![0.0, 0.0025], vec![0.001, 0.0005]],
        ..two()
    }
}

/// Oracle: the uninterrupted run. A single population with a delay and a network with
/// delays, saved after 330 steps (the histories hold computed rates, not the prior)
/// through JSON, restored and continued, take bit for bit the steps of the run that was
/// not interrupted; a network with zero delays is the network without, bit for bit, and
/// saves no history.
#[test]
fn runs_with_delays_continue_bit_for_bit() {
    let config = config(
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepEnd,
    );
    let mut straight = MacroSolver::from_initial(params(), INPUT, config, &INITIAL)
        .unwrap()
        .with_delay(0.0025, 0.2)
        .unwrap();
    for _ in 0..330 {
        assert!(straight.step(f64::INFINITY).rate().is_some());
    }
    let saved = straight.state();
    assert_eq!(saved.version, MACRO_STATE_VERSION);
    assert_eq!(saved.delay.as_ref().unwrap().history.len(), 25);
    let mut resumed = MacroSolver::from_state(through_json(&saved)).unwrap();
    for _ in 0..300 {
        assert_eq!(resumed.step(f64::INFINITY), straight.step(f64::INFINITY));
    }
    assert_eq!(resumed.state(), straight.state());

    let mut straight = DensityNetwork::from_initial(delayed_two(), config, &[INITIAL; 2])
        .unwrap()
        .with_prior_rates(&[0.3, 0.1])
        .unwrap();
    for _ in 0..330 {
        assert!(straight.step(f64::INFINITY).rate().is_some());
    }
    let saved = straight.state();
    assert_eq!(saved.version, NETWORK_STATE_VERSION);
    let lengths: Vec<usize> = saved.histories.iter().map(Vec::len).collect();
    assert_eq!(lengths, [10, 25]);
    let mut resumed = DensityNetwork::from_state(through_json(&saved)).unwrap();
    for _ in 0..300 {
        assert_eq!(resumed.step(f64::INFINITY), straight.step(f64::INFINITY));
    }
    assert_eq!(resumed.state(), straight.state());

    let zeros = Network {
        delay: vec![vec![0.0; 2]; 2],
        ..two()
    };
    let mut plain = DensityNetwork::from_initial(two(), config, &[INITIAL; 2]).unwrap();
    let mut with_zeros = DensityNetwork::from_initial(zeros, config, &[INITIAL; 2]).unwrap();
    for _ in 0..300 {
        assert_eq!(with_zeros.step(f64::INFINITY), plain.step(f64::INFINITY));
    }
    assert_eq!(with_zeros.density(1), plain.density(1));
    assert!(with_zeros.state().histories.is_empty());
}

/// Oracle: [`DensityNetwork::with_prior_rates`]. A network whose populations carry
/// their `prior_rate` starts with the histories that `with_prior_rates` gives the
/// network without, and steps bit for bit alike; a prior rate is refused by its path.
#[test]
fn the_populations_prior_rates_fill_the_histories() {
    let config = config(
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepEnd,
    );
    let mut carried = delayed_two();
    carried.populations[0].prior_rate = 0.3;
    carried.populations[1].prior_rate = 0.1;
    let mut carried = DensityNetwork::from_initial(carried, config, &[INITIAL; 2]).unwrap();
    let mut given = DensityNetwork::from_initial(delayed_two(), config, &[INITIAL; 2])
        .unwrap()
        .with_prior_rates(&[0.3, 0.1])
        .unwrap();
    assert_eq!(carried.rate_history(0), vec![0.3; 10]);
    assert_eq!(carried.rate_history(1), vec![0.1; 25]);
    for _ in 0..40 {
        assert_eq!(carried.step(f64::INFINITY), given.step(f64::INFINITY));
    }
    assert_eq!(carried.density(1), given.density(1));
    let mut negative = delayed_two();
    negative.populations[1].prior_rate = -1.0;
    let e = DensityNetwork::from_initial(negative, config, &[INITIAL; 2]).unwrap_err();
    assert_eq!(e.path(), "populations[1].prior_rate");
}

/// Oracle: the state's format rules. A version-3 state (before delays: no `delay` field)
/// is still read, without a delay; a saved history of the wrong length or with a bad rate
/// is refused naming the field, as is a saved delay that is not a whole number of steps.
#[test]
fn saved_delays_are_checked() {
    let plain = solver(
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepStart,
    );
    let old = older_state(&plain, "delay", 3);
    assert_eq!(MacroSolver::from_state(old).unwrap().delay(), 0.0);

    let delayed = plain.clone().with_delay(0.001, 0.0).unwrap().state();
    let edit = |f: &dyn Fn(&mut fp_macro::DelayState)| {
        refused_field(&delayed, |state| f(state.delay.as_mut().unwrap()))
    };
    assert_eq!(edit(&|d| d.history.push(0.0)), "delay.history");
    assert_eq!(edit(&|d| d.history[3] = -1.0), "delay.history");
    assert_eq!(edit(&|d| d.history[3] = f64::NAN), "delay.history");
    assert_eq!(edit(&|d| d.delay = 0.00105), "delay");
    assert_eq!(edit(&|d| d.delay = 0.0), "delay");
}
