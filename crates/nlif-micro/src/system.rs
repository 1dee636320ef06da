//! The particle system: its types, its parts and what it shows of itself.
//!
//! Built in [`builder`] (`ParticleSystem::builder`, the shorthands `new` and
//! `from_initial`), saved and restored in [`state`], advanced in [`step`]; the pass over
//! one block of particles is [`pass`].

use nlif_model::{Input, ModelParams, Refractory};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

mod builder;
mod hooks;
mod pass;
mod refractory;
mod state;
mod step;
#[cfg(test)]
mod tests;
pub use builder::ParticleSystemBuilder;
pub(crate) use pass::settle;
use refractory::Away;

use crate::cascade::CascadeWorkspace;
use crate::stepper::{Stepper, SubthresholdStepper};
use crate::{MicroConfig, Partition};

/// Particles per random stream. Streams belong to blocks of particles, never to threads,
/// so a run is bit-identical on any number of threads. Changing it changes the results.
pub const BLOCK_SIZE: usize = 4096;

/// How the blocks of particles are processed.
///
/// New variants may be added; code outside this crate should not match exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Parallelism {
    /// One block after the other on the calling thread.
    Sequential,
    /// Blocks spread over the current rayon thread pool (install a pool to choose the
    /// number of threads). The results do not depend on it.
    #[default]
    Rayon,
}

/// A multiple firing event: a cascade (or an input kick) that fired at least
/// `mfe_min_fraction` of the network in one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mfe {
    /// Time of the event (end of the step for a cascade, start of it for a kick).
    pub t: f64,
    /// Neurons fired in the instant, in the whole network.
    pub fired: u64,
    /// `fired / N`, `N` the size of the whole network.
    pub fraction: f64,
    /// Kick rounds that fired further neurons.
    pub rounds: u32,
}

/// What one step did, over the whole network (the same on every part of a partitioned
/// one).
///
/// Its invariants, as those of the density step (`fp_macro::StepOutcome`): every voltage
/// the step leaves is finite (else [`non_finite`](StepReport::non_finite) counts the
/// others, and [`is_valid`](StepReport::is_valid) is false), and the counts are those of
/// the network: each of the step's two events (an input kick, the sub-threshold update)
/// fires every neuron at most once, so `spikes <= 2 N`, and a cascade stops at `k* <= N`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[must_use = "a step that left non-finite voltages says so only in its report: check `is_valid` (or `non_finite`)"]
pub struct StepReport {
    /// Spikes in the step, cascades and kicks included.
    pub spikes: u64,
    /// Empirical rate `spikes / (N dt)`.
    pub rate: f64,
    /// At most one event from an input kick and one from the cascade of the step.
    pub mfes: [Option<Mfe>; 2],
    /// Neurons whose new voltage is not finite (NaN or `±inf`, and not fired): a
    /// [`SubthresholdStepper`] that broke its promise of finite voltages. Zero for the
    /// built-in steppers. The voltages are kept as they are (a NaN stays NaN: it never
    /// reaches `V_F`, never fires and never joins a cascade), so a run that meets one
    /// should stop; `multiscale::Simulation` ends with `Outcome::NonFinite`.
    ///
    /// Counted where the pass writes the voltage, in the branch-free loop of the split
    /// form (a flag beside the ones it sets anyway) or in the plain loop: measured within
    /// the noise of a shared machine, +2.5–2.9 % (docs/nlif-micro.md).
    #[serde(default)]
    pub non_finite: u64,
}

impl StepReport {
    /// Whether the step kept its invariants: every voltage finite
    /// ([`non_finite`](StepReport::non_finite) zero).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.non_finite == 0
    }

    /// The multiple firing events of the step.
    pub fn mfes(&self) -> impl Iterator<Item = &Mfe> {
        self.mfes.iter().flatten()
    }
}

#[derive(Debug, Clone)]
struct Block {
    rng: Xoshiro256PlusPlus,
    fired: u64,
    /// Non-fired voltages the last pass left non-finite.
    non_finite: u64,
    window: Vec<(f64, u32)>,
    /// With a refractory period, the passes each neuron of the block still sits out, plus
    /// one (module [`refractory`]); empty without one.
    away: Vec<u32>,
}

