//! Networks of populations (issue 26): the config form, validation with paths, and the
//! exact embedding of the single-population model.

use nlif_model::network::{Network, NetworkError, Population, SHARE_SUM_TOL};
use nlif_model::{Input, ModelParams};
use proptest::prelude::*;

/// The populations form, spelled as in the interface of the config files.
const EI_RON: &str = r#"(
    populations: [
        (name: "E", share: 0.8, a0: 1.0, v_f: 2.0, v_r: 1.0, input: None),
        (name: "I", share: 0.2, a0: 0.5, v_f: 2.0, v_r: 1.0, input: None),
    ],
    coupling: [[1.0, -0.5], [2.0, -1.5]],   // coupling[α][β]: what a spike of β does to α
    a1: [[0.0, 0.0], [0.0, 0.0]],           // optional; default zeros
)"#;

fn ei() -> Network {
    ron::from_str(EI_RON).unwrap()
}

fn path_of(network: &Network) -> String {
    network.validate().unwrap_err().path().to_string()
}

/// Oracle: the values written in the file, field by field; `a1` omitted is zeros.
#[test]
fn the_interface_form_loads_and_round_trips() {
    let network = ei();
    network.validate().unwrap();
    assert_eq!(network.len(), 2);
    assert_eq!(network.populations[1].name, "I");
    assert_eq!(network.populations[1].a0, 0.5);
    assert_eq!(network.coupling[1][0], 2.0);
    let text = ron::to_string(&network).unwrap();
    assert_eq!(ron::from_str::<Network>(&text).unwrap(), network);

    let without_a1 = EI_RON.replace("a1: [[0.0, 0.0], [0.0, 0.0]],", "");
    let network: Network = ron::from_str(&without_a1).unwrap();
    network.validate().unwrap();
    assert!(network.a1.is_empty());
    assert_eq!(network.a1_entry(1, 0), 0.0);
    assert_eq!(network.diffusion(1, &[3.0, 4.0]), 0.5);
    // A population's input may be left out (none).
    let no_input = EI_RON.replace(", input: None", "");
    assert_eq!(ron::from_str::<Network>(&no_input).unwrap(), ei());
    // A misspelt field is an error of the file, not silently ignored.
    assert!(ron::from_str::<Network>(&EI_RON.replace("coupling", "couplings")).is_err());
}

/// A change that makes one entry invalid.
type Spoil = Box<dyn Fn(&mut Network)>;

/// Oracle: the path of the entry that was spoiled, one spoilt entry at a time.
#[test]
fn every_bad_entry_is_named_by_its_path() {
    let cases: Vec<(&str, Spoil)> = vec![
        ("populations", Box::new(|n| n.populations.clear())),
        ("populations", Box::new(|n| n.populations[0].share = 0.7)),
        (
            "populations[1].a0",
            Box::new(|n| n.populations[1].a0 = -1.0),
        ),
        (
            "populations[0].a0",
            Box::new(|n| n.populations[0].a0 = f64::NAN),
        ),
        (
            "populations[0].v_r",
            Box::new(|n| n.populations[0].v_r = 2.0),
        ),
        (
            "populations[1].v_f",
            Box::new(|n| n.populations[1].v_f = f64::INFINITY),
        ),
        (
            "populations[0].share",
            Box::new(|n| n.populations[0].share = 0.0),
        ),
        (
            "populations[1].share",
            Box::new(|n| n.populations[1].share = 1.2),
        ),
        (
            "populations[1].name",
            Box::new(|n| n.populations[1].name = "E".into()),
        ),
        (
            "populations[0].name",
            Box::new(|n| n.populations[0].name = String::new()),
        ),
        (
            "populations[0].name",
            Box::new(|n| n.populations[0].name = "E,x".into()),
        ),
        (
            "populations[1].input.period",
            Box::new(|n| {
                n.populations[1].input = Input::Periodic {
                    i0: 0.0,
                    amplitude: 1.0,
                    period: 0.0,
                    phase: 0.0,
                }
            }),
        ),
        (
            "coupling",
            Box::new(|n| n.coupling.pop().map(drop).unwrap_or(())),
        ),
        ("coupling[1]", Box::new(|n| n.coupling[1].push(0.0))),
        ("coupling[0][1]", Box::new(|n| n.coupling[0][1] = f64::NAN)),
        ("a1", Box::new(|n| n.a1 = vec![vec![0.0; 2]; 3])),
        (
            "a1[0]",
            Box::new(|n| n.a1 = vec![vec![0.0; 1], vec![0.0; 2]]),
        ),
        ("a1[1][0]", Box::new(|n| n.a1[1][0] = -0.1)),
    ];
    for (path, spoil) in cases {
        let mut network = ei();
        spoil(&mut network);
        assert_eq!(path_of(&network), path, "{network:?}");
    }
}

