//! Overrides by dotted path. Oracles: the field read back from the config struct itself;
//! ron's own generic reading of the written-out config for the list of fields; and the
//! messages written out by hand.

mod common;

use std::collections::BTreeMap;

use common::valid;
use nlif_experiment::Config;
use nlif_experiment::set::{self, OverrideError, SetError};

/// The config after `path = value`.
fn set(path: &str, value: &str) -> Config {
    let mut config = valid();
    set::assign(&mut config, path, value).unwrap_or_else(|e| panic!("{path}={value}: {e}"));
    config
}

#[test]
fn an_override_lands_in_its_field_and_nowhere_else() {
    type Read = fn(&Config) -> String;
    let rows: [(&str, &str, Read, &str); 12] = [
        ("name", "\"renamed\"", |c| c.name.clone(), "renamed"),
        ("model.b", "2.5", |c| c.model.b.to_string(), "2.5"),
        ("model.v_r", "-1", |c| c.model.v_r.to_string(), "-1"),
        (
            "model.input",
            "Kick(t0: 0.5, dv: 0.25)",
            |c| format!("{:?}", c.model.input),
            "Kick { t0: 0.5, dv: 0.25 }",
        ),
        (
            "initial.var",
            "0.125",
            |c| format!("{:?}", c.initial),
            "Gaussian { mean: 1.5, var: 0.125 }",
        ),
        (
            "solver.kind",
            "Micro",
            |c| format!("{:?}", c.solver.kind),
            "Micro",
        ),
        (
            "solver.macro.scheme",
            "ChangCooper",
            |c| format!("{:?}", c.solver.macro_config.scheme),
            "ChangCooper",
        ),
        (
            "solver.micro.particles",
            "1000000",
            |c| c.solver.micro.particles.to_string(),
            "1000000",
        ),
        (
            "solver.switching.settle",
            "Some(0.02)",
            |c| format!("{:?}", c.solver.switching.settle),
            "Some(0.02)",
        ),
        ("t_end", "2", |c| c.t_end.to_string(), "2"),
        ("seed", "3", |c| c.seed.to_string(), "3"),
        (
            "output.density_interval",
            "None",
            |c| format!("{:?}", c.output.density_interval),
            "None",
        ),
    ];
    for (path, value, read, expected) in rows {
        let changed = set(path, value);
        assert_eq!(read(&changed), expected, "{path}");
        // Nowhere else: every written-out leaf outside `path` is as it was.
        assert_eq!(
            leaves_outside(&changed, path),
            leaves_outside(&valid(), path),
            "{path}"
        );
    }
    // A field of the current variant of an enum.
    let mut config = set("model.input", "Kick(t0: 0.5, dv: 0.25)");
    set::assign(&mut config, "model.input.dv", "0.75").unwrap();
    assert_eq!(
        format!("{:?}", config.model.input),
        "Kick { t0: 0.5, dv: 0.75 }"
    );
}

/// The dotted paths of every field and variant field the config writes out, from ron's
/// generic reading of it (struct and variant names dropped, as paths drop them).
fn written_paths(value: &ron::Value, prefix: &str, paths: &mut Vec<String>) {
    if let ron::Value::Map(map) = value {
        for (key, child) in map.iter() {
            let ron::Value::String(key) = key else {
                panic!("a key that is not a name: {key:?}");
            };
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            written_paths(child, &path, paths);
            paths.push(path);
        }
    }
}

