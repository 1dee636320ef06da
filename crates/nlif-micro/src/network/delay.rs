//! Synaptic delays of a particle network (docs/model.md §12): a spike of `β` at time `t`
//! kicks the neurons of `α` by `kick[α][β]` at `t + D[α][β]`, `D[α][β] = d · dt` a whole
//! number `d` of steps.
//!
//! Spikes happen at the step points `t_j = t_start + j dt`: the input-kick event of step
//! `j` at `t_j`, the sub-threshold pass and cascade of step `j` at `t_{j+1}`. The spikes at
//! the point `t_j` are therefore `c_β(t_j) = cascade_β(j - 1) + kick_β(j)`, complete once
//! the input-kick event of step `j` is resolved. A connection with `d = 0` acts in the
//! instant, through the cascade (module [`crate::network`]); one with `d >= 1` takes no
//! part in cascades: at the end of step `n` (the point `t_{n+1}`) every neuron of `α` that
//! did not fire at `t_{n+1}` is owed
//!
//! ```text
//! Δ_α = Σ_{β: d[α][β] >= 1} fl(c_β(t_{n+1-d[α][β]}) · kick[α][β])    (summed in β order)
//! ```
//!
//! on top of its pending kick, applied at the next pass: exactly the kicks of the spikes
//! that arrive at `t_{n+1}`. A neuron that fires at `t_{n+1}` does not receive what arrives
//! at `t_{n+1}` (as in a cascade, a neuron is not kicked by the instant it fires in). The
//! history holds `c` of the last `d_max` points (the point being filled aside), so the
//! delays add no error beyond the step's own: the arrival times are exact.
//!
//! The noise of `α` reads the delayed rates too, `a_α = a0_α + Σ_β a1[α][β] N_β(t - D[α][β])`,
//! with `N_β(t_n - D) = c_β(t_{n-d}) / (N_β dt)` for `d >= 1` (for `d = 0` the last step's
//! rate, as without delays).
//!
//! Before the start population `β` fired at its constant `prior_rate` `ν_β` (default 0: no
//! prior activity). The `d_max` complete points of the history at the start, `t_{-d_max}`
//! (`k = 1`) to `t_{-1}` (`k = d_max`), then hold the counts of a running sum rounded to
//! whole spikes,
//!
//! ```text
//! c_β(k) = round(k ν_β N_β dt) − round((k − 1) ν_β N_β dt),
//! ```
//!
//! so that any window of consecutive points holds its expected `ν_β N_β dt` per point to
//! within one spike (the spikes are not drawn at random: the prior activity is a rate,
//! what the density's history holds); the point being filled, `t_0`, is the run's own.
//!
//! A network that starts with a history (a prior rate, or the spikes a hand-over
//! carries) is owed at its start what arrives at `t_0`, the spikes of `t_{-d[α][β]}`,
//! exactly as the end of a step owes what arrives at the next point: so the first `d`
//! passes receive the history, as the density's first `K` steps read theirs.

use nlif_model::network::Network;

use crate::MicroError;

/// The spike counts of the last `d_max` step points of every population, and the point
/// being filled.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SpikeHistory {
    /// `d[α][β]`, the delays in steps.
    steps: Vec<Vec<usize>>,
    /// `d_max`, the longest delay in steps (at least 1).
    len: usize,
    /// Counts of the last `len` complete points, `P` per point; the newest at `head`.
    ring: Vec<u64>,
    /// The slot (a multiple of `P`) of the newest complete point.
    head: usize,
    /// The counts of the point being filled (the last cascade's spikes, then the next
    /// input-kick event's).
    point: Vec<u64>,
}

impl SpikeHistory {
    /// The history of a network stepped by `dt`, `None` without a positive delay.
    /// `delay_steps` must have been checked (a delay that is not a whole number of steps
    /// is then taken as none, which a checked network never has).
    pub(super) fn new(network: &Network, dt: f64) -> Option<Self> {
        if !network.has_delay() {
            return None;
        }
        let steps = network.delay_steps(dt).ok()?;
        let len = steps.iter().flatten().copied().max().unwrap_or(0).max(1);
        let p = steps.len();
        Some(SpikeHistory {
            steps,
            len,
            ring: vec![0; len * p],
            head: 0,
            point: vec![0; p],
        })
    }

    /// The saved form ([`to_counts`](Self::to_counts)) of the history at the start of a
    /// network whose population `β` of `neurons[β]` fired at its `prior_rate` before
    /// (module documentation; the point being filled empty); `None` without a delay.
    ///
    /// # Errors
    ///
    /// [`MicroError::At`] naming `populations[β].prior_rate` if `prior_rate · dt > 1`
    /// (more than one spike per neuron and step).
    pub(super) fn prior_counts(
        network: &Network,
        dt: f64,
        neurons: &[usize],
    ) -> Result<Option<Vec<u64>>, MicroError> {
        let Some(history) = SpikeHistory::new(network, dt) else {
            return Ok(None);
        };
        let p = neurons.len();
        let points = history.len;
        let mut counts = vec![0; (points + 1) * p];
        for (beta, population) in network.populations.iter().enumerate() {
            let per_step = population.prior_rate * dt;
            if per_step > 1.0 {
                return Err(MicroError::At {
                    path: format!("populations[{beta}].prior_rate"),
                    reason: format!(
                        "{} with dt = {dt}: more than one spike per neuron and step",
                        population.prior_rate
                    ),
                });
            }
            let expected = per_step * neurons[beta] as f64;
            for k in 1..=points {
                let count = (k as f64 * expected).round() - ((k - 1) as f64 * expected).round();
                // Saved form: the complete points newest first (the point being filled,
                // last, stays empty).
                counts[(points - k) * p + beta] = count as u64;
            }
        }
        Ok(Some(counts))
    }

