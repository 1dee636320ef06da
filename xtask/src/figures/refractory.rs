//! A refractory period in blow-up A (docs/model.md §11): the particles (several seeds)
//! beside the density, with the stationary state the theory predicts.
//!
//! Setup ([`RefractoryBursts`]): blow-up A ([`BlowupA`]) with a short fixed period (left,
//! module `refractory_bursts`: the bursts go on, rhythmically, far below the predicted
//! high-activity state; the switching solver hands over to particles and bursts with
//! them) and with a long exponential one (right: the network settles at that state; the
//! switching solver never leaves the density).
//!
//! Checks: the predicted states (exact, `nlif steady`'s); the left panel's (its module
//! says); on the right, the settled rates (density deterministic, particles within the
//! seed spread), no burst, no switch, and the agreement of the density with the
//! particles in units of the particles' spread over seeds.

use multiscale::SolverKind;
use nlif_model::{Refractory, stationary_states_refractory};

use super::measure::{bursts, rates};
use super::mechanism_runs::{Ensemble, Mechanisms, run};
use super::mechanism_switching::SEED;
use super::network_runs::mean_sd;
use super::plot::{COLORS, Panel, Style, save};
use super::refractory_bursts;
use super::rhythm::{agreement, expected_median_z, mean_rate_from};
use super::runs::{BLOWUP_A, BlowupA, gaussian, params};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "refractory";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefractoryBursts {
    /// Blow-up A with the short period.
    short_run: BlowupA,
    short: Refractory,
    /// Blow-up A with the long period (no bursts: a coarser step suffices).
    long_run: BlowupA,
    long: Refractory,
    /// Particle runs with seeds `1..=seeds`.
    seeds: u64,
}

