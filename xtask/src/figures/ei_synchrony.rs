//! An excitatory–inhibitory network that synchronizes: the rates of both populations by
//! the particles alone (several seeds) and by the multi-scale solver, with the multiple
//! firing events and the fraction of each population they fire.
//!
//! Setup ([`EiSynchrony`]): `a_E = a_I = 1`, `coupling = [[3, -0.5], [1, -0.5]]` from
//! `N(0, 0.25)`; 2·10⁴ neurons at `dt = 10⁻³` (quick) or 10⁵ at `dt = 10⁻⁴` (full), to
//! `t = 4`; default switching.
//!
//! Checks: the multi-scale solver's first burst lies inside the particles' spread over
//! seeds (within 3 of their standard deviations of their mean); its time, and the
//! fraction of each population it fires, within the seed spread of the committed ones.

use multiscale::{SolverKind, Trace};

use super::measure::{BURST_FRACTION, bursts};
use super::network_runs::{NetworkRun, describe, ei, mean_sd, population_rates};
use super::plot::{COLORS, Panel, Style, save};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "ei-synchrony";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EiSynchrony {
    run: NetworkRun,
    /// Seeds of the particle runs: `1..=seeds`.
    seeds: u64,
}

impl EiSynchrony {
    const QUICK: EiSynchrony = EiSynchrony {
        run: NetworkRun {
            kind: SolverKind::Multiscale,
            particles: 20_000,
            dt: 1e-3,
            macro_dt: 1e-3,
            dv: 0.02,
            t_end: 4.0,
            interval: 1e-2,
            seed: 1,
        },
        seeds: 5,
    };
    const FULL: EiSynchrony = EiSynchrony {
        run: NetworkRun {
            particles: 100_000,
            dt: 1e-4,
            macro_dt: 1e-4,
            interval: 1e-3,
            ..Self::QUICK.run
        },
        seeds: 5,
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{}; from N(0, 0.25) in every population; {} neurons, dt = {} for both solvers, to t = {}; particles alone with seeds 1 to {}, the multi-scale solver with seed {} and the default switching.",
            describe(&network()),
            self.run.particles,
            self.run.dt,
            self.run.t_end,
            self.seeds,
            self.run.seed,
        )
    }
}

/// The network of the figure.
fn network() -> nlif_model::network::Network {
    ei([1.0, 1.0], [[3.0, -0.5], [1.0, -0.5]])
}

/// The first burst of `trace`: its time and the fraction of each population it fired.
fn first_burst(trace: &Trace) -> Result<(f64, [f64; 2]), String> {
    let (i, mfe) = trace
        .mfes
        .iter()
        .enumerate()
        .find(|(_, m)| m.fraction >= BURST_FRACTION)
        .ok_or("the network did not burst")?;
    let f = trace
        .mfe_fractions(i)
        .ok_or("no fractions per population")?;
    Ok((mfe.t, [f[0], f[1]]))
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: EiSynchrony) -> Result<Figure, String> {
    let network = network();
    let mut micro = Vec::new();
    let mut micro_seconds = 0.0;
    for seed in 1..=setup.seeds {
        let run = NetworkRun {
            kind: SolverKind::Micro,
            seed,
            ..setup.run
        };
        let (trace, seconds) = run.run(ctx, &network)?;
        micro_seconds += seconds;
        micro.push(trace);
    }
    let (multi, multi_seconds) = setup.run.run(ctx, &network)?;
    let firsts: Vec<(f64, [f64; 2])> = micro.iter().map(first_burst).collect::<Result<_, _>>()?;
    let times: Vec<f64> = firsts.iter().map(|f| f.0).collect();
    let (mean_t, sd_t) = mean_sd(&times);
    let (t_ms, f_ms) = first_burst(&multi)?;
    let micro_fraction =
        |alpha: usize| mean_sd(&firsts.iter().map(|f| f.1[alpha]).collect::<Vec<_>>()).0;
    let names = ["excitatory", "inhibitory"];
    let panels: Vec<Panel> = (0..2)
        .map(|alpha| {
            let mut panel = Panel::new(
                &format!("{} population", names[alpha]),
                "time t",
                "firing rate",
            )
            .line(
                "particles alone (seed 1)",
                population_rates(&micro[0], alpha),
                COLORS[4],
                Style::Thin,
            )
            .line(
                "multi-scale",
                population_rates(&multi, alpha),
                COLORS[1],
                Style::Line,
            );
            panel.y_log = true;
            panel.legend = plotters::chart::SeriesLabelPosition::UpperLeft;
            panel.shade = multi.micro_phases();
            panel.events = bursts(&multi);
            panel
        })
        .collect();
    save(&ctx.stem(NAME), &panels)?;
    let speedup = micro_seconds / setup.seeds as f64 / multi_seconds;
    Ok(Figure {
        name: NAME,
        title: "An excitatory–inhibitory network that synchronizes",
        claim: "The multi-scale solver crosses the synchronous bursts of a network of populations as the particles do: same burst times within the particles' own spread, same fraction of each population fired.",
        setup: setup.describe(),
        look: "Both populations' rates by the particles alone (thin) and by the multi-scale solver (its particle phases shaded, its bursts marked): the excitatory population fires almost entirely in each burst, the inhibitory one in part.".to_owned(),
        numbers: vec![
            Number::new(
                "micro_first_burst_mean",
                mean_t,
                Tol::seeds(0.05),
                "first burst of the particles alone, mean over the seeds (its SD over seeds 0.11 quick, 0.047 full, over 5 seeds: SD of the mean 0.05 and 0.021)",
            ),
            Number::new(
                "micro_first_burst_sd",
                sd_t,
                Tol::Info,
                "the particles' first burst, SD over the seeds",
            ),
            Number::new(
                "multiscale_first_burst",
                t_ms,
                Tol::seeds(0.0015),
                "first burst, multi-scale (seed SD 0.0013 quick, 0.0006 full over 5 seeds)",
            ),
            Number::new(
                "multiscale_z",
                ((t_ms - mean_t) / sd_t).abs(),
                Tol::AtMost(3.0),
                "|multi-scale first burst - particles' mean| in the particles' SD over seeds",
            ),
            Number::new(
                "multiscale_fraction_e",
                f_ms[0],
                Tol::seeds(0.0006),
                "fraction of E fired in the first burst, multi-scale (particles' seed SD 0.0006 quick)",
            ),
            Number::new(
                "multiscale_fraction_i",
                f_ms[1],
                Tol::seeds(0.0045),
                "fraction of I fired in the first burst, multi-scale (particles' seed SD 0.004 quick)",
            ),
            Number::new(
                "micro_fraction_e",
                micro_fraction(0),
                Tol::seeds(0.0003),
                "fraction of E fired in the first burst, particles' mean over the seeds",
            ),
            Number::new(
                "micro_fraction_i",
                micro_fraction(1),
                Tol::seeds(0.002),
                "fraction of I fired in the first burst, particles' mean over the seeds",
            ),
            Number::new(
                "speedup",
                speedup,
                Tol::Info,
                "wall time of one particle run over the multi-scale run's",
            ),
        ],
    })
}
