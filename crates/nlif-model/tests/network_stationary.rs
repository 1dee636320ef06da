//! Issue 26: every stationary state of a network of populations, verified and with its
//! stability. Each test names its oracle.

use approx::assert_relative_eq;
use nlif_model::network::{
    NETWORK_RESIDUAL_TOL, Network, NetworkState, Population, network_stationary_states,
};
use nlif_model::{Input, ModelParams, siegert_rate, stationary_states};
use proptest::prelude::*;

fn population(name: &str, a0: f64, i0: f64) -> Population {
    Population {
        name: name.into(),
        share: 0.5,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input: if i0 == 0.0 {
            Input::None
        } else {
            Input::Constant { i0 }
        },
    }
}

fn two(a_e: f64, a_i: f64, coupling: [[f64; 2]; 2]) -> Network {
    Network {
        populations: vec![population("E", a_e, 0.0), population("I", a_i, 0.0)],
        coupling: coupling.iter().map(|r| r.to_vec()).collect(),
        a1: Vec::new(),
    }
}

/// The rate map `ν_α(N)` by the crate's Siegert rate, independently of the search.
fn rate_map(network: &Network, rates: &[f64]) -> Vec<f64> {
    (0..network.len())
        .map(|alpha| {
            let p = &network.populations[alpha];
            let mu = network.recurrent_input(alpha, rates) + p.input.current(0.0);
            siegert_rate(mu, network.diffusion(alpha, rates), p.v_f, p.v_r).unwrap()
        })
        .collect()
}

/// Checks a returned state against the fixed-point equation evaluated by
/// `siegert_rate`, and its Jacobian against central differences of that map (step
/// `1e-5 N_β`: truncation about `1e-10`, rounding about `1e-7` relative).
fn check_state(network: &Network, state: &NetworkState) {
    let nu = rate_map(network, &state.rates);
    for (n, v) in state.rates.iter().zip(&nu) {
        assert_relative_eq!(*n, *v, max_relative = 1e-10);
    }
    assert!(state.residual <= NETWORK_RESIDUAL_TOL + 1e-13, "{state:?}");
    for beta in 0..network.len() {
        let h = 1e-5 * state.rates[beta];
        let shifted = |d: f64| {
            let mut r = state.rates.clone();
            r[beta] += d;
            rate_map(network, &r)
        };
        let (up, down) = (shifted(h), shifted(-h));
        for alpha in 0..network.len() {
            let fd = (up[alpha] - down[alpha]) / (2.0 * h);
            let j = state.jacobian[alpha][beta];
            assert!((j - fd).abs() <= 1e-5 * (1.0 + j.abs()), "J[{alpha}][{beta}] = {j}, {fd}");
        }
    }
}

/// The test vector of issue 26: `a_E = 1`, `a_I = 0.5`, `V_F = 2`, `V_R = 1`, no input,
/// `coupling = [[1, -0.5], [2, -1.5]]` → `(0.149338643, 0.041215056)`, to `1e-8`
/// relative (oracle: the value given in the issue). Its stability is checked against the
/// rate dynamics `dN/dt = -N + ν(N)` integrated with `siegert_rate` (a slow reference:
/// a perturbation of 1 % decays).
#[test]
fn excitatory_inhibitory_test_vector() {
    let network = two(1.0, 0.5, [[1.0, -0.5], [2.0, -1.5]]);
    let states = network_stationary_states(&network).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    let s = &states[0];
    assert_relative_eq!(s.rates[0], 0.149338643, max_relative = 1e-8);
    assert_relative_eq!(s.rates[1], 0.041215056, max_relative = 1e-8);
    check_state(&network, s);
    assert!(s.stable);
    let mut n = vec![s.rates[0] * 1.01, s.rates[1] * 0.99];
    let distance = |n: &[f64]| ((n[0] - s.rates[0]).powi(2) + (n[1] - s.rates[1]).powi(2)).sqrt();
    let start = distance(&n);
    let dt = 0.05;
    for _ in 0..200 {
        let nu = rate_map(&network, &n);
        n = n.iter().zip(&nu).map(|(n, v)| n + dt * (v - n)).collect();
    }
    assert!(distance(&n) < 0.1 * start, "{n:?}");
}

