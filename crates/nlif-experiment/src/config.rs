//! The experiment config: one RON file, all sections, `solver.kind` picks the solver.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use fp_macro::MacroConfig;
use multiscale::{BlowUpWatch, MemoryEstimate, RunConfig, RunError, SolverKind, SwitchingConfig};
use nlif_micro::MicroConfig;
use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

/// The `model` section: the network parameters and the input current.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSection {
    /// Constant part of the noise, `a(N) = a0 + a1 N`.
    pub a0: f64,
    /// Rate-dependent part of the noise.
    pub a1: f64,
    /// Connectivity.
    pub b: f64,
    /// Firing threshold `V_F`.
    pub v_f: f64,
    /// Reset potential `V_R`.
    pub v_r: f64,
    /// The input current.
    pub input: Input,
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
    /// The network parameters.
    pub fn params(&self) -> ModelParams {
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
pub struct SolverSection {
    /// Which solver runs.
    pub kind: SolverKind,
    /// The mean-field solver's settings (`solver.macro`).
    #[serde(rename = "macro")]
    pub macro_: MacroConfig,
    /// The particle solver's settings.
    pub micro: MicroConfig,
    /// When the multi-scale solver switches.
    pub switching: SwitchingConfig,
    /// What a `Macro` run does at a blow-up of its rate.
    pub blow_up: BlowUpWatch,
}

impl Default for SolverSection {
    fn default() -> Self {
        SolverSection {
            kind: SolverKind::Multiscale,
            macro_: MacroConfig::default(),
            micro: MicroConfig::default(),
            switching: SwitchingConfig::default(),
            blow_up: BlowUpWatch::default(),
        }
    }
}

/// The `output` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSection {
    /// Spacing of the rate samples (a multiple of the solver's time step).
    pub interval: f64,
    /// Spacing of the density snapshots (a multiple of `interval`), or `None`.
    pub density_interval: Option<f64>,
    /// Write `rate.png`, `rate.svg` and `density.png`.
    pub plots: bool,
    /// Write a checkpoint every this much model time (`None`: no checkpoints).
    pub checkpoint: Option<f64>,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            interval: 1e-3,
            density_interval: Some(0.05),
            plots: true,
            checkpoint: None,
        }
    }
}

/// One experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The experiment's name (and default output directory `out/NAME`).
    pub name: String,
    /// The network and its input.
    #[serde(default)]
    pub model: ModelSection,
    /// The initial voltage density.
    #[serde(default)]
    pub initial: InitialDensity,
    /// The solver and its settings.
    #[serde(default)]
    pub solver: SolverSection,
    /// The end time.
    pub t_end: f64,
    /// The seed that determines the run bit for bit.
    #[serde(default)]
    pub seed: u64,
    /// What is recorded and written.
    #[serde(default)]
    pub output: OutputSection,
}

