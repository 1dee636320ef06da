//! A config of the single-population form is written byte for byte as before the
//! populations form existed. Oracle: the bytes `main` wrote for every shipped
//! `configs/*.ron` before the `model` section had two forms (`tests/serialised/`: the
//! pretty RON of `config.ron` and `nlif check --print`, the compact RON hashed into
//! checkpoints and sweep points, the JSON of `sweep.json`), and postcard's round trip.

use std::path::{Path, PathBuf};

use nlif_experiment::config;

fn shipped() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    paths
}

fn golden(stem: &str, kind: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/serialised")
        .join(format!("{stem}.{kind}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_shipped_config_is_written_as_before() {
    let paths = shipped();
    let mut single = 0;
    for path in paths {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let (config, _) = config::load(&path).unwrap();
        // A config shipped in the populations form is newer than the goldens.
        if config.model.is_populations_form() {
            continue;
        }
        single += 1;
        assert_eq!(
            config::to_ron(&config).unwrap(),
            golden(stem, "pretty.ron"),
            "{stem}"
        );
        assert_eq!(
            ron::to_string(&config).unwrap(),
            golden(stem, "compact.ron"),
            "{stem}"
        );
        assert_eq!(
            serde_json::to_string_pretty(&config).unwrap(),
            golden(stem, "json"),
            "{stem}"
        );
        // What a sweep reads back from its sweep.json, and a checkpoint from its bits.
        let json: nlif_experiment::Config = serde_json::from_str(&golden(stem, "json")).unwrap();
        assert_eq!(json, config, "{stem}");
        let bits = postcard::to_allocvec(&config).unwrap();
        let back: nlif_experiment::Config = postcard::from_bytes(&bits).unwrap();
        assert_eq!(back, config, "{stem}");
    }
    assert!(
        single >= 8,
        "the eight configs shipped before the populations form"
    );
}

/// Oracle: the bits of the values written. A config read back from the JSON that a sweep
/// keeps (`sweep.json`, which a resumed sweep compares and `nlif sweep --merge` reads)
/// holds exactly the doubles that were written, including those whose shortest decimal
/// form needs 17 digits (the neighbour of 0.043 above, of 3.6423 below): a config that
/// came back one unit in the last place off would run other numbers, or refuse to resume
/// as "another sweep".
#[test]
fn json_gives_back_every_double_exactly() {
    let mut config = config::parse(&std::fs::read_to_string(&shipped()[0]).unwrap()).unwrap();
    let hard = [
        f64::from_bits(0.043f64.to_bits() + 1),
        f64::from_bits(3.6423f64.to_bits() + 1),
        0.999_988_000_000_000_1,
        1.232_448_455_284_552_3,
    ];
    for value in hard {
        config.t_end = value;
        config.model.a0 = 1.0 + value;
        let text = serde_json::to_string(&config).unwrap();
        let back: nlif_experiment::Config = serde_json::from_str(&text).unwrap();
        assert_eq!(back.t_end.to_bits(), value.to_bits(), "{text}");
        assert_eq!(back.model.a0.to_bits(), (1.0 + value).to_bits());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["t_end"].as_f64().map(f64::to_bits),
            Some(config.t_end.to_bits())
        );
    }
}