/// `N_p` interacting NLIF neurons (docs/model.md §2), stepped with the sub-threshold
/// stepper `S` (by default the built-in [`Stepper`]).
///
/// Internally a neuron that fired in the last step is stored as `-inf` and the kick owed
/// to the others is kept as one pending offset ([`ParticleSystem::pending_kick`]); both are
/// applied ("settled") at the start of the next pass over the particles. Read the voltages
/// with [`ParticleSystem::voltages`] (settled on the fly) or [`ParticleSystem::settle`]
/// (settled in place, a slice); neither changes the future of the run.
///
/// A system may own only a part of a larger network ([`Partition`]); then it is stepped
/// with [`ParticleSystem::step_with`] and a [`Reduction`](crate::Reduction) over the parts.
#[derive(Debug, Clone)]
pub struct ParticleSystem<S = Stepper> {
    params: ModelParams,
    input: Input,
    config: MicroConfig,
    stepper: S,
    partition: Partition,
    parallelism: Parallelism,
    refractory: Refractory,
    /// The time away of a fired neuron; `None` without a refractory period.
    away: Option<Away>,
    voltages: Vec<f64>,
    blocks: Vec<Block>,
    pending: f64,
    t_start: f64,
    steps: u64,
    rate: f64,
    last_initiators: u64,
    cascade: CascadeWorkspace,
}

