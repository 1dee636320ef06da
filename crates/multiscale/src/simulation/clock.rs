//! The sample clock: the output grid `k · interval` and the rate accumulated over it.
//!
//! The clock only records: nothing it holds is read by the simulation's decisions
//! (switching has its own cadence), so the output interval never changes a result.

use nlif_model::time::{reached, tidy as tidy_time};
use serde::{Deserialize, Serialize};

use crate::config::{RunConfig, multiple_of};

/// The sample clock's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClockState {
    /// Index `k` of the next sample time `k · interval` (the first is 1).
    pub next_sample: u64,
    /// `∫ rate dt` since the last sample.
    pub accumulated: f64,
    /// What the final partial sample flushed, for an extension of a completed run.
    pub tail: Option<Tail>,
    /// `∫ N_α dt` since the last sample, per population, in a network of several
    /// populations (empty for one: `accumulated` is its rate's).
    pub populations: Vec<f64>,
}

/// What the final partial sample of a run changed, so an extension can take it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tail {
    /// `∫ rate dt` since the last full sample, before the partial sample flushed it.
    pub accumulated: f64,
    /// Whether the partial sample gave the last switch its `rate_after`.
    pub filled_rate_after: bool,
    /// The populations' `∫ N_α dt` it flushed (empty for one population).
    pub populations: Vec<f64>,
}

/// The output grid of a run and the rate integral since its last point.
#[derive(Debug, Clone)]
pub(crate) struct SampleClock {
    interval: f64,
    /// Every how many samples a density snapshot is taken.
    density_every: Option<u64>,
    pub(crate) state: ClockState,
}

/// A sample due: its index `k`, its time (tidied for the report) and the mean rate over
/// its interval.
pub(crate) struct Due {
    pub(crate) k: u64,
    pub(crate) t: f64,
    pub(crate) rate: f64,
}

impl SampleClock {
    /// The clock of `config` in `state`.
    pub(crate) fn new(config: &RunConfig, state: ClockState) -> Self {
        SampleClock {
            interval: config.sample_interval,
            density_every: config
                .density_interval
                .and_then(|d| multiple_of(d, config.sample_interval)),
            state,
        }
    }

    /// The state at `t = 0` of a network of `populations` populations.
    pub(crate) fn start(populations: usize) -> ClockState {
        ClockState {
            next_sample: 1,
            accumulated: 0.0,
            tail: None,
            populations: vec![0.0; if populations > 1 { populations } else { 0 }],
        }
    }

    /// A step of length `dt` at `rate`, the populations' rates `rates` (empty for one
    /// population).
    pub(crate) fn add(&mut self, rate: f64, rates: &[f64], dt: f64) {
        self.state.accumulated += rate * dt;
        for (sum, r) in self.state.populations.iter_mut().zip(rates) {
            *sum += r * dt;
        }
    }

    /// Appends the populations' mean rates over a span of length `span` to `out`, and
    /// empties their accumulators.
    fn flush_populations(&mut self, span: f64, out: &mut Vec<f64>) {
        for sum in &mut self.state.populations {
            out.push(*sum / span);
            *sum = 0.0;
        }
    }

    /// The next sample whose time `t` has reached (by the rule of `nlif_model::time`),
    /// flushing the accumulator; the populations' rates of the sample are appended to
    /// `rates`.
    pub(crate) fn due(&mut self, t: f64, rates: &mut Vec<f64>) -> Option<Due> {
        let k = self.state.next_sample;
        if !reached(t, k as f64 * self.interval) {
            return None;
        }
        let rate = self.state.accumulated / self.interval;
        self.state.accumulated = 0.0;
        self.flush_populations(self.interval, rates);
        self.state.next_sample += 1;
        Some(Due {
            k,
            t: tidy_time(k as f64 * self.interval),
            rate,
        })
    }

    /// Whether sample `k` comes with a density snapshot.
    pub(crate) fn snapshot_at(&self, k: u64) -> bool {
        self.density_every
            .is_some_and(|every| k.is_multiple_of(every))
    }

    /// Density snapshots among the first `samples` samples (sample 0, at `t = 0`, counts).
    pub(crate) fn snapshots_in(&self, samples: u64) -> u64 {
        self.density_every.map_or(0, |every| samples / every + 1)
    }

    /// The partial sample over `(k · interval, t]` at the end of a run, `k · interval`
    /// the last full sample (`None` if the run ended on a sample time). `filled` says
    /// whether recording it fills the last switch's `rate_after`; the populations' rates
    /// are appended to `rates`.
    pub(crate) fn partial(
        &mut self,
        t: f64,
        filled: impl FnOnce(f64) -> bool,
        rates: &mut Vec<f64>,
    ) -> Option<Due> {
        let last = (self.state.next_sample - 1) as f64 * self.interval;
        let duration = t - last;
        if duration <= 1e-9 * self.interval {
            return None;
        }
        let rate = self.state.accumulated / duration;
        self.state.tail = Some(Tail {
            accumulated: self.state.accumulated,
            filled_rate_after: filled(rate),
            populations: self.state.populations.clone(),
        });
        self.state.accumulated = 0.0;
        self.flush_populations(duration, rates);
        let k = self.state.next_sample;
        self.state.next_sample += 1;
        Some(Due {
            k,
            t: tidy_time(t),
            rate,
        })
    }

    /// Takes back the final partial sample (for an extension): what it flushed.
    pub(crate) fn take_back(&mut self) -> Option<Tail> {
        let tail = self.state.tail.take()?;
        self.state.next_sample -= 1;
        self.state.accumulated = tail.accumulated;
        self.state.populations.clone_from(&tail.populations);
        Some(tail)
    }
}
