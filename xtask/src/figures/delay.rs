//! A synaptic delay (docs/model.md §12): the particles (several seeds) beside the density
//! in blow-up A with a delay (no bursts: a delayed connection takes no part in cascades)
//! and in a strongly inhibitory population with long delays (an oscillation whose period
//! follows the delay).
//!
//! Setup ([`DelayOscillation`]): blow-up A ([`BlowupA`]) with a delay; `b < 0` with a
//! constant input and the delays `delays`, each run to `t_end(D)`.
//!
//! Checks: in blow-up A, no burst in any particle run and the time the rate passes 5
//! (density: deterministic; particles: within the seed spread); in the inhibitory
//! population, per delay the period of the density (deterministic) and of the particles
//! (within the seed spread), and per figure the agreement of the density with the
//! particles in units of the particles' spread over seeds.

use multiscale::SolverKind;
use nlif_model::{Input, Refractory, stationary_rates};

use super::measure::{bursts, rates};
use super::mechanism_runs::{Ensemble, Mechanisms};
use super::network_runs::mean_sd;
use super::plot::{COLORS, Panel, Style, save};
use super::rhythm::{agreement, expected_median_z, period};
use super::runs::{BLOWUP_A, BlowupA, RELAXED, Setup, gaussian};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "delay";

/// The rate whose first passage marks blow-up A's runaway (the blow-up watch's).
const PASS_RATE: f64 = 5.0;

/// The lower end of the inhibitory population's density grid: the inhibition of a
/// rate peak drives the voltages towards `I + b N ≈ -13.5`; a grid cut off at `-4`
/// (blow-up A's) would hold them there and restart the oscillation early (period 2.71
/// instead of 2.87 at `D = 1`, where the particles give 2.87).
const V_MIN: f64 = -20.0;

/// The SD over seed offsets of the particles' mean period, per delay of
/// [`DelayOscillation::delays`] (`--seed-study 12 --quick`: 0.0019, 0.0043, 0.0028).
const PERIOD_SD: [f64; 3] = [0.002, 0.0045, 0.003];

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DelayOscillation {
    /// Blow-up A and its delay.
    excitatory: BlowupA,
    excitatory_delay: f64,
    /// The inhibitory population: connectivity and constant input.
    b: f64,
    i0: f64,
    particles: usize,
    dt: f64,
    interval: f64,
    delays: [f64; 3],
    /// `t_end(D) = t_base + t_per_delay D`; the period is measured from `t_end / 3` on.
    t_base: f64,
    t_per_delay: f64,
    /// Particle runs with seeds `1..=seeds`.
    seeds: u64,
}

impl DelayOscillation {
    const QUICK: DelayOscillation = DelayOscillation {
        excitatory: BlowupA {
            dt: 1e-3,
            particles: 10_000,
            interval: 1e-2,
            t_end: 5.0,
        },
        excitatory_delay: 0.1,
        b: -5.0,
        i0: 5.0,
        particles: 5_000,
        dt: 1e-3,
        interval: 1e-2,
        delays: [0.25, 0.5, 1.0],
        t_base: 4.0,
        t_per_delay: 10.0,
        seeds: 3,
    };
    const FULL: DelayOscillation = DelayOscillation {
        excitatory: BlowupA {
            particles: 100_000,
            ..Self::QUICK.excitatory
        },
        particles: 100_000,
        t_per_delay: 16.0,
        seeds: 4,
        ..Self::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    fn t_end(&self, delay: f64) -> f64 {
        self.t_base + self.t_per_delay * delay
    }

    fn mechanisms(delay: f64) -> Mechanisms {
        Mechanisms {
            refractory: Refractory::None,
            delay,
        }
    }

    /// The inhibitory run with `delay` (its solver chosen by the ensemble).
    fn inhibitory(&self, delay: f64) -> Setup {
        Setup::new(self.b, RELAXED, self.t_end(delay)).with(|s| {
            s.input = Input::Constant { i0: self.i0 };
            s.particles = self.particles;
            s.dt = self.dt;
            s.interval = self.interval;
            s.macro_config.v_min = V_MIN;
        })
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let e = &self.excitatory;
        let delays: Vec<String> = self.delays.iter().map(f64::to_string).collect();
        format!(
            "Left: blow-up A (b = {}, from {}) with delay D = {}, dt = {} (both solvers), {} neurons, to t = {}. Middle and right: b = {}, constant input I = {}, from {}, D in [{}], dt = {}, density on [{}, 2], {} neurons, to t = {} + {} D; the period is the mean spacing of the upward crossings of the rate's mean (moving average over 0.1 D, hysteresis a quarter of its SD) from t_end / 3 on. Density h = 0.02 (on [-4, 2] for blow-up A); samples every {}; particles with seeds 1 to {}. The switching solver is not drawn; its hand-over on the left case (particles continuing the density's rate at t = 4.32) is measured in docs/model.md §12, \"Hand-overs\".",
            BlowupA::B,
            gaussian(&BLOWUP_A),
            self.excitatory_delay,
            e.dt,
            e.particles,
            e.t_end,
            self.b,
            self.i0,
            gaussian(&RELAXED),
            delays.join(", "),
            self.dt,
            V_MIN,
            self.particles,
            self.t_base,
            self.t_per_delay,
            self.interval,
            self.seeds,
        )
    }
}

/// The smallest second coordinate of `points`.
fn min(points: &[(f64, f64)]) -> f64 {
    points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min)
}

/// The largest second coordinate of `points`.
fn max(points: &[(f64, f64)]) -> f64 {
    points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max)
}

