//! Reading and checking configs: each row of a table is an edit of a valid config and
//! the message it must give. Oracle: the messages and their places, written out by hand
//! from the text (line and column counted in `common::VALID`).

mod common;

use std::path::Path;

use common::{VALID, valid};
use nlif_experiment::config::{self, CheckError, LoadError, ParseError};

/// `VALID` with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "`{from}` is not in VALID");
    VALID.replacen(from, to, 1)
}

#[test]
fn text_that_is_not_a_config_is_refused_at_its_line_and_column() {
    // (edit from, edit to, line, column, what the reader says). A name is placed at its
    // first character; a value of the wrong type at the blank before it (where the
    // reader's span of a value starts).
    let rows = [
        ("t_end: 0.6,", "t_end: 0.6,,", 10, 16, "Expected identifier"),
        ("seed: 7", "sede: 7", 11, 5, "Unexpected field named `sede`"),
        (
            "kind: Multiscale",
            "kind: Mezzo",
            6,
            15,
            "Unexpected variant named `Mezzo`",
        ),
        (
            "particles: 20000",
            "particles: true",
            8,
            27,
            "Expected integer",
        ),
        ("b: 1.5", "b: \"x\"", 3, 33, "Expected float"),
    ];
    for (from, to, line, column, says) in rows {
        let text = edited(from, to);
        let e: ParseError = config::parse(&text).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{to}: {e}");
        assert!(
            e.to_string().starts_with(&format!("{line}:{column}: ")),
            "{e}"
        );
        assert!(
            e.code.to_string().contains(says),
            "{to}: `{says}` not in {e}"
        );
    }
    // The file's name comes first, then the place.
    let e = config::from_bytes(
        Path::new("x.ron"),
        edited("seed: 7", "sede: 7").into_bytes(),
    )
    .unwrap_err();
    assert!(matches!(e, LoadError::Parse { .. }), "{e:?}");
    assert!(e.to_string().starts_with("x.ron:11:5: "), "{e}");
    let e = config::from_bytes(Path::new("x.ron"), vec![0xff, 0xfe]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot read the config file x.ron: it is not UTF-8 text"
    );
}

#[test]
fn a_byte_order_mark_and_a_round_trip_read_back_the_same_config() {
    // Oracle: the config read from the plain text.
    let plain = valid();
    assert_eq!(config::parse(&format!("\u{feff}{VALID}")).unwrap(), plain);
    assert_eq!(
        config::parse(&config::to_ron(&plain).unwrap()).unwrap(),
        plain
    );
}

#[test]
fn every_invalid_field_is_named_with_its_place_in_the_file() {
    // (edit from, edit to, the message after `f.ron:LINE:COLUMN: `)
    let rows = [
        ("a0: 1.0", "a0: 0.0", 3, 13, "invalid `model.a0` = 0.0"),
        ("a1: 0.0", "a1: -1.0", 3, 22, "invalid `model.a1` = -1.0"),
        ("b: 1.5", "b: NaN", 3, 31, "invalid `model.b` = NaN"),
        (
            "v_r: 1.0",
            "v_r: 2.5",
            3,
            49,
            "invalid `model.v_r` = 2.5: the reset must lie below the threshold v_f = 2.0",
        ),
        (
            "var: 0.005",
            "var: 0.0",
            4,
            34,
            "invalid `initial.var` = 0.0",
        ),
        ("t_end: 0.6", "t_end: -1.0", 10, 5, "invalid `t_end` = -1.0"),
        (
            "particles: 20000",
            "particles: 0",
            8,
            17,
            "invalid `solver.micro.particles`",
        ),
    ];
    for (from, to, line, column, message) in rows {
        let text = edited(from, to);
        let config = config::parse(&text).unwrap();
        let e = config::check(&config, Some((Path::new("f.ron"), &text)), &[], 1).unwrap_err();
        let CheckError::Field { place, .. } = &e else {
            panic!("{to}: {e:?}");
        };
        assert_eq!(place, &format!("f.ron:{line}:{column}: "), "{to}");
        assert!(
            e.to_string()
                .starts_with(&format!("f.ron:{line}:{column}: {message}")),
            "{to}: {e}"
        );
    }
}

#[test]
fn the_field_the_user_overrode_is_the_one_blamed() {
    // v_r >= v_f: the reset is blamed, unless only the threshold was overridden.
    let mut config = valid();
    config.model.v_f = 0.5;
    for (overridden, field) in [
        (&[][..], "model.v_r"),
        (&["model.v_f"][..], "model.v_f"),
        (&["model.v_f", "model.v_r"][..], "model.v_r"),
    ] {
        let e = config::check(&config, None, overridden, 1).unwrap_err();
        let CheckError::Field { field: blamed, .. } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(blamed, field, "{overridden:?}: {e}");
    }
}

#[test]
fn memory_limits_read_as_written() {
    // Oracle: the units' definitions (powers of 1000 and of 1024), by hand.
    let rows: [(&str, Option<u64>); 9] = [
        ("8G", Some(8_000_000_000)),
        ("16GiB", Some(16 << 30)),
        ("1.5k", Some(1500)),
        ("512 mb", Some(512_000_000)),
        ("3", Some(3)),
        ("0", None),
        ("0.5", None),
        ("8X", None),
        ("", None),
    ];
    for (text, bytes) in rows {
        match (config::parse_memory_limit(text), bytes) {
            (Ok(got), Some(want)) => assert_eq!(got, want, "{text}"),
            (Err(e), None) => assert!(
                e.to_string()
                    .starts_with(&format!("invalid NLIF_MEMORY_LIMIT `{text}`: expected")),
                "{e}"
            ),
            (got, want) => panic!("{text}: {got:?}, expected {want:?}"),
        }
    }
}
