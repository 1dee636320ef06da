//! Exact in-step resolution of cascades (multiple firing events), docs/model.md §2.
//!
//! After the sub-threshold update of a step, `s0` neurons have fired. Every spike kicks
//! every neuron that has not fired in the same instant by `kick = b / N_p`, and a neuron
//! at voltage `v` fires at cascade level `k` (k spikes so far) iff
//!
//! ```text
//! fires(v, k) :=  v + fl(k · kick) >= V_F          (floating-point, as written)
//! ```
//!
//! The cascade is the smallest fixed point `k* = min { k >= s0 : s0 + c(k) = k }` with
//! `c(k) = #{ non-fired i : fires(V_i, k) }`, reached by the monotone rounds
//! `k_{j+1} = s0 + c(k_j)`. Because `fires` is monotone in `v` and in `k` (rounding is
//! monotone), the set firing at level `k` is a prefix of the non-fired voltages sorted in
//! decreasing order, so a round only has to look at the next voltages in that order.
//!
//! Cost: the voltages in a window `v + θ >= V_F` (`θ = fl(W · kick)`) are gathered during
//! the sub-threshold pass (`c` candidates). Only if the cascade
//! outgrows the window (`fl(k · kick) > θ`) are further voltages gathered, in bands
//! reaching four times as far below `V_F` as the level each time (`v + lo < V_F <= v + hi`,
//! one `O(N_p)` scan per band, `O(log(N / W))` bands for `θ = W · kick`). The window and each band
//! are ordered by a counting sort into buckets of the distance to `V_F`, and a bucket is
//! sorted only when the rounds reach it (`Buckets`): `O(N_p log(N / W) + m)`
//! for the `m` voltages gathered (at most four times the depth the cascade reached) when they
//! are spread out, never worse than sorting them, never `O(N_p × rounds)`. (A binary
//! heap of everything that could fire, popped once per spike, was `O(N_p + k log N_p)`,
//! with `k ≈ N_p` in a synchronous burst.)
//!
//! Each round ends with a [`Reduction`] of the number of new spikes, the only quantity a
//! distributed particle system has to exchange during a step. The counts `s0`, `k` and the
//! bounds below are global (over the whole network); the voltages are the part's own.
//! The reductions ([`Reduction`], [`SingleProcess`], [`ThreadGroup`]) live in the
//! submodule `reduction` and are re-exported here.

mod reduction;

pub use reduction::{Reduction, SingleProcess, ThreadGroup};

/// The outcome of one cascade resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct CascadeOutcome {
    /// Total number of neurons fired in the instant, `k*` (including the `s0` initiators).
    pub fired: u64,
    /// Number of kick rounds that fired at least one further neuron.
    pub rounds: u32,
}

/// Candidates `(v, i)` of one band `lo < V_F - v <= hi` in buckets of the distance
/// `d = V_F - v`: bucket `floor((d - lo) · B / (hi - lo))`, clamped into `0..B`, by one
/// counting sort (`O(n)`). The bucket index never decreases as `v` decreases (each
/// operation is monotone under rounding), so if a voltage of a bucket does not fire at a
/// level, no voltage of a later bucket does: a round only looks at the front bucket. A
/// bucket whose lowest voltage fires fires whole; otherwise it is sorted (by decreasing
/// voltage) and fired down to the level. With `B ≈ n / 8` buckets that is `O(n)` for
/// evenly spread voltages and never worse than one sort.
#[derive(Debug, Clone, Default)]
pub(crate) struct Buckets {
    /// The candidates; in bucket order after [`Buckets::arrange`].
    pub(crate) items: Vec<(f64, u32)>,
    scratch: Vec<(f64, u32)>,
    /// Bucket `j` is `items[starts[j]..starts[j + 1]]`.
    starts: Vec<u32>,
    /// The lowest voltage of each bucket: if it fires, the whole bucket does.
    lowest: Vec<f64>,
    /// The front bucket, and whether it has been sorted.
    bucket: usize,
    sorted: bool,
    /// The first candidate that has not fired.
    next: usize,
}

