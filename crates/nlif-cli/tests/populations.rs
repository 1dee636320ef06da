//! Networks of populations through the program: `nlif init --populations 2`, `nlif check`
//! of the populations form, and `nlif steady --config` (runs: `network_runs.rs`). Oracles: the exact
//! excitatory–inhibitory stationary state of docs/model.md §10 (computed independently to
//! nine digits), the flag form of `nlif steady` for one population, and the fields and
//! messages written out by hand.

mod common;

use std::path::Path;

use common::{config, fails, nlif, scratch, status, stderr, stdout};
use serde_json::Value;

/// The E–I example of `nlif init --populations 2`, written into `dir` as `ei.ron`.
fn ei_file(dir: &Path) -> String {
    let out = nlif(&["init", "--populations", "2"], dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("ei.ron"), &out.stdout).unwrap();
    dir.join("ei.ron").to_string_lossy().into_owned()
}

#[test]
fn the_ei_example_is_valid_and_its_invalid_entries_are_named() {
    let dir = scratch("init");
    let file = ei_file(&dir);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("coupling: [[1.0, -0.5], [2.0, -1.5]],   // coupling[α][β]"));
    for kind in ["Macro", "Micro", "Multiscale"] {
        let out = nlif(
            &["check", &file, "--set", &format!("solver.kind={kind}")],
            &dir,
        );
        assert_eq!(status(&out), 0, "{kind}: {}", stderr(&out));
    }
    // An invalid entry is named by its path.
    let out = nlif(&["check", &file, "--set", "model.coupling[1]=[2.0]"], &dir);
    fails(&out, &["invalid `model.coupling[1]`: has 1 entries"]);
    let out = nlif(&["check", &file, "--set", "model.b=1"], &dir);
    fails(&out, &["model.b: no field `b` in this form of the model"]);
    let out = nlif(&["init", "--populations", "3"], &dir);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
}

/// `nlif steady ARGS --json`, parsed.
fn steady_json(args: &[&str]) -> Value {
    let out = nlif(&[&["steady", "--json"], args].concat(), Path::new("."));
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn steady_gives_the_exact_ei_state() {
    let dir = scratch("steady");
    let file = ei_file(&dir);
    let json = steady_json(&["--config", &file]);
    // Exactly `{"states": [{"rates": [..], "stable": ..}]}`.
    let object = json.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["states"]);
    let states = json["states"].as_array().unwrap();
    assert_eq!(states.len(), 1, "{json}");
    let state = states[0].as_object().unwrap();
    assert_eq!(state.keys().collect::<Vec<_>>(), ["rates", "stable"]);
    let rates: Vec<f64> = serde_json::from_value(json["states"][0]["rates"].clone()).unwrap();
    // Nine significant digits given: a relative error below 1e-8.
    assert!((rates[0] / 0.149338643 - 1.0).abs() < 1e-8, "{rates:?}");
    assert!((rates[1] / 0.041215056 - 1.0).abs() < 1e-8, "{rates:?}");
    assert_eq!(json["states"][0]["stable"], Value::Bool(true));
    // The table: a column per population, named.
    let out = nlif(&["steady", "--config", &file], &dir);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["E", "I", "stability"]
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert!(
        row[0].starts_with("0.14933864") && row[1].starts_with("0.04121505"),
        "{text}"
    );
    assert_eq!(row[2], "stable");
    // An override reaches the model: a stronger inhibition lowers both rates.
    let json = steady_json(&["--config", &file, "--set", "model.coupling[0][1]=-1.0"]);
    let lower: Vec<f64> = serde_json::from_value(json["states"][0]["rates"].clone()).unwrap();
    assert!(lower[0] < rates[0], "{lower:?}");
}

#[test]
fn steady_of_a_single_population_config_agrees_with_the_flags() {
    // The shipped configs with a constant input, and the flags of their model.
    for file in ["blowup-b.ron", "micro-steady.ron", "macro-steady.ron"] {
        let text = std::fs::read_to_string(config(file)).unwrap();
        let parsed = nlif_experiment::config::parse(&text).unwrap();
        let p = parsed.model.params();
        let owned = [
            ("--a0", p.a0),
            ("--a1", p.a1),
            ("--b", p.b),
            ("--v-f", p.v_f),
            ("--v-r", p.v_r),
            ("--input", parsed.model.input.stationary_current().unwrap()),
        ]
        .map(|(flag, x)| [flag.to_owned(), format!("{x:?}")]);
        let args: Vec<&str> = owned.iter().flatten().map(String::as_str).collect();
        let by_flags = steady_json(&args);
        let by_config = steady_json(&["--config", &config(file)]);
        let states = by_config["states"].as_array().unwrap();
        let rates = by_flags["rates"].as_array().unwrap();
        assert_eq!(states.len(), rates.len(), "{file}");
        for (k, state) in states.iter().enumerate() {
            assert_eq!(
                state["rates"],
                Value::Array(vec![rates[k].clone()]),
                "{file}"
            );
            assert_eq!(state["stable"], by_flags["stable"][k], "{file}");
        }
    }
}

#[test]
fn steady_names_the_field_at_fault() {
    let dir = scratch("steady-errors");
    let file = ei_file(&dir);
    let rows: [(&[&str], &str); 4] = [
        (
            &["--set", "model.populations[1].v_r=3"],
            "invalid `model.populations[1].v_r`: 3.0: the reset `v_r` must lie below the threshold `v_f`",
        ),
        (
            &["--set", "model.coupling[0][1]=NaN"],
            "invalid `model.coupling[0][1]`: NaN",
        ),
        (
            &["--set", "model.a1=0.5"],
            "invalid `model.a1` = 0.5: the populations form takes",
        ),
        (
            &["--set", "model.populations[0].input=Kick(t0: 1.0, dv: 0.5)"],
            "invalid `model.populations[0].input`",
        ),
    ];
    for (set, message) in rows {
        let out = nlif(&[&["steady", "--config", &file], set].concat(), &dir);
        fails(&out, &[message]);
    }
    // A single-population file: the fields of that form, where the file writes them.
    let single = dir.join("single.ron");
    std::fs::write(&single, common::VALID.replacen("b: 1.5", "b: NaN", 1)).unwrap();
    let out = nlif(&["steady", "--config", single.to_str().unwrap()], &dir);
    fails(&out, &[":3:31: invalid `model.b` = NaN"]);
    // The flags and a config do not mix.
    let out = nlif(&["steady", "--config", &file, "--b", "1"], &dir);
    assert_eq!(status(&out), 2, "{}", stderr(&out));
}
