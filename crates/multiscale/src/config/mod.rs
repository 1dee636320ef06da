//! Settings of a run and of the switching, and their validation.

use fp_macro::{MacroConfig, MacroError};
use nlif_micro::{MicroConfig, MicroError};
use nlif_model::ModelError;
use serde::{Deserialize, Serialize};

mod switching;

pub use switching::{Policy, SwitchingConfig};

/// Which solver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SolverKind {
    /// The mean-field solver alone. It runs through a blow-up to `t_end` (its rate
    /// saturates at a mesh-dependent level), recording where the rate first passed
    /// [`BlowUpWatch::rate`]; [`BlowUpWatch::stop`] ends it there instead. An input kick
    /// the density cannot represent, lost positivity or non-finite values end it early.
    Macro,
    /// Particles alone.
    Micro,
    /// Mean field while asynchronous, particles across bursts.
    #[default]
    Multiscale,
    /// The mean field in the time dilated by the firing rate, through firing events
    /// without particles (docs/model.md §13): one population, `a1 = 0`, no refractory
    /// period, no delay.
    Dilated,
}

impl SolverKind {
    /// `"macro"`, `"micro"`, `"multiscale"` or `"dilated"`, as in the run summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            SolverKind::Macro => "macro",
            SolverKind::Micro => "micro",
            SolverKind::Multiscale => "multiscale",
            SolverKind::Dilated => "dilated",
        }
    }

    /// Whether this solver advances the mean-field density (at least some of the time).
    pub fn uses_macro(self) -> bool {
        self != SolverKind::Micro
    }

    /// Whether this solver advances particles (at least some of the time).
    pub fn uses_micro(self) -> bool {
        matches!(self, SolverKind::Micro | SolverKind::Multiscale)
    }

    /// Whether this solver hands the network over between the density and particles.
    pub fn switches(self) -> bool {
        self == SolverKind::Multiscale
    }
}

/// The `solver.blow_up` section: how a macro-only run treats a blow-up of its rate.
///
/// The mean-field rate of an excitatory network can blow up in finite time; the discrete
/// density then saturates at a mesh-dependent level (about `a / h²`) instead. A
/// [`SolverKind::Macro`] run records the first accepted step whose rate exceeds `rate`
/// ([`Trace::blow_up`](crate::Trace::blow_up)) and, by default, goes on to `t_end`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlowUpWatch {
    /// The rate whose first crossing is recorded as the blow-up time.
    pub rate: f64,
    /// End the run at that step (outcome `blow_up`) instead of continuing to `t_end`.
    pub stop: bool,
}

impl Default for BlowUpWatch {
    fn default() -> Self {
        BlowUpWatch {
            rate: 5.0,
            stop: false,
        }
    }
}

/// Everything a run needs besides the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Which solver.
    pub kind: SolverKind,
    /// The mean-field solver (its grid also carries the density snapshots of micro phases).
    pub macro_config: MacroConfig,
    /// The particle solver.
    pub micro: MicroConfig,
    /// The switching.
    pub switching: SwitchingConfig,
    /// Blow-up of a macro-only run.
    pub blow_up: BlowUpWatch,
    /// End time: a whole multiple of the time step of the solver (the macro step for
    /// `Macro` and `Multiscale`, the micro step for `Micro`).
    pub t_end: f64,
    /// The one seed of the run.
    pub seed: u64,
    /// Spacing of the rate samples (a multiple of the time step, see `t_end`). If it does
    /// not divide `t_end`, the last sample is the mean over the shorter final interval.
    pub sample_interval: f64,
    /// Spacing of the density snapshots (a multiple of `sample_interval`), if any.
    pub density_interval: Option<f64>,
    /// Neurons of each population whose spikes the particle phases record
    /// ([`Trace::spikes`](crate::Trace::spikes); all of a smaller population; 0: none),
    /// at most [`MAX_RASTER`]. What is recorded never changes what is simulated.
    #[serde(default)]
    pub raster: usize,
}

/// The largest [`RunConfig::raster`]: a raster is for looking at (a few hundred rows
/// make a plot), and each event of a particle step sums one bit per sampled neuron.
pub const MAX_RASTER: usize = 10_000;

impl Default for RunConfig {
    /// The multi-scale solver with default settings, to `t_end = 1`, seed 0, samples every
    /// `1e-3`, no density snapshots.
    fn default() -> Self {
        RunConfig {
            kind: SolverKind::Multiscale,
            macro_config: MacroConfig::default(),
            micro: MicroConfig::default(),
            switching: SwitchingConfig::default(),
            blow_up: BlowUpWatch::default(),
            t_end: 1.0,
            seed: 0,
            sample_interval: 1e-3,
            density_interval: None,
            raster: 0,
        }
    }
}

