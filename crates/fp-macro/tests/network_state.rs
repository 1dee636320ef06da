//! A network of densities: atomic steps, its saved state, a custom scheme, its errors.

use fp_macro::{
    DensityNetwork, FluxScheme, FrozenAt, MacroConfig, MacroError, MacroSolver, NetworkOutcome,
    NetworkState, Scheme, StepOutcome,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};

fn population(name: &str, share: f64, a0: f64, input: Input) -> Population {
    Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    }
}

fn periodic() -> Input {
    Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    }
}

/// The excitatory–inhibitory network of docs/model.md §10 with inputs and `a1`.
fn network(input_e: Input, input_i: Input) -> Network {
    Network {
        populations: vec![
            population("E", 0.8, 1.0, input_e),
            population("I", 0.2, 0.5, input_i),
        ],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: vec![vec![0.01, 0.0], vec![0.005, 0.0]],
        delay: Vec::new(),
    }
}

const INITIAL: [InitialDensity; 2] = [
    InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.3,
    },
    InitialDensity::Gaussian {
        mean: -0.5,
        var: 0.5,
    },
];

fn config() -> MacroConfig {
    MacroConfig {
        dv: 0.02,
        dt: 1e-3,
        frozen_at: FrozenAt::StepEnd,
        ..MacroConfig::default()
    }
}

/// Oracle: the state before the step. A step that population 1 refuses — its rate above
/// its own bound, or its input's kick reaching its threshold while population 0's kick
/// does not — names population 1 and leaves everything as it was, population 0 included
/// (its kick not applied, its density not advanced); the next unbounded step is the step
/// an untouched copy takes, bit for bit.
#[test]
fn a_step_refused_by_one_population_advances_none() {
    let kick_e = Input::Kick {
        t0: 0.0505,
        dv: -0.2,
    };
    let kick_i = Input::Kick {
        t0: 0.0505,
        dv: 0.9,
    };
    for input_i in [periodic(), kick_i] {
        let mut densities =
            DensityNetwork::from_initial(network(kick_e, input_i), config(), &INITIAL).unwrap();
        for _ in 0..50 {
            assert!(densities.step(f64::INFINITY).rate().is_some());
        }
        let copy = densities.clone();
        let before = densities.state();
        let bound_i = densities.rates()[1] * 0.5;
        let outcome = densities.step_with_bounds(|alpha| if alpha == 1 { bound_i } else { 1e300 });
        match outcome {
            NetworkOutcome::Refused {
                population: 1,
                outcome: StepOutcome::RateAboveBound { .. } | StepOutcome::SynchronousKick { .. },
            } => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(densities.state(), before);
        assert_eq!(densities.mass(0).to_bits(), copy.mass(0).to_bits());
        if input_i == periodic() {
            let (mut a, mut b) = (densities.clone(), copy.clone());
            assert_eq!(a.step(f64::INFINITY), b.step(f64::INFINITY));
            assert_eq!(a.state(), b.state());
        }
    }
}

/// Oracle: the state before the step. A single solver whose step takes an input kick and
/// is then refused (its rate above the bound) keeps the density from before the kick, so
/// that the next step kicks once, not twice.
#[test]
fn a_refused_step_of_one_solver_does_not_keep_its_kick() {
    let input = Input::Kick {
        t0: 0.0505,
        dv: -0.3,
    };
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -0.5,
        var: 0.1,
    };
    let mut solver = MacroSolver::from_initial(params, input, config(), &initial).unwrap();
    for _ in 0..50 {
        assert!(solver.step(f64::INFINITY).rate().is_some());
    }
    let before = solver.state();
    let refused = solver.step(0.0);
    assert!(
        matches!(refused, StepOutcome::RateAboveBound { .. }),
        "{refused:?}"
    );
    assert_eq!(solver.state(), before);
}

