//! The `nlif` binary, run as a user runs it.

use std::path::Path;

mod common;

use common::{VALID, configs_dir, fails, nlif, scratch, stderr, stdout};

#[test]
fn bad_input_gives_a_clear_error_naming_the_problem() {
    let dir = scratch("errors");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).unwrap();
        name.to_owned()
    };
    // Malformed RON: line and column.
    let f = write("syntax.ron", "(\n  name: \"x\",\n  t_end: 1.0,,\n)\n");
    fails(&nlif(&["check", &f], &dir), &["syntax.ron:3:"]);
    // Unknown field, with its position.
    let f = write("unknown.ron", &VALID.replace("seed: 7", "sede: 7"));
    fails(&nlif(&["check", &f], &dir), &["unknown.ron:11:", "sede"]);
    // Every validation rule names its field (and where it is written).
    let cases = [
        ("a0: 1.0", "a0: 0.0", "model.a0"),
        ("a1: 0.0", "a1: -1.0", "model.a1"),
        ("v_r: 1.0", "v_r: 2.5", "model.v_r"),
        ("b: 1.5", "b: NaN", "model.b"),
        ("v_f: 2.0", "v_f: inf", "model.v_f"),
        (
            "input: None",
            "input: Periodic(i0: 0.0, amplitude: 1.0, period: 0.0, phase: 0.0)",
            "model.input.period",
        ),
        (
            "input: None",
            "input: Pulse(t0: 0.0, duration: -1.0, amplitude: 1.0)",
            "model.input.duration",
        ),
        ("var: 0.005", "var: 0.0", "initial.var"),
        ("dv: 0.02", "dv: 0.03", "solver.macro.dv"),
        (
            "macro: (dv: 0.02, dt: 1e-3)",
            "macro: (dv: 0.02, dt: -1e-3)",
            "solver.macro.dt",
        ),
        ("particles: 20000", "particles: 0", "solver.micro.particles"),
        (
            "micro: (particles: 20000, dt: 1e-3)",
            "micro: (particles: 20000, dt: 3e-4)",
            "solver.micro.dt",
        ),
        ("t_end: 0.6", "t_end: -1.0", "t_end"),
        ("interval: 1e-2", "interval: 1.5e-3", "output.interval"),
    ];
    for (from, to, field) in cases {
        let f = write("invalid.ron", &VALID.replace(from, to));
        let out = nlif(&["check", &f], &dir);
        fails(&out, &[field, "invalid.ron:"]);
    }
    // A --set path that does not exist, and one whose value has the wrong type.
    fails(
        &nlif(
            &["check", &write("ok.ron", VALID), "--set", "model.bee=1"],
            &dir,
        ),
        &["model.bee", "expected one of"],
    );
    fails(
        &nlif(
            &["check", "ok.ron", "--set", "solver.micro.particles=many"],
            &dir,
        ),
        &["solver.micro.particles"],
    );
    fails(
        &nlif(&["check", "ok.ron", "--set", "seed"], &dir),
        &["KEY=VALUE"],
    );
    // A config file that does not exist; an output path that cannot be written.
    fails(&nlif(&["check", "missing.ron"], &dir), &["missing.ron"]);
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "a file, not a directory").unwrap();
    let out = nlif(
        &["run", "ok.ron", "--quiet", "--out", "blocker/inside/run"],
        &dir,
    );
    fails(&out, &["blocker"]);
}

