//! What a run records.

use nlif_micro::{Mfe, Spike};
use serde::{Deserialize, Serialize};

mod populations;

/// Which description is advancing the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// The mean-field density.
    Macro,
    /// The particles.
    Micro,
}

impl Mode {
    /// `"macro"` or `"micro"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Macro => "macro",
            Mode::Micro => "micro",
        }
    }
}

/// One rate sample on the output grid: the mean rate over `(t - interval, t]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// End of the sampling interval.
    pub t: f64,
    /// Mean firing rate over the interval.
    pub rate: f64,
    /// The mode at `t`.
    pub mode: Mode,
}

/// Why a switch happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SwitchReason {
    /// The macro step would have exceeded the policy's rate bound.
    RateAboveBound {
        /// The refused rate.
        rate: f64,
        /// The bound.
        bound: f64,
    },
    /// Explicit re-injection would have lost positivity.
    PositivityLost,
    /// An input kick pushes a fraction of the mass over the threshold.
    SynchronousKick {
        /// The fraction.
        fraction: f64,
    },
    /// The macro solve was not finite.
    NonFinite,
    /// The macro solve gave a negative density (a custom flux scheme that breaks its
    /// positivity promise).
    NegativeDensity,
    /// The burst is over (smoothed particle rate low for the dwell time).
    BurstOver {
        /// The smoothed particle rate at the switch.
        smoothed_rate: f64,
    },
    /// The network has settled after a multiple firing event (the policy's
    /// `settled_after_event`).
    Settled {
        /// Time since the last event.
        since_event: f64,
        /// The particle rate since the event, carried by the density.
        rate: f64,
    },
}

impl SwitchReason {
    /// A short machine-readable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            SwitchReason::RateAboveBound { .. } => "rate_above_bound",
            SwitchReason::PositivityLost => "positivity_lost",
            SwitchReason::SynchronousKick { .. } => "synchronous_kick",
            SwitchReason::NonFinite => "non_finite",
            SwitchReason::NegativeDensity => "negative_density",
            SwitchReason::BurstOver { .. } => "burst_over",
            SwitchReason::Settled { .. } => "settled",
        }
    }
}

/// One switch between the descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Switch {
    /// Time of the hand-over (after a rollback, the time of the state handed over).
    pub t: f64,
    /// Time at which the switch was triggered.
    pub triggered_at: f64,
    /// The mode switched to.
    pub to: Mode,
    /// Why.
    pub reason: SwitchReason,
    /// The rate of the state handed over.
    pub rate_before: f64,
    /// The first sampled rate after the switch (`None` until it exists).
    pub rate_after: Option<f64>,
}

/// How a run ended. Only [`Outcome::Completed`] means the run reached `t_end` with every
/// invariant held; every other outcome ends the run early, at the time it names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Outcome {
    /// Reached `t_end` with every invariant held.
    Completed,
    /// A macro-only run with [`BlowUpWatch::stop`](crate::BlowUpWatch::stop) passed the
    /// blow-up rate.
    BlowUp {
        /// Time of the step that passed it.
        t: f64,
        /// The rate of that step.
        rate: f64,
    },
    /// A macro-only run met an input kick that fires part of the mass at once.
    SynchronousEvent {
        /// Time.
        t: f64,
        /// Fraction pushed over the threshold.
        fraction: f64,
    },
    /// A macro-only run lost positivity (explicit re-injection with too large a step).
    PositivityLost {
        /// Time.
        t: f64,
    },
    /// A macro-only run produced non-finite values, or a particle phase (of any run)
    /// non-finite voltages (a sub-threshold stepper that broke its promise).
    NonFinite {
        /// Time.
        t: f64,
    },
    /// A macro-only run's solve gave a negative density (a custom flux scheme that
    /// breaks its positivity promise).
    NegativeDensity {
        /// Time.
        t: f64,
    },
    /// The density's mass drifted from 1 by more than [`MASS_TOLERANCE`]: an invariant of
    /// the discretisation failed, and nothing after `t` can be trusted.
    MassLost {
        /// Time of the step that lost it.
        t: f64,
        /// `|mass - 1|` at `t`.
        error: f64,
    },
    /// Not an end: an observer stopped [`Simulation::run`](crate::Simulation::run) at `t`,
    /// and the run continues with another call. Never recorded as a run's outcome.
    Stopped {
        /// Time.
        t: f64,
    },
}

