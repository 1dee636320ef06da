//! What a run records, and the observer hook through which a front end watches it.

use nlif_micro::Mfe;

/// Which description is advancing the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// End of the sampling interval.
    pub t: f64,
    /// Mean firing rate over the interval.
    pub rate: f64,
    /// The mode at `t`.
    pub mode: Mode,
}

/// Why a switch happened.
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// The burst is over (smoothed particle rate low for the dwell time).
    BurstOver {
        /// The smoothed particle rate at the switch.
        smoothed_rate: f64,
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
            SwitchReason::BurstOver { .. } => "burst_over",
        }
    }
}

/// One switch between the descriptions.
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// The first sampled rate after the switch (`NaN` until it exists).
    pub rate_after: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Reached `t_end`.
    Completed,
    /// A macro-only run reached the policy's rate bound: the mean-field rate blows up.
    BlowUp {
        /// Time of the last accepted step.
        t: f64,
        /// The refused rate.
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
    /// A macro-only run produced non-finite values.
    NonFinite {
        /// Time.
        t: f64,
    },
}

impl Outcome {
    /// `"completed"`, `"blow_up"`, `"synchronous_event"`, `"positivity_lost"` or
    /// `"non_finite"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::BlowUp { .. } => "blow_up",
            Outcome::SynchronousEvent { .. } => "synchronous_event",
            Outcome::PositivityLost { .. } => "positivity_lost",
            Outcome::NonFinite { .. } => "non_finite",
        }
    }
}

/// A density snapshot on the macro grid (estimated from the particles in micro phases).
#[derive(Debug, Clone, PartialEq)]
pub struct DensitySnapshot {
    /// Time.
    pub t: f64,
    /// Mode at `t`.
    pub mode: Mode,
    /// Nodal values.
    pub values: Vec<f64>,
}

/// The record of a run.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Rate samples on the output grid.
    pub samples: Vec<Sample>,
    /// Every switch.
    pub switches: Vec<Switch>,
    /// Every multiple firing event.
    pub mfes: Vec<Mfe>,
    /// Density snapshots, if requested.
    pub densities: Vec<DensitySnapshot>,
    /// Largest `|mass - 1|` of the density over the macro phases.
    pub mass_error_max: f64,
    /// Macro steps taken (including those later rolled back).
    pub macro_steps: u64,
    /// Micro steps taken.
    pub micro_steps: u64,
}

impl Trace {
    /// Forgets everything recorded after `t` (a rollback).
    pub(crate) fn truncate_after(&mut self, t: f64) {
        let keep = |x: f64| x <= t + 1e-12;
        self.samples.retain(|s| keep(s.t));
        self.mfes.retain(|m| keep(m.t));
        self.densities.retain(|d| keep(d.t));
    }
}

/// Something that happened during a run, as seen by an [`Observer`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A new rate sample.
    Sample(&'a Sample),
    /// A switch.
    Switch(&'a Switch),
    /// A multiple firing event.
    Mfe(&'a Mfe),
    /// Everything after `t` was discarded and will be recomputed by the particles.
    Rollback {
        /// The time rolled back to.
        t: f64,
    },
}

/// Watches a run (progress bars, live output). The library itself never prints.
pub trait Observer {
    /// Called for every event, in order.
    fn observe(&mut self, event: Event<'_>);
}

/// The observer that ignores everything.
impl Observer for () {
    fn observe(&mut self, _event: Event<'_>) {}
}
