//! A network of densities against `MacroSolver`s: one population is one solver bit for
//! bit, uncoupled populations are independent solvers bit for bit.

use fp_macro::{
    DensityNetwork, FrozenAt, MacroConfig, MacroSolver, NetworkOutcome, Reinjection, Scheme,
    StepOutcome,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};
use proptest::prelude::*;

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|x| x.to_bits()).collect()
}

fn scheme() -> impl Strategy<Value = Scheme> {
    prop_oneof![
        Just(Scheme::ScharfetterGummel),
        Just(Scheme::ChangCooper),
        Just(Scheme::Upwind)
    ]
}

fn frozen_at() -> impl Strategy<Value = FrozenAt> {
    prop_oneof![Just(FrozenAt::StepStart), Just(FrozenAt::StepEnd)]
}

/// An input with a kick that falls inside the first 400 steps, or a periodic current.
fn input(dt: f64) -> impl Strategy<Value = Input> {
    prop_oneof![
        (1usize..400, -0.6..0.3f64).prop_map(move |(k, dv)| Input::Kick {
            t0: (k as f64 + 0.5) * dt,
            dv
        }),
        (-0.5..1.0f64, 0.0..1.0f64).prop_map(|(i0, amplitude)| Input::Periodic {
            i0,
            amplitude,
            period: 0.3,
            phase: 0.2
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Oracle: `MacroSolver`, the single-population solver this network must reproduce.
    /// `Network::single` of any parameters (excitatory or inhibitory `b`, rate-dependent
    /// noise `a1`), scheme, re-injection, freezing rule and input (a kick inside the run,
    /// or a periodic current) gives the solver's outcomes, densities, masses, rates and
    /// clock bit for bit over 600 steps.
    #[test]
    fn one_population_is_the_macro_solver_bit_for_bit(
        b in -1.0..1.5f64,
        a1 in 0.0..0.02f64,
        scheme in scheme(),
        frozen_at in frozen_at(),
        explicit in any::<bool>(),
        input in input(1e-3),
        mean in -1.0..0.5f64,
    ) {
        let params = ModelParams { b, a1, ..ModelParams::default() };
        let reinjection = if explicit { Reinjection::Explicit } else { Reinjection::Implicit };
        let config = MacroConfig {
            scheme, reinjection, frozen_at, dv: 0.05, dt: 1e-3, ..MacroConfig::default()
        };
        let initial = InitialDensity::Gaussian { mean, var: 0.3 };
        let mut solver = MacroSolver::from_initial(params, input, config, &initial).unwrap();
        let mut network =
            DensityNetwork::from_initial(Network::single(&params, input), config, &[initial])
                .unwrap();
        prop_assert_eq!(network.rate().to_bits(), solver.rate().to_bits());
        for _ in 0..600 {
            let expected = solver.step(f64::INFINITY);
            let outcome = network.step(f64::INFINITY);
            match expected {
                StepOutcome::Advanced { rate } => {
                    prop_assert_eq!(outcome.rate().map(f64::to_bits), Some(rate.to_bits()));
                }
                other => {
                    prop_assert_eq!(
                        outcome,
                        NetworkOutcome::Refused { population: 0, outcome: other }
                    );
                    break;
                }
            }
            prop_assert_eq!(bits(network.density(0)), bits(solver.density()));
            prop_assert_eq!(network.mass(0).to_bits(), solver.mass().to_bits());
            prop_assert_eq!(network.time().to_bits(), solver.time().to_bits());
        }
        prop_assert_eq!(network.steps(), solver.steps());
    }
}

fn population(name: &str, share: f64, a0: f64, v_f: f64, v_r: f64, input: Input) -> Population {
    Population {
        name: name.into(),
        share,
        a0,
        v_f,
        v_r,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    }
}

/// Oracle: two independent `MacroSolver`s. Populations with self-coupling and
/// self-noise but no cross terms (`coupling`, `a1` diagonal) are two single-population
/// models; each with its own `a0`, threshold, reset, grid and input (one a kick, one
/// periodic) evolves as its own solver, bit for bit, with both freezing rules.
#[test]
fn uncoupled_populations_are_independent_solvers_bit_for_bit() {
    let kick = Input::Kick {
        t0: 0.2005,
        dv: -0.4,
    };
    let periodic = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    let network = Network {
        populations: vec![
            population("E", 0.7, 1.0, 2.0, 1.0, kick),
            population("I", 0.3, 0.6, 1.5, 0.25, periodic),
        ],
        coupling: vec![vec![0.8, 0.0], vec![0.0, -0.7]],
        a1: vec![vec![0.01, 0.0], vec![0.0, 0.005]],
        delay: Vec::new(),
    };
    let params = [
        ModelParams {
            a0: 1.0,
            a1: 0.01,
            b: 0.8,
            v_f: 2.0,
            v_r: 1.0,
        },
        ModelParams {
            a0: 0.6,
            a1: 0.005,
            b: -0.7,
            v_f: 1.5,
            v_r: 0.25,
        },
    ];
    let initial = [
        InitialDensity::Gaussian {
            mean: 0.0,
            var: 0.4,
        },
        InitialDensity::Gaussian {
            mean: -0.5,
            var: 0.2,
        },
    ];
    for frozen_at in [FrozenAt::StepStart, FrozenAt::StepEnd] {
        let config = MacroConfig {
            dv: 0.025,
            dt: 1e-3,
            frozen_at,
            ..MacroConfig::default()
        };
        let mut densities =
            DensityNetwork::from_initial(network.clone(), config, &initial).unwrap();
        let inputs = [kick, periodic];
        let mut solvers: Vec<MacroSolver> = (0..2)
            .map(|a| MacroSolver::from_initial(params[a], inputs[a], config, &initial[a]).unwrap())
            .collect();
        assert_ne!(densities.grid(0).len(), densities.grid(1).len());
        for _ in 0..1000 {
            let outcome = densities.step(f64::INFINITY);
            assert!(outcome.rate().is_some(), "{outcome:?}");
            for (alpha, solver) in solvers.iter_mut().enumerate() {
                let rate = solver.step(f64::INFINITY).rate().unwrap();
                assert_eq!(densities.rates()[alpha].to_bits(), rate.to_bits());
                assert_eq!(bits(densities.density(alpha)), bits(solver.density()));
            }
            let network_rate = 0.7 * solvers[0].rate() + 0.3 * solvers[1].rate();
            assert_eq!(outcome.rate().unwrap().to_bits(), network_rate.to_bits());
        }
    }
}
