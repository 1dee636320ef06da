//! Overrides that index into lists: `model.coupling[α][β]`, `model.populations[α].a0`,
//! `model.a1[α][β]`, and a sweep varying one. Oracles: the expected config built by hand
//! (the base with that one entry changed), the lengths and paths of the refusals written
//! out by hand.

mod common;

use common::{ei, valid};
use nlif_experiment::config::{ModelSection, Pairwise};
use nlif_experiment::set::{self, SetError};
use nlif_experiment::{Config, sweep};
use nlif_model::Input;
use nlif_model::network::Population;
use proptest::prelude::*;

/// A config of `p` populations whose coupling entries are all distinct.
fn network(p: usize) -> Config {
    let populations = (0..p)
        .map(|k| Population::new(format!("P{k}"), 1.0 / p as f64, 1.0 + k as f64))
        .collect();
    let coupling = (0..p)
        .map(|a| (0..p).map(|b| (10 * a + b) as f64).collect())
        .collect();
    Config {
        model: ModelSection::populations(populations, coupling),
        ..valid()
    }
}

proptest! {
    #[test]
    fn an_entry_in_range_is_set_and_nothing_else(
        p in 1usize..5, alpha in 0usize..5, beta in 0usize..5, value in -1e3f64..1e3,
    ) {
        prop_assume!(alpha < p && beta < p);
        let mut config = network(p);
        set::assign(&mut config, &format!("model.coupling[{alpha}][{beta}]"), &format!("{value:?}")).unwrap();
        let mut expected = network(p);
        expected.model.coupling[alpha][beta] = value;
        prop_assert_eq!(&config, &expected);

        let mut config = network(p);
        set::assign(&mut config, &format!("model.populations[{alpha}].a0"), &format!("{value:?}")).unwrap();
        let mut expected = network(p);
        expected.model.populations.as_mut().unwrap()[alpha].a0 = value;
        prop_assert_eq!(&config, &expected);
    }

    #[test]
    fn an_index_past_the_end_is_refused_with_the_length(
        p in 1usize..5, alpha in 0usize..8, beta in 0usize..8,
    ) {
        prop_assume!(alpha >= p || beta >= p);
        let mut config = network(p);
        let e = set::assign(&mut config, &format!("model.coupling[{alpha}][{beta}]"), "1.0").unwrap_err();
        let expected = if alpha >= p {
            SetError::IndexOutOfRange { at: "model.coupling".into(), index: alpha, len: p }
        } else {
            SetError::IndexOutOfRange { at: format!("model.coupling[{alpha}]"), index: beta, len: p }
        };
        prop_assert_eq!(e, expected);
        prop_assert_eq!(config, network(p));
    }
}

#[test]
fn the_interface_paths_land_where_they_say() {
    let mut config = ei();
    set::apply(&mut config, "model.coupling[0][1]=-0.7").unwrap();
    set::apply(&mut config, "model.populations[1].a0=0.6").unwrap();
    set::apply(&mut config, "model.a1[1][0]=0.25").unwrap();
    set::apply(&mut config, "model.populations[0].input=Constant(i0: 0.5)").unwrap();
    let mut expected = ei();
    expected.model.coupling[0][1] = -0.7;
    let populations = expected.model.populations.as_mut().unwrap();
    populations[1].a0 = 0.6;
    populations[0].input = Input::Constant { i0: 0.5 };
    expected.model.a1 = Pairwise::Matrix(vec![vec![0.0, 0.0], vec![0.25, 0.0]]);
    assert_eq!(config, expected);
    // A whole row, and the whole matrix.
    set::apply(&mut config, "model.coupling[1]=[3.0, 4.0]").unwrap();
    assert_eq!(config.model.coupling[1], vec![3.0, 4.0]);
    set::apply(&mut config, "model.coupling=[[0.0, 0.0], [0.0, 0.0]]").unwrap();
    assert_eq!(config.model.coupling, vec![vec![0.0; 2]; 2]);
}

#[test]
fn an_index_that_cannot_be_followed_is_refused() {
    let rows: [(Config, &str, SetError); 6] = [
        (
            ei(),
            "model.populations[0].a0[1]",
            SetError::NotAList {
                at: "model.populations[0].a0".into(),
                index: 1,
            },
        ),
        (
            ei(),
            "name[0]",
            SetError::NotAList {
                at: "name".into(),
                index: 0,
            },
        ),
        (
            valid(),
            "model.a1[0]",
            SetError::NotAList {
                at: "model.a1".into(),
                index: 0,
            },
        ),
        (
            valid(),
            "solver[0]",
            SetError::NotAList {
                at: "solver".into(),
                index: 0,
            },
        ),
        (
            ei(),
            "model.populations[2].a0",
            SetError::IndexOutOfRange {
                at: "model.populations".into(),
                index: 2,
                len: 2,
            },
        ),
        (
            ei(),
            "model.coupling[x]",
            SetError::BadPath {
                text: "coupling[x]".into(),
            },
        ),
    ];
    for (mut config, path, expected) in rows {
        let before = config.clone();
        assert_eq!(
            set::assign(&mut config, path, "1.0").unwrap_err(),
            expected,
            "{path}"
        );
        assert_eq!(config, before, "{path}");
    }
    assert_eq!(
        set::assign(&mut ei(), "model.populations[0]x", "1")
            .unwrap_err()
            .to_string(),
        "`populations[0]x`: expected a field name followed by whole-number indices in brackets, e.g. model.coupling[0][1]"
    );
    assert_eq!(
        set::assign(&mut ei(), "model.coupling[2]", "[1.0]")
            .unwrap_err()
            .to_string(),
        "index 2 is out of range: the list has 2 elements"
    );
}

#[test]
fn the_fields_of_the_other_form_are_refused_with_those_of_this_one() {
    let e = set::assign(&mut ei(), "model.b", "1.0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no field `b` in this form of the model; expected one of: populations, coupling, a1, delay"
    );
    let e = set::assign(&mut valid(), "model.coupling[0][0]", "1.0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no field `coupling` in this form of the model; expected one of: a0, a1, b, v_f, v_r, input, refractory, delay, prior_rate"
    );
    let e = set::assign(&mut ei(), "model.bee", "1.0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no field `bee` here; expected one of: populations, coupling, a1, delay"
    );
}

#[test]
fn a_sweep_varies_a_matrix_entry_named_by_its_path() {
    let vary = sweep::parse_vary("model.coupling[1][0]=0:2:5").unwrap();
    assert_eq!(vary.path, "model.coupling[1][0]");
    assert_eq!(vary.values, ["0", "0.5", "1", "1.5", "2"]);
    let definition = sweep::Definition {
        program: "nlif".into(),
        version: "0".into(),
        base: ei(),
        vary: vec![vary],
        seed_per_point: false,
    };
    for (index, value) in [0.0, 0.5, 1.0, 1.5, 2.0].into_iter().enumerate() {
        let mut expected = ei();
        expected.model.coupling[1][0] = value;
        expected.name = format!("ei-{index}");
        assert_eq!(definition.config(index).unwrap(), expected);
    }
}