/// The largest `|mass - 1|` a density may show before a run ends with
/// [`Outcome::MassLost`]. The schemes conserve mass to round-off: every step matrix has
/// columns summing to `1/dt`, so one step changes `h Σ p_i` by a few `n ε` relatively
/// (`n` cells, `ε = 2.2e-16`); even `10^7` steps on `10^5` cells, with errors adding up
/// in the worst case, stay well below `10^-6`, while a defect loses a visible fraction.
pub const MASS_TOLERANCE: f64 = 1e-6;

/// The fraction of `1/dt` from which an asynchronous rate is not resolved by the step
/// ([`Trace::unresolved_rate`]): at `N dt = 0.05` the particles' interspike interval,
/// rounded up to whole steps, already biases the rate by up to 5 %.
pub const UNRESOLVED_FRACTION: f64 = 0.05;

impl Outcome {
    /// `"completed"`, `"blow_up"`, `"synchronous_event"`, `"positivity_lost"`,
    /// `"non_finite"`, `"negative_density"`, `"mass_lost"` or `"stopped"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::BlowUp { .. } => "blow_up",
            Outcome::SynchronousEvent { .. } => "synchronous_event",
            Outcome::PositivityLost { .. } => "positivity_lost",
            Outcome::NonFinite { .. } => "non_finite",
            Outcome::NegativeDensity { .. } => "negative_density",
            Outcome::MassLost { .. } => "mass_lost",
            Outcome::Stopped { .. } => "stopped",
        }
    }

    /// How a run that cannot switch ends when its density refuses a step for `reason`
    /// at `t`.
    pub(crate) fn ended_by(reason: SwitchReason, t: f64) -> Self {
        match reason {
            SwitchReason::PositivityLost => Outcome::PositivityLost { t },
            SwitchReason::SynchronousKick { fraction } => Outcome::SynchronousEvent { t, fraction },
            SwitchReason::NegativeDensity => Outcome::NegativeDensity { t },
            _ => Outcome::NonFinite { t },
        }
    }

    /// Whether the run reached `t_end` with its invariants held.
    pub fn is_completed(&self) -> bool {
        matches!(self, Outcome::Completed)
    }

    /// The time at which the run ended early (`None` if it completed).
    pub fn ended_at(&self) -> Option<f64> {
        match *self {
            Outcome::Completed => None,
            Outcome::BlowUp { t, .. }
            | Outcome::SynchronousEvent { t, .. }
            | Outcome::PositivityLost { t }
            | Outcome::NonFinite { t }
            | Outcome::NegativeDensity { t }
            | Outcome::MassLost { t, .. }
            | Outcome::Stopped { t } => Some(t),
        }
    }
}

/// The first accepted macro step whose rate passed [`BlowUpWatch::rate`](crate::BlowUpWatch::rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateCrossing {
    /// Time at the end of the step.
    pub t: f64,
    /// The rate of the step.
    pub rate: f64,
}

/// A density snapshot on the macro grid (estimated from the particles in micro phases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DensitySnapshot {
    /// Time.
    pub t: f64,
    /// Mode at `t`.
    pub mode: Mode,
    /// Nodal values.
    pub values: Vec<f64>,
}