/// Every path docs/config.md documents is reachable, and the override lands where it should.
#[test]
fn set_reaches_every_documented_field() {
    let dir = scratch("set");
    std::fs::write(dir.join("ok.ron"), VALID).unwrap();
    let cases = [
        ("name", "\"renamed\"", "name: \"renamed\""),
        ("model.a0", "1.5", "a0: 1.5"),
        ("model.a1", "0.25", "a1: 0.25"),
        ("model.b", "2.5", "b: 2.5"),
        ("model.v_f", "2.5", "v_f: 2.5"),
        ("model.v_r", "0.5", "v_r: 0.5"),
        ("model.input", "Kick(t0: 0.5, dv: 0.5)", "dv: 0.5"),
        ("initial", "Gaussian(mean: 0.25, var: 0.75)", "var: 0.75"),
        ("initial.mean", "-0.5", "mean: -0.5"),
        ("initial.var", "0.125", "var: 0.125"),
        ("solver.kind", "Micro", "kind: Micro"),
        ("solver.macro.scheme", "ChangCooper", "scheme: ChangCooper"),
        ("solver.macro.v_min", "-5.0", "v_min: -5.0"),
        ("solver.macro.dv", "0.01", "dv: 0.01"),
        ("solver.macro.dt", "2e-3", "dt: 0.002"),
        (
            "solver.macro.reinjection",
            "Explicit",
            "reinjection: Explicit",
        ),
        ("solver.macro.frozen_at", "StepEnd", "frozen_at: StepEnd"),
        ("solver.micro.particles", "1000000", "particles: 1000000"),
        ("solver.micro.dt", "5e-4", "dt: 0.0005"),
        ("solver.micro.stepper", "ExactOu", "stepper: ExactOu"),
        ("solver.micro.normals", "Ziggurat", "normals: Ziggurat"),
        (
            "solver.micro.mfe_min_fraction",
            "0.05",
            "mfe_min_fraction: 0.05",
        ),
        ("solver.switching.rate_up", "7.0", "rate_up: 7.0"),
        ("solver.switching.rate_down", "0.5", "rate_down: 0.5"),
        ("solver.switching.dwell", "0.3", "dwell: 0.3"),
        (
            "solver.switching.settle",
            "Some(0.02)",
            "settle: Some(0.02)",
        ),
        ("solver.switching.smoothing", "0.05", "smoothing: 0.05"),
        ("solver.switching.rollback", "0.04", "rollback: 0.04"),
        (
            "solver.switching.policy",
            "FiringFraction(fraction: 0.02)",
            "fraction: 0.02",
        ),
        ("solver.switching.sampler", "Quantile", "sampler: Quantile"),
        (
            "solver.switching.estimator",
            "Histogram",
            "estimator: Histogram",
        ),
        ("solver.switching.match_rate", "false", "match_rate: false"),
        ("t_end", "2", "t_end: 2.0"),
        ("seed", "3", "seed: 3"),
        ("output.interval", "2e-2", "interval: 0.02"),
        ("output.density_interval", "None", "density_interval: None"),
        ("output.plots", "false", "plots: false"),
    ];
    for (path, value, expect) in cases {
        let assignment = format!("{path}={value}");
        let mut args = vec!["check", "ok.ron", "--print", "--set", &assignment];
        if path == "solver.macro.reinjection" {
            // Explicit re-injection is stable only for dt < dv² / a0 = 4e-4 here.
            args.extend([
                "--set",
                "solver.kind=Macro",
                "--set",
                "solver.macro.dt=2e-4",
            ]);
        }
        let out = nlif(&args, &dir);
        assert!(out.status.success(), "{path}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(expect),
            "{path}: `{expect}` not in\n{}",
            stdout(&out)
        );
    }
    // A field of the current variant of an enum.
    let out = nlif(
        &[
            "check",
            "ok.ron",
            "--print",
            "--set",
            "model.input=Kick(t0: 0.5, dv: 0.5)",
            "--set",
            "model.input.dv=0.75",
        ],
        &dir,
    );
    assert!(stdout(&out).contains("dv: 0.75"), "{}", stderr(&out));
}

#[test]
fn every_shipped_config_passes_check() {
    let mut seen = 0;
    for entry in std::fs::read_dir(configs_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let out = nlif(&["check", path.to_str().unwrap()], Path::new("."));
            assert!(out.status.success(), "{}: {}", path.display(), stderr(&out));
            seen += 1;
        }
    }
    assert!(
        seen >= 7,
        "configs/ must hold the experiments: found {seen}"
    );
    // And the example printed by `nlif init` for each solver.
    let dir = scratch("init");
    for solver in ["macro", "micro", "multiscale", "dilated"] {
        let out = nlif(&["init", "--solver", solver], &dir);
        std::fs::write(dir.join("init.ron"), out.stdout).unwrap();
        let check = nlif(&["check", "init.ron"], &dir);
        assert!(check.status.success(), "{solver}: {}", stderr(&check));
    }
}

