//! The middle and right panels of the delay figure (module `delay`): a strongly
//! inhibitory population with constant input and long delays, which oscillates with a
//! period that follows the delay. The particles (several seeds) beside the density.
//!
//! Checks: per delay the period of the density (deterministic) and of the particles
//! (within the seed spread), and the agreement of the density with the particles in units
//! of the particles' spread over seeds.

use nlif_model::stationary_rates;

use super::delay::DelayOscillation;
use super::measure::rates;
use super::mechanism_runs::Ensemble;
use super::network_runs::mean_sd;
use super::plot::{COLORS, Panel, Style};
use super::rhythm::{Agreement, agreement, period};
use super::{Ctx, Number, Tol};

/// The SD over seed offsets of the particles' mean period, per delay of
/// [`DelayOscillation::delays`] (`--seed-study 12 --quick`: 0.0019, 0.0043, 0.0028).
const PERIOD_SD: [f64; 3] = [0.002, 0.0045, 0.003];

/// What the inhibitory runs measured, for the figure's text.
pub(crate) struct Oscillations {
    /// The rates over time, and the period over the delay.
    pub(crate) middle: Panel,
    pub(crate) right: Panel,
    pub(crate) numbers: Vec<Number>,
    pub(crate) seconds: f64,
    /// `(D, period / D)` of the density and of the particles (mean over seeds).
    pub(crate) density_ratio: Vec<(f64, f64)>,
    pub(crate) micro_ratio: Vec<(f64, f64)>,
    /// Per delay: `|density's period / particles' - 1|`.
    pub(crate) period_gaps: Vec<f64>,
    /// Per delay: the density against the particles from `t_end / 3` on.
    pub(crate) agreements: Vec<Agreement>,
}

/// Runs the inhibitory population of `setup` for each delay by the density and the
/// particles, and measures it.
pub(crate) fn measure(ctx: &Ctx, setup: &DelayOscillation) -> Result<Oscillations, String> {
    let mut numbers = Vec::new();
    let mut seconds = 0.0;
    let stationary =
        stationary_rates(&super::runs::params(setup.b), setup.i0).map_err(|e| e.to_string())?;
    let stationary = *stationary.first().ok_or("no stationary state")?;
    let mut middle = Panel::new(
        &format!("b = {}, I = {}: rate against time", setup.b, setup.i0),
        "time t",
        "firing rate N(t)",
    );
    middle.legend = plotters::chart::SeriesLabelPosition::UpperRight;
    middle.hlines.push((
        stationary,
        format!("stationary rate {stationary:.4} (any delay)"),
    ));
    let mut density_ratio = Vec::new();
    let mut agreements = Vec::new();
    let mut period_gaps = Vec::new();
    let mut micro_ratio = Vec::new();
    for (k, &delay) in setup.delays.iter().enumerate() {
        let run = setup.inhibitory(delay);
        let ensemble = Ensemble::run(ctx, &run, DelayOscillation::mechanisms(delay), setup.seeds)?;
        seconds += ensemble.seconds;
        let from = run.t_end / 3.0;
        let smooth = ((0.1 * delay / setup.interval).round() as usize) | 1;
        let density = rates(&ensemble.density);
        let density_period = period(&density, from, smooth).unwrap_or(f64::NAN);
        let periods: Vec<f64> = ensemble
            .particles
            .iter()
            .map(|t| period(&rates(t), from, smooth).unwrap_or(f64::NAN))
            .collect();
        let (micro_period, micro_sd) = mean_sd(&periods);
        let agree = agreement(
            &density,
            &ensemble.particle_series(),
            (from, run.t_end),
            1e-3,
        );
        density_ratio.push((delay, density_period / delay));
        agreements.push(agree);
        period_gaps.push((density_period / micro_period - 1.0).abs());
        micro_ratio.push((delay, micro_period / delay));
        middle = middle
            .line(
                &format!("D = {delay}: particles, mean of {} seeds", setup.seeds),
                ensemble.particle_mean(),
                COLORS[k],
                Style::Line,
            )
            .line(
                &format!("D = {delay}: density"),
                density,
                plotters::style::colors::BLACK,
                Style::Dashed,
            );
        numbers.extend([
            Number::new(
                format!("density_period_{delay}"),
                density_period,
                Tol::Rel(1e-6),
                &format!("D = {delay}: the density's period (deterministic)"),
            ),
            Number::new(
                format!("micro_period_{delay}"),
                micro_period,
                Tol::seeds(PERIOD_SD[k]),
                &format!(
                    "D = {delay}: the particles' period, mean over seeds (SD of that mean {} quick over 12 seed offsets)",
                    PERIOD_SD[k]
                ),
            ),
            Number::new(
                format!("micro_period_sd_{delay}"),
                micro_sd,
                Tol::Stated,
                "its SD over the seeds",
            ),
            Number::new(
                format!("density_period_over_delay_{delay}"),
                density_period / delay,
                Tol::Stated,
                "the density's period / D",
            ),
            Number::new(
                format!("micro_period_over_delay_{delay}"),
                micro_period / delay,
                Tol::Stated,
                "the particles' period / D",
            ),
            Number::new(
                format!("period_z_{delay}"),
                (density_period - micro_period).abs() / micro_sd,
                Tol::Stated,
                "distance of the density's period from the particles', in the particles' SD over seeds",
            ),
            Number::new(
                format!("median_z_{delay}"),
                agree.median,
                Tol::AtMost(1.5),
                "from t_end / 3 on: median over the samples of the distance of the density from the particles' mean in the particles' SD over seeds (at most 0.84 quick over 12 seed offsets, all delays)",
            ),
            Number::new(
                format!("within_2_{delay}"),
                agree.within_2,
                Tol::Stated,
                "the fraction of those samples with the density within 2 particle SDs",
            ),
        ]);
    }
    let mut right = Panel::new("period / delay", "delay D", "period / D")
        .line("particles", micro_ratio.clone(), COLORS[4], Style::Line)
        .line("density", density_ratio.clone(), COLORS[0], Style::Dashed);
    right.legend = plotters::chart::SeriesLabelPosition::UpperRight;
    let mut right = Panel::new("period / delay", "delay D", "period / D")
        .line("particles", micro_ratio.clone(), COLORS[4], Style::Line)
        .line("density", density_ratio.clone(), COLORS[0], Style::Dashed);
    right.legend = plotters::chart::SeriesLabelPosition::UpperRight;
    Ok(Oscillations {
        middle,
        right,
        numbers,
        seconds,
        density_ratio,
        micro_ratio,
        period_gaps,
        agreements,
    })
}
