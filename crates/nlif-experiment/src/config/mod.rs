//! The experiment config: one RON file, all sections, `solver.kind` picks the solver.

mod check;
mod error;
mod memory;
mod model;
mod network;
mod output;
mod pairwise;
mod text;

pub use check::{check, field_message, notes};
pub use error::{CheckError, LoadError, MemoryLimitError, ParseError};
pub use memory::{MEMORY_LIMIT_VAR, available_memory, bytes, memory_limit, parse_memory_limit};
pub use model::{ModelSection, POPULATIONS_FIELDS, SINGLE_FIELDS};
pub use output::{DEFAULT_RASTER, OutputSection};
pub use pairwise::Pairwise;
pub use text::{from_bytes, load, locate, parse, to_ron};

use fp_macro::MacroConfig;
use multiscale::{BlowUpWatch, MemoryEstimate, RunConfig, RunError, SolverKind, SwitchingConfig};
use nlif_micro::MicroConfig;
use nlif_model::InitialDensity;
use nlif_model::network::Network;
use serde::{Deserialize, Serialize};

/// The `solver` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverSection {
    /// Which solver runs.
    pub kind: SolverKind,
    /// The mean-field solver's settings (`solver.macro`).
    #[serde(rename = "macro")]
    pub macro_config: MacroConfig,
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
            macro_config: MacroConfig::default(),
            micro: MicroConfig::default(),
            switching: SwitchingConfig::default(),
            blow_up: BlowUpWatch::default(),
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

    /// The problem a run of this experiment solves: the network ([`Config::network`]; the
    /// single form is [`Network::single`], exactly `Problem::single` of its parameters)
    /// and the run settings.
    pub fn problem(&self) -> multiscale::Problem {
        multiscale::Problem {
            network: self.network(),
            config: self.run_config(),
        }
    }

    /// The initial density a run starts from: the top-level `initial`, or for a network
    /// of one population given in the populations form with its own `initial`, that one
    /// (the density of a network of several is each population's own or this one).
    pub fn initial_density(&self) -> &InitialDensity {
        match self.model.populations.as_deref() {
            Some([population]) => population.initial_or(&self.initial),
            _ => &self.initial,
        }
    }

    /// The model as a network of populations ([`ModelSection::network`]).
    pub fn network(&self) -> Network {
        self.model.network()
    }

    /// The run settings of the `multiscale` crate.
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            kind: self.solver.kind,
            macro_config: self.solver.macro_config,
            micro: self.solver.micro,
            switching: self.solver.switching,
            blow_up: self.solver.blow_up,
            t_end: self.t_end,
            seed: self.seed,
            sample_interval: self.output.interval,
            density_interval: self.output.density_interval,
            raster: self.output.raster,
        }
    }

    /// Checks that every `Fixed` refractory period is a whole number of the steps the run
    /// keeps it in: the density's, the particles', both in a switching run.
    ///
    /// # Errors
    ///
    /// The path of the period (`model.populations[α].refractory.tau`, or
    /// `model.refractory.tau` in the single form) and the message, with the nearest
    /// whole-step periods.
    pub(super) fn check_periods(&self) -> Result<(), (String, String)> {
        let run = self.run_config();
        let kind = self.solver.kind;
        let network = self.network();
        let steps = [
            (kind.uses_macro(), run.macro_config.dt),
            (kind.uses_micro(), run.micro.dt),
        ];
        for (_, dt) in steps.into_iter().filter(|(used, _)| *used) {
            network
                .check_periods(dt)
                .map_err(|e| self.model.period_error(&e))?;
        }
        Ok(())
    }

    /// Every check a run makes before it starts (the one validation path of `check` and
    /// `run`): the name, every setting the chosen solver uses, the memory the run would
    /// need against what the machine has, and the initial density on the grid. A model in
    /// the populations form is checked entry by entry, then each population as a run of
    /// one would be on its own grid (its field paths under `model.populations[α]`), and
    /// in a `Dilated` run refused if it has a refractory period or a delay.
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
        let run = self.run_config();
        self.model.validate_form(
            self.solver.kind,
            self.solver.micro.particles,
            Some(run.clock_step()),
        )?;
        (self.model).validate_prior_rates(self.solver.kind.uses_micro().then_some(run.micro.dt))?;
        if self.model.is_populations_form() {
            return self.validate_network(processes);
        }
        if let Err(e) = self.model.refractory.validate() {
            return Err(("model.refractory.tau".into(), e.to_string()));
        }
        let kind = self.solver.kind;
        if kind == SolverKind::Dilated {
            // The dilated solver's events are derived without refractory periods and
            // delays (`validate_form` checked the delay against the run's step).
            if !self.model.refractory.is_none() {
                return Err((
                    "model.refractory".into(),
                    format!(
                        "a `{kind:?}` run does not simulate refractory periods (its firing events are derived without them; `Macro`, `Micro` and `Multiscale` runs do)"
                    ),
                ));
            }
            self.network()
                .refuse_delay()
                .map_err(|e| self.model.delay_error(&e))?;
        }
        if kind.switches() && self.network().has_delay() {
            // The hand-overs carry the histories between the two steps: a delay must be a
            // whole number of both (`validate_form` checked the run's clock step).
            let run = self.run_config();
            for dt in [run.macro_config.dt, run.micro.dt] {
                self.network()
                    .delay_steps(dt)
                    .map_err(|e| self.model.delay_error(&e))?;
            }
        }
        self.check_periods()?;
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
        let blame = |e: RunError| (e.field(), e.to_string());
        let (_, memory) = multiscale::plan(&params, &input, &self.initial, &run).map_err(blame)?;
        let memory = memory.with_histories(&self.network(), &run);
        let memory = fits(memory, processes, available)?;
        self.validate_checkpoint()?;
        multiscale::preflight(&params, &input, &self.initial, &run).map_err(blame)?;
        Ok(memory)
    }

    /// Checks `output.checkpoint`: a positive time, at most 10^6 checkpoints per run.
    fn validate_checkpoint(&self) -> Result<(), (String, String)> {
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
        Ok(())
    }
}

/// The memory of a run split across `processes` (each holds its share of the particles),
/// checked against what is `available`.
///
/// # Errors
///
/// The config field that sets the largest part, and the sizes, if it does not fit.
fn fits(
    mut memory: MemoryEstimate,
    processes: usize,
    available: Option<u64>,
) -> Result<MemoryEstimate, (String, String)> {
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
    Ok(memory)
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
