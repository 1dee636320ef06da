//! Issue 27: the stationary states of networks whose populations have refractory periods,
//! `N_α = ν_α / (1 + τ_α ν_α)` (docs/model.md §11). Each test names its oracle.

use nlif_model::network::{Network, NetworkState, Population, network_stationary_states};
use nlif_model::{Input, ModelParams, Refractory, siegert_rate, stationary_states_refractory};
use proptest::prelude::*;

fn population(name: &str, a0: f64, tau: f64) -> Population {
    Population {
        name: name.into(),
        share: 0.5,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input: Input::None,
        initial: None,
        refractory: Refractory::Exponential { tau },
        prior_rate: 0.0,
    }
}

/// The refractory rate map `F_α(N) = 1 / (τ_α + 1/ν_α(N))`, by the crate's Siegert rate:
/// independent of the search.
fn rate_map(network: &Network, rates: &[f64]) -> Vec<f64> {
    (0..network.len())
        .map(|alpha| {
            let p = &network.populations[alpha];
            let mu = network.recurrent_input(alpha, rates) + p.input.current(0.0);
            let nu = siegert_rate(mu, network.diffusion(alpha, rates), p.v_f, p.v_r).unwrap();
            1.0 / (p.refractory.mean_time() + 1.0 / nu)
        })
        .collect()
}

/// The fixed-point equation of `F` to `1e-10` (the verification bound) and the Jacobian
/// against central differences of `F` (step `1e-5 N_β`: truncation ≈ 1e-10 relative,
/// rounding `1e-12 F_α / h`).
fn check_state(network: &Network, state: &NetworkState) {
    let f = rate_map(network, &state.rates);
    for (n, v) in state.rates.iter().zip(&f) {
        assert!((n / v - 1.0).abs() <= 1e-10, "{n} vs F = {v}");
    }
    for beta in 0..network.len() {
        let h = 1e-5 * state.rates[beta];
        let at = |d: f64| {
            let mut r = state.rates.clone();
            r[beta] += d;
            rate_map(network, &r)
        };
        let (up, down) = (at(h), at(-h));
        for alpha in 0..network.len() {
            let fd = (up[alpha] - down[alpha]) / (2.0 * h);
            let j = state.jacobian[alpha][beta];
            let bound = 1e-5 * (1.0 + j.abs()) + 1e-12 * f[alpha] / h;
            assert!((j - fd).abs() <= bound, "J[{alpha}][{beta}] = {j} vs {fd}");
        }
    }
}

/// Oracle: one population is `stationary_states_refractory` (the single-population
/// search on the same defect): the issue 27 vector, three states, the same stability.
#[test]
fn one_population_is_the_single_population_result() {
    let params = ModelParams {
        b: 1.5,
        ..ModelParams::default()
    };
    let refractory = Refractory::Fixed { tau: 0.025 };
    let mut network = Network::single(&params, Input::None);
    network.populations[0].refractory = refractory;
    let states = network_stationary_states(&network).unwrap();
    let single = stationary_states_refractory(&params, 0.0, &refractory).unwrap();
    assert_eq!(states.len(), 3);
    for (n, s) in states.iter().zip(&single) {
        assert!((n.rates[0] / s.rate - 1.0).abs() <= 1e-12, "{n:?} vs {s:?}");
        assert_eq!(n.stable, s.stable);
        assert!((n.jacobian[0][0] - s.slope).abs() <= 1e-9 * (1.0 + s.slope.abs()));
        check_state(&network, n);
    }
}

/// Oracle: a refractory period of 0 is no refractory period, bit for bit.
#[test]
fn a_zero_period_changes_nothing() {
    let mut network = Network {
        populations: vec![population("E", 1.0, 0.0), population("I", 0.5, 0.0)],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    };
    let with = network_stationary_states(&network).unwrap();
    for p in &mut network.populations {
        p.refractory = Refractory::None;
    }
    assert_eq!(with, network_stationary_states(&network).unwrap());
}

/// Oracle: the error names the population's field by its path.
#[test]
fn a_bad_period_is_named_by_its_path() {
    let network = Network {
        populations: vec![population("E", 1.0, 0.01), population("I", 0.5, -1.0)],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    };
    let e = network_stationary_states(&network).unwrap_err();
    assert_eq!(e.path(), "populations[1].refractory.tau");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Oracle: every state of an E–I network with refractory periods is a fixed point of
    /// `F` evaluated by `siegert_rate`, with its Jacobian checked by differences; and the
    /// uncoupled network (coupling 0) has the closed form `ν_α(I) / (1 + τ_α ν_α(I))` per
    /// population.
    #[test]
    fn every_state_is_a_fixed_point_of_the_refractory_map(
        b_ee in 0.0f64..2.5,
        b_ie in 0.0f64..3.0,
        b_ei in -2.0f64..0.0,
        b_ii in -2.0f64..0.0,
        tau_e in 1e-3f64..0.1,
        tau_i in 1e-3f64..0.1,
    ) {
        let network = Network {
            populations: vec![population("E", 1.0, tau_e), population("I", 0.5, tau_i)],
            coupling: vec![vec![b_ee, b_ei], vec![b_ie, b_ii]],
            a1: Vec::new(),
            delay: Vec::new(),
        };
        for state in network_stationary_states(&network).unwrap() {
            check_state(&network, &state);
            for (n, p) in state.rates.iter().zip(&network.populations) {
                prop_assert!(n * p.refractory.mean_time() < 1.0);
            }
        }
        let uncoupled = Network { coupling: vec![vec![0.0; 2]; 2], ..network.clone() };
        let states = network_stationary_states(&uncoupled).unwrap();
        prop_assert_eq!(states.len(), 1);
        let closed = rate_map(&uncoupled, &[0.0, 0.0]);
        for (n, c) in states[0].rates.iter().zip(&closed) {
            prop_assert!((n / c - 1.0).abs() <= 1e-10, "{} vs {}", n, c);
        }
        prop_assert!(states[0].stable);
    }
}