/// Oracle: the tolerance on the sum of the shares, [`SHARE_SUM_TOL`], at its two sides;
/// ten shares `0.1` sum to `0.9999999999999999` in floating point and must pass.
#[test]
fn shares_sum_to_one_within_the_stated_tolerance() {
    let one = |share: f64, name: String| Population::new(name, share, 1.0);
    let network = |shares: &[f64]| Network {
        populations: shares
            .iter()
            .enumerate()
            .map(|(k, &s)| one(s, format!("P{k}")))
            .collect(),
        coupling: vec![vec![0.0; shares.len()]; shares.len()],
        a1: Vec::new(),
        delay: Vec::new(),
    };
    assert!(network(&[0.1; 10]).validate().is_ok());
    assert!(
        network(&[0.5, 0.5 + 0.5 * SHARE_SUM_TOL])
            .validate()
            .is_ok()
    );
    let err = network(&[0.5, 0.5 + 2.0 * SHARE_SUM_TOL])
        .validate()
        .unwrap_err();
    assert_eq!(err.path(), "populations");
    assert!(matches!(err, NetworkError::Invalid { .. }));
}

proptest! {
    /// The embedding of one population is exact: `single` then `as_single` is the
    /// identity, a network of one population is valid exactly when its parameters are,
    /// and its drift and noise are `b N` and `a0 + a1 N` bit for bit (oracle: the
    /// single-population formulas of `ModelParams`).
    #[test]
    fn one_population_is_todays_model_exactly(
        a0 in -1.0f64..2.0, a1 in -0.5f64..1.0, b in -3.0f64..3.0,
        v_f in 0.0f64..3.0, v_r in -1.0f64..3.0, i0 in -2.0f64..2.0, n in 0.0f64..10.0,
    ) {
        let params = ModelParams { a0, a1, b, v_f, v_r };
        let input = Input::Constant { i0 };
        let network = Network::single(&params, input);
        prop_assert_eq!(network.as_single(), Some((params, input)));
        prop_assert_eq!(network.validate().is_ok(), params.validate().is_ok());
        if params.validate().is_err() {
            // The network checks the population's own fields before the matrices.
            let expected = match (ModelParams { a1: 0.0, ..params }).validate() {
                Err(e) => format!("populations[0].{}", e.field()),
                Ok(()) => "a1[0][0]".to_string(),
            };
            let error = network.validate().unwrap_err();
            prop_assert_eq!(error.path(), expected);
        }
        prop_assert_eq!(network.recurrent_input(0, &[n]).to_bits(), (b * n).to_bits());
        prop_assert_eq!(network.diffusion(0, &[n]).to_bits(), params.diffusion(n).to_bits());
    }

    /// No input makes validation panic, and whatever passes it has `P×P` matrices and
    /// shares summing to one (oracle: the definition of a valid network).
    #[test]
    fn validation_never_panics(
        shares in prop::collection::vec(-0.5f64..1.5, 0..4),
        rows in prop::collection::vec(prop::collection::vec(-2.0f64..2.0, 0..4), 0..4),
        a1_rows in prop::collection::vec(prop::collection::vec(-1.0f64..2.0, 0..4), 0..4),
    ) {
        let populations = shares.iter().enumerate().map(|(k, &share)| Population {
            name: format!("P{k}"), share, a0: 1.0, v_f: 2.0, v_r: 1.0, input: Input::None, initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
        }).collect();
        let network = Network { populations, coupling: rows, a1: a1_rows, delay: Vec::new() };
        if network.validate().is_ok() {
            let p = network.len();
            prop_assert!(p >= 1 && network.coupling.len() == p);
            prop_assert!(network.coupling.iter().all(|r| r.len() == p));
            prop_assert!(network.a1.is_empty() || network.a1.iter().all(|r| r.len() == p));
            prop_assert!((shares.iter().sum::<f64>() - 1.0).abs() <= SHARE_SUM_TOL);
        }
    }
}

