//! Synaptic delays in the network model (issue 27): validation with paths, whole numbers
//! of steps, their text and binary forms, and what they leave unchanged.

use nlif_model::network::{Network, network_stationary_states};
use nlif_model::{Input, ModelParams};
use proptest::prelude::*;

const EI_RON: &str = r#"(
    populations: [
        (name: "E", share: 0.8, a0: 1.0, v_f: 2.0, v_r: 1.0, input: None),
        (name: "I", share: 0.2, a0: 0.5, v_f: 2.0, v_r: 1.0, input: None),
    ],
    coupling: [[1.0, -0.5], [2.0, -1.5]],
)"#;

fn ei() -> Network {
    ron::from_str(EI_RON).unwrap()
}

fn delayed() -> Network {
    Network {
        delay: vec![vec![0.0, 0.5], vec![0.25, 1.0]],
        ..ei()
    }
}

/// Oracle: the path of the entry that was spoiled, one at a time.
#[test]
fn a_bad_delay_is_named_by_its_entry() {
    for (value, why) in [
        (-0.1, "negative"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "infinite"),
    ] {
        let mut network = delayed();
        network.delay[0][1] = value;
        let error = network.validate().unwrap_err();
        assert_eq!(error.path(), "delay[0][1]", "{why}");
        assert!(error.to_string().contains("finite"), "{why}: {error}");
        assert_eq!(network.delay_steps(1e-3).unwrap_err().path(), "delay[0][1]");
    }
    let mut network = delayed();
    network.delay.pop();
    assert_eq!(network.validate().unwrap_err().path(), "delay");
    let mut network = delayed();
    network.delay[1].push(0.0);
    assert_eq!(network.validate().unwrap_err().path(), "delay[1]");
    delayed().validate().unwrap();
}

/// Oracle: arithmetic — `k · dt` is `k` steps whatever the rounding of the quotient
/// (`0.3 / 1e-3 = 299.99999999999994`); half a step off is refused, naming the entry and
/// the two whole-step delays around it.
#[test]
fn delays_are_whole_numbers_of_steps_or_refused() {
    let mut network = delayed();
    assert_eq!(
        network.delay_steps(0.25).unwrap(),
        vec![vec![0, 2], vec![1, 4]]
    );
    network.delay[1][0] = 0.3;
    assert_eq!(network.delay_steps(1e-3).unwrap()[1][0], 300);
    network.delay[1][0] = 0.3005;
    let error = network.delay_steps(1e-3).unwrap_err();
    assert_eq!(error.path(), "delay[1][0]");
    let text = error.to_string();
    assert!(
        text.contains("0.3 or 0.301") && text.contains("whole number of steps"),
        "{text}"
    );
    // A positive delay below half a step is not silently zero.
    network.delay[1][0] = 1e-5;
    assert_eq!(network.delay_steps(1e-3).unwrap_err().path(), "delay[1][0]");
    // No delays: zeros of the network's shape.
    assert_eq!(
        ei().delay_steps(1e-3).unwrap(),
        vec![vec![0, 0], vec![0, 0]]
    );
    assert_eq!(ei().delay_steps(0.0).unwrap_err().path(), "dt");
}

proptest! {
    /// Oracle: the product `k · dt` of a whole number and a decimal step is `k` steps.
    #[test]
    fn every_multiple_of_the_step_is_accepted(
        k in 0usize..2_000_000,
        dt in prop::sample::select(vec![1e-2, 5e-3, 2e-3, 1e-3, 5e-4, 1e-4, 2.5e-5, 1e-5]),
    ) {
        let network = Network { delay: vec![vec![k as f64 * dt]], ..single() };
        prop_assert_eq!(network.delay_steps(dt).unwrap(), vec![vec![k]]);
    }
}

fn single() -> Network {
    Network::single(&ModelParams::default(), Input::None)
}

/// Oracle: the bytes written before delays existed — a network without delays is written
/// in text without the field, and read back from text without it; with delays it round
/// trips through text and through postcard (as in checkpoints), which always holds it.
#[test]
fn delays_are_left_out_of_text_while_empty_and_round_trip() {
    let json = serde_json::to_string(&ei()).unwrap();
    assert!(!json.contains("delay"), "{json}");
    assert_eq!(serde_json::from_str::<Network>(&json).unwrap(), ei());
    assert!(!ron::to_string(&ei()).unwrap().contains("delay"));
    for network in [ei(), delayed()] {
        let bytes = postcard::to_allocvec(&network).unwrap();
        assert_eq!(postcard::from_bytes::<Network>(&bytes).unwrap(), network);
        let text = ron::to_string(&network).unwrap();
        assert_eq!(ron::from_str::<Network>(&text).unwrap(), network);
        let json = serde_json::to_string(&network).unwrap();
        assert_eq!(serde_json::from_str::<Network>(&json).unwrap(), network);
    }
}

/// Oracle: docs/model.md §12 — at a stationary state the rates are constant, so a delay
/// does not move them: the stationary rates with delays are those without. (Their
/// stability is that of the model without delays, which a delay can change.)
#[test]
fn stationary_states_do_not_depend_on_delays() {
    let with = network_stationary_states(&delayed()).unwrap();
    let without = network_stationary_states(&ei()).unwrap();
    assert_eq!(with.len(), without.len());
    for (a, b) in with.iter().zip(&without) {
        assert_eq!(a.rates, b.rates);
    }
}

/// Oracle: the path — a solver without delays names the first delayed connection; zeros
/// are no delay; one population with a delay is not today's single model.
#[test]
fn delays_are_refused_by_entry_where_not_simulated() {
    assert!(ei().refuse_delay().is_ok());
    let zeros = Network {
        delay: vec![vec![0.0; 2]; 2],
        ..ei()
    };
    assert!(zeros.refuse_delay().is_ok() && !zeros.has_delay());
    assert_eq!(delayed().refuse_delay().unwrap_err().path(), "delay[0][1]");
    assert_eq!(delayed().max_delay(), 1.0);
    assert_eq!(delayed().delay_entry(1, 0), 0.25);
    assert_eq!(ei().delay_entry(1, 0), 0.0);
    let mut one = single();
    assert!(one.as_single().is_some());
    one.delay = vec![vec![0.5]];
    assert!(one.as_single().is_none());
}
