//! Issue 27, density side: networks whose populations have refractory periods. Each test
//! names its oracle.

use fp_macro::{
    DensityNetwork, FrozenAt, MacroConfig, MacroSolver, NETWORK_STATE_VERSION, NetworkState,
    Reinjection, Scheme,
};
use nlif_model::network::{Network, Population, network_stationary_states};
use nlif_model::{InitialDensity, Input, ModelParams, Refractory};

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.1,
};

/// Oracle: the single solver. A network of one population with a refractory period of
/// either form takes [`MacroSolver::with_refractory`]'s steps bit for bit (rate, density,
/// refractory mass), for each re-injection and coefficient timing.
#[test]
fn one_population_is_the_single_solver_bit_for_bit() {
    let params = ModelParams {
        b: 1.5,
        a1: 0.1,
        ..ModelParams::default()
    };
    let input = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    for period in [
        Refractory::Exponential { tau: 0.025 },
        Refractory::Fixed { tau: 0.025 },
    ] {
        for (reinjection, frozen_at) in [
            (Reinjection::Implicit, FrozenAt::StepStart),
            (Reinjection::Explicit, FrozenAt::StepEnd),
        ] {
            let config = MacroConfig {
                scheme: Scheme::ChangCooper,
                reinjection,
                frozen_at,
                dt: 1e-4,
                ..MacroConfig::default()
            };
            let mut network = Network::single(&params, input);
            network.populations[0].refractory = period;
            let mut densities = DensityNetwork::from_initial(network, config, &[INITIAL]).unwrap();
            let mut solver = MacroSolver::from_initial(params, input, config, &INITIAL)
                .unwrap()
                .with_refractory(period)
                .unwrap();
            for step in 0..3000 {
                let a = densities.step(f64::INFINITY).rate().unwrap();
                let b = solver.step(f64::INFINITY).rate().unwrap();
                assert_eq!(a.to_bits(), b.to_bits(), "{period:?} step {step}");
                assert_eq!(
                    densities.refractory_mass(0).to_bits(),
                    solver.refractory_mass().to_bits()
                );
            }
            assert_eq!(densities.density(0), solver.density());
            assert!(
                solver.refractory_mass() > 1e-3,
                "{}",
                solver.refractory_mass()
            );
        }
    }
}

fn population(name: &str, share: f64, a0: f64, refractory: Refractory) -> Population {
    Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input: Input::None,
        initial: None,
        refractory,
        prior_rate: 0.0,
    }
}

