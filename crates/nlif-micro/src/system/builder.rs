//! Building a particle system: the builder, its positional shorthands and the checks of
//! the settings (shared with the restore of a saved state).

use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::refractory::Away;
use super::{BLOCK_SIZE, Parallelism, ParticleSystem};
use crate::stepper::{Stepper, SubthresholdStepper, standard_normal};
use crate::{MicroConfig, MicroError, Partition};

/// Builds a [`ParticleSystem`]: start with [`ParticleSystem::builder`], choose what
/// differs from the defaults, finish with [`voltages`](ParticleSystemBuilder::voltages)
/// or [`sample`](ParticleSystemBuilder::sample).
///
/// Defaults: the stepper `config.stepper`, the whole network
/// ([`Partition::whole`]`(config.particles)`), `t_start = 0`, rate 0,
/// [`Parallelism::Rayon`], no refractory period.
///
/// ```
/// use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Partition};
/// use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
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
    refractory: Refractory,
    away: Option<Vec<u32>>,
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
            refractory: Refractory::None,
            away: None,
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
            refractory: self.refractory,
            away: self.away,
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

    /// A refractory period after each spike (default [`Refractory::None`]; docs/model.md
    /// §11): a neuron that fires is away from the voltage line (it neither moves, nor
    /// receives kicks, nor fires) for `tau` (`Fixed`, a whole number of steps) or a time
    /// of mean `tau` (`Exponential`), then back at `V_R`. `tau = 0` is the model without
    /// a period, bit for bit.
    ///
    /// ```
    /// use nlif_micro::{MicroConfig, Parallelism, ParticleSystem};
    /// use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
    ///
    /// let config = MicroConfig { particles: 4000, dt: 1e-3, ..MicroConfig::default() };
    /// let mut net = ParticleSystem::builder(ModelParams::default(), Input::Constant { i0: 3.0 }, config, 7)
    ///     .refractory(Refractory::Fixed { tau: 0.5 })
    ///     .parallelism(Parallelism::Sequential)
    ///     .sample(&InitialDensity::Gaussian { mean: 1.5, var: 0.01 }, -4.0)?;
    /// let mut spikes = 0;
    /// for _ in 0..500 {
    ///     spikes += net.step().spikes;
    /// }
    /// // Whoever fired in the last half unit of time is still away: at most once each.
    /// assert!(spikes > 0 && spikes <= 4000);
    /// assert_eq!(net.away_count() as u64, spikes);
    /// # Ok::<(), nlif_micro::MicroError>(())
    /// ```
    ///
    /// A `Fixed` period that is not a whole number of steps is refused when the system is
    /// built ([`MicroError::Invalid`] naming `refractory.tau`).
    pub fn refractory(mut self, refractory: Refractory) -> Self {
        self.refractory = refractory;
        self
    }

    /// With a refractory period, the neurons away at the start: [`voltages`](
    /// ParticleSystemBuilder::voltages) then takes `-inf` for a neuron away, and `away[i]`
    /// is neuron `i`'s passes still to sit out, plus one (as
    /// [`ParticleState::away`](crate::ParticleState::away): a neuron with `away = k + 1`
    /// is back at `V_R` at `t_start + k dt`; 0 on the voltage line). A hand-over from a
    /// density that holds a refractory mass starts the particles this way.
    ///
    /// `voltages` refuses it without a refractory period ([`MicroError::Invalid`] naming
    /// `away`), and as [`ParticleState::away`](crate::ParticleState::away) is checked on a
    /// restore.
    pub fn away(mut self, away: Vec<u32>) -> Self {
        self.away = Some(away);
        self
    }
}

impl<S: SubthresholdStepper> ParticleSystemBuilder<S> {
    /// The system with the given voltages (the part's own, `config.particles` of them),
    /// all finite and below `v_f` (or `-inf` for a neuron away, with
    /// [`away`](ParticleSystemBuilder::away)).
    ///
    /// # Errors
    ///
    /// [`MicroError::Model`] for invalid parameters or input, [`MicroError::Invalid`]
    /// for an invalid config, partition, `t_start` or rate, [`MicroError::Count`] if the
    /// number of voltages is not `config.particles`, [`MicroError::Voltage`] for the first
    /// voltage that is not finite and below `v_f` (nor `-inf` with times away),
    /// [`MicroError::Invalid`] naming `away` for times away without a refractory period,
    /// not one per neuron, or given to a neuron on the voltage line.
    pub fn voltages(mut self, voltages: Vec<f64>) -> Result<ParticleSystem<S>, MicroError> {
        let away = self.away.take();
        let mut system = self.with_streams()?;
        let Some(away) = away else {
            check_voltages(&voltages, system.config.particles, system.params.v_f)?;
            system.voltages = voltages;
            return Ok(system);
        };
        if system.away.is_none() {
            return Err(MicroError::Invalid {
                field: "away",
                value: away.len() as f64,
                reason: "times away without a refractory period",
            });
        }
        check_away(&voltages, &away, system.config.particles, system.params.v_f)?;
        for (block, away) in system.blocks.iter_mut().zip(away.chunks(BLOCK_SIZE)) {
            block.away.copy_from_slice(away);
        }
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
        if let Some(away) = &self.away {
            return Err(MicroError::Invalid {
                field: "away",
                value: away.len() as f64,
                reason: "times away go with given voltages, not with sampled ones",
            });
        }
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
        let away = Away::new(self.refractory, self.config.dt)?;
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
            (self.refractory, away),
            Vec::new(),
            streams,
            self.t_start,
            0,
            self.rate,
            0,
        ))
    }
}

pub(super) fn validate_settings(
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

pub(super) fn check_clock(t_start: f64, rate: f64) -> Result<(), MicroError> {
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

pub(super) fn check_voltages(
    voltages: &[f64],
    particles: usize,
    v_f: f64,
) -> Result<(), MicroError> {
    check_count(voltages, particles)?;
    if let Some((index, &value)) = voltages
        .iter()
        .enumerate()
        .find(|&(_, &v)| !(v.is_finite() && v < v_f))
    {
        return Err(MicroError::Voltage { index, value });
    }
    Ok(())
}

/// The voltages and times away of a system with a refractory period: as
/// [`check_voltages`], except that `-inf` marks a neuron away, and one count per neuron
/// in `away`, non-zero only for a neuron at `-inf`.
pub(super) fn check_away(
    voltages: &[f64],
    away: &[u32],
    particles: usize,
    v_f: f64,
) -> Result<(), MicroError> {
    check_count(voltages, particles)?;
    let on_line = |v: f64| v.is_finite() && v < v_f;
    if let Some((index, &value)) = voltages
        .iter()
        .enumerate()
        .find(|&(_, &v)| !(on_line(v) || v == f64::NEG_INFINITY))
    {
        return Err(MicroError::Voltage { index, value });
    }
    if away.len() != particles {
        return Err(MicroError::Invalid {
            field: "away",
            value: away.len() as f64,
            reason: "expected one time away per neuron (`particles`)",
        });
    }
    if let Some(index) = (voltages.iter().zip(away)).position(|(&v, &a)| a != 0 && on_line(v)) {
        return Err(MicroError::Invalid {
            field: "away",
            value: index as f64,
            reason: "a neuron on the voltage line (at this index) has a time away",
        });
    }
    Ok(())
}

fn check_count(voltages: &[f64], particles: usize) -> Result<(), MicroError> {
    if voltages.len() != particles {
        return Err(MicroError::Count {
            expected: particles,
            got: voltages.len(),
        });
    }
    Ok(())
}
