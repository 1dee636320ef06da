//! The particle system, its construction and its time step.

use nlif_model::{InitialDensity, Input, ModelParams};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

mod pass;
#[cfg(test)]
mod tests;
use pass::{BlockPass, record, settle};

use crate::cascade::{CascadeOutcome, CascadeWorkspace, Reduction, SingleProcess};
use crate::state::{PARTICLE_STATE_VERSION, ParticleState};
use crate::stepper::{Stepper, SubthresholdStep, SubthresholdStepper, standard_normal};
use crate::{MicroConfig, MicroError, Partition};

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
/// with [`ParticleSystem::step_with`] and a [`Reduction`] over the parts.
#[derive(Debug, Clone)]
pub struct ParticleSystem<S = Stepper> {
    params: ModelParams,
    input: Input,
    config: MicroConfig,
    stepper: S,
    partition: Partition,
    parallelism: Parallelism,
    voltages: Vec<f64>,
    blocks: Vec<Block>,
    pending: f64,
    t_start: f64,
    steps: u64,
    rate: f64,
    last_initiators: u64,
    cascade: CascadeWorkspace,
}

/// Builds a [`ParticleSystem`]: start with [`ParticleSystem::builder`], choose what
/// differs from the defaults, finish with [`voltages`](ParticleSystemBuilder::voltages)
/// or [`sample`](ParticleSystemBuilder::sample).
///
/// Defaults: the stepper `config.stepper`, the whole network
/// ([`Partition::whole`]`(config.particles)`), `t_start = 0`, rate 0,
/// [`Parallelism::Rayon`].
///
/// ```
/// use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Partition};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// // The second half (blocks 2 and 3) of a network of 4 · 4096 neurons.
/// let config = MicroConfig { particles: 2 * 4096, dt: 1e-3, ..MicroConfig::default() };
/// let part = ParticleSystem::builder(ModelParams::default(), Input::None, config, 7)
///     .partition(Partition { global_particles: 4 * 4096, first_block: 2 })
///     .parallelism(Parallelism::Sequential)
///     .sample(&InitialDensity::Gaussian { mean: 0.0, var: 0.5 }, -4.0)?;
/// assert_eq!((part.len(), part.global_len()), (8192, 16384));
/// # Ok::<(), nlif_micro::MicroError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ParticleSystemBuilder<S = Stepper> {
    params: ModelParams,
    input: Input,
    config: MicroConfig,
    stepper: S,
    seed: u64,
    partition: Option<Partition>,
    t_start: f64,
    rate: f64,
    parallelism: Parallelism,
}

impl ParticleSystem<Stepper> {
    /// A builder for a system of `config.particles` neurons whose random streams derive
    /// from `seed`: block `j` of the network uses the xoshiro256++ stream seeded from
    /// `seed` and jumped `j` times (`2^128` draws apart). The main way to build a system
    /// ([`ParticleSystemBuilder`]); [`new`](ParticleSystem::new) and
    /// [`from_initial`](ParticleSystem::from_initial) are positional shorthands for it.
    pub fn builder(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        seed: u64,
    ) -> ParticleSystemBuilder<Stepper> {
        ParticleSystemBuilder {
            params,
            input,
            config,
            stepper: config.stepper,
            seed,
            partition: None,
            t_start: 0.0,
            rate: 0.0,
            parallelism: Parallelism::default(),
        }
    }

    /// The whole network with the given voltages at time `t_start`, all below `v_f`
    /// (a positional shorthand for the [builder](ParticleSystem::builder), the main way:
    /// `builder(params, input, config, seed).t_start(t_start).parallelism(parallelism)
    /// .voltages(voltages)`).
    ///
    /// # Errors
    ///
    /// As [`ParticleSystemBuilder::voltages`].
    pub fn new(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        voltages: Vec<f64>,
        t_start: f64,
        seed: u64,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        Self::builder(params, input, config, seed)
            .t_start(t_start)
            .parallelism(parallelism)
            .voltages(voltages)
    }

