//! Running the solvers for the figures: the settings of one run ([`Setup`], run as the
//! experiment it describes, in process through `nlif-experiment`), what it leaves ([`Run`]), the same setup by particles alone and multi-scale ([`Versus`]), and
//! the initial data the experiments start from.

use fp_macro::MacroConfig;
use multiscale::{SolverKind, SwitchingConfig, Trace};
use nlif_experiment::config::{Config, ModelSection, OutputSection, SolverSection};
use nlif_experiment::{Parallelism, report};
use nlif_micro::MicroConfig;
use nlif_model::{InitialDensity, Input, ModelParams};

use super::Ctx;
use super::measure::{bursts, rates};
use super::plot::{COLORS, Panel, Style};

/// Blow-up A: a broad Gaussian well below the threshold.
pub(crate) const BLOWUP_A: InitialDensity = InitialDensity::Gaussian {
    mean: -1.0,
    var: 0.5,
};
/// Blow-up B: a narrow Gaussian just below the threshold.
pub(crate) const BLOWUP_B: InitialDensity = InitialDensity::Gaussian {
    mean: 1.5,
    var: 0.005,
};
/// A broad Gaussian centred at rest, from which the network relaxes.
pub(crate) const RELAXED: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

/// `N(mean, var)`, as the setups write a Gaussian initial density.
pub(crate) fn gaussian(initial: &InitialDensity) -> String {
    let InitialDensity::Gaussian { mean, var } = *initial;
    format!("N({mean}, {var})")
}

/// The model of docs/model.md §1 with connectivity `b`.
pub(crate) fn params(b: f64) -> ModelParams {
    ModelParams {
        b,
        ..ModelParams::default()
    }
}

/// The settings shared by the figures' runs.
#[derive(Clone, Copy)]
pub(crate) struct Setup {
    pub(crate) b: f64,
    pub(crate) input: Input,
    pub(crate) initial: InitialDensity,
    pub(crate) kind: SolverKind,
    pub(crate) particles: usize,
    /// The time step of both solvers.
    pub(crate) dt: f64,
    pub(crate) t_end: f64,
    pub(crate) seed: u64,
    /// Spacing of the rate samples.
    pub(crate) interval: f64,
    pub(crate) density_interval: Option<f64>,
    pub(crate) switching: SwitchingConfig,
    pub(crate) macro_config: MacroConfig,
}

impl Setup {
    /// The multi-scale solver from `initial` without input: 1e5 particles, dt = 1e-3 for
    /// both solvers, samples every 0.01, seed 1, default switching and mesh.
    pub(crate) fn new(b: f64, initial: InitialDensity, t_end: f64) -> Self {
        Setup {
            b,
            input: Input::None,
            initial,
            kind: SolverKind::Multiscale,
            particles: 100_000,
            dt: 1e-3,
            t_end,
            seed: 1,
            interval: 1e-2,
            density_interval: None,
            switching: SwitchingConfig::default(),
            macro_config: MacroConfig::default(),
        }
    }

    pub(crate) fn params(&self) -> ModelParams {
        params(self.b)
    }

    pub(crate) fn with(mut self, f: impl FnOnce(&mut Setup)) -> Self {
        f(&mut self);
        self
    }

    /// The setup as an experiment, as its config file would say it.
    pub(crate) fn experiment(&self) -> Config {
        Config {
            name: "figure".to_owned(),
            model: ModelSection {
                b: self.b,
                input: self.input,
                ..ModelSection::default()
            },
            initial: self.initial,
            solver: SolverSection {
                kind: self.kind,
                macro_config: MacroConfig {
                    dt: self.dt,
                    ..self.macro_config
                },
                micro: MicroConfig {
                    particles: self.particles,
                    dt: self.dt,
                    ..MicroConfig::default()
                },
                switching: self.switching,
                ..SolverSection::default()
            },
            t_end: self.t_end,
            seed: self.seed,
            output: OutputSection {
                interval: self.interval,
                density_interval: self.density_interval,
                ..OutputSection::default()
            },
        }
    }

