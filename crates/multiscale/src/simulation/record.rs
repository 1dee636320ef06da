//! What the run records besides the samples: density snapshots, the final partial sample,
//! and taking it back when a completed run is extended.

use nlif_model::time::tidy as tidy_time;

use super::{Simulation, fill_rate_after};
use crate::components::Components;
use crate::config::{RunConfig, RunError};
use crate::observer::{Event, Observer};
use crate::policy::SwitchingPolicy;
use crate::trace::{DensitySnapshot, Sample};

impl<C: Components> Simulation<C> {
    /// The density snapshot of sample `k`, if one is due: the density itself, or the
    /// particles' histogram.
    pub(super) fn record_density(&mut self, k: u64) -> Result<(), RunError> {
        if !self.clock.snapshot_at(k) {
            return Ok(());
        }
        let t = tidy_time(k as f64 * self.problem.config.sample_interval);
        let mut values = vec![0.0; self.cells()];
        let mut env = phase_env!(self, f64::INFINITY, &self.monitor.populations);
        let histogram = coupling::Estimator::Histogram;
        self.phase
            .estimate(&mut env, histogram, self.monitor.smoothed, &mut values)?;
        self.trace.densities.push(DensitySnapshot {
            t,
            mode: self.mode(),
            values,
        });
        Ok(())
    }

    /// The partial sample over `(k · interval, t]` at the end of a run, `k · interval`
    /// being the last full sample (nothing if the run ended on a sample time).
    pub(super) fn final_sample<O: Observer>(&mut self, observer: &mut O) {
        let t = self.time().min(self.problem.config.t_end);
        let switches = &mut self.trace.switches;
        let rates = &mut self.trace.population_rates;
        let Some(due) = self
            .clock
            .partial(t, |rate| fill_rate_after(switches, rate), rates)
        else {
            return;
        };
        let sample = Sample {
            t: due.t,
            rate: due.rate,
            mode: self.mode(),
        };
        self.trace.samples.push(sample);
        Self::emit(&mut self.stop, observer, Event::Sample(&sample));
    }

    /// Extends a completed run to a later end time, as if it had been started with it:
    /// the final partial sample of the old end (if any) is taken back, with the
    /// accumulator it flushed, so the run continues exactly as a run to `t_end` would.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `t_end` if the run ended early (only a completed or
    /// still running run can be extended) or `t_end` is not later than the current end;
    /// the checks of [`RunConfig::validate`] for the new end time.
    pub fn extend_to(&mut self, t_end: f64) -> Result<(), RunError> {
        let refuse = |reason: String| RunError::Invalid {
            field: "t_end",
            value: t_end,
            reason,
        };
        if let Some(outcome) = self.outcome
            && !outcome.is_completed()
        {
            return Err(refuse(format!(
                "the run ended early ({}) and cannot be extended",
                outcome.as_str()
            )));
        }
        let old = self.problem.config;
        if !(t_end > old.t_end) {
            return Err(refuse(format!(
                "an extension must end after the current end t_end = {:?}",
                old.t_end
            )));
        }
        let config = RunConfig { t_end, ..old };
        config.validate_run()?;
        if self.schedule.switching {
            self.policy.validate(&config.switching)?;
        }
        if let Some(tail) = self.clock.take_back() {
            self.trace.pop_sample();
            if tail.filled_rate_after
                && let Some(last) = self.trace.switches.last_mut()
            {
                last.rate_after = None;
            }
        }
        self.outcome = None;
        self.problem.config = config;
        Ok(())
    }
}