    /// `d[α][β]`.
    pub(super) fn delay(&self, alpha: usize, beta: usize) -> usize {
        self.steps[alpha][beta]
    }

    /// Adds an event's spikes (per population) to the point being filled.
    pub(super) fn add(&mut self, spikes: &[u64]) {
        for (c, &k) in self.point.iter_mut().zip(spikes) {
            *c += k;
        }
    }

    /// Closes the point being filled (it becomes the newest of the history) and opens the
    /// next one with the cascade's `spikes`.
    pub(super) fn close(&mut self, spikes: &[u64]) {
        let p = self.point.len();
        self.head = (self.head + p) % self.ring.len();
        self.ring[self.head..self.head + p].copy_from_slice(&self.point);
        self.point.copy_from_slice(spikes);
    }

    /// The count of `β` at the point `back` points before the newest complete one
    /// (`back < d_max`).
    pub(super) fn count(&self, back: usize, beta: usize) -> u64 {
        let p = self.point.len();
        let slot = (self.head + self.ring.len() - back * p) % self.ring.len();
        self.ring[slot + beta]
    }

    /// The history as saved: the counts of the `d_max` complete points, newest first,
    /// then the point being filled.
    pub(super) fn to_counts(&self) -> Vec<u64> {
        let p = self.point.len();
        let mut counts = Vec::with_capacity(self.ring.len() + p);
        for back in 0..self.len {
            counts.extend((0..p).map(|beta| self.count(back, beta)));
        }
        counts.extend_from_slice(&self.point);
        counts
    }

    /// The length of [`to_counts`](Self::to_counts): `(d_max + 1) P`.
    pub(super) fn saved_len(&self) -> usize {
        (self.len + 1) * self.point.len()
    }

    /// Restores the counts of [`to_counts`](Self::to_counts) (of length
    /// [`saved_len`](Self::saved_len), checked by the caller).
    pub(super) fn restore(&mut self, counts: &[u64]) {
        let p = self.point.len();
        self.head = 0;
        for back in 0..self.len {
            let slot = (self.ring.len() - back * p) % self.ring.len();
            self.ring[slot..slot + p].copy_from_slice(&counts[back * p..(back + 1) * p]);
        }
        self.point.copy_from_slice(&counts[self.len * p..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlif_model::network::Population;
    use nlif_model::{Input, ModelParams};

    /// A two-population network with delays `[[0, 3], [1, 0]]` steps of `dt = 0.5`.
    fn network() -> Network {
        let mut network = Network::single(&ModelParams::default(), Input::None);
        network.populations = vec![
            Population::new("E", 0.5, 1.0),
            Population::new("I", 0.5, 1.0),
        ];
        network.coupling = vec![vec![0.5, -0.5], vec![0.5, -0.5]];
        network.delay = vec![vec![0.0, 1.5], vec![0.5, 0.0]];
        network
    }

    /// Against the obvious history: every closed point pushed onto a `Vec`, read by index
    /// from the end.
    #[test]
    fn reads_the_points_a_vec_of_every_point_reads() {
        let mut history = SpikeHistory::new(&network(), 0.5).unwrap();
        assert_eq!(
            (history.len, history.delay(0, 1), history.delay(1, 0)),
            (3, 3, 1)
        );
        let mut all: Vec<[u64; 2]> = vec![[0, 0]; 3];
        for j in 0..20u64 {
            history.add(&[j, 2 * j]);
            let point = [history.point[0], history.point[1]];
            history.close(&[j + 100, 7]);
            all.push(point);
            for back in 0..3 {
                let expected = all[all.len() - 1 - back];
                assert_eq!(
                    [history.count(back, 0), history.count(back, 1)],
                    expected,
                    "point {j}, {back} back"
                );
            }
            let mut restored = SpikeHistory::new(&network(), 0.5).unwrap();
            restored.restore(&history.to_counts());
            assert_eq!(restored.to_counts(), history.to_counts());
            for back in 0..3 {
                assert_eq!(restored.count(back, 1), history.count(back, 1));
            }
        }
    }

    #[test]
    fn no_history_without_a_delay() {
        let mut network = network();
        network.delay = vec![vec![0.0; 2]; 2];
        assert!(SpikeHistory::new(&network, 0.5).is_none());
        network.delay.clear();
        assert!(SpikeHistory::new(&network, 0.5).is_none());
    }
}