    /// The whole network at `t = 0` with voltages drawn from `initial` restricted to
    /// `[v_min, v_f)`: a shorthand, with positional arguments, for
    ///
    /// ```text
    /// ParticleSystem::builder(params, input, config, seed)
    ///     .parallelism(parallelism)
    ///     .sample(initial, v_min)
    /// ```
    ///
    /// Prefer the [builder](ParticleSystem::builder), which names each setting (two of
    /// the seven arguments here are `f64`s and one a `u64`, easily swapped) and offers the
    /// others (partition, start time, rate, stepper). Kept for the callers that use it.
    ///
    /// # Errors
    ///
    /// As [`ParticleSystemBuilder::sample`].
    pub fn from_initial(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        initial: &InitialDensity,
        v_min: f64,
        seed: u64,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        Self::builder(params, input, config, seed)
            .parallelism(parallelism)
            .sample(initial, v_min)
    }

    /// Continues a run from a saved [`ParticleState`], with the stepper `config.stepper`
    /// of the state.
    ///
    /// # Errors
    ///
    /// As [`ParticleSystem::from_state_with_stepper`].
    pub fn from_state(state: ParticleState, parallelism: Parallelism) -> Result<Self, MicroError> {
        let stepper = state.config.stepper;
        Self::from_state_with_stepper(state, stepper, parallelism)
    }
}

impl<S> ParticleSystemBuilder<S> {
    /// Uses `stepper` instead of `config.stepper`: any [`SubthresholdStepper`], including
    /// one defined in another crate.
    pub fn stepper<T: SubthresholdStepper>(self, stepper: T) -> ParticleSystemBuilder<T> {
        ParticleSystemBuilder {
            params: self.params,
            input: self.input,
            config: self.config,
            stepper,
            seed: self.seed,
            partition: self.partition,
            t_start: self.t_start,
            rate: self.rate,
            parallelism: self.parallelism,
        }
    }

    /// Owns only the part `partition` of a larger network (`config.particles` neurons
    /// from block `partition.first_block` on).
    pub fn partition(mut self, partition: Partition) -> Self {
        self.partition = Some(partition);
        self
    }

    /// Starts the clock at `t_start` (default 0).
    pub fn t_start(mut self, t_start: f64) -> Self {
        self.t_start = t_start;
        self
    }

    /// The rate that sets `a(N)` of the first step (default 0; e.g. the rate of a
    /// mean-field solver handing over).
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = rate;
        self
    }

    /// How blocks are processed (default [`Parallelism::Rayon`]); the results do not
    /// depend on it.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }
}

impl<S: SubthresholdStepper> ParticleSystemBuilder<S> {
    /// The system with the given voltages (the part's own, `config.particles` of them),
    /// all finite and below `v_f`.
    ///
    /// # Errors
    ///
    /// [`MicroError::Model`] for invalid parameters or input, [`MicroError::Invalid`]
    /// for an invalid config, partition, `t_start` or rate, [`MicroError::Count`] if the
    /// number of voltages is not `config.particles`, [`MicroError::Voltage`] for the first
    /// voltage that is not finite and below `v_f`.
    pub fn voltages(self, voltages: Vec<f64>) -> Result<ParticleSystem<S>, MicroError> {
        let mut system = self.with_streams()?;
        check_voltages(&voltages, system.config.particles, system.params.v_f)?;
        system.voltages = voltages;
        Ok(system)
    }