/// Oracle: determinism by construction (streams per block of particles, integer counts).
/// A run with a micro phase (total synchronization of blow-up B) on 1 and on 2 threads.
#[test]
fn the_same_seed_gives_byte_identical_rates_on_any_thread_count() {
    let dir = scratch("threads");
    std::fs::write(dir.join("ok.ron"), VALID).unwrap();
    for threads in ["1", "2"] {
        let out = nlif(
            &[
                "run",
                "ok.ron",
                "--quiet",
                "--threads",
                threads,
                "--out",
                &format!("t{threads}"),
            ],
            &dir,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let one = std::fs::read(dir.join("t1/rate.csv")).unwrap();
    let two = std::fs::read(dir.join("t2/rate.csv")).unwrap();
    assert_eq!(one, two);
    assert!(
        String::from_utf8_lossy(&one).contains(",micro"),
        "the run must include particles"
    );
}

/// The documented outputs, with their documented fields.
#[test]
fn outputs_have_the_documented_fields() {
    let dir = scratch("outputs");
    std::fs::write(dir.join("ok.ron"), VALID).unwrap();
    let out = nlif(&["run", "ok.ron", "--out", "run"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("switches"),
        "the one-line summary: {}",
        stdout(&out)
    );
    let run = dir.join("run");
    for file in [
        "summary.json",
        "rate.csv",
        "density.npy",
        "grid.npy",
        "density_t.npy",
        "rate.png",
        "rate.svg",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    let csv = std::fs::read_to_string(run.join("rate.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("t,rate,mode"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 60, "t_end / interval samples");
    for row in &rows {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields.len(), 3);
        assert!(fields[0].parse::<f64>().is_ok() && fields[1].parse::<f64>().is_ok());
        assert!(fields[2] == "macro" || fields[2] == "micro");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    for key in [
        "name",
        "version",
        "seed",
        "config",
        "solver",
        "t_end",
        "steps",
        "wall_seconds",
        "mass_error_max",
        "switches",
        "mfe",
        "first_time_rate_above",
        "mean_rate",
        "outcome",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks `{key}`");
    }
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["solver"], "multiscale");
    assert_eq!(summary["outcome"], "completed");
    assert_eq!(summary["config"]["model"]["b"], 1.5);
    assert!(
        summary["switches"][0]["to"] == "micro" && summary["switches"][0]["reason"].is_string()
    );
    let mfe = summary["mfe"].as_array().unwrap();
    assert!(
        mfe.iter().any(|m| m["fraction"].as_f64().unwrap() > 0.9),
        "a total synchronization"
    );
    for key in ["1", "5", "20"] {
        assert!(summary["first_time_rate_above"].get(key).is_some());
    }
    // density.npy is a (snapshots, cells) float64 array: NPY header check.
    let npy = std::fs::read(run.join("density.npy")).unwrap();
    assert_eq!(&npy[..6], b"\x93NUMPY");
    let header = String::from_utf8_lossy(&npy[10..120]);
    assert!(
        header.contains("'descr': '<f8'") && header.contains("'shape': (7, 300)"),
        "{header}"
    );
    // No staging directory left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Oracle: docs/model.md §6 (with the independently checked values for b = 1.5).
#[test]
fn steady_prints_the_stationary_rates() {
    let out = nlif(&["steady", "--b", "1.5", "--json"], Path::new("."));
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rates: Vec<f64> = value["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_f64().unwrap())
        .collect();
    assert_eq!(rates.len(), 2);
    assert!((rates[0] - 0.192364).abs() < 1e-6 && (rates[1] - 2.28913).abs() < 1e-5);
    assert_eq!(value["params"]["b"], 1.5);
    let none = nlif(&["steady", "--b", "3", "--json"], Path::new("."));
    assert_eq!(
        stdout(&none).trim(),
        r#"{"ln_rates":[],"params":{"a0":1.0,"a1":0.0,"b":3.0,"input":0.0,"v_f":2.0,"v_r":1.0},"rates":[],"stable":[]}"#
    );
    let plain = nlif(&["steady"], Path::new("."));
    assert!(stdout(&plain).starts_with("0.11997"));
    fails(&nlif(&["steady", "--a0", "-1"], Path::new(".")), &["a0"]);
}

/// Issue 27: `steady --refractory TAU` (oracle: the issue's test vector, given to ten
/// decimals) — a third, stable high-activity state; a bad period is named.
#[test]
fn steady_takes_a_refractory_period() {
    let args = ["steady", "--b", "1.5", "--refractory", "0.025", "--json"];
    let out = nlif(&args, Path::new("."));
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rates: Vec<f64> = value["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_f64().unwrap())
        .collect();
    let expected = [0.1907361294, 2.9169876555, 10.7133751877];
    assert_eq!(rates.len(), 3, "{value}");
    for (n, e) in rates.iter().zip(expected) {
        assert!((n - e).abs() <= 0.5e-10 + 1e-10 * e, "{n} vs {e}");
    }
    assert_eq!(value["stable"], serde_json::json!([true, false, true]));
    assert_eq!(value["params"]["refractory"], 0.025);
    let plain = nlif(
        &["steady", "--b", "1.5", "--refractory", "0.025"],
        Path::new("."),
    );
    assert_eq!(stdout(&plain).lines().count(), 3);
    fails(
        &nlif(&["steady", "--refractory", "-1"], Path::new(".")),
        &["refractory"],
    );
}

/// `steady --json` parsed into its rates and stability flags.
fn steady_json(b: &str) -> (Vec<f64>, Vec<bool>) {
    let out = nlif(&["steady", "--b", b, "--json"], Path::new("."));
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rates = value["rates"].as_array().unwrap();
    let stable = value["stable"].as_array().unwrap();
    (
        rates.iter().map(|r| r.as_f64().unwrap()).collect(),
        stable.iter().map(|s| s.as_bool().unwrap()).collect(),
    )
}

/// Issue 10, finding 8: `steady --b 1` printed round-off sign changes (2.06e8, 7.67e8) as
/// rates. Oracles: for b = 1 the fixed-point defect is 1.5/N + O(N^-2) > 0 beyond the first
/// root, so there is exactly one rate, 0.156207006 (the Siegert fixed point), stable (the
/// map's slope there is 0.25); for b = 1.5 docs/model.md §6 lists 0.1923640 (stable) and
/// 2.2891257 (unstable). The human output labels each rate.
#[test]
fn steady_reports_only_verified_rates_with_their_stability() {
    let (rates, stable) = steady_json("1");
    assert_eq!(rates.len(), 1, "{rates:?}");
    assert!((rates[0] - 0.156_207_006).abs() < 1e-8, "{rates:?}");
    assert_eq!(stable, vec![true]);
    let (rates, stable) = steady_json("1.5");
    assert_eq!(rates.len(), 2, "{rates:?}");
    assert!((rates[0] - 0.192_364_0).abs() < 1e-7 && (rates[1] - 2.289_125_7).abs() < 1e-7);
    assert_eq!(stable, vec![true, false]);
    let plain = stdout(&nlif(&["steady", "--b", "1.5"], Path::new(".")));
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), 2, "{plain}");
    assert!(
        lines[0].starts_with("0.192364") && lines[0].ends_with(" stable"),
        "{plain}"
    );
    assert!(
        lines[1].starts_with("2.289125") && lines[1].ends_with(" unstable"),
        "{plain}"
    );
}

/// Issue 23, item 5: an uncoupled or inhibitory network has exactly one stationary state,
/// which `steady` found nowhere for these three (it said "no stationary state"); rates
/// below 5e-11 printed as `0.0000000000`. Oracle: for b = 0 the rate is ν(I) (the far
/// below-threshold asymptotics give ln ν = -hi² + ln(hi/√π) = -1348.97 for I = -50,
/// i.e. 10^-585.85; the deterministic limit 1/ln(1 + 1/(I - 2)) ≈ I - 1.5 for I = 1e10).
#[test]
fn steady_finds_the_one_state_anywhere_and_prints_its_digits() {
    for args in [
        &["steady", "--input=-50"][..],
        &["steady", "--a0", "0.002", "--b", "-1"],
        &["steady", "--input", "1e10"],
        &["steady", "--input=-5"],
    ] {
        let out = nlif(args, Path::new("."));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {text}");
        assert!(lines[0].ends_with("  stable"), "{args:?}: {text}");
        let printed = lines[0].split_whitespace().next().unwrap();
        assert!(!printed.starts_with("0.0000"), "{args:?}: {text}");
    }
    let far = stdout(&nlif(&["steady", "--input=-50"], Path::new(".")));
    let digits = far.split_whitespace().next().unwrap();
    let (mantissa, exponent) = digits.split_once('e').unwrap();
    assert_eq!(exponent, "-586", "{far}");
    let mantissa: f64 = mantissa.parse().unwrap();
    // 10^(-585.85) = 10^0.15 · 10^-586 ≈ 1.4e-586 (within the asymptotics' 1/1352).
    let log10 = -1_348.968_064_979_655_f64 / std::f64::consts::LN_10;
    assert!((mantissa.log10() - (log10 + 586.0)).abs() < 1e-3, "{far}");
    let high = stdout(&nlif(&["steady", "--input", "1e10"], Path::new(".")));
    let rate: f64 = high.split_whitespace().next().unwrap().parse().unwrap();
    assert!((rate - (1e10 - 1.5)).abs() <= 1e-9 * 1e10, "{high}");
}