    /// Runs to `t_end` in the realization of `ctx` (its seed moved by the seed offset), in
    /// this process as `nlif run` runs the experiment.
    pub(crate) fn run(&self, ctx: &Ctx) -> Result<Run, String> {
        let experiment = self.with(|s| s.seed = ctx.seed(s.seed)).experiment();
        let result =
            nlif_experiment::run(&experiment, Parallelism::Rayon).map_err(|e| report(&e))?;
        Ok(Run {
            trace: result.trace,
            seconds: result.wall_seconds,
            grid_nodes: result.grids.into_iter().next().unwrap_or_default(),
        })
    }
}

/// Blow-up A (`b = 3` from [`BLOWUP_A`]) at a figure's resolution: the setting of the
/// macro-failure and multi-scale blow-up A figures.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlowupA {
    /// The time step of both solvers.
    pub(crate) dt: f64,
    pub(crate) particles: usize,
    /// Spacing of the rate samples.
    pub(crate) interval: f64,
    pub(crate) t_end: f64,
}

impl BlowupA {
    /// Connectivity.
    pub(crate) const B: f64 = 3.0;
    pub(crate) const QUICK: BlowupA = BlowupA {
        dt: 1e-3,
        particles: 20_000,
        interval: 1e-2,
        t_end: 4.0,
    };
    pub(crate) const FULL: BlowupA = BlowupA {
        dt: 1e-4,
        particles: 100_000,
        interval: 1e-3,
        t_end: 5.0,
    };

    /// The run by solver `kind`.
    pub(crate) fn setup(&self, kind: SolverKind) -> Setup {
        Setup::new(Self::B, BLOWUP_A, self.t_end).with(|s| {
            s.kind = kind;
            s.dt = self.dt;
            s.particles = self.particles;
            s.interval = self.interval;
        })
    }
}

/// Blow-up B: `b = 1.5` from [`BLOWUP_B`] to `t_end`, by the multi-scale solver with
/// the defaults of [`Setup::new`].
pub(crate) fn blowup_b(t_end: f64) -> Setup {
    Setup::new(1.5, BLOWUP_B, t_end)
}

/// What a run leaves.
pub(crate) struct Run {
    pub(crate) trace: Trace,
    /// Wall time of the run.
    pub(crate) seconds: f64,
    /// The nodes of the density snapshots.
    pub(crate) grid_nodes: Vec<f64>,
}

/// One setup run twice: by the particles alone and by the multi-scale solver.
pub(crate) struct Versus {
    pub(crate) micro: Run,
    pub(crate) multi: Run,
}

impl Versus {
    /// Runs `setup` with both solvers (particles first).
    pub(crate) fn run(ctx: &Ctx, setup: &Setup) -> Result<Self, String> {
        Ok(Versus {
            micro: setup.with(|s| s.kind = SolverKind::Micro).run(ctx)?,
            multi: setup.with(|s| s.kind = SolverKind::Multiscale).run(ctx)?,
        })
    }

    /// Wall time of the particles over that of the multi-scale solver.
    pub(crate) fn speedup(&self) -> f64 {
        self.micro.seconds / self.multi.seconds
    }

    /// Both rates on a log axis, the multi-scale solver's particle phases shaded and its
    /// bursts marked.
    pub(crate) fn panel(&self, title: &str) -> Panel {
        let (micro, multi) = (&self.micro.trace, &self.multi.trace);
        let mut panel = Panel::new(title, "time t", "firing rate N(t)")
            .line("particles alone", rates(micro), COLORS[4], Style::Thin)
            .line("multi-scale", rates(multi), COLORS[1], Style::Line);
        panel.y_log = true;
        panel.legend = plotters::chart::SeriesLabelPosition::LowerRight;
        panel.shade = multi.micro_phases();
        panel.events = bursts(multi);
        panel
    }
}