proptest! {
    /// Oracle: the defining properties of the largest-remainder split — the counts sum to
    /// the total exactly, each is its exact share rounded down or up, and (when no count
    /// is zero) it succeeds.
    #[test]
    fn neurons_split_the_total_by_the_shares(
        weights in proptest::collection::vec(1u32..1000, 1..6),
        total in 1usize..10_000_000,
    ) {
        let sum: u32 = weights.iter().sum();
        let populations = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| Population::new(format!("P{i}"), f64::from(w) / f64::from(sum), 1.0))
            .collect::<Vec<_>>();
        let p = populations.len();
        let network = Network { populations, coupling: vec![vec![0.0; p]; p], a1: Vec::new(), delay: Vec::new() };
        match network.neurons(total) {
            Ok(neurons) => {
                prop_assert_eq!(neurons.iter().sum::<usize>(), total);
                for (n, x) in neurons.iter().zip(&network.populations) {
                    let exact = x.share * total as f64;
                    prop_assert!((*n as f64 - exact).abs() < 1.0 + 1e-6 * exact, "{} vs {}", n, exact);
                    prop_assert!(*n >= 1);
                }
            }
            Err(e) => {
                // Only a population whose exact share is below one neuron may end empty.
                let alpha: usize = e.path()["populations[".len()..].split(']').next().unwrap().parse().unwrap();
                let below_one = network.populations[alpha].share * (total as f64) < 1.0;
                prop_assert!(below_one, "{}", e);
            }
        }
    }
}

/// Oracle: the path the file spells — a population's own `initial` is checked under its
/// population, and one left out falls back to the run's.
#[test]
fn a_population_carries_its_own_initial_density() {
    let text = EI_RON.replace(
        r#"v_r: 1.0, input: None),
        (name: "I""#,
        r#"v_r: 1.0, input: None, initial: Some(Gaussian(mean: 0.5, var: -1.0))),
        (name: "I""#,
    );
    let network: Network = ron::from_str(&text).unwrap();
    assert_eq!(path_of(&network), "populations[0].initial.var");
    let common = nlif_model::InitialDensity::Gaussian {
        mean: 0.0,
        var: 1.0,
    };
    assert_eq!(network.populations[1].initial_or(&common), &common);
    assert_ne!(network.populations[0].initial_or(&common), &common);
}

/// Oracle: the value itself — a network survives a non-self-describing format (postcard,
/// as in checkpoints) and RON, every optional field included.
#[test]
fn a_network_round_trips_through_every_format() {
    let mut network = ei();
    network.populations[0].initial = Some(nlif_model::InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.2,
    });
    network.populations[1].refractory = nlif_model::Refractory::Fixed { tau: 0.01 };
    for n in [ei(), network] {
        let bytes = postcard::to_allocvec(&n).unwrap();
        assert_eq!(postcard::from_bytes::<Network>(&bytes).unwrap(), n);
        let text = ron::to_string(&n).unwrap();
        assert_eq!(ron::from_str::<Network>(&text).unwrap(), n);
    }
}

/// Oracle: the path — a solver that does not simulate refractory periods names the
/// population that has one.
#[test]
fn refractory_periods_are_refused_by_name_where_not_simulated() {
    let mut network = ei();
    assert!(network.refuse_refractory().is_ok());
    network.populations[1].refractory = nlif_model::Refractory::Exponential { tau: 0.01 };
    assert_eq!(
        network.refuse_refractory().unwrap_err().path(),
        "populations[1].refractory"
    );
}