impl Config {
    /// The built-in default experiment: the multi-scale solver through blow-up A.
    pub fn builtin() -> Self {
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

    /// The problem a run of this experiment solves: model, input and run settings.
    pub fn problem(&self) -> multiscale::Problem {
        multiscale::Problem {
            params: self.model.params(),
            input: self.model.input,
            config: self.run_config(),
        }
    }

    /// The run settings of the `multiscale` crate.
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            kind: self.solver.kind,
            macro_config: self.solver.macro_,
            micro: self.solver.micro,
            switching: self.solver.switching,
            blow_up: self.solver.blow_up,
            t_end: self.t_end,
            seed: self.seed,
            sample_interval: self.output.interval,
            density_interval: self.output.density_interval,
        }
    }

    /// Every check a run makes before it starts (the one validation path of `check` and
    /// `run`): the name, every setting the chosen solver uses, the memory the run would
    /// need against what the machine has, and the initial density on the grid.
    ///
    /// `overridden` lists the dotted paths the user set on the command line: when two
    /// fields contradict each other (`v_r < v_f`), the one the user changed is blamed.
    /// `processes` is the number of processes the run is split across (each holds its
    /// share of the particles; 1 without MPI).
    ///
    /// # Errors
    ///
    /// The dotted path of the offending field and the message.
    pub fn validate(
        &self,
        overridden: &[&str],
        processes: usize,
    ) -> Result<MemoryEstimate, (String, String)> {
        if let Err(reason) = valid_name(&self.name) {
            return Err(("name".into(), format!("{:?}: {reason}", self.name)));
        }
        let (v_f, v_r) = (self.model.v_f, self.model.v_r);
        if v_f.is_finite() && v_r.is_finite() && v_r >= v_f {
            let blame_v_f = overridden.contains(&"model.v_f") && !overridden.contains(&"model.v_r");
            return Err(if blame_v_f {
                (
                    "model.v_f".into(),
                    format!(
                        "invalid `v_f` = {v_f:?}: the threshold must lie above the reset v_r = {v_r:?}"
                    ),
                )
            } else {
                (
                    "model.v_r".into(),
                    format!(
                        "invalid `v_r` = {v_r:?}: the reset must lie below the threshold v_f = {v_f:?}"
                    ),
                )
            });
        }
        let available =
            available_memory().map_err(|e| (MEMORY_LIMIT_VAR.to_owned(), e.to_string()))?;
        let (params, input) = (self.model.params(), self.model.input);
        let run = self.run_config();
        let blame = |e: RunError| (e.field(), e.to_string());
        let (_, mut memory) =
            multiscale::plan(&params, &input, &self.initial, &run).map_err(blame)?;
        // Each process of an MPI run holds its share of the particles.
        let processes = processes.max(1);
        memory.particles = memory.particles.div_ceil(processes as u64);
        if let Some(available) = available
            && memory.total() > available
        {
            let each = if processes > 1 { " per process" } else { "" };
            return Err((
                memory.largest_part().to_owned(),
                format!(
                    "the run would need about {}{each} of memory ({} for particles, {} for the density, {} for rollback states, {} for the recorded trace), but {} is available",
                    bytes(memory.total()),
                    bytes(memory.particles),
                    bytes(memory.density),
                    bytes(memory.rollback),
                    bytes(memory.trace),
                    bytes(available)
                ),
            ));
        }
        if let Some(dt) = self.output.checkpoint
            && !(dt > 0.0 && dt.is_finite() && self.t_end / dt <= 1e6)
        {
            return Err((
                "output.checkpoint".into(),
                format!(
                    "invalid `checkpoint` = {dt:?}: a positive time, at most 10^6 checkpoints per run (t_end = {:?})",
                    self.t_end
                ),
            ));
        }
        multiscale::preflight(&params, &input, &self.initial, &run).map_err(blame)?;
        Ok(memory)
    }
}

/// A name usable as a directory name: non-empty, not `.` or `..`, no path separator or
/// control character.
pub fn valid_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name == "." || name == ".." {
        return Err("the name must be non-empty and not `.` or `..`");
    }
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Err("the name names the output directory: no path separator or control character");
    }
    Ok(())
}

/// The environment variable that sets the memory a run may use.
pub const MEMORY_LIMIT_VAR: &str = "NLIF_MEMORY_LIMIT";

/// The memory a run may use: the value of the environment variable `NLIF_MEMORY_LIMIT`
/// if set ([`parse_memory_limit`]), else `MemAvailable` of `/proc/meminfo`; `None` where
/// neither exists.
///
/// # Errors
///
/// `NLIF_MEMORY_LIMIT` is set but is not a size: the message names it.
pub fn available_memory() -> Result<Option<u64>> {
    if let Some(limit) = memory_limit()? {
        return Ok(Some(limit));
    }
    let meminfo = || -> Option<u64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib.saturating_mul(1024))
    };
    Ok(meminfo())
}

/// The value of `NLIF_MEMORY_LIMIT`, if set.
///
/// # Errors
///
/// It is set but is not a size ([`parse_memory_limit`]).
pub fn memory_limit() -> Result<Option<u64>> {
    match std::env::var_os(MEMORY_LIMIT_VAR) {
        None => Ok(None),
        Some(value) => parse_memory_limit(&value.to_string_lossy())
            .map(Some)
            .map_err(|reason| anyhow!("{reason}")),
    }
}

/// A memory size: a positive number of bytes, optionally with a unit `K`, `M`, `G`, `T`
/// (powers of 1000: `8G` is 8·10^9 bytes) or `Ki`, `Mi`, `Gi`, `Ti` (powers of 1024:
/// `8Gi` is 8·2^30), either optionally followed by `B`, in any case (`8gb`, `16GiB`),
/// with or without a space; a fraction is allowed (`1.5G`), the bytes rounded down.
///
/// # Errors
///
/// Anything else: the message names `NLIF_MEMORY_LIMIT` and the accepted forms.
pub fn parse_memory_limit(text: &str) -> Result<u64, String> {
    let refuse = || {
        format!(
            "invalid {MEMORY_LIMIT_VAR} `{text}`: expected a positive number of bytes, optionally with a unit K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), either optionally followed by B, e.g. 8G or 16GiB"
        )
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: f64 = number.parse().map_err(|_| refuse())?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024f64.powi(2),
        "gi" => 1024f64.powi(3),
        "ti" => 1024f64.powi(4),
        _ => return Err(refuse()),
    };
    let bytes = (number * factor).floor();
    if !(bytes >= 1.0) {
        return Err(refuse());
    }
    // `as` saturates: a limit beyond 2^64 bytes is no limit.
    Ok(bytes as u64)
}