/// Oracle: the run that was never interrupted. A network saved after 300 steps (through
/// JSON, which round-trips `f64` exactly with `float_roundtrip`) and restored continues
/// bit for bit: every population's density and rate and the clock after 300 more steps,
/// with time-dependent inputs and the `StepEnd` extrapolation, which reads the rates
/// before the current ones.
#[test]
fn a_saved_network_continues_bit_for_bit() {
    let net = network(
        periodic(),
        Input::Pulse {
            t0: 0.4,
            duration: 0.1,
            amplitude: 1.0,
        },
    );
    let mut straight = DensityNetwork::from_initial(net, config(), &INITIAL).unwrap();
    for _ in 0..300 {
        assert!(straight.step(f64::INFINITY).rate().is_some());
    }
    let saved = serde_json::to_string(&straight.state()).unwrap();
    let restored: NetworkState = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, straight.state());
    let mut resumed = DensityNetwork::from_state(restored).unwrap();
    for _ in 0..300 {
        let (a, b) = (straight.step(f64::INFINITY), resumed.step(f64::INFINITY));
        assert_eq!(a.rate().map(f64::to_bits), b.rate().map(f64::to_bits));
    }
    assert_eq!(resumed.state(), straight.state());
    assert_eq!(resumed.time().to_bits(), straight.time().to_bits());
    let mut other = straight.state();
    other.version += 1;
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "version"
    );
    let mut other = straight.state();
    other.previous_rates.pop();
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "previous_rate"
    );
    let mut other = straight.state();
    other.previous_rates[1] = f64::NAN;
    assert_eq!(
        DensityNetwork::from_state(other).unwrap_err().path(),
        "populations[1].previous_rate"
    );
}

/// Scharfetter–Gummel written from its definition, `(A, B) = (B(-w), B(w))` with
/// `B(x) = x / (e^x - 1)`, sharing no code with the crate.
#[derive(Debug, Clone, Copy)]
struct SgReplica;

impl FluxScheme for SgReplica {
    fn weights(&self, w: f64) -> (f64, f64) {
        let bernoulli = |x: f64| if x == 0.0 { 1.0 } else { x / x.exp_m1() };
        (bernoulli(-w), bernoulli(w))
    }
}

/// Oracle: the built-in Scharfetter–Gummel scheme, an independent evaluation of the same
/// weights. A coupled network driven by the replica in every population follows the
/// built-in scheme's network over 2000 steps to `1e-12` relative in every density and
/// rate (the weights agree to a few ulps; the steps are contractive, so their round-off
/// stays far below it); and its state restores with the replica, bit for bit.
#[test]
fn a_custom_scheme_drives_every_population() {
    let net = network(periodic(), Input::Constant { i0: 0.3 });
    let config = MacroConfig {
        scheme: Scheme::ScharfetterGummel,
        ..config()
    };
    let mut builtin = DensityNetwork::from_initial(net.clone(), config, &INITIAL).unwrap();
    let mut replica = DensityNetwork::from_initial_with(SgReplica, net, config, &INITIAL).unwrap();
    for _ in 0..2000 {
        let (a, b) = (builtin.step(f64::INFINITY), replica.step(f64::INFINITY));
        assert!(a.rate().is_some() && b.rate().is_some(), "{a:?} {b:?}");
    }
    for alpha in 0..2 {
        let peak = builtin.density(alpha).iter().fold(0.0f64, |m, &p| m.max(p));
        let diff = builtin
            .density(alpha)
            .iter()
            .zip(replica.density(alpha))
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff <= 1e-12 * peak, "population {alpha}: {diff} of {peak}");
        let (a, b) = (builtin.rates()[alpha], replica.rates()[alpha]);
        assert!((a - b).abs() <= 1e-12 * a, "{a} {b}");
    }
    let mut restored = DensityNetwork::from_state_with(SgReplica, replica.state()).unwrap();
    assert_eq!(restored.step(1e300), replica.step(1e300));
    assert_eq!(restored.state(), replica.state());
}