    /// The system with voltages drawn from `initial` restricted to `[v_min, v_f)`, by
    /// rejection, each block from its own stream (so a part draws exactly the voltages
    /// the whole network would hold in its blocks).
    ///
    /// # Errors
    ///
    /// As [`ParticleSystemBuilder::voltages`] for the settings; [`MicroError::Model`] for
    /// invalid initial data; [`MicroError::Invalid`] naming `v_min` if it is not finite
    /// and below `v_f` (in a run's config it is `solver.macro.v_min`), and if the
    /// Gaussian has (almost) no mass in `[v_min, v_f)` naming `initial.mean` when the
    /// mean lies outside the interval, `v_min` when the interval is too narrow for it.
    pub fn sample(
        self,
        initial: &InitialDensity,
        v_min: f64,
    ) -> Result<ParticleSystem<S>, MicroError> {
        let mut system = self.with_streams()?;
        initial.validate()?;
        let InitialDensity::Gaussian { mean, var } = *initial;
        let sd = var.sqrt();
        let v_f = system.params.v_f;
        if !(v_min.is_finite() && v_min < v_f) {
            return Err(MicroError::Invalid {
                field: "v_min",
                value: v_min,
                reason: "the lower end of the sampled interval must be finite and below v_f",
            });
        }
        let cdf = nlif_model::special::normal_cdf;
        let acceptance = cdf((v_f - mean) / sd) - cdf((v_min - mean) / sd);
        if acceptance.is_nan() || acceptance <= 1e-6 {
            // The Gaussian lies outside the interval (its mean is), or the interval is too
            // narrow for it: blame the one that is off.
            let error = if (v_min..v_f).contains(&mean) {
                MicroError::Invalid {
                    field: "v_min",
                    value: v_min,
                    reason: "the interval [v_min, v_f) is too narrow to hold the initial Gaussian's mass",
                }
            } else {
                MicroError::Invalid {
                    field: "initial.mean",
                    value: mean,
                    reason: "the initial Gaussian has (almost) no mass in [v_min, v_f)",
                }
            };
            return Err(error);
        }
        system.voltages = vec![0.0; system.config.particles];
        system.for_each_block(|_, v, block| {
            for x in v.iter_mut() {
                *x = loop {
                    let z = standard_normal(&mut block.rng);
                    let candidate = mean + sd * z;
                    if candidate >= v_min && candidate < v_f {
                        break candidate;
                    }
                };
            }
        });
        Ok(system)
    }

    /// Validates the settings and attaches the random streams (no particles yet).
    fn with_streams(self) -> Result<ParticleSystem<S>, MicroError> {
        let partition = self
            .partition
            .unwrap_or(Partition::whole(self.config.particles));
        validate_settings(&self.params, &self.input, &self.config, &partition)?;
        check_clock(self.t_start, self.rate)?;
        let count = self.config.particles.div_ceil(BLOCK_SIZE);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        // `first_block` jumps of 2^128 draws each.
        rng.jump_ce(partition.first_block as u64, 128);
        let streams = (0..count).map(|_| {
            let stream = rng.clone();
            rng.jump();
            stream
        });
        Ok(ParticleSystem::assemble(
            self.params,
            self.input,
            self.config,
            self.stepper,
            partition,
            self.parallelism,
            Vec::new(),
            streams,
            self.t_start,
            0,
            self.rate,
            0,
        ))
    }
}

fn validate_settings(
    params: &ModelParams,
    input: &Input,
    config: &MicroConfig,
    partition: &Partition,
) -> Result<(), MicroError> {
    params.validate()?;
    input.validate()?;
    config.validate()?;
    partition.validate(config.particles)
}

fn check_clock(t_start: f64, rate: f64) -> Result<(), MicroError> {
    if !t_start.is_finite() {
        return Err(MicroError::Invalid {
            field: "t_start",
            value: t_start,
            reason: "the start time must be finite",
        });
    }
    if !rate.is_finite() {
        return Err(MicroError::Invalid {
            field: "rate",
            value: rate,
            reason: "the rate must be finite",
        });
    }
    Ok(())
}

