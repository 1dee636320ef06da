//! A spike raster: the spike times of a sample of neurons of each population, recorded by
//! a [`ParticleSystem`](crate::ParticleSystem) or a
//! [`ParticleNetwork`](crate::ParticleNetwork) as it steps
//! ([`step_recording`](crate::ParticleSystem::step_recording)), without changing what it
//! computes.
//!
//! The sample is drawn once from the seed ([`sample_ids`]): `size` distinct neurons of
//! each population (all of them if it has fewer), the same on every part of a distributed
//! run, on any number of threads.
//!
//! A fired neuron is marked (`-inf`) from its event until the next pass over the
//! particles resets it, so after each event of a step (the input kick, then the
//! sub-threshold pass with its cascade) the system reads the marks of the sampled neurons
//! it owns: `O(sample)` per event, the hot loop untouched. A part of a distributed run owns
//! only some of them; each part sets one bit per sampled neuron that fired in a bitmask
//! (one `u64` word per 64 sampled neurons), and the parts sum the words with their
//! [`Reduction`]: the parts own disjoint neurons, so the integer sum is the bitwise OR,
//! and every part records the same spikes. The reduction is made only while recording
//! (every part records alike), so a run without a raster makes exactly the calls it made
//! before.
//!
//! The time of a spike is the time of its event, as [`Mfe::t`](crate::Mfe::t) defines it:
//! the start of the step for an input kick (and its cascade), the end of the step for
//! the sub-threshold pass and its cascade.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::cascade::Reduction;

#[cfg(test)]
mod tests;

/// The tag from which the sample of population `α` derives its seed:
/// `nlif_model::seed::derive(seed, RASTER_SEED_TAG + α)` (the ASCII of `"spik"` in the
/// high half, far from the tags of a run's other streams).
pub const RASTER_SEED_TAG: u64 = 0x7370_696b_0000_0000;

/// `min(size, neurons)` distinct neuron ids of `0..neurons`, ascending, drawn by Floyd's
/// algorithm from the stream seeded by `nlif_model::seed::derive(seed, RASTER_SEED_TAG +
/// alpha)`: fixed by the seed, each subset of that size equally likely.
///
/// ```
/// use nlif_micro::raster::sample_ids;
/// let ids = sample_ids(7, 0, 1000, 20);
/// assert_eq!(ids.len(), 20);
/// assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids[19] < 1000);
/// assert_eq!(ids, sample_ids(7, 0, 1000, 20));
/// assert_eq!(sample_ids(7, 0, 5, 20), [0, 1, 2, 3, 4]);
/// ```
#[must_use]
pub fn sample_ids(seed: u64, alpha: usize, neurons: usize, size: usize) -> Vec<u64> {
    let n = neurons as u64;
    let k = size.min(neurons) as u64;
    if k == n {
        return (0..n).collect();
    }
    let tag = RASTER_SEED_TAG.wrapping_add(alpha as u64);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(nlif_model::seed::derive(seed, tag));
    let mut chosen = std::collections::BTreeSet::new();
    for j in n - k..n {
        let t = below(&mut rng, j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen.into_iter().collect()
}

/// A uniform integer of `0..bound` (`bound >= 1`), without bias: the widening multiply
/// with rejection (Lemire, 2019).
fn below(rng: &mut Xoshiro256PlusPlus, bound: u64) -> u64 {
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(bound);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// One recorded spike.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    /// The time of the event it fired in (see the module documentation).
    pub t: f64,
    /// The population, `0..P` (0 for a [`ParticleSystem`](crate::ParticleSystem)).
    pub population: u32,
    /// The neuron's id in its population, `0..N_α`.
    pub neuron: u64,
}

/// The sampled neurons of every population and the spikes they fired since the last
/// [`take`](SpikeRaster::take).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpikeRaster {
    /// The sampled ids, population after population, each ascending.
    ids: Vec<u64>,
    /// Population `α`'s ids are `ids[starts[α]..starts[α + 1]]`.
    starts: Vec<usize>,
    /// The bitmask of one event: bit `k` for `ids[k]`.
    words: Vec<u64>,
    /// Recorded since the last take, in time order (within an event by population, then
    /// id).
    spikes: Vec<Spike>,
}

impl SpikeRaster {
    /// The raster of `size` sampled neurons of each population (`neurons[α]` neurons in
    /// population `α`, the whole network's; all of a smaller population), drawn by
    /// [`sample_ids`] from `seed`. `size = 0` records nothing.
    #[must_use]
    pub fn new(seed: u64, neurons: &[usize], size: usize) -> Self {
        let mut ids = Vec::new();
        let mut starts = vec![0];
        for (alpha, &n) in neurons.iter().enumerate() {
            ids.extend(sample_ids(seed, alpha, n, size));
            starts.push(ids.len());
        }
        let words = vec![0; ids.len().div_ceil(64)];
        SpikeRaster {
            ids,
            starts,
            words,
            spikes: Vec::new(),
        }
    }

    /// The number of populations sampled.
    #[must_use]
    pub fn populations(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// The sampled ids of population `alpha`, ascending (empty past the populations).
    #[must_use]
    pub fn ids(&self, alpha: usize) -> &[u64] {
        match (self.starts.get(alpha), self.starts.get(alpha + 1)) {
            (Some(&a), Some(&b)) => &self.ids[a..b],
            _ => &[],
        }
    }

    /// The number of sampled neurons over every population.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is sampled (nothing is recorded, and no reduction is made).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The spikes recorded since the last [`take`](Self::take), in time order.
    #[must_use]
    pub fn spikes(&self) -> &[Spike] {
        &self.spikes
    }

    /// Moves the spikes recorded so far to the end of `out`.
    pub fn take(&mut self, out: &mut Vec<Spike>) {
        out.append(&mut self.spikes);
    }

    /// Starts an event's bitmask.
    pub(crate) fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Sets the bits of population `alpha`'s sampled neurons among the neurons
    /// `first..first + len` for which `fired(i)` (`i` the index from `first`) says that
    /// they fired in the last event.
    pub(crate) fn mark(
        &mut self,
        alpha: usize,
        first: usize,
        len: usize,
        fired: impl Fn(usize) -> bool,
    ) {
        let (Some(&start), Some(&end)) = (self.starts.get(alpha), self.starts.get(alpha + 1))
        else {
            return;
        };
        let ids = &self.ids[start..end];
        let (first, last) = (first as u64, (first + len) as u64);
        let from = ids.partition_point(|&id| id < first);
        let to = ids.partition_point(|&id| id < last);
        for (k, &id) in ids.iter().enumerate().take(to).skip(from) {
            if fired((id - first) as usize) {
                let bit = start + k;
                self.words[bit / 64] |= 1 << (bit % 64);
            }
        }
    }

    /// Sums the event's bitmask over the parts (disjoint bits: the sum is the OR) and
    /// records its spikes at `t`. Nothing, not even the reduction, when nothing is sampled.
    pub(crate) fn record<R: Reduction>(&mut self, t: f64, reduction: &mut R) {
        if self.ids.is_empty() {
            return;
        }
        reduction.sum_u64_slice(&mut self.words);
        let mut alpha = 0;
        for (w, &word) in self.words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let k = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                while self.starts[alpha + 1] <= k {
                    alpha += 1;
                }
                self.spikes.push(Spike {
                    t,
                    population: alpha as u32,
                    neuron: self.ids[k],
                });
            }
        }
    }
}
