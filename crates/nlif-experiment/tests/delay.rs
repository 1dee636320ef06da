//! `model.delay` (docs/config.md, docs/model.md §12): a number in the single form, a
//! `P×P` matrix in the populations form; read, written back (left out at 0), carried into
//! the network, checked by path, reached by `--set` and `--vary`; and the rate before the
//! start that a delay delivers, `prior_rate`. Oracles: the values and paths written out by
//! hand, the text of the config without the field, the round trip, and a constant input
//! current for a delayed prior rate.

mod common;

use common::{EI, VALID, ei, valid};
use nlif_experiment::config::{self, CheckError, Pairwise};
use nlif_experiment::set::{self, SetError};
use nlif_experiment::{Config, Parallelism, sweep};

/// `text` with `from` replaced by `to` (which must occur).
fn edited(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in the text");
    text.replacen(from, to, 1)
}

fn single(delay: &str) -> String {
    edited(
        VALID,
        "input: None)",
        &format!("input: None, delay: {delay})"),
    )
}

fn populations(delay: &str) -> String {
    edited(
        EI,
        "a1: [[0.0, 0.0], [0.0, 0.0]],",
        &format!("a1: [[0.0, 0.0], [0.0, 0.0]],\n        delay: {delay},"),
    )
}

/// The path and message `check` gives for `text`.
fn refusal(text: &str) -> (String, String) {
    let config = config::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    match config::check(&config, None, &[], 1).unwrap_err() {
        CheckError::Field { field, message, .. } => (field, message),
        e => panic!("{e}"),
    }
}

/// A sweep of [`ei`] over one `--vary` range.
fn sweep_of_ei(vary: &str) -> sweep::Definition {
    sweep::Definition {
        program: "nlif".into(),
        version: "0".into(),
        base: ei(),
        vary: vec![sweep::parse_vary(vary).unwrap()],
        seed_per_point: false,
    }
}

/// The config written as RON and read back.
fn round_trip(config: &Config) -> Config {
    config::parse(&config::to_ron(config).unwrap()).unwrap()
}

#[test]
fn a_delay_is_read_into_the_network_and_written_back() {
    let one = config::parse(&single("0.5")).unwrap();
    assert_eq!(one.model.delay, Pairwise::Scalar(0.5));
    assert_eq!(one.network().delay, vec![vec![0.5]]);
    assert_eq!(round_trip(&one), one);
    let two = config::parse(&populations("[[0.0, 0.5], [0.25, 0.0]]")).unwrap();
    assert_eq!(two.network().delay, vec![vec![0.0, 0.5], vec![0.25, 0.0]]);
    assert_eq!(round_trip(&two), two);
    // Through a checkpoint's binary form, too.
    for config in [one, two] {
        let bytes = postcard::to_allocvec(&config).unwrap();
        assert_eq!(postcard::from_bytes::<Config>(&bytes).unwrap(), config);
    }
}

/// Oracle: the text of every config before delays existed — a config without a delay
/// (or with 0) writes no `delay`, so its files are byte for byte those of before.
#[test]
fn no_delay_writes_no_field() {
    for config in [valid(), ei(), config::parse(&single("0.0")).unwrap()] {
        let text = config::to_ron(&config).unwrap();
        assert!(!text.contains("delay"), "{text}");
        assert!(config.network().delay.is_empty());
    }
    assert_eq!(
        config::to_ron(&config::parse(&single("0")).unwrap()).unwrap(),
        config::to_ron(&valid()).unwrap()
    );
}

#[test]
fn a_bad_delay_is_named_by_its_path() {
    let rows = [
        (
            single("-0.5"),
            "model.delay",
            "invalid `model.delay` = -0.5",
        ),
        (single("NaN"), "model.delay", "invalid `model.delay` = NaN"),
        (
            single("[[0.5]]"),
            "model.delay",
            "invalid `model.delay`: a number",
        ),
        // dt = 1e-3: half a step off, the two whole-step delays around it named.
        (
            single("0.0105"),
            "model.delay",
            "invalid `model.delay`: 0.0105 is",
        ),
        (
            populations("0.5"),
            "model.delay",
            "invalid `model.delay` = 0.5: the populations form takes a P×P matrix",
        ),
        (
            populations("[[0.0, -0.5], [0.0, 0.0]]"),
            "model.delay[0][1]",
            "invalid `model.delay[0][1]`: -0.5",
        ),
        (
            populations("[[0.0, 0.5]]"),
            "model.delay",
            "invalid `model.delay`: has 1 rows",
        ),
        (
            populations("[[0.0, 0.0], [0.0105, 0.0]]"),
            "model.delay[1][0]",
            "invalid `model.delay[1][0]`: 0.0105 is",
        ),
    ];
    for (text, field, message) in rows {
        let (got_field, got_message) = refusal(&text);
        assert_eq!(got_field, field, "{text}");
        assert!(got_message.starts_with(message), "{text}: {got_message}");
    }
    let (_, message) = refusal(&single("0.0105"));
    assert!(
        message.contains("0.0105 is 10.5 steps of dt = 0.001;")
            && message.contains("(the nearest: 0.01 or 0.011)"),
        "{message}"
    );
}

