//! `--set KEY=VALUE`: replace one field of the config, by its dotted path, with a RON value.
//!
//! Every section is walked by name, so a path that does not exist is reported with the
//! names that do; the value is parsed as RON into the type of the field it replaces.

use anyhow::{Result, anyhow, bail};
use coupling::{Bandwidth, Estimator, Sampler};
use fp_macro::{FrozenAt, MacroConfig, Reinjection, Scheme};
use multiscale::{BlowUpWatch, Policy, SolverKind, SwitchingConfig};
use nlif_micro::{MicroConfig, Stepper};
use nlif_model::{InitialDensity, Input};
use serde::de::DeserializeOwned;

use crate::config::{Config, ModelSection, OutputSection, SolverSection};

/// Applies one `KEY=VALUE` override.
pub fn apply(config: &mut Config, assignment: &str) -> Result<()> {
    let (key, value) = assignment.split_once('=').ok_or_else(|| {
        anyhow!("--set `{assignment}`: expected KEY=VALUE, e.g. --set model.b=2.5")
    })?;
    let key = key.trim();
    let path: Vec<&str> = key.split('.').collect();
    config
        .set(&path, value.trim())
        .map_err(|e| anyhow!("--set {key}: {e}"))
}

/// A config node that can be assigned by path.
trait Settable {
    fn set(&mut self, path: &[&str], value: &str) -> Result<()>;
}

/// Parses `value` as RON into the field's type.
fn parse_into<T: DeserializeOwned>(target: &mut T, value: &str) -> Result<()> {
    *target = ron::from_str(value).map_err(|e| anyhow!("cannot read `{value}`: {}", e.code))?;
    Ok(())
}

/// Fields without sub-paths: the whole value is replaced.
macro_rules! leaf {
    ($($t:ty),*) => {$(
        impl Settable for $t {
            fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
                if let Some(extra) = path.first() {
                    bail!("this field has no sub-field `{extra}`");
                }
                parse_into(self, value)
            }
        }
    )*};
}

leaf!(
    f64,
    u64,
    usize,
    bool,
    String,
    Option<f64>,
    SolverKind,
    Scheme,
    Reinjection,
    FrozenAt,
    Stepper,
    Sampler,
    Bandwidth
);

/// Structs: the first path component names a field.
macro_rules! record {
    ($t:ty { $($name:literal => $field:ident),* $(,)? }) => {
        impl Settable for $t {
            fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
                let Some((head, rest)) = path.split_first() else {
                    return parse_into(self, value);
                };
                match *head {
                    $($name => self.$field.set(rest, value),)*
                    other => bail!(
                        "no field `{other}` here; expected one of: {}",
                        [$($name),*].join(", ")
                    ),
                }
            }
        }
    };
}

record!(Config { "name" => name, "model" => model, "initial" => initial, "solver" => solver, "t_end" => t_end, "seed" => seed, "output" => output });
record!(ModelSection { "a0" => a0, "a1" => a1, "b" => b, "v_f" => v_f, "v_r" => v_r, "input" => input });
record!(SolverSection { "kind" => kind, "macro" => macro_, "micro" => micro, "switching" => switching, "blow_up" => blow_up });
record!(BlowUpWatch { "rate" => rate, "stop" => stop });
record!(MacroConfig { "scheme" => scheme, "v_min" => v_min, "dv" => dv, "dt" => dt, "reinjection" => reinjection, "frozen_at" => frozen_at });
record!(MicroConfig { "particles" => particles, "dt" => dt, "stepper" => stepper, "mfe_min_fraction" => mfe_min_fraction });
record!(SwitchingConfig {
    "policy" => policy, "rate_up" => rate_up, "rate_down" => rate_down, "dwell" => dwell, "settle" => settle,
    "smoothing" => smoothing, "rollback" => rollback, "sampler" => sampler,
    "estimator" => estimator, "match_rate" => match_rate,
});
record!(OutputSection { "interval" => interval, "density_interval" => density_interval, "plots" => plots, "checkpoint" => checkpoint });

impl Settable for InitialDensity {
    fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
        if path.is_empty() {
            return parse_into(self, value);
        }
        match self {
            InitialDensity::Gaussian { mean, var } => {
                set_f64_field("Gaussian", &mut [("mean", mean), ("var", var)], path, value)
            }
        }
    }
}

impl Settable for Input {
    fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
        if path.is_empty() {
            return parse_into(self, value);
        }
        match self {
            Input::None => bail!(
                "the input `None` has no fields; set the whole input, e.g. --set 'model.input=Constant(i0: 1.0)'"
            ),
            Input::Constant { i0 } => set_f64_field("Constant", &mut [("i0", i0)], path, value),
            Input::Pulse {
                t0,
                duration,
                amplitude,
            } => set_f64_field(
                "Pulse",
                &mut [("t0", t0), ("duration", duration), ("amplitude", amplitude)],
                path,
                value,
            ),
            Input::Kick { t0, dv } => {
                set_f64_field("Kick", &mut [("t0", t0), ("dv", dv)], path, value)
            }
            Input::Periodic {
                i0,
                amplitude,
                period,
                phase,
            } => set_f64_field(
                "Periodic",
                &mut [
                    ("i0", i0),
                    ("amplitude", amplitude),
                    ("period", period),
                    ("phase", phase),
                ],
                path,
                value,
            ),
        }
    }
}

impl Settable for Policy {
    fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
        if path.is_empty() {
            return parse_into(self, value);
        }
        match self {
            Policy::FiringFraction { fraction } => {
                set_f64_field("FiringFraction", &mut [("fraction", fraction)], path, value)
            }
            _ => bail!(
                "this policy has no fields; set the whole policy, e.g. --set 'solver.switching.policy=FiringFraction(fraction: 0.01)'"
            ),
        }
    }
}

impl Settable for Estimator {
    fn set(&mut self, path: &[&str], value: &str) -> Result<()> {
        match (self, path) {
            (this, []) => parse_into(this, value),
            (Estimator::Kernel { bandwidth }, ["bandwidth", rest @ ..]) => {
                bandwidth.set(rest, value)
            }
            _ => bail!("no such field; the estimator is `Histogram` or `Kernel(bandwidth: ...)`"),
        }
    }
}

/// Sets one `f64` field of an enum variant by name.
fn set_f64_field(
    variant: &str,
    fields: &mut [(&str, &mut f64)],
    path: &[&str],
    value: &str,
) -> Result<()> {
    let [name] = path else {
        bail!(
            "expected one field of `{variant}`, got `{}`",
            path.join(".")
        );
    };
    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some((_, slot)) => parse_into(&mut **slot, value),
        None => bail!(
            "`{variant}` has no field `{name}`; expected one of: {}",
            names.join(", ")
        ),
    }
}