impl Buckets {
    /// Orders the candidates into buckets over the distances `(lo, hi]`.
    fn arrange(&mut self, v_f: f64, lo: f64, hi: f64) {
        let n = self.items.len();
        let count = (n / 8).clamp(1, 1 << 16);
        let scale = count as f64 / (hi - lo);
        // `as usize` saturates (NaN to 0), so any rounding stays in range.
        let key = |v: f64| ((((v_f - v) - lo) * scale) as usize).min(count - 1);
        self.starts.clear();
        self.starts.resize(count + 1, 0);
        self.lowest.clear();
        self.lowest.resize(count, f64::INFINITY);
        for &(v, _) in &self.items {
            let j = key(v);
            self.starts[j + 1] += 1;
            self.lowest[j] = self.lowest[j].min(v);
        }
        for j in 0..count {
            self.starts[j + 1] += self.starts[j];
        }
        self.scratch.clear();
        self.scratch.resize(n, (0.0, 0));
        // Scatter, each bucket filled from its start (`starts[j]` runs to `starts[j + 1]`
        // and is put back after).
        for &(v, i) in &self.items {
            let slot = &mut self.starts[key(v)];
            self.scratch[*slot as usize] = (v, i);
            *slot += 1;
        }
        for j in (1..=count).rev() {
            self.starts[j] = self.starts[j - 1];
        }
        self.starts[0] = 0;
        std::mem::swap(&mut self.items, &mut self.scratch);
        self.bucket = 0;
        self.sorted = false;
        self.next = 0;
    }

    /// Fires every candidate with `v + level >= v_f` into `fired`; the number fired.
    fn fire(&mut self, level: f64, v_f: f64, fired: &mut Vec<u32>) -> u64 {
        let mut new = 0;
        while self.bucket + 1 < self.starts.len() {
            let end = self.starts[self.bucket + 1] as usize;
            if !self.sorted {
                // A bucket the level has passed fires whole, unsorted (in a synchronous
                // burst, almost every bucket).
                if self.lowest[self.bucket] + level >= v_f {
                    fired.extend(self.items[self.next..end].iter().map(|&(_, i)| i));
                    new += (end - self.next) as u64;
                    self.next = end;
                    self.bucket += 1;
                    continue;
                }
                self.items[self.next..end].sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
                self.sorted = true;
            }
            while self.next < end && self.items[self.next].0 + level >= v_f {
                fired.push(self.items[self.next].1);
                self.next += 1;
                new += 1;
            }
            if self.next < end {
                break;
            }
            self.bucket += 1;
            self.sorted = false;
        }
        new
    }
}

/// Reusable buffers of the cascade resolution (no allocation once warmed up).
///
/// Also the ladder of one population of a network (`crate::ParticleNetwork`): started
/// once per event ([`start`](Self::start)), then raised to each round's level
/// ([`fire_to`](Self::fire_to)), which must never decrease.
#[derive(Debug, Clone, Default)]
pub(crate) struct CascadeWorkspace {
    /// The candidates `(voltage, index)` of the current band: first the window, gathered
    /// by the sub-threshold pass, then each band below it in turn (one buffer: a band is
    /// gathered only once the previous one has fired whole).
    pub(crate) candidates: Buckets,
    /// Indices of the neurons fired by the cascade (not the initiators).
    pub(crate) fired: Vec<u32>,
    /// Everything with `v + top >= v_f` has been gathered.
    top: f64,
    /// The largest level the cascade can reach (no neuron fires twice).
    total: f64,
}

impl CascadeWorkspace {
    /// Arranges the window (the candidates `v + theta >= v_f`, already in
    /// `candidates.items`) for a cascade whose level never exceeds `total`.
    pub(crate) fn start(&mut self, v_f: f64, theta: f64, total: f64) {
        self.fired.clear();
        self.candidates.arrange(v_f, 0.0, theta);
        self.top = theta;
        self.total = total;
    }