/// A valid delay, of whole steps, is taken by a switching run (its hand-overs carry the
/// histories), of one population or several, and refused by a dilated run by its path.
#[test]
fn a_valid_delay_is_refused_by_the_dilated_run_by_its_path() {
    let check = |text: &str| {
        config::check(&config::parse(text).unwrap(), None, &[], 1).unwrap();
    };
    check(&single("0.5"));
    check(&populations("[[0.0, 0.0], [0.25, 0.0]]"));
    let dilated = edited(&single("0.5"), "kind: Multiscale", "kind: Dilated");
    let (field, message) = refusal(&dilated);
    assert_eq!(field, "model.delay");
    assert!(
        message.starts_with("invalid `model.delay`: this solver does not simulate synaptic delays"),
        "{message}"
    );
    // Zeros are no delay.
    check(&populations("[[0.0, 0.0], [0.0, 0.0]]"));
}

#[test]
fn set_reaches_the_delay_in_either_form() {
    let mut one = valid();
    set::apply(&mut one, "model.delay=0.5").unwrap();
    assert_eq!(
        one,
        Config {
            model: config::ModelSection {
                delay: Pairwise::Scalar(0.5),
                ..valid().model
            },
            ..valid()
        }
    );
    set::apply(&mut one, "model.delay=0").unwrap();
    assert_eq!(one, valid());
    let mut two = ei();
    set::apply(&mut two, "model.delay[0][1]=0.5").unwrap();
    let mut expected = ei();
    expected.model.delay = Pairwise::Matrix(vec![vec![0.0, 0.5], vec![0.0, 0.0]]);
    assert_eq!(two, expected);
    set::apply(&mut two, "model.delay[1][0]=0.25").unwrap();
    expected.model.delay = Pairwise::Matrix(vec![vec![0.0, 0.5], vec![0.25, 0.0]]);
    assert_eq!(two, expected);
    set::apply(&mut two, "model.delay=[[1.0, 0.0], [0.0, 1.0]]").unwrap();
    assert_eq!(two.network().delay, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
    // Refusals: a number is not a list; past the matrix's end.
    let before = valid();
    let mut one = before.clone();
    assert_eq!(
        set::assign(&mut one, "model.delay[0][0]", "0.5").unwrap_err(),
        SetError::NotAList {
            at: "model.delay".into(),
            index: 0
        }
    );
    assert_eq!(one, before);
    assert_eq!(
        set::assign(&mut ei(), "model.delay[2][0]", "0.5").unwrap_err(),
        SetError::IndexOutOfRange {
            at: "model.delay".into(),
            index: 2,
            len: 2
        }
    );
}

#[test]
fn a_sweep_varies_a_delay_entry() {
    let definition = sweep_of_ei("model.delay[1][0]=0:1:3");
    for (index, value) in [0.0, 0.5, 1.0].into_iter().enumerate() {
        let mut expected = ei();
        expected.model.delay = Pairwise::Matrix(vec![vec![0.0, 0.0], vec![value, 0.0]]);
        expected.name = format!("ei-{index}");
        assert_eq!(definition.config(index).unwrap(), expected);
    }
}

/// Oracle: the values written out by hand, the round trip (text and binary), and the text
/// of the config without the field. `prior_rate` is read in either form into the
/// network, written back, and left out at 0 (so every earlier config writes the same
/// bytes).
#[test]
fn a_prior_rate_is_read_into_the_network_and_left_out_at_zero() {
    let one = config::parse(&edited(
        VALID,
        "input: None)",
        "input: None, delay: 0.5, prior_rate: 2.5)",
    ))
    .unwrap();
    assert_eq!(one.model.prior_rate, 2.5);
    assert_eq!(one.network().prior_rates(), [2.5]);
    let two = config::parse(&edited(
        EI,
        "a0: 0.5, v_f: 2.0, v_r: 1.0, input: None)",
        "a0: 0.5, v_f: 2.0, v_r: 1.0, input: None, prior_rate: 4.0)",
    ))
    .unwrap();
    assert_eq!(two.network().prior_rates(), [0.0, 4.0]);
    for config in [one, two] {
        let text = config::to_ron(&config).unwrap();
        assert_eq!(text.matches("prior_rate").count(), 1, "{text}");
        assert_eq!(round_trip(&config), config);
        let bytes = postcard::to_allocvec(&config).unwrap();
        assert_eq!(postcard::from_bytes::<Config>(&bytes).unwrap(), config);
    }
    for config in [valid(), ei()] {
        assert!(!config::to_ron(&config).unwrap().contains("prior_rate"));
    }
}

/// Oracle: the configs written by hand. `--set` reaches the prior rate in either form
/// (written out for the walk while it is left out at 0), back to 0 it is the config
/// without it; `--vary` varies it.
#[test]
fn set_and_vary_reach_the_prior_rate_in_either_form() {
    let mut one = valid();
    set::apply(&mut one, "model.prior_rate=2").unwrap();
    assert_eq!(one.model.prior_rate, 2.0);
    set::apply(&mut one, "model.prior_rate=0").unwrap();
    assert_eq!(one, valid());
    let mut two = ei();
    set::apply(&mut two, "model.populations[1].prior_rate=3").unwrap();
    assert_eq!(two.network().prior_rates(), [0.0, 3.0]);
    set::apply(&mut two, "model.populations[1].prior_rate=0").unwrap();
    assert_eq!(two, ei());
    let definition = sweep_of_ei("model.populations[0].prior_rate=0:2:3");
    for (index, value) in [0.0, 1.0, 2.0].into_iter().enumerate() {
        let point = definition.config(index).unwrap();
        assert_eq!(point.network().prior_rates(), [value, 0.0]);
    }
}

/// A negative or non-finite prior rate, and one of more than one spike per neuron and
/// particle step (`dt = 1e-3`: above 1000) in a run with particles and a delay, are
/// refused by their paths; a `Macro` run has no particles and takes the large one, and
/// so does a run without a delay (which never delivers it).
#[test]
fn a_bad_prior_rate_is_named_by_its_path() {
    let one = |rate: &str| {
        edited(
            VALID,
            "input: None)",
            &format!("input: None, delay: 0.5, prior_rate: {rate})"),
        )
    };
    let two = |rate: &str| {
        edited(
            &populations("[[0.0, 0.1], [0.1, 0.0]]"),
            "a0: 0.5, v_f: 2.0, v_r: 1.0, input: None)",
            &format!("a0: 0.5, v_f: 2.0, v_r: 1.0, input: None, prior_rate: {rate})"),
        )
    };
    let rows = [
        (one("-1.0"), "model.prior_rate", "-1.0"),
        (one("NaN"), "model.prior_rate", "NaN"),
        (one("1500.0"), "model.prior_rate", "more than one spike"),
        (two("-1.0"), "model.populations[1].prior_rate", "-1.0"),
        (
            two("1500.0"),
            "model.populations[1].prior_rate",
            "more than one spike",
        ),
    ];
    for (text, field, message) in rows {
        let (got_field, got_message) = refusal(&text);
        assert_eq!(got_field, field, "{text}");
        assert!(got_message.contains(message), "{text}: {got_message}");
    }
    let mut density = config::parse(&one("1500.0")).unwrap();
    density.solver.kind = multiscale::SolverKind::Macro;
    assert!(config::check(&density, None, &[], 1).is_ok());
    // Without a delay the prior rate is never delivered: no spikes to bound.
    let mut undelayed = config::parse(&one("1500.0")).unwrap();
    undelayed.model.delay = Pairwise::Scalar(0.0);
    assert!(config::check(&undelayed, None, &[], 1).is_ok());
}

/// Oracle: a constant input current. Until the delay `D` has passed, a population
/// delayed by `D` from itself feels `b N(t - D) = b ν` of its prior rate `ν`: its density
/// is that of the same population without coupling driven by the input `I = b ν`. The
/// `Macro` runs agree at every output time before `D` to rounding.
#[test]
fn a_delayed_prior_rate_acts_as_a_constant_input_until_the_delay() {
    let mut delayed = valid();
    delayed.solver.kind = multiscale::SolverKind::Macro;
    delayed.t_end = 0.09;
    delayed.model.delay = Pairwise::Scalar(0.1);
    delayed.model.prior_rate = 2.0;
    let mut driven = delayed.clone();
    driven.model.delay = Pairwise::Scalar(0.0);
    driven.model.prior_rate = 0.0;
    driven.model.b = 0.0;
    driven.model.input = nlif_model::Input::Constant {
        i0: delayed.model.b * 2.0,
    };
    let mut quiet = delayed.clone();
    quiet.model.prior_rate = 0.0;
    let rates = |config: &Config| -> Vec<(f64, f64)> {
        let result = nlif_experiment::run(config, Parallelism::Sequential).unwrap();
        (result.trace.samples.iter())
            .map(|s| (s.t, s.rate))
            .collect()
    };
    let (with, without, none) = (rates(&delayed), rates(&driven), rates(&quiet));
    assert_eq!(with.len(), without.len());
    assert!(with.len() >= 9, "every 0.01 up to 0.09");
    for ((t, a), (s, b)) in with.iter().zip(&without) {
        assert_eq!(t, s);
        assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "t = {t}: {a} against {b}"
        );
    }
    // And the prior rate is felt: the quiet history gives other rates.
    assert!(
        with.iter()
            .zip(&none)
            .any(|((_, a), (_, b))| (a - b).abs() > 1e-3)
    );
}