/// The record of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Rate samples on the output grid: at `k · interval`, and a last one at `t_end` (the
    /// mean over the shorter final interval) if `interval` does not divide `t_end`.
    pub samples: Vec<Sample>,
    /// Every switch.
    pub switches: Vec<Switch>,
    /// Every multiple firing event.
    pub mfes: Vec<Mfe>,
    /// Density snapshots, if requested.
    pub densities: Vec<DensitySnapshot>,
    /// Largest `|mass - 1|` of the density over the macro phases.
    pub mass_error_max: f64,
    /// Where a macro-only run's rate first passed the blow-up rate, if it did.
    pub blow_up: Option<RateCrossing>,
    /// Macro steps taken (including those later rolled back).
    pub macro_steps: u64,
    /// Micro steps taken.
    pub micro_steps: u64,
    /// The names of the network's populations when it has several (empty for one: the
    /// samples' rate is then its only one).
    pub populations: Vec<String>,
    /// The populations' mean rates of every sample, `populations.len()` per sample in
    /// population order ([`Trace::population_rates`]); empty for one population.
    pub population_rates: Vec<f64>,
    /// The fraction of each population that fired in every multiple firing event,
    /// `populations.len()` per event ([`Trace::mfe_fractions`]); empty for one
    /// population.
    pub mfe_fractions: Vec<f64>,
    /// The number of cells of each population's grid when the network has several (empty
    /// for one): a [`DensitySnapshot`]'s values are then every population's density on its
    /// own grid, one after the other in population order ([`Trace::population_density`]).
    pub population_cells: Vec<usize>,
    /// The spikes of the sampled neurons of each population in the particle phases
    /// ([`RunConfig::raster`](crate::RunConfig::raster) per population, drawn once from
    /// the seed), in time order; empty when nothing is sampled. A particle phase starts
    /// from particles sampled anew from the density, so neuron `i` of one particle phase
    /// and neuron `i` of the next are not one neuron's history: only within a phase is a
    /// row a neuron.
    pub spikes: Vec<Spike>,
}