/// Why a run cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Invalid model, input or initial data.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Invalid mean-field settings.
    #[error("solver.macro: {0}")]
    Macro(#[from] MacroError),
    /// Invalid particle settings.
    #[error("solver.micro: {0}")]
    Micro(#[from] MicroError),
    /// An invalid network of populations (its entry named by its path under `model`).
    #[error("model: {0}")]
    Network(#[from] nlif_model::network::NetworkError),
    /// A conversion failed (e.g. a density without mass).
    #[error("coupling: {0}")]
    Coupling(#[from] coupling::CouplingError),
    /// An invalid run or switching setting.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Dotted path of the setting.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why.
        reason: String,
    },
}

impl From<nlif_model::GridError> for RunError {
    /// A refused grid is a refused `solver.macro` setting (`v_min`, `dv`).
    fn from(e: nlif_model::GridError) -> Self {
        RunError::Macro(e.into())
    }
}

impl RunError {
    /// The dotted path of the offending setting, as in a config file.
    pub fn field(&self) -> String {
        match self {
            RunError::Model(e) => model_path(e.field()),
            RunError::Network(e) => format!("model.{}", e.path()),
            RunError::Macro(e) => match e {
                MacroError::Model(m) => model_path(m.field()),
                MacroError::Network(_) | MacroError::Population { .. } => network_path(&e.path()),
                other if other.field().starts_with("initial.") => other.field().to_owned(),
                other => format!("solver.macro.{}", other.field()),
            },
            RunError::Micro(e) => match e {
                MicroError::Model(m) => model_path(m.field()),
                MicroError::At { path, .. } => network_path(path),
                other if other.field().starts_with("initial.") => other.field().to_owned(),
                other if other.field() == "v_min" => "solver.macro.v_min".to_owned(),
                other => format!("solver.micro.{}", other.field()),
            },
            RunError::Coupling(_) => "solver.switching".to_owned(),
            RunError::Invalid { field, .. } => (*field).to_owned(),
        }
    }
}

/// Config path of the path of an entry of a network or of one of its populations
/// (`coupling[0][1]`, `populations[1].v_r`, the grid's `dv`, the particles' `part`).
fn network_path(path: &str) -> String {
    let model = ["populations", "coupling", "a1", "model"];
    if model.iter().any(|m| path.starts_with(m)) {
        format!("model.{}", path.trim_start_matches("model."))
    } else if ["v_min", "dv", "dt"].contains(&path) {
        format!("solver.macro.{path}")
    } else {
        format!("solver.micro.{path}")
    }
}

/// Config path of a model-crate field name.
fn model_path(field: &str) -> String {
    if field.starts_with("initial.") {
        field.to_owned()
    } else {
        format!("model.{field}")
    }
}

pub(crate) fn invalid(field: &'static str, value: f64, reason: impl Into<String>) -> RunError {
    RunError::Invalid {
        field,
        value,
        reason: reason.into(),
    }
}

/// `x` is a whole multiple of `unit` (within 1e-9 relative).
pub(crate) fn multiple_of(x: f64, unit: f64) -> Option<u64> {
    let k = (x / unit).round();
    ((x / unit - k).abs() <= 1e-9 * k.max(1.0) && (1.0..MAX_STEPS).contains(&k)).then_some(k as u64)
}

/// The most time steps a run may take (the clock `t_start + steps · dt` stays exact in
/// its last bits far below `2^53`).
pub const MAX_STEPS: f64 = 1e15;

impl RunConfig {
    /// The time step that sets the run's clock: the macro step for `Macro`, `Dilated`
    /// (which sub-steps it) and `Multiscale` (a micro phase sub-steps it), the micro step
    /// for `Micro`.
    pub fn clock_step(&self) -> f64 {
        match self.kind {
            SolverKind::Micro => self.micro.dt,
            _ => self.macro_config.dt,
        }
    }

    /// The step of the solver that computes a phase of `mode`: `macro.dt` for the density,
    /// `micro.dt` for the particles.
    pub fn step_of(&self, mode: crate::Mode) -> f64 {
        match mode {
            crate::Mode::Macro => self.macro_config.dt,
            crate::Mode::Micro => self.micro.dt,
        }
    }

    /// The shortest time step the run takes: the clock step, or the micro step of a
    /// multi-scale run's particle phases. Only steps the solver uses count (a `Macro`
    /// run's `micro.dt` is never read).
    pub fn finest_step(&self) -> f64 {
        match self.kind {
            SolverKind::Multiscale => self.macro_config.dt.min(self.micro.dt),
            _ => self.clock_step(),
        }
    }

    /// Macro steps between two macro states kept for a rolled-back hand-over: the
    /// largest whole number of steps within `rollback / 64` (at least 1). The hand-over
    /// then starts from a state between `rollback` and `rollback · (1 + 1/64)` (plus a
    /// step) before its trigger, whatever the output interval.
    pub fn snapshot_every(&self) -> u64 {
        let steps = (self.switching.rollback / (64.0 * self.macro_config.dt)).floor();
        if (1.0..MAX_STEPS).contains(&steps) {
            steps as u64
        } else {
            1
        }
    }

    /// How many macro states a multi-scale run keeps for a rolled-back hand-over:
    /// `ceil(rollback / spacing) + 2`, the spacing `snapshot_every() · macro.dt`; at most
    /// the number of such spacings in the run plus 2.
    pub fn rollback_snapshots(&self) -> usize {
        let spacing = self.snapshot_every() as f64 * self.macro_config.dt;
        let by_rollback = (self.switching.rollback.min(self.t_end) / spacing).ceil();
        let in_run = (self.t_end / spacing).ceil();
        let kept = by_rollback.min(in_run).max(0.0) + 2.0;
        if kept < usize::MAX as f64 {
            kept as usize
        } else {
            usize::MAX
        }
    }

    /// Particle steps between two decisions on the switch back to the density: one macro
    /// step's worth (`macro.dt / micro.dt`, a whole number for a multi-scale run), so the
    /// switches do not depend on the output interval.
    pub fn switch_check_every(&self) -> u64 {
        multiple_of(self.macro_config.dt, self.micro.dt).unwrap_or(1)
    }

    /// Checks the run and switching settings that the chosen solver uses (the solvers
    /// check their own settings; [`crate::preflight`] runs every check).
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming the first offending setting by its config path.
    pub fn validate(&self) -> Result<(), RunError> {
        self.validate_run()?;
        if self.kind == SolverKind::Multiscale {
            self.switching.validate_policy()?;
        }
        Ok(())
    }

    /// [`RunConfig::validate`] but for the settings only a built-in policy reads
    /// ([`SwitchingConfig::validate_policy`]): what a run with a custom policy checks.
    ///
    /// # Errors
    ///
    /// As [`RunConfig::validate`].
    pub fn validate_run(&self) -> Result<(), RunError> {
        let s = &self.switching;
        if !(self.t_end.is_finite() && self.t_end > 0.0) {
            return Err(invalid(
                "t_end",
                self.t_end,
                "the end time must be positive and finite",
            ));
        }
        let (step_field, step) = match self.kind {
            SolverKind::Micro => ("solver.micro.dt", self.micro.dt),
            _ => ("solver.macro.dt", self.macro_config.dt),
        };
        if !(step.is_finite() && step > 0.0) {
            return Err(invalid(step_field, step, "the time step must be positive"));
        }
        if self.t_end / step >= MAX_STEPS {
            return Err(invalid(
                "t_end",
                self.t_end,
                format!("the run would take more than 10^15 steps of {step_field} = {step:?}"),
            ));
        }
        if multiple_of(self.t_end, step).is_none() {
            return Err(invalid(
                "t_end",
                self.t_end,
                format!(
                    "must be a whole multiple of {step_field} = {step:?} (the run ends exactly at t_end)"
                ),
            ));
        }
        if !(self.sample_interval.is_finite() && self.sample_interval > 0.0) {
            return Err(invalid(
                "output.interval",
                self.sample_interval,
                "must be positive",
            ));
        }
        if multiple_of(self.sample_interval, step).is_none() {
            return Err(invalid(
                "output.interval",
                self.sample_interval,
                format!("must be a whole multiple of {step_field} = {step:?}"),
            ));
        }
        if self.kind == SolverKind::Multiscale
            && multiple_of(self.macro_config.dt, self.micro.dt).is_none()
        {
            return Err(invalid(
                "solver.micro.dt",
                self.micro.dt,
                "must divide solver.macro.dt (a multi-scale micro phase sub-steps the macro step)",
            ));
        }
        if let Some(d) = self.density_interval
            && multiple_of(d, self.sample_interval).is_none()
        {
            return Err(invalid(
                "output.density_interval",
                d,
                "must be a whole multiple of output.interval",
            ));
        }
        if self.raster > MAX_RASTER {
            return Err(invalid(
                "output.raster",
                self.raster as f64,
                format!("at most {MAX_RASTER} neurons per population (0 records none)"),
            ));
        }
        if self.kind == SolverKind::Macro
            && !(self.blow_up.rate > 0.0 && self.blow_up.rate.is_finite())
        {
            return Err(invalid(
                "solver.blow_up.rate",
                self.blow_up.rate,
                "must be positive and finite (a very large value, e.g. 1e300, records no blow-up)",
            ));
        }
        if self.kind != SolverKind::Multiscale {
            return Ok(());
        }
        if !(s.rollback.is_finite() && s.rollback >= 0.0) {
            return Err(invalid(
                "solver.switching.rollback",
                s.rollback,
                "must be a non-negative time",
            ));
        }
        if !(s.smoothing.is_finite() && s.smoothing > 0.0) {
            return Err(invalid(
                "solver.switching.smoothing",
                s.smoothing,
                "must be a positive time",
            ));
        }
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the config paths of docs/config.md. A particle error about the grid's
    /// lower end or the initial density is blamed on the field a user wrote.
    #[test]
    fn particle_errors_name_the_config_field() {
        let micro = |field| {
            RunError::Micro(MicroError::Invalid {
                field,
                value: 0.0,
                reason: "",
            })
            .field()
        };
        assert_eq!(micro("v_min"), "solver.macro.v_min");
        assert_eq!(micro("initial.mean"), "initial.mean");
        assert_eq!(micro("dt"), "solver.micro.dt");
    }
}
