//! The reductions of counts over the parts of a particle system: the [`Reduction`]
//! trait, [`SingleProcess`] (one process owns everything: the identity) and
//! [`ThreadGroup`] (parts stepped on threads of one process, in lock-step).
//!
//! Re-exported by [`crate::cascade`], whose rounds each end with a reduction, and by the
//! crate root.

/// Sums over every part of a particle system split across processes (or threads).
///
/// A [`ParticleSystem`](crate::ParticleSystem) that owns only some blocks of a network
/// (its [`Partition`](crate::Partition)) calls [`sum_u64_slice`](Reduction::sum_u64_slice)
/// on the counts of each event of a step (its initiating spikes and its non-finite
/// voltages, two words in one call) and [`sum_u64`](Reduction::sum_u64) on the new spikes
/// of each cascade round, so that every part sees the same counts and the same cascade
/// level. A hand-over between solvers sums whole tallies
/// (histogram counts, fixed-point kernel weights) with
/// [`sum_u64_slice`](Reduction::sum_u64_slice).
///
/// Every part must make the same sequence of calls (the particle system does: one per
/// event and one per cascade round, the same on every part). A single process owns all
/// particles and the sums are the identity: [`SingleProcess`].
///
/// # Only integers
///
/// Integer addition is exact and associative, so the sums — and everything computed from
/// them — do not depend on how the network is split, on the number of parts or on the
/// order in which an implementation combines them (an MPI all-reduce, a tree over
/// threads). Quantities that are not counts are summed as fixed-point integers (see
/// `coupling::Tally`); there is deliberately no `f64` sum, whose result would depend on
/// the order.
pub trait Reduction {
    /// The global sum of the per-part counts `local`.
    fn sum_u64(&mut self, local: u64) -> u64 {
        let mut value = [local];
        self.sum_u64_slice(&mut value);
        value[0]
    }

    /// Replaces every element of `local` by its sum over the parts (wrapping on
    /// overflow, which callers rule out by the size of what they sum). Every part passes
    /// a slice of the same length.
    fn sum_u64_slice(&mut self, local: &mut [u64]);
}

/// The reduction of a particle system held in one process: the identity.
#[derive(Debug, Clone, Copy, Default)]
pub struct SingleProcess;

impl Reduction for SingleProcess {
    #[inline]
    fn sum_u64(&mut self, local: u64) -> u64 {
        local
    }

    #[inline]
    fn sum_u64_slice(&mut self, _local: &mut [u64]) {}
}

/// The reduction between the parts of a network stepped on threads of one process, in
/// lock-step: each thread holds one `ThreadGroup` of [`ThreadGroup::new`]`(parts)` and
/// its part. It is what a distributed run (one part per process) computes, in one
/// process — the oracle the tests of a distributed run compare against, and a way to
/// check a new [`Reduction`].
///
/// A part that panics leaves the others waiting for it; use it where a panic fails the
/// whole program (tests).
///
/// ```
/// use nlif_micro::{Reduction, ThreadGroup};
/// let group = ThreadGroup::new(3);
/// let sums: Vec<Vec<u64>> = std::thread::scope(|s| {
///     let handles: Vec<_> = group.into_iter().enumerate().map(|(p, mut r)| {
///         s.spawn(move || { let mut x = [p as u64, 1]; r.sum_u64_slice(&mut x); x.to_vec() })
///     }).collect();
///     handles.into_iter().map(|h| h.join().unwrap()).collect()
/// });
/// assert!(sums.iter().all(|s| s == &[3, 3]));
/// ```
#[derive(Debug)]
pub struct ThreadGroup {
    shared: std::sync::Arc<Shared>,
    part: usize,
}

#[derive(Debug)]
struct Shared {
    barrier: std::sync::Barrier,
    sum: std::sync::Mutex<Vec<u64>>,
}

impl ThreadGroup {
    /// One member per part (at least one).
    #[must_use]
    pub fn new(parts: usize) -> Vec<ThreadGroup> {
        let shared = std::sync::Arc::new(Shared {
            barrier: std::sync::Barrier::new(parts.max(1)),
            sum: std::sync::Mutex::new(Vec::new()),
        });
        (0..parts.max(1))
            .map(|part| ThreadGroup {
                shared: std::sync::Arc::clone(&shared),
                part,
            })
            .collect()
    }

    /// Index of this member's part.
    #[must_use]
    pub fn part(&self) -> usize {
        self.part
    }
}

impl Reduction for ThreadGroup {
    /// # Panics
    ///
    /// If the parts pass slices of different lengths (they disagree on the reduction).
    fn sum_u64_slice(&mut self, local: &mut [u64]) {
        let lock = || self.shared.sum.lock().unwrap_or_else(|e| e.into_inner());
        // Everyone has read the previous sum before part 0 clears it.
        self.shared.barrier.wait();
        if self.part == 0 {
            let mut sum = lock();
            sum.clear();
            sum.resize(local.len(), 0);
        }
        self.shared.barrier.wait();
        {
            let mut sum = lock();
            assert_eq!(
                sum.len(),
                local.len(),
                "the parts disagree on the reduction"
            );
            for (s, x) in sum.iter_mut().zip(local.iter()) {
                *s = s.wrapping_add(*x);
            }
        }
        self.shared.barrier.wait();
        local.copy_from_slice(&lock());
    }
}