impl Trace {
    /// Each sample with the interval it covers, `(from, to]`: from the previous sample (or
    /// 0) to its own time. The last one may be shorter than the others (a final partial
    /// sample at `t_end`).
    pub fn sample_spans(&self) -> impl Iterator<Item = (f64, f64, &Sample)> + '_ {
        self.samples.iter().scan(0.0, |previous, s| {
            let span = (*previous, s.t, s);
            *previous = s.t;
            Some(span)
        })
    }

    /// The time-weighted mean rate over `(from, to]` (the part of each sample's interval
    /// inside the window counts), `None` if no sample covers any of it.
    ///
    /// ```
    /// use multiscale::{Mode, Sample, Trace};
    /// let mut trace = Trace::default();
    /// for (t, rate) in [(1.0, 2.0), (2.0, 4.0), (2.5, 8.0)] {
    ///     trace.samples.push(Sample { t, rate, mode: Mode::Macro });
    /// }
    /// // (0.5 · 2 + 1 · 4 + 0.5 · 8) / 2
    /// assert_eq!(trace.mean_rate(0.5, 2.5), Some(4.5));
    /// assert_eq!(trace.mean_rate(3.0, 4.0), None);
    /// ```
    #[must_use]
    pub fn mean_rate(&self, from: f64, to: f64) -> Option<f64> {
        let (weighted, covered) = self
            .sample_spans()
            .filter(|(start, end, _)| *end > from && *start < to)
            .fold((0.0, 0.0), |(w, c), (start, end, s)| {
                let d = end.min(to) - start.max(from);
                (w + s.rate * d, c + d)
            });
        (covered > 0.0).then(|| weighted / covered)
    }

    /// The first sample whose *asynchronous* rate reaches `fraction / dt`, `dt` the step of
    /// the solver that computed it (`dt_of(mode)`): the sample's rate less the spikes of
    /// the multiple firing events in its interval, ends included (`Σ fraction / span`), which fire
    /// in one instant by construction. At such rates neither solver resolves the firing:
    /// a particle fires at most once a step (the interspike interval is rounded up to whole
    /// steps, biasing the rate by up to `N dt`), and the density's outflow saturates at
    /// `a / h²`. `None` if no sample does; the crossing's `rate` is that asynchronous rate.
    /// A diagnostic of the record, not of the run: it is judged on the samples, so a short
    /// episode that a fine interval shows can be averaged out by a coarse one (the
    /// simulation itself does not depend on the interval).
    ///
    /// ```
    /// use multiscale::{Mode, Sample, Trace};
    /// let mut trace = Trace::default();
    /// for (t, rate) in [(0.1, 20.0), (0.2, 700.0)] {
    ///     trace.samples.push(Sample { t, rate, mode: Mode::Micro });
    /// }
    /// let crossing = trace.unresolved_rate(0.05, |_| 1e-3).unwrap();
    /// assert_eq!((crossing.t, crossing.rate), (0.2, 700.0));
    /// assert!(trace.unresolved_rate(0.05, |_| 1e-5).is_none());
    /// ```
    #[must_use]
    pub fn unresolved_rate(
        &self,
        fraction: f64,
        dt_of: impl Fn(Mode) -> f64,
    ) -> Option<RateCrossing> {
        // An event on a sample time is taken out of both neighbours (a kick's event is
        // timed at its step's start, a cascade's at its end): never a false warning.
        let mut first = 0;
        for (from, to, sample) in self.sample_spans() {
            let tol = 1e-9 * (to - from);
            while first < self.mfes.len() && self.mfes[first].t < from - tol {
                first += 1;
            }
            let fired: f64 = self.mfes[first..]
                .iter()
                .take_while(|m| m.t <= to + tol)
                .map(|m| m.fraction)
                .sum();
            let span = to - from;
            if span <= 0.0 {
                continue;
            }
            let rate = sample.rate - fired / span;
            if rate * dt_of(sample.mode) >= fraction {
                return Some(RateCrossing { t: sample.t, rate });
            }
        }
        None
    }

    /// The particle phases as time intervals: each micro sample covers its interval, and
    /// adjacent ones join.
    ///
    /// ```
    /// use multiscale::{Mode, Sample, Trace};
    /// let mut trace = Trace::default();
    /// for (t, mode) in [(0.5, Mode::Macro), (1.0, Mode::Micro), (1.5, Mode::Micro),
    ///                   (2.0, Mode::Macro), (2.25, Mode::Micro)] {
    ///     trace.samples.push(Sample { t, rate: 1.0, mode });
    /// }
    /// assert_eq!(trace.micro_phases(), [(0.5, 1.5), (2.0, 2.25)]);
    /// assert_eq!(trace.micro_time(), 1.25);
    /// ```
    #[must_use]
    pub fn micro_phases(&self) -> Vec<(f64, f64)> {
        let mut phases: Vec<(f64, f64)> = Vec::new();
        for (from, to, _) in self
            .sample_spans()
            .filter(|(_, _, s)| s.mode == Mode::Micro)
        {
            match phases.last_mut() {
                Some(last) if last.1 == from => last.1 = to,
                _ => phases.push((from, to)),
            }
        }
        phases
    }

    /// The time spent in particle phases.
    #[must_use]
    pub fn micro_time(&self) -> f64 {
        self.sample_spans()
            .filter(|(_, _, s)| s.mode == Mode::Micro)
            .map(|(from, to, _)| to - from)
            .sum::<f64>()
            + 0.0 // an empty sum is -0.0
    }

    /// Takes back what was recorded after a kept macro state (a rolled-back hand-over):
    /// the samples past the first `samples` and the density snapshots past the first
    /// `densities`. By count, not by time: a recorded time is rounded for the report, so a
    /// comparison of times could drop a sample that is not taken again. Switches and
    /// multiple firing events are not recorded during a density phase, so none follows a
    /// kept state. Nor do spikes: those after `t`, the kept state's time, are taken back
    /// all the same (by time: an event of a particle phase is timed on its own clock, and
    /// the density phase after it starts at the particles' last time exactly).
    pub(crate) fn truncate_to(&mut self, samples: usize, densities: usize, t: f64) {
        self.samples.truncate(samples);
        let spikes = self.spikes.partition_point(|s| s.t <= t);
        self.spikes.truncate(spikes);
        self.population_rates.truncate(samples * self.per_sample());
        self.densities.truncate(densities);
    }

    /// Takes back the last sample (an extension of a completed run takes back its final
    /// partial sample).
    pub(crate) fn pop_sample(&mut self) {
        if self.samples.pop().is_some() {
            let keep = self.samples.len() * self.per_sample();
            self.population_rates.truncate(keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the spikes written by hand. A rolled-back hand-over takes back the spikes
    /// after the kept state's time and keeps those at it (a cascade at the end of the
    /// last particle step, where the density phase began).
    #[test]
    fn a_rollback_takes_back_the_spikes_after_the_kept_state() {
        let spike = |t| Spike {
            t,
            population: 0,
            neuron: 3,
        };
        let mut trace = Trace {
            spikes: vec![spike(0.1), spike(0.25), spike(0.25), spike(0.3)],
            ..Trace::default()
        };
        trace.truncate_to(0, 0, 0.25);
        assert_eq!(trace.spikes, [spike(0.1), spike(0.25), spike(0.25)]);
        trace.truncate_to(0, 0, 0.0);
        assert!(trace.spikes.is_empty());
    }
}
