//! The experiment config: one RON file, all sections, `solver.kind` picks the solver.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use fp_macro::{Grid, MacroConfig};
use multiscale::{RunConfig, SolverKind, SwitchingConfig};
use nlif_micro::MicroConfig;
use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

/// The `model` section: the network parameters and the input current.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ModelSection {
    pub(crate) a0: f64,
    pub(crate) a1: f64,
    pub(crate) b: f64,
    pub(crate) v_f: f64,
    pub(crate) v_r: f64,
    pub(crate) input: Input,
}

impl Default for ModelSection {
    fn default() -> Self {
        let p = ModelParams::default();
        ModelSection {
            a0: p.a0,
            a1: p.a1,
            b: p.b,
            v_f: p.v_f,
            v_r: p.v_r,
            input: Input::None,
        }
    }
}

impl ModelSection {
    pub(crate) fn params(&self) -> ModelParams {
        ModelParams {
            a0: self.a0,
            a1: self.a1,
            b: self.b,
            v_f: self.v_f,
            v_r: self.v_r,
        }
    }
}

/// The `solver` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct SolverSection {
    pub(crate) kind: SolverKind,
    #[serde(rename = "macro")]
    pub(crate) macro_: MacroConfig,
    pub(crate) micro: MicroConfig,
    pub(crate) switching: SwitchingConfig,
}

impl Default for SolverSection {
    fn default() -> Self {
        SolverSection {
            kind: SolverKind::Multiscale,
            macro_: MacroConfig::default(),
            micro: MicroConfig::default(),
            switching: SwitchingConfig::default(),
        }
    }
}

/// The `output` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct OutputSection {
    /// Spacing of the rate samples (a multiple of `solver.macro.dt`).
    pub(crate) interval: f64,
    /// Spacing of the density snapshots (a multiple of `interval`), or `None`.
    pub(crate) density_interval: Option<f64>,
    /// Write `rate.png`, `rate.svg` and `density.png`.
    pub(crate) plots: bool,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            interval: 1e-3,
            density_interval: Some(0.05),
            plots: true,
        }
    }
}

/// One experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) model: ModelSection,
    #[serde(default)]
    pub(crate) initial: InitialDensity,
    #[serde(default)]
    pub(crate) solver: SolverSection,
    pub(crate) t_end: f64,
    #[serde(default)]
    pub(crate) seed: u64,
    #[serde(default)]
    pub(crate) output: OutputSection,
}

impl Config {
    /// The built-in default experiment: the multi-scale solver through blow-up A.
    pub(crate) fn builtin() -> Self {
        Config {
            name: "blowup-a".to_owned(),
            model: ModelSection {
                b: 3.0,
                ..ModelSection::default()
            },
            initial: InitialDensity::Gaussian {
                mean: -1.0,
                var: 0.5,
            },
            solver: SolverSection::default(),
            t_end: 5.0,
            seed: 1,
            output: OutputSection::default(),
        }
    }

    /// The run settings of the `multiscale` crate.
    pub(crate) fn run_config(&self) -> RunConfig {
        RunConfig {
            kind: self.solver.kind,
            macro_config: self.solver.macro_,
            micro: self.solver.micro,
            switching: self.solver.switching,
            t_end: self.t_end,
            seed: self.seed,
            sample_interval: self.output.interval,
            density_interval: self.output.density_interval,
        }
    }

    /// Every check a run would make before it starts, without allocating the solvers.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let fail = |field: String, e: &dyn std::fmt::Display| Err((field, e.to_string()));
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return fail(
                "name".into(),
                &"the name must be non-empty and contain no path separator",
            );
        }
        let params = self.model.params();
        if let Err(e) = params.validate() {
            return fail(format!("model.{}", e.field()), &e);
        }
        if let Err(e) = self.model.input.validate() {
            return fail(format!("model.{}", e.field()), &e);
        }
        if let Err(e) = self.initial.validate() {
            return fail(e.field().to_owned(), &e);
        }
        if !(self.solver.macro_.dt.is_finite() && self.solver.macro_.dt > 0.0) {
            return fail("solver.macro.dt".into(), &"the time step must be positive");
        }
        if let Err(e) = Grid::for_model(&params, self.solver.macro_.v_min, self.solver.macro_.dv) {
            return fail(format!("solver.macro.{}", e.field()), &e);
        }
        if let Err(e) = self.solver.micro.validate() {
            return fail(format!("solver.micro.{}", e.field()), &e);
        }
        if let Err(e) = self.run_config().validate() {
            return fail(e.field(), &e);
        }
        Ok(())
    }
}

/// Reads and parses a config file; syntax errors and unknown fields carry line and column.
pub(crate) fn load(path: &Path) -> Result<(Config, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let config = parse(&text).map_err(|e| anyhow!("{}:{e}", path.display()))?;
    Ok((config, text))
}

/// Parses RON text into a config; the error starts with `line:column: `.
pub(crate) fn parse(text: &str) -> Result<Config> {
    ron::Options::default()
        .from_str::<Config>(text)
        .map_err(|e| anyhow!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))
}

/// Where a dotted field path is written in the config text: `(line, column)` of its last
/// key, found by looking for each key after the previous one. `None` if not written (a
/// default value).
pub(crate) fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    let mut found = None;
    for key in path.split('.') {
        let offset = find_key(&text[from..], key)?;
        from += offset;
        found = Some(from);
        from += key.len();
    }
    let at = found?;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    Some((line, col))
}

/// Offset of `key` used as a RON field name (`key:` not preceded by an identifier char).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(i) = text[start..].find(key) {
        let at = start + i;
        let before_ok =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let rest = text[at + key.len()..].trim_start();
        if before_ok && rest.starts_with(':') {
            return Some(at);
        }
        start = at + key.len();
    }
    None
}

/// Checks a config and turns a failure into a message naming the field and, when the
/// field is written in `text`, the file, line and column.
pub(crate) fn check(config: &Config, text: Option<(&Path, &str)>) -> Result<()> {
    if let Err((field, reason)) = config.validate() {
        let place = text
            .and_then(|(path, text)| {
                locate(text, &field).map(|(l, c)| format!("{}:{l}:{c}: ", path.display()))
            })
            .or_else(|| text.map(|(path, _)| format!("{}: ", path.display())))
            .unwrap_or_default();
        bail!("{place}invalid config field `{field}`: {reason}");
    }
    Ok(())
}