/// A network of one population is today's model: the same rates to `1e-12` relative and
/// the same stability as `stationary_states`, and the Jacobian is its slope (oracle: the
/// single-population search, an independent code path for the stability) — over
/// excitatory, bistable, inhibitory, noise-dependent, driven and silent networks.
#[test]
fn one_population_reproduces_the_single_population_states() {
    let cases = [
        (0.0, 1.0, 0.0, 0.0),
        (0.5, 1.0, 0.0, 0.0),
        (1.5, 1.0, 0.0, 0.0),
        (3.0, 1.0, 0.0, 0.0),
        (-0.5, 1.0, 0.0, 0.0),
        (-2.0, 0.3, 0.0, 1.5),
        (1.0, 1.0, 0.0, 0.0),
        (1.2, 0.5, 0.3, 0.2),
        (2.0, 0.2, 0.0, -0.5),
        (1.5, 0.8, 0.5, 0.0),
        (0.5, 1.0, 0.0, -50.0),
    ];
    let mut bistable = 0;
    for (b, a0, a1, i0) in cases {
        let params = ModelParams { b, a0, a1, ..ModelParams::default() };
        let input = if i0 == 0.0 { Input::None } else { Input::Constant { i0 } };
        let network = Network::single(&params, input);
        let expected = stationary_states(&params, i0).unwrap();
        let states = network_stationary_states(&network).unwrap();
        assert_eq!(states.len(), expected.len(), "b = {b}, a1 = {a1}, I = {i0}");
        bistable += usize::from(expected.len() == 2);
        for (s, e) in states.iter().zip(&expected) {
            assert_relative_eq!(s.ln_rates[0], e.ln_rate, max_relative = 1e-12);
            assert_relative_eq!(s.rates[0], e.rate, max_relative = 1e-12);
            assert_eq!(s.stable, e.stable, "b = {b}: {s:?} / {e:?}");
            assert_relative_eq!(s.jacobian[0][0], e.slope, max_relative = 1e-12);
        }
    }
    assert!(bistable >= 2);
}

/// Uncoupled populations: the stationary states are exactly the products of each
/// population's own states, stable iff every factor is (oracle: the single-population
/// search for each). Both self-excitatory pairs go through the multi-start Newton search,
/// the excitatory–inhibitory pair through the reduction to one dimension; three
/// populations test the Newton search in `P = 3`.
#[test]
fn uncoupled_populations_have_the_product_states() {
    let cases: [&[(f64, f64)]; 3] = [
        &[(1.5, 1.0), (-0.5, 0.5)],
        &[(1.5, 1.0), (1.2, 0.6)],
        &[(1.5, 1.0), (-1.0, 0.7), (1.8, 1.2)],
    ];
    for case in cases {
        let p = case.len();
        let network = Network {
            populations: case
                .iter()
                .enumerate()
                .map(|(k, &(_, a0))| Population {
                    share: 1.0 / p as f64,
                    ..population(&format!("P{k}"), a0, 0.0)
                })
                .collect(),
            coupling: (0..p)
                .map(|a| (0..p).map(|b| if a == b { case[a].0 } else { 0.0 }).collect())
                .collect(),
            a1: Vec::new(),
        };
        let singles: Vec<_> = case
            .iter()
            .map(|&(b, a0)| {
                let params = ModelParams { b, a0, ..ModelParams::default() };
                stationary_states(&params, 0.0).unwrap()
            })
            .collect();
        let mut products: Vec<(Vec<f64>, bool)> = vec![(Vec::new(), true)];
        for states in &singles {
            products = products
                .into_iter()
                .flat_map(|(rates, stable)| {
                    states.iter().map(move |s| {
                        let mut r = rates.clone();
                        r.push(s.rate);
                        (r, stable && s.stable)
                    })
                })
                .collect();
        }
        let found = network_stationary_states(&network).unwrap();
        assert_eq!(found.len(), products.len(), "{case:?}: {found:?}");
        for (rates, stable) in &products {
            let s = found
                .iter()
                .find(|s| s.rates.iter().zip(rates).all(|(a, b)| (a / b - 1.0).abs() < 1e-9))
                .unwrap_or_else(|| panic!("{case:?}: {rates:?} missing from {found:?}"));
            assert_eq!(s.stable, *stable, "{case:?}: {s:?}");
            check_state(&network, s);
        }
    }
}