/// An excitatory–inhibitory network whose populations have different periods (an
/// exponential one of 0.02 and a fixed one of 0.01).
fn network() -> Network {
    Network {
        populations: vec![
            population("E", 0.8, 1.0, Refractory::Exponential { tau: 0.02 }),
            population("I", 0.2, 0.5, Refractory::Fixed { tau: 0.01 }),
        ],
        coupling: vec![vec![1.5, -0.5], vec![2.0, -1.0]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

/// Relaxes [`network`] on the grid of spacing `dv` (`dt = 1e-3`) to `t = 20`; the rates,
/// the refractory masses and the largest change of a rate over the last unit of time.
fn relax(dv: f64) -> (Vec<f64>, Vec<f64>, f64) {
    let config = MacroConfig {
        dv,
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let initial = [InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.25,
    }; 2];
    let mut densities = DensityNetwork::from_initial(network(), config, &initial).unwrap();
    let mut drift: f64 = 0.0;
    for step in 0..20_000 {
        let before = densities.rates().to_vec();
        assert!(
            densities.step(f64::INFINITY).rate().is_some(),
            "step {step}"
        );
        if step >= 19_000 {
            for (n, b) in densities.rates().iter().zip(&before) {
                drift = drift.max((n - b).abs());
            }
        }
    }
    let masses = (0..2)
        .map(|alpha| densities.refractory_mass(alpha))
        .collect();
    (densities.rates().to_vec(), masses, drift)
}

/// Oracle: `nlif_model::network_stationary_states` of the network (the rate map
/// `F_α = ν_α / (1 + τ_α ν_α)`, docs/model.md §11), whose one stable state the densities
/// relax to from a Gaussian around 0; each population's refractory mass is `τ_α N_α`; the
/// grid's error shrinks with `dv` (0.04, 0.02, 0.01) and is below 2e-3 relative on the
/// finest grid.
#[test]
fn two_populations_with_different_periods_relax_to_the_stationary_state() {
    let states = network_stationary_states(&network()).unwrap();
    let stable: Vec<_> = states.iter().filter(|s| s.stable).collect();
    assert_eq!(stable.len(), 1, "{states:?}");
    let exact = &stable[0].rates;
    let taus = [0.02, 0.01];
    let mut errors = Vec::new();
    for dv in [0.04, 0.02, 0.01] {
        let (rates, masses, drift) = relax(dv);
        println!("dv = {dv}: N = {rates:?} (exact {exact:?}), R = {masses:?}, drift {drift:e}");
        assert!(drift < 1e-9, "dv = {dv}: not stationary, {drift:e}");
        for alpha in 0..2 {
            let expected = taus[alpha] * rates[alpha];
            assert!(
                (masses[alpha] - expected).abs() < 1e-9 * expected,
                "{masses:?}"
            );
        }
        let error = rates
            .iter()
            .zip(exact)
            .map(|(n, e)| (n / e - 1.0).abs())
            .fold(0.0, f64::max);
        errors.push(error);
    }
    assert!(
        errors[2] < errors[1] && errors[1] < errors[0],
        "errors {errors:?}"
    );
    assert!(errors[2] < 2e-3, "errors {errors:?}");
}

/// Oracle: the uninterrupted run, and the state's format rules. A network with periods,
/// saved through JSON after 150 steps and continued, takes the uninterrupted run's steps
/// bit for bit; a version-1 state (before periods: no `refractory`) of a network without
/// periods is still read; a saved compartment that is not of the population's period, or
/// a list of compartments of another length, is refused naming the field.
#[test]
fn a_network_with_periods_continues_bit_for_bit() {
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let mut straight = DensityNetwork::from_initial(network(), config, &[INITIAL; 2]).unwrap();
    for _ in 0..150 {
        assert!(straight.step(f64::INFINITY).rate().is_some());
    }
    let saved = straight.state();
    assert_eq!(saved.version, NETWORK_STATE_VERSION);
    assert_eq!(saved.refractory.len(), 2);
    let json = serde_json::to_string(&saved).unwrap();
    let restored: NetworkState = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, saved);
    let mut resumed = DensityNetwork::from_state(restored).unwrap();
    for _ in 0..300 {
        let (a, b) = (straight.step(f64::INFINITY), resumed.step(f64::INFINITY));
        assert_eq!(a.rate().map(f64::to_bits), b.rate().map(f64::to_bits));
    }
    assert_eq!(resumed.state(), straight.state());

    let mut other = saved.clone();
    other.refractory.pop();
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "refractory"
    );
    let mut other = saved.clone();
    other.refractory.swap(0, 1);
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "populations[0].refractory.tau"
    );
    let mut other = saved.clone();
    other.refractory[1].as_mut().unwrap().history.pop();
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "populations[1].refractory.history"
    );
    let mut other = saved.clone();
    other.refractory.clear();
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "populations[0].refractory.tau"
    );

    // Without periods: no compartments saved, and a version-1 state reads.
    let mut plain = network();
    for p in &mut plain.populations {
        p.refractory = Refractory::None;
    }
    let densities = DensityNetwork::from_initial(plain, config, &[INITIAL; 2]).unwrap();
    let state = densities.state();
    assert!(state.refractory.is_empty());
    let mut old = serde_json::to_value(&state).unwrap();
    let object = old.as_object_mut().unwrap();
    object.remove("refractory");
    object.insert("version".into(), 1.into());
    let old: NetworkState = serde_json::from_value(old).unwrap();
    assert_eq!(DensityNetwork::from_state(old).unwrap().state(), state);
}

/// Oracle: issue 27's rule, through a network: a fixed period that is not a whole number
/// of steps is refused naming the population's field.
#[test]
fn a_population_period_off_the_steps_is_refused() {
    let mut net = network();
    net.populations[1].refractory = Refractory::Fixed { tau: 0.0105 };
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let err = DensityNetwork::from_initial(net, config, &[INITIAL; 2]).unwrap_err();
    assert_eq!(err.path(), "populations[1].refractory.tau");
}
