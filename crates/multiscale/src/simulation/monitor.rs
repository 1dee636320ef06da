//! The rate monitor of a particle phase: what the switch back to the density reads.

use nlif_micro::Mfe;
use serde::{Deserialize, Serialize};

/// The rate monitor's state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MonitorState {
    /// The smoothed particle rate: `N̄ += α (N − N̄)` each step, `α = dt / smoothing`.
    pub smoothed: f64,
    /// Whether a multiple firing event occurred since the last down-switch decision.
    pub mfe_since_check: bool,
    /// The particle rate since the last event of the current particle phase, if any
    /// (reset when a particle phase starts; left as it was during a density phase).
    pub since_event: Option<SinceEvent>,
    /// Each population's smoothed rate, by the same rule as `smoothed`, for a network of
    /// several populations (empty for one).
    pub populations: Vec<f64>,
}

/// The particle rate since the last multiple firing event: the exponential smoothing of
/// the step rates (time constant `smoothing`, factor `α = dt / smoothing`) restarted at
/// the event and normalised by its total weight, so that it is the weighted mean of the
/// steps after the event (their plain mean while `since ≪ smoothing`), the event's step
/// excluded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SinceEvent {
    /// Time since the event.
    pub since: f64,
    /// `Σ α (1-α)^j N_j` over the steps after the event, newest `j = 0`.
    pub weighted: f64,
    /// `Σ α (1-α)^j = 1 - (1-α)^steps`.
    pub weight: f64,
}

impl SinceEvent {
    /// Restarts at an event.
    fn restart() -> Self {
        SinceEvent {
            since: 0.0,
            weighted: 0.0,
            weight: 0.0,
        }
    }

    /// One step of length `dt` at `rate`.
    fn add(&mut self, dt: f64, alpha: f64, rate: f64) {
        self.since += dt;
        self.weighted += alpha * (rate - self.weighted);
        self.weight += alpha * (1.0 - self.weight);
    }

    /// The rate since the event, once a step has passed.
    pub(crate) fn rate(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.weighted / self.weight)
    }

    /// Whether the state is one the rule can reach.
    pub(crate) fn is_valid(&self) -> bool {
        self.since.is_finite()
            && self.since >= 0.0
            && self.weighted.is_finite()
            && (0.0..=1.0).contains(&self.weight)
    }
}

impl MonitorState {
    /// A particle phase starts carrying `rate`.
    pub(crate) fn restart(&mut self, rate: f64) {
        self.smoothed = rate;
        self.mfe_since_check = false;
        self.since_event = None;
    }

    /// A particle phase of a network of several populations starts carrying `rate`, and
    /// each population's rate `rates[α]`.
    pub(crate) fn restart_populations(&mut self, rate: f64, rates: &[f64]) {
        self.restart(rate);
        self.populations.clear();
        self.populations.extend_from_slice(rates);
    }

    /// Each population's smoothed rate after a particle step of length `dt` at `rates`
    /// (nothing for one population, whose `rates` are empty).
    pub(crate) fn step_populations(&mut self, dt: f64, smoothing: f64, rates: &[f64]) {
        let alpha = (dt / smoothing).min(1.0);
        for (smoothed, &rate) in self.populations.iter_mut().zip(rates) {
            *smoothed += alpha * (rate - *smoothed);
        }
    }

    /// The rates of the populations a hand-over to the density carries with the
    /// network's `rate`: `rate` split over the populations in the proportions of their
    /// smoothed rates (`rates[α] = rate · N̄_α / N̄`, `N̄ = Σ share_α N̄_α` the smoothed
    /// network rate), so that the share-weighted sum is `rate`; the smoothed rates
    /// themselves where `N̄` is 0.
    pub(crate) fn population_rates(&self, rate: f64, shares: &[f64]) -> Vec<f64> {
        let network: f64 = self
            .populations
            .iter()
            .zip(shares)
            .map(|(n, s)| n * s)
            .sum();
        if network > 0.0 {
            let scale = rate / network;
            self.populations
                .iter()
                .map(|n| (n * scale).max(0.0))
                .collect()
        } else {
            self.populations.iter().map(|n| n.max(0.0)).collect()
        }
    }

    /// A particle step of length `dt` at `rate` with its events; `smoothing` the time
    /// constant (a smoothing time below the step is the step's rate itself).
    pub(crate) fn step(&mut self, dt: f64, smoothing: f64, rate: f64, mfes: &[Option<Mfe>; 2]) {
        let alpha = (dt / smoothing).min(1.0);
        self.smoothed += alpha * (rate - self.smoothed);
        let events = mfes.iter().flatten().count();
        if events > 0 {
            self.since_event = Some(SinceEvent::restart());
            self.mfe_since_check = true;
        } else if let Some(since) = &mut self.since_event {
            since.add(dt, alpha, rate);
        }
    }

    /// Whether an event occurred since the last call (the decision's flag, cleared).
    pub(crate) fn take_mfe(&mut self) -> bool {
        std::mem::take(&mut self.mfe_since_check)
    }
}

#[cfg(test)]
mod tests {
    use super::SinceEvent;

    /// Oracle: the definition, `Σ α (1-α)^j N_j / Σ α (1-α)^j` over the steps after the
    /// event (newest `j = 0`), summed directly; after one step it is that step's rate, and
    /// a constant rate stays that rate (both to rounding).
    #[test]
    fn the_rate_since_an_event_is_the_weighted_mean_of_the_steps_after_it() {
        let (dt, alpha) = (1e-3, 0.05);
        let rates = [3.0, 0.0, 1.5, 0.25, 7.0, 0.5, 0.5, 2.0];
        let mut e = SinceEvent::restart();
        assert_eq!(e.rate(), None);
        for (m, &rate) in rates.iter().enumerate() {
            e.add(dt, alpha, rate);
            let (mut num, mut den) = (0.0, 0.0);
            for (j, rate) in rates[..=m].iter().rev().enumerate() {
                let w = alpha * (1.0 - alpha).powi(j as i32);
                num += w * rate;
                den += w;
            }
            let got = e.rate().unwrap();
            assert!((got - num / den).abs() <= 1e-12 * (num / den).abs().max(1.0));
            assert!((e.since - (m + 1) as f64 * dt).abs() < 1e-15);
        }
        let mut c = SinceEvent::restart();
        c.add(dt, alpha, 3.0);
        assert!((c.rate().unwrap() - 3.0).abs() < 1e-15);
        for _ in 0..1000 {
            c.add(dt, alpha, 3.0);
        }
        assert!((c.rate().unwrap() - 3.0).abs() < 1e-12);
    }
}