impl RefractoryBursts {
    const QUICK: RefractoryBursts = RefractoryBursts {
        short_run: BlowupA {
            dt: 1e-3,
            particles: 20_000,
            interval: 1e-2,
            t_end: 5.0,
        },
        short: Refractory::Fixed { tau: 0.025 },
        long_run: BlowupA {
            dt: 1e-3,
            particles: 5_000,
            interval: 1e-2,
            t_end: 12.0,
        },
        long: Refractory::Exponential { tau: 0.5 },
        seeds: 3,
    };
    const FULL: RefractoryBursts = RefractoryBursts {
        short_run: BlowupA {
            dt: 1e-4,
            particles: 100_000,
            interval: 1e-2,
            t_end: 5.5,
        },
        long_run: BlowupA {
            dt: 1e-3,
            particles: 100_000,
            interval: 1e-2,
            t_end: 12.0,
        },
        seeds: 4,
        ..Self::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    fn mechanisms(refractory: Refractory) -> Mechanisms {
        Mechanisms {
            refractory,
            delay: 0.0,
        }
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let run = |r: &BlowupA, m: Refractory| {
            format!(
                "{}: dt = {} (both solvers), {} neurons, to t = {}",
                Self::mechanisms(m).describe(),
                r.dt,
                r.particles,
                r.t_end
            )
        };
        let switching = self.short_run.setup(SolverKind::Multiscale).switching;
        format!(
            "Blow-up A (b = {}, a = 1, V_F = 2, V_R = 1, from {}), density h = 0.02, samples every {}. Left: {}. Right: {}. Particles with seeds 1 to {}; the switching solver (seed {SEED}, the same step and particles, default switching: rate bound {}, rollback {}) on the left, shaded where it runs particles; on the right it never switches.",
            BlowupA::B,
            gaussian(&BLOWUP_A),
            self.short_run.interval,
            run(&self.short_run, self.short),
            run(&self.long_run, self.long),
            self.seeds,
            switching.rate_up,
            switching.rollback,
        )
    }
}

/// The stationary states of blow-up A's model with `refractory`: the largest rate, which
/// must be stable.
fn high_state(refractory: Refractory) -> Result<f64, String> {
    let states = stationary_states_refractory(&params(BlowupA::B), 0.0, &refractory)
        .map_err(|e| e.to_string())?;
    let high = states.last().ok_or("no stationary state")?;
    if !high.stable {
        return Err(format!("the highest state {} is unstable", high.rate));
    }
    Ok(high.rate)
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: RefractoryBursts) -> Result<Figure, String> {
    let short_state = high_state(setup.short)?;
    let long_state = high_state(setup.long)?;
    let b = refractory_bursts::measure(
        ctx,
        &setup.short_run,
        RefractoryBursts::mechanisms(setup.short),
        setup.seeds,
        short_state,
    )?;
    let long = Ensemble::run(
        ctx,
        &setup.long_run.setup(SolverKind::Macro),
        RefractoryBursts::mechanisms(setup.long),
        setup.seeds,
    )?;

    // Right: the settling.
    let long_density = rates(&long.density);
    // The switching solver hands over where the rate passes its bound (5): here it would
    // run the density throughout, which its switches confirm.
    let (long_switching, long_switching_s) = run(
        ctx,
        &setup.long_run.setup(SolverKind::Multiscale),
        RefractoryBursts::mechanisms(setup.long),
        SolverKind::Multiscale,
        SEED,
    )?;
    let long_peak = rates(&long_switching)
        .iter()
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let long_series = long.particle_series();
    let settle_from = 0.75 * setup.long_run.t_end;
    let long_density_late = mean_rate_from(&long_density, settle_from);
    let long_micro: Vec<f64> = long
        .particles
        .iter()
        .map(|t| mean_rate_from(&rates(t), settle_from))
        .collect();
    let (long_micro_mean, long_micro_sd) = mean_sd(&long_micro);
    let long_bursts = long
        .particles
        .iter()
        .map(|t| bursts(t).len())
        .max()
        .unwrap_or(0);
    let settle = agreement(
        &long_density,
        &long_series,
        (0.0, setup.long_run.t_end),
        1e-3,
    );

    let mut right = Panel::new(
        &format!(
            "blow-up A, {}",
            RefractoryBursts::mechanisms(setup.long).describe()
        ),
        "time t",
        "firing rate N(t)",
    )
    .line(
        &format!("particles, mean of {} seeds", setup.seeds),
        long.particle_mean(),
        COLORS[4],
        Style::Line,
    )
    .line("density", long_density, COLORS[0], Style::Line);
    right.legend = plotters::chart::SeriesLabelPosition::LowerRight;
    right.hlines.push((
        long_state,
        format!("stable stationary state {long_state:.4} (nlif steady)"),
    ));
    save(&ctx.stem(NAME), &[b.panel, right])?;

    let mut numbers = vec![
        Number::new(
            "short_high_state",
            short_state,
            Tol::Around {
                center: 26.4114408243,
                within: 1e-8,
            },
            "the only stationary state at the short period, stable (`nlif steady --config`; none without a period)",
        ),
        Number::new(
            "long_high_state",
            long_state,
            Tol::Around {
                center: 0.9247200001,
                within: 1e-8,
            },
            "the only stationary state at the long period, stable",
        ),
    ];
    numbers.extend(b.numbers);
    numbers.extend([
        Number::new(
            "long_density_rate",
            long_density_late,
            Tol::Rel(1e-6),
            "long period: the density's mean rate over the last quarter (deterministic)",
        ),
        Number::new(
            "long_switching_handovers",
            long_switching.switches.len() as f64,
            Tol::AtMost(0.0),
            &format!(
                "long period: switches of the switching solver (seed {SEED}; none: its rate, at most {long_peak:.3}, stays below the bound 5, so it runs the density throughout and is not drawn)"
            ),
        ),
        Number::new(
            "long_micro_rate",
            long_micro_mean,
            Tol::seeds_rel(0.0135),
            "long period: the particles' mean rate over the last quarter, mean over seeds (SD / mean 0.0135 quick over 12 seed offsets)",
        ),
        Number::new(
            "long_micro_rate_sd",
            long_micro_sd,
            Tol::Stated,
            "its SD over the seeds",
        ),
        Number::new(
            "long_micro_bursts",
            long_bursts as f64,
            Tol::AtMost(0.0),
            "long period: bursts of any particle run (none: the network settles)",
        ),
        Number::new(
            "long_median_z",
            settle.median,
            Tol::AtMost(1.5),
            "long period, whole run: median over the samples of the distance of the density from the particles' mean in the particles' SD over seeds (0.51 ± 0.04 quick over 12 seed offsets)",
        ),
        Number::new(
            "long_within_2",
            settle.within_2,
            Tol::Stated,
            "long period, whole run: fraction of the samples with the density within 2 particle SDs",
        ),
        Number::new(
            "long_p95_z",
            settle.p95,
            Tol::Stated,
            "long period, whole run: 95th percentile of that distance",
        ),
        Number::new(
            "seconds",
            b.seconds + long.seconds + long_switching_s,
            Tol::Info,
            "wall time of all the runs",
        ),
    ]);
    Ok(Figure {
        name: NAME,
        title: "A refractory period in blow-up A",
        claim: "A refractory period creates a stable high-activity stationary state where blow-up A has none (Cáceres & Perthame 2014). With a short period the network does not reach it: the bursts go on, rhythmically, and the density, which no longer saturates, peaks with them. With a long exponential period the bursts are gone and particles and density settle at the predicted state.",
        setup: setup.describe(),
        look: format!(
            "Left (log scale): the particles' bursts (seed 1, marked along the top; {:.3} of the network in each) and the density's peaks recur at nearly the same spacing ({:.4} ± {:.4} over seeds and {:.4}: the density's rhythm is {:.1} % faster); the predicted state {short_state:.2} (dashed) lies far above the mean rate ({:.2} particles, {:.2} density over the second half). The density does not saturate as without a period: the mass that fires leaves the line for tau and comes back at V_R. The switching solver follows the density to the hand-over at {:.4} ({:.3} before the density's blow-up at {:.4}), then bursts as the particles do: {} bursts firing {:.3} to {:.3} of the network (the particles' {:.3} to {:.3}; its mean {:.1} standard errors from theirs), {:.4} apart (the particles' {:.4} ± {:.4}); {}. Right: the particles' mean and the density rise together to the predicted state {long_state:.4} ({long_micro_mean:.4} ± {long_micro_sd:.4} over seeds, {long_density_late:.4} density over the last quarter); the rate never reaches the switching bound, so the switching solver is the density there. Agreement in the rate over time, the density's distance from the particles' mean in their spread over seeds, sample by sample: median {:.2} before the first burst and {:.2} in the settling run ({:.2} expected of the particles' exact expectation with {} seeds), within 2 SDs in {:.0} % and {:.0} % of the samples.",
            b.fraction_mean,
            b.period_mean,
            b.period_sd,
            b.density_period,
            100.0 * (b.period_mean / b.density_period - 1.0),
            b.micro_late,
            b.density_late,
            b.handover_t,
            b.blow_up_t - b.handover_t,
            b.blow_up_t,
            b.switching_count,
            b.switching_range.0,
            b.switching_range.1,
            b.fraction_range.0,
            b.fraction_range.1,
            b.switching_z,
            b.switching_spacing,
            b.period_mean,
            b.period_sd,
            if b.switching_back == 0 {
                "it stays with the particles to the end".to_owned()
            } else {
                format!("it switches back to the density {} times", b.switching_back)
            },
            b.before.median,
            settle.median,
            expected_median_z(setup.seeds),
            setup.seeds,
            100.0 * b.before.within_2,
            100.0 * settle.within_2,
        ),
        numbers,
    })
}
