//! Figure 10, the phase diagram: the multi-scale solver over connectivity `b` and the
//! initial mean, run and drawn as `nlif sweep` runs and draws it, in this process through
//! `nlif_experiment::sweep` (the class of each point over the background of the theory of
//! nlif-model: stationary states and blow-up criterion).
//!
//! Setup ([`PhaseDiagram`]): `configs/blowup-a.ron` with `b` over `[0, 3]` and the initial
//! mean over `[-1, 1]` (quick: 7 × 3 points, 5·10³ particles) or `[-1, 1.5]` (13 × 6
//! points, 2·10⁴ particles), dt = 1e-3 for both solvers, to `t = 4`.
//!
//! Checks: the number of points, the count of each class (within two points), no failed
//! point, and the fraction of points whose sustained MFEs (or their absence) the theory
//! predicts.

use nlif_experiment::sweep::{self, plot::Class};
use nlif_experiment::{config, report, set};
use nlif_model::{ModelParams, blowup_witness, stationary_states};

use super::{Ctx, Figure, Number, Tol};
use crate::root;

pub(crate) const NAME: &str = "phase-diagram";

/// Everything the figure runs and states. The sweep overrides these settings of
/// [`PhaseDiagram::CONFIG`]; the others are the config's own.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PhaseDiagram {
    /// `b` over `[0, b_max]` in `b_points` points.
    b_max: f64,
    b_points: usize,
    /// The initial means.
    means: &'static [f64],
    particles: usize,
    /// The time step of both solvers.
    dt: f64,
    t_end: f64,
    /// Spacing of the rate samples.
    interval: f64,
}

impl PhaseDiagram {
    /// The experiment swept.
    const CONFIG: &'static str = "configs/blowup-a.ron";
    /// The config's initial variance, seed and mesh (for the theory), not overridden.
    const INITIAL_VAR: f64 = 0.5;
    const SEED: u64 = 1;
    const V_MIN: f64 = -4.0;
    const DV: f64 = 0.02;

