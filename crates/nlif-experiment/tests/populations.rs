//! The populations form of `model`: read, written back, turned into a network, checked
//! field by field. Oracles: the network written out by hand from the file's text
//! (`common/ei.ron`), the messages and paths written out by hand, and the round trip
//! (text → config → text → the same config).

mod common;

use common::{EI, ei, valid};
use nlif_experiment::config::{self, CheckError, Pairwise};
use nlif_model::network::{Network, Population};

/// `EI` with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    assert!(EI.contains(from), "`{from}` is not in EI");
    EI.replacen(from, to, 1)
}

#[test]
fn the_populations_form_reads_as_the_network_it_writes() {
    let config = ei();
    assert!(config.model.is_populations_form());
    let expected = Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 0.5),
        ],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: vec![vec![0.0, 0.0], vec![0.0, 0.0]],
        delay: Vec::new(),
    };
    assert_eq!(config.network(), expected);
    // Without `a1`: zeros (an empty matrix).
    let text = edited(
        "        a1: [[0.0, 0.0], [0.0, 0.0]],           // optional; default zeros\n",
        "",
    );
    let without = config::parse(&text).unwrap();
    assert_eq!(without.model.a1, Pairwise::Matrix(Vec::new()));
    assert_eq!(without.network().a1, Vec::<Vec<f64>>::new());
    // A population's own initial density.
    let own = config::parse(&edited(
        "v_r: 1.0, input: None),\n        ],",
        "v_r: 1.0, input: None, initial: Some(Gaussian(mean: 0.0, var: 0.25))),\n        ],",
    ))
    .unwrap();
    assert_eq!(
        own.network().populations[1].initial,
        Some(nlif_model::InitialDensity::Gaussian {
            mean: 0.0,
            var: 0.25
        })
    );
    // Round trips: the RON of `config.ron`, the compact RON, JSON, postcard.
    for config in [config, without, own] {
        let pretty = config::to_ron(&config).unwrap();
        assert!(
            pretty.contains("    model: (\n        populations: ["),
            "{pretty}"
        );
        assert!(!pretty.contains(" b: "), "{pretty}");
        assert_eq!(config::parse(&pretty).unwrap(), config, "{pretty}");
        let compact = ron::to_string(&config).unwrap();
        assert_eq!(config::parse(&compact).unwrap(), config);
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<nlif_experiment::Config>(&json).unwrap(),
            config
        );
        let bits = postcard::to_allocvec(&config).unwrap();
        assert_eq!(
            postcard::from_bytes::<nlif_experiment::Config>(&bits).unwrap(),
            config
        );
    }
}

#[test]
fn the_single_form_is_the_network_of_one_population() {
    let config = valid();
    assert_eq!(
        config.network(),
        Network::single(&config.model.params(), config.model.input)
    );
    assert_eq!(config.network().coupling, vec![vec![1.5]]);
}

#[test]
fn a_field_of_the_other_form_is_refused_where_it_is_written() {
    // (edit from, edit to, line, column, the field named). The place is that of the
    // field that mixes the forms: the second form's first field.
    let rows = [
        (
            "    model: (\n",
            "    model: (\n        b: 1.5,\n",
            5,
            9,
            "`model.b`",
        ),
        (
            "        a1: [[",
            "        a0: 1.0,\n        a1: [[",
            9,
            9,
            "`model.a0`",
        ),
        (
            "        coupling: [[1.0, -0.5], [2.0, -1.5]],",
            "",
            0,
            0,
            "missing field named `coupling`",
        ),
    ];
    for (from, to, line, column, says) in rows {
        let e = config::parse(&edited(from, to)).unwrap_err();
        assert!(
            e.code.to_string().contains(says),
            "{to}: `{says}` not in {e}"
        );
        if line > 0 {
            assert_eq!((e.line, e.column), (line, column), "{to}: {e}");
        }
    }
    // The single form with a field of the populations form: the first single-form field
    // is named.
    let single = common::VALID.replacen("input: None)", "input: None, coupling: [[1.0]])", 1);
    let e = config::parse(&single).unwrap_err();
    assert!(e.code.to_string().contains("`model.a0`"), "{e}");
    // An unknown field: the fields of the form read so far.
    let e =
        config::parse(&edited("        a1: [[", "        bee: 1,\n        a1: [[")).unwrap_err();
    assert!(e.code.to_string().contains("bee"), "{e}");
    assert!(e.code.to_string().contains("coupling"), "{e}");
    assert!(!e.code.to_string().contains("v_f"), "{e}");
}

/// The path and message `check` gives for `text`.
fn refusal(text: &str) -> (String, String) {
    let config = config::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    match config::check(&config, None, &[], 1).unwrap_err() {
        CheckError::Field { field, message, .. } => (field, message),
        e => panic!("{e}"),
    }
}