impl<S: SubthresholdStepper> ParticleSystem<S> {
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        stepper: S,
        partition: Partition,
        parallelism: Parallelism,
        (refractory, away_of): (Refractory, Option<Away>),
        voltages: Vec<f64>,
        streams: impl Iterator<Item = Xoshiro256PlusPlus>,
        t_start: f64,
        steps: u64,
        rate: f64,
        last_initiators: u64,
    ) -> Self {
        let mut config = config;
        if let Some(builtin) = stepper.builtin() {
            config.stepper = builtin;
        }
        let sizes = (0..).map(|j| BLOCK_SIZE.min(config.particles.saturating_sub(j * BLOCK_SIZE)));
        let blocks = streams
            .zip(sizes)
            .map(|(rng, size)| Block {
                rng,
                fired: 0,
                non_finite: 0,
                window: Vec::new(),
                away: if away_of.is_some() {
                    vec![0; size]
                } else {
                    Vec::new()
                },
            })
            .collect();
        ParticleSystem {
            params,
            input,
            config,
            stepper,
            partition,
            parallelism,
            refractory,
            away: away_of,
            voltages,
            blocks,
            pending: 0.0,
            t_start,
            steps,
            rate,
            last_initiators,
            cascade: CascadeWorkspace::default(),
        }
    }

    /// Current time `t_start + steps · dt`.
    #[must_use]
    pub fn time(&self) -> f64 {
        self.t_start + self.steps as f64 * self.config.dt
    }

    /// The start of the clock (the time of construction).
    #[must_use]
    pub fn t_start(&self) -> f64 {
        self.t_start
    }

    /// Steps taken since the start of the clock (a restored system continues the count).
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Number of neurons this system holds (`config.particles`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.voltages.len()
    }

    /// Whether the system is empty (never: `N_p >= 1` is validated).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.voltages.is_empty()
    }

    /// Number of neurons in the whole network, `N` (equal to [`len`](Self::len) unless
    /// the system is a part).
    #[must_use]
    pub fn global_len(&self) -> usize {
        self.partition.global_particles
    }

    /// The part of the network this system owns.
    #[must_use]
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The empirical rate of the last step over the whole network (the rate that sets
    /// `a(N)` of the next one).
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Sets the rate used for `a(N) = a0 + a1 N` in the next step (e.g. after a hand-over
    /// from the mean-field solver).
    pub fn set_rate(&mut self, rate: f64) {
        self.rate = rate;
    }

    /// The kick `k b / N` owed to every neuron that did not fire in the last step, applied
    /// at the start of the next pass (0 once settled).
    #[must_use]
    pub fn pending_kick(&self) -> f64 {
        self.pending
    }

    /// Spikes that started the last cascade (sets the width of the next step's cascade
    /// window; part of the state).
    #[must_use]
    pub fn last_initiators(&self) -> u64 {
        self.last_initiators
    }

    /// The model parameters.
    #[must_use]
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The input.
    #[must_use]
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// The solver settings.
    #[must_use]
    pub fn config(&self) -> &MicroConfig {
        &self.config
    }

    /// The sub-threshold stepper.
    #[must_use]
    pub fn stepper(&self) -> &S {
        &self.stepper
    }

    /// How blocks are processed.
    #[must_use]
    pub fn parallelism(&self) -> Parallelism {
        self.parallelism
    }

    /// Changes how blocks are processed; the results do not depend on it.
    pub fn set_parallelism(&mut self, parallelism: Parallelism) {
        self.parallelism = parallelism;
    }

    /// The voltages with pending kicks and resets applied, computed on the fly (no
    /// allocation, no change to the system).
    ///
    /// With a refractory period ([`refractory`](Self::refractory)) a neuron away from the
    /// voltage line (fired and not yet back) is `-inf`; without one every voltage is
    /// finite.
    pub fn voltages(
        &self,
    ) -> impl ExactSizeIterator<Item = f64> + DoubleEndedIterator + Clone + '_ {
        let (pending, v_r, parks) = (self.pending, self.params.v_r, self.away.is_some());
        self.voltages
            .iter()
            .map(move |&x| settle_or_park(x, pending, v_r, parks))
    }

    /// The refractory period (docs/model.md §11; [`Refractory::None`] by default).
    #[must_use]
    pub fn refractory(&self) -> Refractory {
        self.refractory
    }

    /// Neurons of this part away from the voltage line (refractory: fired and not yet
    /// back at `V_R`); 0 without a refractory period.
    #[must_use]
    pub fn away_count(&self) -> usize {
        if self.away.is_none() {
            return 0;
        }
        self.voltages
            .iter()
            .filter(|&&x| x == f64::NEG_INFINITY)
            .count()
    }

    /// The passes each neuron of this part away from the voltage line still sits out, plus
    /// one, in index order (as [`ParticleState::away`](crate::ParticleState::away): a
    /// neuron with `k + 1` is back at `V_R` in `k` steps; 0 for one that fired in the last
    /// event, whose time away is drawn at the next pass); nothing without a refractory
    /// period.
    pub fn times_away(&self) -> impl Iterator<Item = u32> + '_ {
        let parks = self.away.is_some();
        (self.voltages.iter().enumerate())
            .filter(move |&(_, &x)| parks && x == f64::NEG_INFINITY)
            .map(|(i, _)| self.blocks[i / BLOCK_SIZE].away[i % BLOCK_SIZE])
    }

    /// Whether a fired neuron stays at `-inf` while away (a refractory period `tau > 0`).
    pub(crate) fn parks(&self) -> bool {
        self.away.is_some()
    }

    /// Whether the neuron with local index `i` fired in the last event (stored `-inf`, and
    /// with a refractory period not yet started on its time away).
    pub(crate) fn fired_last(&self, i: usize) -> bool {
        self.voltages[i] == f64::NEG_INFINITY
            && (self.away.is_none() || self.blocks[i / BLOCK_SIZE].away[i % BLOCK_SIZE] == 0)
    }

    /// The voltages with pending kicks and resets applied, as the buffer the system held
    /// (for example to reuse its allocation for the next system).
    #[must_use]
    pub fn into_voltages(mut self) -> Vec<f64> {
        self.settle();
        self.voltages
    }

    /// Applies pending kicks and resets in place and returns the voltages as a slice.
    ///
    /// The values are those of [`voltages`](Self::voltages), and the run continues bit for
    /// bit as without the call (the next pass would compute the same sums).
    pub fn settle(&mut self) -> &[f64] {
        let (pending, v_r, parks) = (self.pending, self.params.v_r, self.away.is_some());
        if pending != 0.0 || (!parks && self.voltages.contains(&f64::NEG_INFINITY)) {
            self.for_each_block(|_, v, _| {
                for x in v.iter_mut() {
                    *x = settle_or_park(*x, pending, v_r, parks);
                }
            });
            self.pending = 0.0;
        }
        &self.voltages
    }

    fn for_each_block<F>(&mut self, f: F)
    where
        F: Fn(usize, &mut [f64], &mut Block) + Sync + Send,
    {
        match self.parallelism {
            Parallelism::Sequential => self
                .voltages
                .chunks_mut(BLOCK_SIZE)
                .zip(self.blocks.iter_mut())
                .enumerate()
                .for_each(|(j, (v, b))| f(j * BLOCK_SIZE, v, b)),
            Parallelism::Rayon => self
                .voltages
                .par_chunks_mut(BLOCK_SIZE)
                .zip(self.blocks.par_iter_mut())
                .enumerate()
                .for_each(|(j, (v, b))| f(j * BLOCK_SIZE, v, b)),
        }
    }
}

/// [`settle`], except that with a refractory period (`parks`) a neuron at `-inf` stays
/// there: it is away (or fired in the last event, and so about to be).
#[inline]
pub(crate) fn settle_or_park(x: f64, pending: f64, v_r: f64, parks: bool) -> f64 {
    if parks && x == f64::NEG_INFINITY {
        x
    } else {
        settle(x, pending, v_r)
    }
}