/// Inputs that have no stationary state, and entries beyond the exact results' range, are
/// errors naming the entry (oracle: the path of the spoilt entry).
#[test]
fn a_time_dependent_input_or_a_huge_entry_is_an_error() {
    let mut network = two(1.0, 0.5, [[1.0, -0.5], [2.0, -1.5]]);
    network.populations[1].input = Input::Kick { t0: 1.0, dv: 0.1 };
    let err = network_stationary_states(&network).unwrap_err();
    assert_eq!(err.path(), "populations[1].input");
    let mut network = two(1.0, 0.5, [[1.0, -0.5], [2.0, -1.5]]);
    network.coupling[1][0] = 1e60;
    assert_eq!(network_stationary_states(&network).unwrap_err().path(), "coupling[1][0]");
}

/// The brute-force oracle: the log-defects `F_α = ln N_α - ln ν_α(N)` on a fine log grid
/// of the rate plane (by `siegert_rate`), and the cells where both change sign between
/// corners — where both nullclines pass, so where a stationary state can be. Returns the
/// centres of those cells in `ln N`.
fn cells_with_both_sign_changes(network: &Network, lo: f64, hi: f64, k: usize) -> Vec<[f64; 2]> {
    let at = |i: usize| lo + (hi - lo) * i as f64 / k as f64;
    let grid: Vec<Vec<[f64; 2]>> = (0..=k)
        .map(|i| {
            (0..=k)
                .map(|j| {
                    let x = [at(i), at(j)];
                    let n = [x[0].exp(), x[1].exp()];
                    let nu = rate_map(network, &n);
                    [x[0] - nu[0].ln(), x[1] - nu[1].ln()]
                })
                .collect()
        })
        .collect();
    let mut cells = Vec::new();
    for i in 0..k {
        for j in 0..k {
            let corners = [grid[i][j], grid[i + 1][j], grid[i][j + 1], grid[i + 1][j + 1]];
            let changes = |c: usize| {
                corners.iter().any(|f| f[c] < 0.0) && corners.iter().any(|f| f[c] >= 0.0)
            };
            if changes(0) && changes(1) {
                cells.push([0.5 * (at(i) + at(i + 1)), 0.5 * (at(j) + at(j + 1))]);
            }
        }
    }
    cells
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Random excitatory–inhibitory couplings: every returned state is a verified fixed
    /// point (oracle: `siegert_rate`), and a brute-force scan of the rate plane (60 × 60
    /// cells over rates `e^-9` to `e^2`) finds both defects changing sign only in cells
    /// within two cells of a returned state (oracle: the sign-change scan, independent of
    /// the search).
    #[test]
    fn random_two_population_networks(
        b_ee in -1.0f64..2.5, b_ei in -2.0f64..0.0, b_ie in 0.0f64..2.5, b_ii in -2.0f64..0.5,
        a_e in 0.4f64..1.5, a_i in 0.3f64..1.5,
    ) {
        let network = two(a_e, a_i, [[b_ee, b_ei], [b_ie, b_ii]]);
        let states = network_stationary_states(&network).unwrap();
        for s in &states {
            check_state(&network, s);
        }
        let (lo, hi, k) = (-9.0, 2.0, 60);
        let cell = (hi - lo) / k as f64;
        for c in cells_with_both_sign_changes(&network, lo, hi, k) {
            let near = states.iter().any(|s| {
                (s.ln_rates[0] - c[0]).abs() <= 2.0 * cell && (s.ln_rates[1] - c[1]).abs() <= 2.0 * cell
            });
            prop_assert!(near, "sign changes at ln N = {:?}, states {:?}", c, states);
        }
    }
}
