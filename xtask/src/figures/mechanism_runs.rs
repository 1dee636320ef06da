//! Runs with a refractory period or a synaptic delay (docs/model.md §11, §12) for the
//! refractory and delay figures: a [`Setup`] with the two mechanisms added to its model,
//! by the density or by the particles over several seeds (module `mechanism_switching`
//! runs the switching solver on them).

use multiscale::{SolverKind, Trace};
use nlif_experiment::config::Pairwise;
use nlif_experiment::{Parallelism, report};
use nlif_model::Refractory;

use super::Ctx;
use super::measure::rates;
use super::rhythm::mean_sd_series;
use super::runs::Setup;

/// A refractory period and a delay, as a single-population config writes them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mechanisms {
    pub(crate) refractory: Refractory,
    /// `model.delay`, a whole number of the time step.
    pub(crate) delay: f64,
}

impl Mechanisms {
    /// The mechanisms as the figures state them.
    pub(crate) fn describe(&self) -> String {
        let refractory = match self.refractory {
            Refractory::None => None,
            Refractory::Fixed { tau } => Some(format!("refractory Fixed(tau = {tau})")),
            Refractory::Exponential { tau } => Some(format!("refractory Exponential(tau = {tau})")),
        };
        let delay = (self.delay > 0.0).then(|| format!("delay D = {}", self.delay));
        let parts: Vec<String> = refractory.into_iter().chain(delay).collect();
        if parts.is_empty() {
            "no refractory period, no delay".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// `setup` with `mechanisms`, run by `kind` with seed `seed` in the realization of `ctx`:
/// the trace and the wall time. A run that does not complete (an invariant violated) is an
/// error; a density whose rate passes the blow-up watch goes on to `t_end`, as by default.
pub(crate) fn run(
    ctx: &Ctx,
    setup: &Setup,
    mechanisms: Mechanisms,
    kind: SolverKind,
    seed: u64,
) -> Result<(Trace, f64), String> {
    let mut config = setup
        .with(|s| {
            s.kind = kind;
            s.seed = ctx.seed(seed);
        })
        .experiment();
    config.model.refractory = mechanisms.refractory;
    config.model.delay = Pairwise::Scalar(mechanisms.delay);
    let result = nlif_experiment::run(&config, Parallelism::Rayon).map_err(|e| report(&e))?;
    if !result.outcome.is_completed() {
        return Err(format!(
            "{kind:?} run with {}: {:?}",
            mechanisms.describe(),
            result.outcome
        ));
    }
    Ok((result.trace, result.wall_seconds))
}

/// The density's run and the particles' runs with seeds `1..=seeds` of one setup.
pub(crate) struct Ensemble {
    pub(crate) density: Trace,
    pub(crate) particles: Vec<Trace>,
    /// Wall time of all the runs.
    pub(crate) seconds: f64,
}

impl Ensemble {
    /// Runs `setup` with `mechanisms` by the density (`Macro`) and by the particles
    /// (`Micro`, seeds `1..=seeds`).
    pub(crate) fn run(
        ctx: &Ctx,
        setup: &Setup,
        mechanisms: Mechanisms,
        seeds: u64,
    ) -> Result<Self, String> {
        let (density, mut seconds) = run(ctx, setup, mechanisms, SolverKind::Macro, 1)?;
        let mut particles = Vec::new();
        for seed in 1..=seeds {
            let (trace, s) = run(ctx, setup, mechanisms, SolverKind::Micro, seed)?;
            seconds += s;
            particles.push(trace);
        }
        Ok(Ensemble {
            density,
            particles,
            seconds,
        })
    }

    /// The particles' `(t, mean, sd)` over the seeds.
    pub(crate) fn particle_series(&self) -> Vec<(f64, f64, f64)> {
        let all: Vec<Vec<(f64, f64)>> = self.particles.iter().map(rates).collect();
        mean_sd_series(&all)
    }

    /// The particles' mean rate, `(t, mean)`.
    pub(crate) fn particle_mean(&self) -> Vec<(f64, f64)> {
        self.particle_series()
            .into_iter()
            .map(|(t, m, _)| (t, m))
            .collect()
    }
}