/// Bytes for people: `1.5 GB`.
pub fn bytes(n: u64) -> String {
    let x = n as f64;
    match x {
        _ if x >= 1e15 => format!("{x:.1e} B"),
        _ if x >= 1e9 => format!("{:.1} GB", x / 1e9),
        _ if x >= 1e6 => format!("{:.1} MB", x / 1e6),
        _ if x >= 1e3 => format!("{:.1} kB", x / 1e3),
        _ => format!("{n} B"),
    }
}

/// The config as RON text, pretty-printed (the form of `nlif check --print` and of a
/// checkpointed run's `config.ron`), which reads back as the same config.
///
/// # Errors
///
/// The config cannot be serialised (it always can).
pub fn to_ron(config: &Config) -> Result<String> {
    let pretty = ron::ser::PrettyConfig::new().struct_names(false);
    let text = ron::ser::to_string_pretty(config, pretty).context("cannot serialise the config")?;
    // ron writes a unit variant named `None` (`Input::None`) as the raw identifier
    // `r#None`; plain `None` reads back as the same variant. Kept only if it does (a
    // name holding the text `: r#None` would not).
    let plain = text.replace(": r#None", ": None");
    Ok(match parse(&plain) {
        Ok(back) if back == *config => plain,
        _ => text,
    })
}

/// What `nlif check` says about a valid config besides "ok": settings the run uses in
/// another form than written (a `v_min` off the grid is moved to the node below it).
pub fn notes(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    let m = &config.solver.macro_;
    if let Ok(grid) = nlif_model::Grid::for_model(&config.model.params(), m.v_min, m.dv) {
        let used = grid.v_min();
        if (used - m.v_min).abs() > 1e-9 * m.dv {
            notes.push(format!(
                "`solver.macro.v_min` = {} is not a node of the grid (spacing dv = {} from v_f = {}): the grid starts at the node below it, v_min = {}",
                crate::shortest(m.v_min),
                crate::shortest(m.dv),
                crate::shortest(config.model.v_f),
                crate::shortest(multiscale::tidy_time(used))
            ));
        }
    }
    notes
}

/// Reads and parses a config file; syntax errors and unknown fields carry line and column.
pub fn load(path: &Path) -> Result<(Config, String)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    from_bytes(path, bytes)
}

/// Parses the bytes of the config file `path` (read once: a pipe cannot be read again).
///
/// # Errors
///
/// The bytes are not UTF-8, or not a config (the message names `path`, line and column).
pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<(Config, String)> {
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow!(
            "cannot read the config file {}: it is not UTF-8 text",
            path.display()
        )
    })?;
    let config = parse(&text).map_err(|e| anyhow!("{}:{e}", path.display()))?;
    Ok((config, text))
}

/// Parses RON text into a config; the error starts with `line:column: `.
pub fn parse(text: &str) -> Result<Config> {
    // A UTF-8 byte-order mark (written by some Windows editors) is not RON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ron::Options::default()
        .from_str::<Config>(text)
        .map_err(|e| anyhow!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code))
}

/// Where a dotted field path is written in the config text: `(line, column)` of its last
/// key, found by looking for each key after the previous one. `None` if not written (a
/// default value).
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
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
///
/// `overridden` and `processes` as for [`Config::validate`].
///
/// # Errors
///
/// The config is invalid: the message names the field (by its dotted path, and its
/// place in `text` if written there).
pub fn check(
    config: &Config,
    text: Option<(&Path, &str)>,
    overridden: &[&str],
    processes: usize,
) -> Result<MemoryEstimate> {
    match config.validate(overridden, processes) {
        Ok(memory) => Ok(memory),
        // Not a field of the config: the environment's limit.
        Err((field, reason)) if field == MEMORY_LIMIT_VAR => bail!("{reason}"),
        Err((field, reason)) => {
            let place = text
                .and_then(|(path, text)| {
                    locate(text, &field).map(|(l, c)| format!("{}:{l}:{c}: ", path.display()))
                })
                .or_else(|| text.map(|(path, _)| format!("{}: ", path.display())))
                .unwrap_or_default();
            bail!("{place}{}", field_message(&field, &reason));
        }
    }
}

/// `invalid `model.v_f` = -1: why`: the message of a solver crate (`invalid `v_f` = -1:
/// why`, naming the field within its section) with the field's full config path.
fn field_message(field: &str, reason: &str) -> String {
    if let Some(at) = reason.find("invalid `")
        && let Some((_, after)) = reason[at + "invalid `".len()..].split_once('`')
    {
        return format!("invalid `{field}`{after}");
    }
    format!("invalid config field `{field}`: {reason}")
}