fn check_voltages(voltages: &[f64], particles: usize, v_f: f64) -> Result<(), MicroError> {
    if voltages.len() != particles {
        return Err(MicroError::Count {
            expected: particles,
            got: voltages.len(),
        });
    }
    if let Some((index, &value)) = voltages
        .iter()
        .enumerate()
        .find(|&(_, &v)| !(v.is_finite() && v < v_f))
    {
        return Err(MicroError::Voltage { index, value });
    }
    Ok(())
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
        let blocks = streams
            .map(|rng| Block {
                rng,
                fired: 0,
                non_finite: 0,
                window: Vec::new(),
            })
            .collect();
        ParticleSystem {
            params,
            input,
            config,
            stepper,
            partition,
            parallelism,
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

    /// Continues a run from a saved [`ParticleState`] with the stepper `stepper` (the one
    /// the run was built with; a state does not hold a custom stepper).
    ///
    /// The restored system continues bit for bit as the saved one would have: same
    /// clock `t_start + steps · dt`, same streams, same rate and cascade window.
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `version` (not [`PARTICLE_STATE_VERSION`]), `t_start`
    /// or `rate` (not finite), `rngs` (not one non-zero xoshiro256++ state per block) or a
    /// setting; [`MicroError::Model`], [`MicroError::Count`], [`MicroError::Voltage`] as
    /// for [`ParticleSystemBuilder::voltages`].
    pub fn from_state_with_stepper(
        state: ParticleState,
        stepper: S,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        if state.version != PARTICLE_STATE_VERSION {
            return Err(MicroError::Invalid {
                field: "version",
                value: f64::from(state.version),
                reason: "unsupported particle state version",
            });
        }
        validate_settings(&state.params, &state.input, &state.config, &state.partition)?;
        check_clock(state.t_start, state.rate)?;
        check_voltages(&state.voltages, state.config.particles, state.params.v_f)?;
        let count = state.config.particles.div_ceil(BLOCK_SIZE);
        if state.rngs.len() != count {
            return Err(MicroError::Invalid {
                field: "rngs",
                value: state.rngs.len() as f64,
                reason: "expected one stream state per block of `particles`",
            });
        }
        if let Some(index) = state.rngs.iter().position(|s| *s == [0; 4]) {
            return Err(MicroError::Invalid {
                field: "rngs",
                value: index as f64,
                reason: "the all-zero xoshiro256++ state (at this index) is not a valid stream",
            });
        }
        if state.last_initiators > state.partition.global_particles as u64 {
            return Err(MicroError::Invalid {
                field: "last_initiators",
                value: state.last_initiators as f64,
                reason: "more initiators than neurons in the network",
            });
        }
        let streams = state.rngs.iter().map(|words| {
            let mut seed = [0u8; 32];
            for (chunk, word) in seed.chunks_exact_mut(8).zip(words) {
                chunk.copy_from_slice(&word.to_le_bytes());
            }
            Xoshiro256PlusPlus::from_seed(seed)
        });
        Ok(ParticleSystem::assemble(
            state.params,
            state.input,
            state.config,
            stepper,
            state.partition,
            parallelism,
            state.voltages,
            streams,
            state.t_start,
            state.steps,
            state.rate,
            state.last_initiators,
        ))
    }

    /// Everything needed to continue the run bit for bit, with the voltages settled (in a
    /// copy: the system itself is untouched, and its run goes on exactly as without the
    /// call). Restore with [`ParticleSystem::from_state`] (built-in stepper) or
    /// [`ParticleSystem::from_state_with_stepper`].
    #[must_use]
    pub fn state(&self) -> ParticleState {
        let words = |rng: &Xoshiro256PlusPlus| {
            let bytes = rng.state();
            let mut words = [0u64; 4];
            for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut le = [0u8; 8];
                le.copy_from_slice(chunk);
                *word = u64::from_le_bytes(le);
            }
            words
        };
        ParticleState {
            version: PARTICLE_STATE_VERSION,
            params: self.params,
            input: self.input,
            config: self.config,
            partition: self.partition,
            t_start: self.t_start,
            steps: self.steps,
            rate: self.rate,
            last_initiators: self.last_initiators,
            voltages: self.voltages().collect(),
            rngs: self.blocks.iter().map(|b| words(&b.rng)).collect(),
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
    pub fn voltages(
        &self,
    ) -> impl ExactSizeIterator<Item = f64> + DoubleEndedIterator + Clone + '_ {
        let (pending, v_r) = (self.pending, self.params.v_r);
        self.voltages.iter().map(move |&x| settle(x, pending, v_r))
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
        let (pending, v_r) = (self.pending, self.params.v_r);
        if pending != 0.0 || self.voltages.contains(&f64::NEG_INFINITY) {
            self.for_each_block(|_, v, _| {
                for x in v.iter_mut() {
                    *x = settle(*x, pending, v_r);
                }
            });
            self.pending = 0.0;
        }
        &self.voltages
    }

    /// Advances one step of length `dt` (see [`ParticleSystem::step_with`]).
    ///
    /// # Panics
    ///
    /// If the system is only a part of the network: a part needs the sums over all parts,
    /// [`ParticleSystem::step_with`].
    pub fn step(&mut self) -> StepReport {
        assert!(
            self.partition.is_whole(self.len()),
            "a part of a network must be stepped with `step_with` and a reduction over the parts"
        );
        self.step_with(&mut SingleProcess)
    }

    /// Advances one step, summing spike counts over the parts with `reduction`.
    ///
    /// 1. If an input kick falls into this step (`nlif_model::time::in_step`, the step from
    ///    `t` to the clock's next time): every voltage moves by `dv`, those at or
    ///    over `V_F` fire, with their cascade.
    /// 2. Sub-threshold update with `I(t)` and `a(N)` frozen at `t`, `N` the empirical rate of
    ///    the previous step; neurons crossing `V_F` fire and are reset to `V_R`.
    /// 3. The cascade they start is resolved exactly (module [`crate::cascade`]); fired
    ///    neurons are reset, the others kicked by `k* b / N`.
    ///
    /// Every part of a partitioned network calls it once per step, with a reduction over
    /// the parts; the reports are those of the whole network.
    pub fn step_with<R: Reduction>(&mut self, reduction: &mut R) -> StepReport {
        let t = self.time();
        let dt = self.config.dt;
        let mut mfes = [None, None];
        let mut spikes = 0;
        // The next step's start as the clock computes it: consecutive windows share their
        // end points, so a kick falls into exactly one step (nlif_model::time).
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        if let Some(dv) = self.input.kick_within(t, t_next) {
            // Its non-finite count is superseded by the sub-threshold pass, which writes
            // every voltage again.
            let (outcome, _) = self.kick_event(dv, reduction);
            spikes += outcome.fired;
            mfes[0] = self.as_mfe(t, outcome, true);
        }
        let current = self.input.current(t);
        let a = self.params.diffusion(self.rate);
        let kernel = self.stepper.kernel(dt, current, a, self.params.v_f);
        let (outcome, non_finite) = self.subthreshold_event(kernel, reduction);
        spikes += outcome.fired;
        mfes[1] = self.as_mfe(t + dt, outcome, false);
        self.steps += 1;
        self.rate = spikes as f64 / (self.global_len() as f64 * dt);
        StepReport {
            spikes,
            rate: self.rate,
            mfes,
            non_finite,
        }
    }

    fn as_mfe(&self, t: f64, outcome: CascadeOutcome, kick: bool) -> Option<Mfe> {
        let fraction = outcome.fired as f64 / self.global_len() as f64;
        let cascaded = kick || outcome.rounds > 0;
        (cascaded && outcome.fired > 0 && fraction >= self.config.mfe_min_fraction).then_some(Mfe {
            t,
            fired: outcome.fired,
            fraction,
            rounds: outcome.rounds,
        })
    }

    /// The window of voltages below `V_F` gathered for the cascade, as a voltage offset.
    fn window(&self) -> f64 {
        if self.params.b > 0.0 {
            let w = (4 * self.last_initiators + 64).min(self.global_len() as u64);
            w as f64 * self.kick()
        } else {
            f64::NEG_INFINITY
        }
    }

    fn kick(&self) -> f64 {
        self.params.b / self.global_len() as f64
    }

    fn kick_event<R: Reduction>(&mut self, dv: f64, reduction: &mut R) -> (CascadeOutcome, u64) {
        let (pending, v_r, v_f, theta) = (
            self.pending,
            self.params.v_r,
            self.params.v_f,
            self.window(),
        );
        self.for_each_block(|offset, v, block| {
            block.fired = 0;
            block.non_finite = 0;
            block.window.clear();
            for (i, x) in v.iter_mut().enumerate() {
                let next = settle(*x, pending, v_r) + dv;
                record(x, next, next >= v_f, offset + i, theta, v_f, block);
            }
        });
        self.pending = 0.0;
        self.resolve(theta, reduction)
    }

    fn subthreshold_event<R: Reduction>(
        &mut self,
        kernel: S::Kernel,
        reduction: &mut R,
    ) -> (CascadeOutcome, u64) {
        let (pending, v_r, v_f, theta) = (
            self.pending,
            self.params.v_r,
            self.params.v_f,
            self.window(),
        );
        self.for_each_block(|offset, v, block| {
            kernel.dispatch(BlockPass {
                offset,
                v,
                block,
                pending,
                v_r,
                v_f,
                theta,
            });
        });
        self.pending = 0.0;
        self.resolve(theta, reduction)
    }

    /// Sums the initiators and the non-finite voltages over the network (one reduction,
    /// of both counts), resolves the cascade, resets the fired and owes the kick; returns
    /// the cascade and the network's count of non-finite voltages.
    fn resolve<R: Reduction>(&mut self, theta: f64, reduction: &mut R) -> (CascadeOutcome, u64) {
        let mut counts = [0u64; 2];
        for block in &self.blocks {
            counts[0] += block.fired;
            counts[1] += block.non_finite;
        }
        reduction.sum_u64_slice(&mut counts);
        let [s0, non_finite] = counts;
        let global = self.partition.global_particles as u64;
        // Each neuron fires at most once per event, and holds one voltage.
        debug_assert!(
            s0 + non_finite <= global,
            "{s0} initiators and {non_finite} non-finite voltages in a network of {global}"
        );
        self.last_initiators = s0;
        let kick = self.kick();
        if s0 == 0 {
            let outcome = CascadeOutcome {
                fired: 0,
                rounds: 0,
            };
            return (outcome, non_finite);
        }
        if kick <= 0.0 {
            self.pending = s0 as f64 * kick;
            let outcome = CascadeOutcome {
                fired: s0,
                rounds: 0,
            };
            return (outcome, non_finite);
        }
        let ws = &mut self.cascade;
        ws.candidates.items.clear();
        for block in &self.blocks {
            ws.candidates.items.extend_from_slice(&block.window);
        }
        let outcome = ws.resolve(
            &self.voltages,
            global,
            s0,
            kick,
            self.params.v_f,
            theta,
            reduction,
        );
        if ws.fired.len() > self.voltages.len() / 16 {
            // A large cascade: one pass in order instead of scattered writes. The cascade
            // fired exactly the neurons that fire at its final level (every earlier level
            // is lower, and the final one fires nobody new), the same test as written.
            let (level, v_f) = (outcome.fired as f64 * kick, self.params.v_f);
            // (`+inf`, a voltage the pass counted as non-finite, is not among them.)
            self.for_each_block(|_, v, _| {
                for x in v.iter_mut() {
                    if (*x + level >= v_f) & (*x < f64::INFINITY) {
                        *x = f64::NEG_INFINITY;
                    }
                }
            });
        } else {
            for &i in &ws.fired {
                self.voltages[i as usize] = f64::NEG_INFINITY;
            }
        }
        debug_assert!(
            outcome.fired <= global,
            "a cascade of {} in a network of {global}",
            outcome.fired
        );
        self.pending = outcome.fired as f64 * kick;
        (outcome, non_finite)
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