#[test]
fn every_invalid_entry_is_named_by_its_path_under_model() {
    let rows = [
        (
            "coupling: [[1.0, -0.5], [2.0, -1.5]]",
            "coupling: [[1.0, -0.5], [2.0, -1.5], [0.0, 0.0]]",
            "model.coupling",
            "invalid `model.coupling`: has 3 rows; a network of 2 populations needs 2×2",
        ),
        (
            "coupling: [[1.0, -0.5], [2.0, -1.5]]",
            "coupling: [[1.0, -0.5], [2.0]]",
            "model.coupling[1]",
            "invalid `model.coupling[1]`: has 1 entries; a network of 2 populations needs 2",
        ),
        (
            "coupling: [[1.0, -0.5], [2.0, -1.5]]",
            "coupling: [[1.0, -0.5], [NaN, -1.5]]",
            "model.coupling[1][0]",
            "invalid `model.coupling[1][0]`: NaN",
        ),
        (
            "a1: [[0.0, 0.0], [0.0, 0.0]]",
            "a1: [[0.0, 0.0], [0.0, -1.0]]",
            "model.a1[1][1]",
            "invalid `model.a1[1][1]`: -1.0",
        ),
        (
            "a1: [[0.0, 0.0], [0.0, 0.0]]",
            "a1: 0.5",
            "model.a1",
            "invalid `model.a1` = 0.5: the populations form takes a P×P matrix",
        ),
        (
            "a0: 0.5, v_f: 2.0, v_r: 1.0",
            "a0: 0.5, v_f: 2.0, v_r: 2.0",
            "model.populations[1].v_r",
            "invalid `model.populations[1].v_r`: 2.0: the reset `v_r` must lie below the threshold `v_f`",
        ),
        (
            "(name: \"I\"",
            "(name: \"E\"",
            "model.populations[1].name",
            "invalid `model.populations[1].name`: \"E\" names two populations",
        ),
        (
            "(name: \"I\"",
            "(name: \"I 2\"",
            "model.populations[1].name",
            "invalid `model.populations[1].name`: \"I 2\": a name must be non-empty and of letters, digits, `_` and `-`",
        ),
        (
            "(name: \"I\"",
            "(name: \"t\"",
            "model.populations[1].name",
            "invalid `model.populations[1].name`: \"t\": density_t.npy holds the snapshot times, not a population's density",
        ),
        (
            "(name: \"I\"",
            "(name: \"e\"",
            "model.populations[1].name",
            "invalid `model.populations[1].name`: \"e\" and \"E\" differ only in case: density_e.npy and density_E.npy would be one file on a case-insensitive file system",
        ),
        (
            "share: 0.2",
            "share: 0.3",
            "model.populations",
            "invalid `model.populations`: the shares sum to",
        ),
        (
            "particles: 20000",
            "particles: 2",
            "model.populations[1].share",
            "invalid `model.populations[1].share`: 0.2 of 2 neurons leaves population \"I\" without a neuron",
        ),
        (
            "a0: 0.5, v_f: 2.0, v_r: 1.0, input: None",
            "a0: 0.5, v_f: 2.0, v_r: 1.0, input: Constant(i0: NaN)",
            "model.populations[1].input.i0",
            "invalid `model.populations[1].input.i0`",
        ),
    ];
    for (from, to, field, message) in rows {
        let (got_field, got_message) = refusal(&edited(from, to));
        assert_eq!(got_field, field, "{to}");
        assert!(got_message.starts_with(message), "{to}: {got_message}");
    }
}

#[test]
fn a_valid_network_passes_the_run_checks_but_a_fractional_period() {
    config::check(&ei(), None, &[], 1).unwrap();
    config::check(&valid(), None, &[], 1).unwrap();
    let macro_only = edited("particles: 20000", "particles: 2").replacen("Multiscale", "Macro", 1);
    config::check(&config::parse(&macro_only).unwrap(), None, &[], 1).unwrap();
    // A period of whole steps is simulated by every solver but the dilated one (which
    // refuses networks anyway); one of 10.5 steps of dt = 1e-3 is refused by its path,
    // with the nearest whole-step periods.
    let period = |tau: &str| {
        edited(
            "v_r: 1.0, input: None),\n        ],",
            &format!("v_r: 1.0, input: None, refractory: Fixed(tau: {tau})),\n        ],"),
        )
    };
    config::check(&config::parse(&period("0.01")).unwrap(), None, &[], 1).unwrap();
    let refractory = period("0.0105");
    let (field, message) = refusal(&refractory);
    assert_eq!(field, "model.populations[1].refractory.tau");
    assert!(
        message.starts_with("invalid `model.populations[1].refractory.tau`: 0.0105 is 10.5 steps")
            && message.contains("(the nearest: 0.01 or 0.011)"),
        "{message}"
    );
    // A population checked as a run of one on its own grid, named by its paths: the
    // kick of I at a time past the run's end.
    let kick = edited(
        "v_r: 1.0, input: None),\n        ],",
        "v_r: 1.0, input: Kick(t0: 5.0, dv: 0.5)),\n        ],",
    );
    let (field, message) = refusal(&kick);
    assert_eq!(field, "model.populations[1].input.t0", "{message}");
    // With the file: its name, line and column where the entry is written.
    let config = config::parse(&refractory).unwrap();
    let e = config::check(
        &config,
        Some((std::path::Path::new("ei.ron"), &refractory)),
        &[],
        1,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("ei.ron:"), "{e}");
}

#[test]
fn a_matrix_a1_is_refused_in_the_single_form() {
    let text = common::VALID.replacen("a1: 0.0", "a1: [[0.0]]", 1);
    assert_eq!(refusal(&text).0, "model.a1");
}