    const QUICK: PhaseDiagram = PhaseDiagram {
        b_max: 3.0,
        b_points: 7,
        means: &[-1.0, 0.0, 1.0],
        particles: 5_000,
        dt: 1e-3,
        t_end: 4.0,
        interval: 1e-2,
    };
    const FULL: PhaseDiagram = PhaseDiagram {
        b_points: 13,
        means: &[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5],
        particles: 20_000,
        ..PhaseDiagram::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    fn vary_b(&self) -> String {
        format!("model.b=0:{}:{}", self.b_max, self.b_points)
    }

    fn vary_mean(&self) -> String {
        format!("initial.mean={:?}", self.means)
    }

    /// The `--set` overrides of the sweep.
    fn sets(&self) -> [String; 5] {
        [
            format!("solver.micro.particles={}", self.particles),
            format!("solver.macro.dt={:e}", self.dt),
            format!("solver.micro.dt={:e}", self.dt),
            format!("t_end={}", self.t_end),
            format!("output.interval={:e}", self.interval),
        ]
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        format!(
            "`nlif sweep {} --vary {} --vary '{}'` ({} points), multi-scale solver, {} particles, dt = {:e} for both solvers, t_end = {}, initial variance {}, seed {}. Theory (background): the number of stationary states of nlif-model and the region where the blow-up criterion holds for the initial Gaussian.",
            Self::CONFIG,
            self.vary_b(),
            self.vary_mean(),
            self.b_points * self.means.len(),
            self.particles,
            self.dt,
            self.t_end,
            Self::INITIAL_VAR,
            Self::SEED,
        )
    }
}

/// What the theory says of `(b, mean)`: no stationary state, or the blow-up criterion
/// holds for the initial Gaussian (the config's variance) on the config's grid.
fn theory_predicts_bursts(b: f64, mean: f64) -> Result<bool, String> {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let states = stationary_states(&params, 0.0).map_err(|e| e.to_string())?;
    if states.is_empty() {
        return Ok(true);
    }
    let grid = fp_macro::Grid::for_model(&params, PhaseDiagram::V_MIN, PhaseDiagram::DV)
        .map_err(|e| e.to_string())?;
    let initial = nlif_model::InitialDensity::Gaussian {
        mean,
        var: PhaseDiagram::INITIAL_VAR,
    };
    let density = fp_macro::discretise(&grid, &initial).map_err(|e| e.to_string())?;
    let v: Vec<f64> = grid.nodes().collect();
    let mass: Vec<f64> = density.iter().map(|p| p * grid.spacing()).collect();
    Ok(blowup_witness(&params, &v, &mass)
        .map_err(|e| e.to_string())?
        .is_some())
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: PhaseDiagram) -> Result<Figure, String> {
    let root = root();
    let scratch = root.join("target/xtask-phase");
    let _ = std::fs::remove_dir_all(&scratch);
    // The sweep `nlif sweep CONFIG --vary … --set …` runs, in this process.
    let (mut base, _) = config::load(&root.join(PhaseDiagram::CONFIG)).map_err(|e| report(&e))?;
    for s in setup.sets() {
        set::apply(&mut base, &s).map_err(|e| report(&e))?;
    }
    // The config's seed, moved in another realization (`--seed-offset`).
    if ctx.seed(PhaseDiagram::SEED) != PhaseDiagram::SEED {
        set::apply(&mut base, &format!("seed={}", ctx.seed(PhaseDiagram::SEED)))
            .map_err(|e| report(&e))?;
    }
    config::check(&base, None, &[], 1).map_err(|e| report(&e))?;
    let vary = [setup.vary_b(), setup.vary_mean()]
        .iter()
        .map(|v| sweep::parse_vary(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| report(&e))?;
    let definition = sweep::Definition {
        program: "nlif".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        base,
        vary,
        seed_per_point: false,
    };
    definition.validate().map_err(|e| report(&e))?;
    let points = sweep::run(sweep::Request {
        definition,
        dir: scratch.clone(),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        shard: None,
        keep_outputs: false,
        quiet: true,
    })
    .map_err(|e| report(&e))?;
    for ext in ["png", "svg"] {
        std::fs::copy(
            scratch.join(format!("sweep.{ext}")),
            ctx.stem(NAME).with_extension(ext),
        )
        .map_err(|e| format!("cannot copy the sweep plot: {e}"))?;
    }
    let (mut counts, mut agree) = ([0usize; 5], 0usize);
    for p in &points {
        let classes = [
            Class::Asynchronous,
            Class::MfesThenRelaxation,
            Class::SustainedMfes,
            Class::BlowUp,
            Class::Error,
        ];
        let k = classes
            .iter()
            .position(|c| c.as_str() == p.class)
            .unwrap_or(4);
        counts[k] += 1;
        let value = |i: usize| p.values[i].parse::<f64>().unwrap_or(f64::NAN);
        let bursts = theory_predicts_bursts(value(0), value(1))?;
        if bursts == (classes[k] == Class::SustainedMfes) {
            agree += 1;
        }
    }
    let n = points.len();
    Ok(Figure {
        name: NAME,
        title: "Phase diagram",
        claim: "Claims 2 and 3: the multi-scale solver maps where the network synchronizes. It fires multiple firing events without end where the mean-field theory has no stationary state or its blow-up criterion holds for the initial data, and stays asynchronous where a stable stationary state exists; the exceptions (`agreement_with_theory` below 1) lie on the boundaries, where the theory, a sufficient criterion, does not decide",
        setup: setup.describe(),
        look: format!(
            "Squares coloured by the mean rate over the second half of the run. Stars (sustained MFEs) fill the region without stationary states (pink) and the hatched blow-up region; dots (asynchronous) the regions with a stationary state (green: one, blue: two, one of them stable). At the boundaries: in the bistable band a large initial mean already synchronizes, and just past the edge of the pink region a network starting low has not reached its first burst by t = {}",
            setup.t_end
        ),
        numbers: vec![
            Number::new("points", n as f64, Tol::Abs(0.0), "points of the sweep"),
            Number::new(
                "asynchronous",
                counts[0] as f64,
                Tol::seeds(0.53),
                "asynchronous points (seed SD 0.52 full over 20 seeds, 0 quick over 40: boundary points move to or from relaxing MFEs)",
            ),
            Number::new(
                "mfes_then_relaxation",
                counts[1] as f64,
                Tol::seeds(0.53),
                "points with MFEs that relax (seed SD 0.52 full, 0 quick)",
            ),
            Number::new(
                "sustained_mfes",
                counts[2] as f64,
                Tol::seeds(0.53),
                "points with sustained MFEs (the same in all seeds; tolerance of the other classes)",
            ),
            Number::new(
                "errors",
                (counts[3] + counts[4]) as f64,
                Tol::Abs(0.0),
                "failed points",
            ),
            Number::new(
                "agreement_with_theory",
                agree as f64 / n.max(1) as f64,
                Tol::Abs(0.1),
                "fraction of points whose sustained MFEs (or their absence) the theory predicts",
            ),
        ],
    })
}