/// Every leaf of the written-out config outside `path`, by its dotted path (ron's
/// generic reading of it).
fn leaves_outside(config: &Config, path: &str) -> BTreeMap<String, String> {
    fn walk(value: &ron::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
        match value {
            ron::Value::Map(map) => {
                for (key, child) in map.iter() {
                    let ron::Value::String(key) = key else {
                        panic!("a key that is not a name: {key:?}");
                    };
                    walk(child, &format!("{prefix}.{key}"), out);
                }
            }
            leaf => {
                out.insert(prefix.to_owned(), format!("{leaf:?}"));
            }
        }
    }
    let value: ron::Value = ron::from_str(&ron::to_string(config).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    walk(&value, "", &mut out);
    out.retain(|p, _| !p.starts_with(&format!(".{path}")));
    out
}

#[test]
fn every_field_the_config_writes_out_is_reachable() {
    let mut config = valid();
    config.model.input = nlif_model::Input::Kick { t0: 1.0, dv: 0.5 };
    let text = ron::to_string(&config).unwrap();
    let value: ron::Value = ron::from_str(&text).unwrap();
    let mut paths = Vec::new();
    written_paths(&value, "", &mut paths);
    assert!(paths.len() > 30, "{paths:?}");
    for path in &paths {
        // A value no field reads: the walk reached the field and tried to read it there.
        let e = set::assign(&mut config.clone(), path, "@").unwrap_err();
        assert!(matches!(e, SetError::Value { .. }), "{path}: {e}");
    }
}

#[test]
fn a_refused_override_says_why_and_where() {
    // (path, value, where the walk stopped, the message)
    let rows = [
        (
            "model.bee",
            "1",
            Some("model"),
            "no field `bee` here; expected one of: a0, a1, b, v_f, v_r, input, refractory, delay, prior_rate",
        ),
        (
            "",
            "1",
            Some(""),
            "no field `` here; expected one of: name, model, initial, solver, t_end, seed, output",
        ),
        (
            "solver.macro.x",
            "1",
            Some("solver.macro"),
            "no field `x` here; expected one of: scheme, v_min, dv, dt, reinjection, frozen_at",
        ),
        (
            "model.b.x",
            "1",
            Some("model.b"),
            "this field has no sub-field `x`",
        ),
        (
            "solver.kind.x",
            "1",
            Some("solver.kind"),
            "this field has no sub-field `x`",
        ),
        (
            "output.density_interval.x",
            "1",
            Some("output.density_interval"),
            "this field has no sub-field `x`",
        ),
        (
            "model.input.i0",
            "1",
            Some("model.input"),
            "this field has no sub-field `i0`",
        ),
        (
            "initial.mean.x",
            "1",
            Some("initial"),
            "expected one field of `Gaussian`, got `mean.x`",
        ),
        (
            "initial.foo",
            "1",
            Some("initial"),
            "`Gaussian` has no field `foo`; expected one of: mean, var",
        ),
    ];
    for (path, value, at, message) in rows {
        let mut config = valid();
        let e = set::assign(&mut config, path, value).unwrap_err();
        assert_eq!(e.to_string(), message, "{path}={value}");
        assert_eq!(e.at(), at, "{path}={value}");
        assert_eq!(config, valid(), "{path}: unchanged on error");
    }
    // A value is read as the field's type alone would read it. Oracle: ron reading the
    // value by itself as that type.
    fn alone<T: serde::de::DeserializeOwned + std::fmt::Debug>(value: &str) -> String {
        let code = ron::from_str::<T>(value).unwrap_err().code;
        format!("cannot read `{value}`: {code}")
    }
    let rows = [
        ("model.b", "abc", alone::<f64>("abc")),
        ("model.b", "1 2", alone::<f64>("1 2")),
        ("seed", "-1", alone::<u64>("-1")),
        ("solver.micro.particles", "many", alone::<usize>("many")),
        (
            "output.density_interval",
            "0.1",
            alone::<Option<f64>>("0.1"),
        ),
        (
            "model.input",
            "Kick(t0: 1, x: 2)",
            alone::<nlif_model::Input>("Kick(t0: 1, x: 2)"),
        ),
    ];
    for (path, value, message) in rows {
        let e = set::assign(&mut valid(), path, value).unwrap_err();
        assert!(matches!(e, SetError::Value { .. }), "{path}={value}: {e:?}");
        assert_eq!(e.to_string(), message, "{path}={value}");
    }
    // `PATH=VALUE` as one text.
    let mut config = valid();
    assert_eq!(
        set::apply(&mut config, "seed"),
        Err(OverrideError::NotAssignment("seed".into()))
    );
    set::apply(&mut config, " seed = 9 ").unwrap();
    assert_eq!(config.seed, 9);
    let e = set::apply(&mut config, "seed=x").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "seed: {}",
            set::assign(&mut valid(), "seed", "x").unwrap_err()
        )
    );
}

#[test]
fn non_finite_values_survive_an_override_of_another_field() {
    // Written out and read back: NaN and infinities stay as they were (validation, not
    // the override, refuses them). Oracle: the values set by hand.
    let mut config = valid();
    config.model.b = f64::NAN;
    config.t_end = f64::INFINITY;
    set::assign(&mut config, "seed", "2").unwrap();
    assert!(config.model.b.is_nan());
    assert_eq!(config.t_end, f64::INFINITY);
    assert_eq!(config.seed, 2);
}