/// Oracle: the paths of the config (docs/model.md §10). Every refusal names the entry.
#[test]
fn bad_networks_and_densities_name_their_path() {
    let path = |r: Result<DensityNetwork, MacroError>| r.unwrap_err().path();
    let good = network(Input::None, Input::None);
    let mut bad = good.clone();
    bad.coupling[0][1] = f64::NAN;
    assert_eq!(
        path(DensityNetwork::from_initial(bad, config(), &INITIAL)),
        "coupling[0][1]"
    );
    let mut bad = good.clone();
    bad.populations[1].v_r = 3.0;
    assert_eq!(
        path(DensityNetwork::from_initial(bad, config(), &INITIAL)),
        "populations[1].v_r"
    );
    // V_F - V_R = 1.01 is no multiple of dv = 0.02: the grid setting of the run is named.
    let mut bad = good.clone();
    bad.populations[1].v_r = 0.99;
    let error = DensityNetwork::from_initial(bad, config(), &INITIAL).unwrap_err();
    assert_eq!(error.path(), "dv");
    assert!(error.to_string().starts_with("population 1: "), "{error}");
    assert_eq!(
        path(DensityNetwork::from_initial(
            good.clone(),
            config(),
            &INITIAL[..1]
        )),
        "initial"
    );
    let far = InitialDensity::Gaussian {
        mean: 40.0,
        var: 0.01,
    };
    assert_eq!(
        path(DensityNetwork::from_initial(
            good.clone(),
            config(),
            &[INITIAL[0], far]
        )),
        "populations[1].initial.mean"
    );
    let densities = DensityNetwork::from_initial(good.clone(), config(), &INITIAL).unwrap();
    let values = || vec![densities.density(0).to_vec(), densities.density(1).to_vec()];
    let mut short = values();
    short[1].pop();
    assert_eq!(
        path(DensityNetwork::new(
            good.clone(),
            config(),
            short,
            0.0,
            None
        )),
        "populations[1].density"
    );
    let mut negative = values();
    negative[0][3] = -1.0;
    assert_eq!(
        path(DensityNetwork::new(
            good.clone(),
            config(),
            negative,
            0.0,
            None
        )),
        "populations[0].density"
    );
    assert_eq!(
        path(DensityNetwork::new(
            good.clone(),
            config(),
            values(),
            0.0,
            Some(vec![0.1, -1.0])
        )),
        "populations[1].rate"
    );
    assert_eq!(
        path(DensityNetwork::new(
            good.clone(),
            config(),
            values(),
            f64::NAN,
            None
        )),
        "t_start"
    );
    let mut densities = densities;
    assert_eq!(densities.set_rates(&[0.1]).unwrap_err().path(), "rate");
    assert_eq!(
        densities
            .set_rates(&[0.1, f64::INFINITY])
            .unwrap_err()
            .path(),
        "populations[1].rate"
    );
    densities.set_rates(&[0.25, 0.5]).unwrap();
    assert_eq!(densities.rates(), &[0.25, 0.5]);
    assert_eq!(densities.rate(), 0.8 * 0.25 + 0.2 * 0.5);
}

/// Oracle: the linear system `(I - diag(q) a1) N = a0 ∘ q` solved by hand. With the
/// threshold values `q_α = p_{n-1,α} / h` of the densities and `a1 = [[0.01, 0], [0.005,
/// 0]]`, `N_E = a0_E q_E / (1 - 0.01 q_E)` and `N_I = q_I (a0_I + 0.005 N_E)`; a density
/// whose `a1 q >= 1` has no finite rate and is refused under its path.
#[test]
fn the_rates_read_off_the_densities_solve_the_noise_system() {
    let good = network(Input::None, Input::None);
    let densities = DensityNetwork::from_initial(good.clone(), config(), &INITIAL).unwrap();
    let q = |alpha: usize| {
        let grid = densities.grid(alpha);
        densities.density(alpha)[grid.len() - 1] / grid.spacing()
    };
    let n_e = 1.0 * q(0) / (1.0 - 0.01 * q(0));
    let n_i = q(1) * (0.5 + 0.005 * n_e);
    assert!((densities.rates()[0] / n_e - 1.0).abs() <= 4.0 * f64::EPSILON);
    assert!((densities.rates()[1] / n_i - 1.0).abs() <= 4.0 * f64::EPSILON);
    let n = densities.grid(0).len();
    let mut spike = vec![0.0; n];
    spike[n - 1] = 1.0 / densities.grid(0).spacing();
    let values = vec![spike, densities.density(1).to_vec()];
    // q_E = 1 / h² = 2500: a1 q_E = 25 >= 1.
    let error = DensityNetwork::new(good, config(), values, 0.0, None).unwrap_err();
    assert_eq!(error.path(), "populations[0].density", "{error}");
}

/// Oracle: the population's setting. The density simulates refractory periods now
/// (issue 27; `tests/refractory_network.rs`): a population's period is taken, not ignored
/// and no longer refused.
#[test]
fn a_refractory_period_is_taken_not_ignored() {
    let mut n = network(Input::None, Input::None);
    let period = nlif_model::Refractory::Exponential { tau: 0.01 };
    n.populations[0].refractory = period;
    let mut densities =
        fp_macro::DensityNetwork::<fp_macro::Scheme>::from_initial(n, config(), &INITIAL).unwrap();
    for _ in 0..10 {
        assert!(densities.step(f64::INFINITY).rate().is_some());
    }
    assert!(densities.refractory_mass(0) > 0.0 && densities.refractory_mass(1) == 0.0);
    assert_eq!(
        densities.state().refractory[0].as_ref().unwrap().period,
        period
    );
}