/// The first sample time where `rates` exceeds [`PASS_RATE`] (NaN if never).
fn first_pass(rates: &[(f64, f64)]) -> f64 {
    rates
        .iter()
        .find(|p| p.1 > PASS_RATE)
        .map_or(f64::NAN, |p| p.0)
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: DelayOscillation) -> Result<Figure, String> {
    let mut numbers = Vec::new();
    let mut seconds = 0.0;

    // Left: blow-up A with a delay.
    let excitatory = Ensemble::run(
        ctx,
        &setup.excitatory.setup(SolverKind::Macro),
        DelayOscillation::mechanisms(setup.excitatory_delay),
        setup.seeds,
    )?;
    seconds += excitatory.seconds;
    let density = rates(&excitatory.density);
    let density_pass = first_pass(&density);
    let passes: Vec<f64> = excitatory
        .particles
        .iter()
        .map(|t| first_pass(&rates(t)))
        .collect();
    let (pass_mean, pass_sd) = mean_sd(&passes);
    let most_bursts = excitatory
        .particles
        .iter()
        .map(|t| bursts(t).len())
        .max()
        .unwrap_or(0);
    let before = agreement(
        &density,
        &excitatory.particle_series(),
        (0.0, density_pass.min(pass_mean) - 0.05),
        1e-3,
    );
    let mut left = Panel::new(
        &format!("blow-up A, delay D = {}", setup.excitatory_delay),
        "time t",
        "firing rate N(t)",
    )
    .line(
        &format!("particles, mean of {} seeds", setup.seeds),
        excitatory.particle_mean(),
        COLORS[4],
        Style::Line,
    )
    .line("density", density, COLORS[0], Style::Dashed);
    left.y_log = true;
    left.legend = plotters::chart::SeriesLabelPosition::UpperLeft;
    numbers.extend([
        Number::new(
            "excitatory_micro_bursts",
            most_bursts as f64,
            Tol::AtMost(0.0),
            "blow-up A with the delay: bursts (MFEs firing at least half the network) of any particle run (none: a delayed kick fires nobody in a cascade)",
        ),
        Number::new(
            "excitatory_density_pass",
            density_pass,
            Tol::Abs(1e-9),
            "blow-up A with the delay: the density's rate first above 5 (deterministic; 3.52 without the delay)",
        ),
        Number::new(
            "excitatory_micro_pass",
            pass_mean,
            Tol::seeds(0.06),
            "the particles' rate first above 5, mean over seeds (SD of that mean 0.060 quick over 12 seed offsets)",
        ),
        Number::new(
            "excitatory_micro_pass_sd",
            pass_sd,
            Tol::Stated,
            "its SD over the seeds",
        ),
        Number::new(
            "excitatory_median_z",
            before.median,
            Tol::AtMost(1.5),
            "until the rate passes 5: median over the samples of the distance of the density from the particles' mean in the particles' SD over seeds (0.49 ± 0.13 quick over 12 seed offsets)",
        ),
        Number::new(
            "excitatory_within_2",
            before.within_2,
            Tol::Stated,
            "until then: fraction of the samples with the density within 2 particle SDs",
        ),
    ]);

    // Middle and right: the inhibitory population.
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
    save(&ctx.stem(NAME), &[left, middle, right])?;
    numbers.push(Number::new(
        "seconds",
        seconds,
        Tol::Info,
        "wall time of all the runs",
    ));
    Ok(Figure {
        name: NAME,
        title: "A synaptic delay: no bursts, and an inhibitory oscillation",
        claim: "With a delay the mean field has global solutions for any connectivity, and strong inhibition with a long delay oscillates (Cáceres, Roux, Salort & Schneider 2019). In blow-up A a delay removes the bursts: the rate runs away smoothly instead, in particles and density alike. An inhibitory population with a long delay oscillates, with a period of 2.7 to 2.9 times the delay, in particles and density alike.",
        setup: setup.describe(),
        look: format!(
            "Left (log scale): the particles' mean and the density rise together (rate first above 5 at {pass_mean:.3} ± {pass_sd:.3} over seeds and {density_pass:.3}, against 3.52 without the delay; median distance {:.2} particle SDs before) and run away to the highest rate the discretisation allows, without a burst: b = 3 has no stationary state, with or without a delay. Middle: the oscillations for each delay (particles in colour, the density dashed on them) around the stationary rate. Right: the period over the delay, {:.2} to {:.2} (density) and {:.2} to {:.2} (particles). Agreement: the periods of density and particles differ by at most {:.2} %; at 10⁵ neurons this is several times the particles' seed spread of the period (a difference of discretisation and finite size: at D = 0.25 the density's period moves by 0.2 % from dt = 10⁻³ to 10⁻⁴, measured once), so sample by sample the density lies within 2 particle SDs in {:.0} % to {:.0} % of the oscillation's samples (median distance {:.2} to {:.2} SDs; {:.2} expected of the particles' exact expectation with {} seeds).",
            before.median,
            min(&density_ratio),
            max(&density_ratio),
            min(&micro_ratio),
            max(&micro_ratio),
            100.0 * period_gaps.iter().copied().fold(0.0, f64::max),
            100.0 * agreements.iter().map(|a| a.within_2).fold(1.0, f64::min),
            100.0 * agreements.iter().map(|a| a.within_2).fold(0.0, f64::max),
            agreements
                .iter()
                .map(|a| a.median)
                .fold(f64::INFINITY, f64::min),
            agreements.iter().map(|a| a.median).fold(0.0, f64::max),
            expected_median_z(setup.seeds),
            setup.seeds,
        ),
        numbers,
    })
}