    /// Fires every not yet fired voltage with `v + level >= v_f` (into `self.fired`),
    /// gathering the bands below the window from `voltages` as the level passes them;
    /// returns how many fired. `level` must not be below that of the previous call.
    pub(crate) fn fire_to(&mut self, voltages: &[f64], level: f64, v_f: f64) -> u64 {
        let band = &mut self.candidates;
        let mut new = 0;
        loop {
            new += band.fire(level, v_f, &mut self.fired);
            // Nothing below the gathered bands fires while level <= top.
            if band.next < band.items.len() || level <= self.top || self.top >= self.total {
                return new;
            }
            // The next band reaches four times as far as the level (or to the end):
            // O(log(N / W)) bands in all, for the window `theta = W kick`. (Twice as
            // far took twice the scans of the network in a synchronous burst, about
            // 4 ms more per burst of 10^6; the deeper bands only gather more of the
            // voltages such a cascade fires anyway.)
            let lo = self.top;
            let top = (4.0 * level.max(lo)).min(self.total);
            self.top = top;
            band.items.clear();
            gather(&mut band.items, voltages, |v| {
                (v + lo < v_f) & (v + top >= v_f)
            });
            band.arrange(v_f, lo, top);
        }
    }

    /// Resolves the cascade started by `s0` spikes.
    ///
    /// `voltages` holds the non-fired voltages (fired ones are `-inf`); the window holds
    /// every non-fired `(v, i)` with `v + theta >= v_f`. On return `self.fired` lists the
    /// neurons the cascade fired (in no particular order); their voltages are untouched.
    /// `s0` is the global number of initiators, `global_particles` the size of the whole
    /// network (a bound on `k*`).
    pub(crate) fn resolve<R: Reduction>(
        &mut self,
        voltages: &[f64],
        global_particles: u64,
        s0: u64,
        kick: f64,
        v_f: f64,
        theta: f64,
        reduction: &mut R,
    ) -> CascadeOutcome {
        // Nobody fires twice: k* <= N, the global network size.
        self.start(v_f, theta, global_particles as f64 * kick);
        let mut k = s0;
        let mut rounds = 0u32;
        loop {
            let new = self.fire_to(voltages, k as f64 * kick, v_f);
            let new = reduction.sum_u64(new);
            if new == 0 {
                break;
            }
            k += new;
            rounds += 1;
        }
        CascadeOutcome { fired: k, rounds }
    }
}

/// Appends `(v, i)` for every voltage `v = voltages[i]` with `keep(v)`, in index order.
///
/// Without a branch per voltage (a band of a synchronous burst holds a large, irregular
/// share of the network, and a `filter` mispredicted about every other voltage): each
/// piece of [`GATHER`] voltages is written in full behind the end and the end advanced by
/// `keep`, then the tail cut off.
fn gather(items: &mut Vec<(f64, u32)>, voltages: &[f64], keep: impl Fn(f64) -> bool) {
    for (p, piece) in voltages.chunks(GATHER).enumerate() {
        let start = items.len();
        items.resize(start + piece.len(), (0.0, 0));
        let out = &mut items[start..];
        let mut count = 0;
        for (j, &v) in piece.iter().enumerate() {
            out[count] = (v, (p * GATHER + j) as u32);
            count += usize::from(keep(v));
        }
        items.truncate(start + count);
    }
}

/// The piece of [`gather`]: written twice while it is in the cache.
const GATHER: usize = 1024;

/// Test oracle, not API: the slow, obviously correct reference of the cascade, literal
/// rounds over all neurons. Hidden from the documentation and exempt from semver; it is
/// public only for the crate's integration tests.
///
/// `voltages` are the non-fired voltages after the sub-threshold update (`-inf` for the
/// `s0` neurons that already fired). Each round scans every neuron that has not fired and
/// fires those with `fires(v, k)`; it stops when a round fires nobody. `O(N_p × rounds)`:
/// for tests only. Returns the outcome and a mask of the neurons the cascade fired.
#[doc(hidden)]
pub fn cascade_reference(
    voltages: &[f64],
    s0: u64,
    kick: f64,
    v_f: f64,
) -> (CascadeOutcome, Vec<bool>) {
    let mut fired = vec![false; voltages.len()];
    let mut k = s0;
    let mut rounds = 0;
    loop {
        let level = k as f64 * kick;
        let newly: Vec<usize> = (0..voltages.len())
            .filter(|&i| !fired[i] && voltages[i] + level >= v_f)
            .collect();
        if newly.is_empty() || kick <= 0.0 {
            break;
        }
        for &i in &newly {
            fired[i] = true;
        }
        k += newly.len() as u64;
        rounds += 1;
    }
    (CascadeOutcome { fired: k, rounds }, fired)
}

#[cfg(test)]
mod tests;
