//! The saved state of a particle system.

use nlif_model::{Input, ModelParams, Refractory};
use serde::{Deserialize, Serialize};

use crate::{BLOCK_SIZE, MicroConfig, MicroError, Partition};

/// The version of [`ParticleState`] this crate writes and reads.
///
/// Version 2: the same fields as version 1, but the streams continue with the batched
/// normal deviates of [`crate::normal`] (version 1 drew one deviate per particle from
/// `rand_distr`'s ziggurat),
/// so a version-1 state would not continue its run bit for bit and is refused.
///
/// Version 3: adds the refractory period (`refractory`) and each neuron's time still away
/// (`away`, empty without a period).
///
/// Version 4: the config holds the generator of the normal deviates
/// ([`MicroConfig::normals`](crate::MicroConfig::normals)); the binary layout grew.
pub const PARTICLE_STATE_VERSION: u32 = 4;

/// Everything needed to continue a particle system bit for bit, as plain serde data.
///
/// Written by [`ParticleSystem::state`](crate::ParticleSystem::state), read by
/// [`ParticleSystem::from_state`](crate::ParticleSystem::from_state) (which validates every
/// field). The clock is kept as `(t_start, steps)`, not as the time, because the solver
/// computes `t = t_start + steps · dt`, and a time-dependent input must see the same `t`
/// after a restore. The voltages are settled (no pending kick, no pending reset): a
/// restored system computes the same sums as the saved one would have.
///
/// In JSON, `f64` values round-trip exactly only if the parser does; with `serde_json`
/// enable its `float_roundtrip` feature.
///
/// ```
/// use nlif_micro::{MicroConfig, Parallelism, ParticleSystem};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let config = MicroConfig { particles: 1000, dt: 1e-3, ..MicroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut a = ParticleSystem::builder(ModelParams::default(), Input::None, config, 3)
///     .parallelism(Parallelism::Sequential)
///     .sample(&initial, -4.0)?;
/// for _ in 0..10 { let _ = a.step(); }
/// let mut b = ParticleSystem::from_state(a.state(), Parallelism::Sequential)?;
/// assert_eq!(a.step(), b.step());
/// assert!(a.voltages().eq(b.voltages()));
/// # Ok::<(), nlif_micro::MicroError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ParticleState {
    /// Format version, [`PARTICLE_STATE_VERSION`].
    pub version: u32,
    /// The model parameters.
    pub params: ModelParams,
    /// The input.
    pub input: Input,
    /// The solver settings (`particles` is the number of voltages held).
    pub config: MicroConfig,
    /// The part of the network held.
    pub partition: Partition,
    /// Start of the clock.
    pub t_start: f64,
    /// Steps taken since `t_start`.
    pub steps: u64,
    /// The rate of the last step, which sets `a(N)` of the next one.
    pub rate: f64,
    /// Initiators of the last cascade (they set the width of the next cascade window).
    pub last_initiators: u64,
    /// The settled voltages, all finite and below `v_f`, except with a refractory period
    /// `-inf` for a neuron away from the voltage line.
    pub voltages: Vec<f64>,
    /// The xoshiro256++ state words `s[0..4]` of the stream of each block held.
    pub rngs: Vec<[u64; 4]>,
    /// The refractory period.
    pub refractory: Refractory,
    /// With a refractory period, one count per neuron: the passes it still sits out, plus
    /// one (0 for a neuron on the voltage line, or at `-inf` one that fired in the last
    /// step); empty without one.
    pub away: Vec<u32>,
}

impl ParticleState {
    /// The state of the whole network from the states of its parts (in any order), for
    /// a checkpoint of a distributed run: voltages and streams concatenated in block
    /// order. The parts must hold the same clock and settings and cover the network's
    /// blocks exactly once.
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `partition` if the parts do not tile the network,
    /// `steps` if they disagree on anything but their own voltages and streams.
    pub fn join(mut parts: Vec<ParticleState>) -> Result<ParticleState, MicroError> {
        parts.sort_by_key(|p| p.partition.first_block);
        let Some(first) = parts.first() else {
            return Err(invalid("partition", 0.0, "no parts to join"));
        };
        let global = first.partition.global_particles;
        let mut whole = ParticleState {
            config: MicroConfig {
                particles: global,
                ..first.config
            },
            partition: Partition::whole(global),
            voltages: Vec::with_capacity(global),
            rngs: Vec::with_capacity(global.div_ceil(BLOCK_SIZE)),
            away: Vec::new(),
            ..first.clone_header()
        };
        for part in parts {
            let same = part.version == whole.version
                && part.params == whole.params
                && part.input == whole.input
                && MicroConfig {
                    particles: global,
                    ..part.config
                } == whole.config
                && part.t_start.to_bits() == whole.t_start.to_bits()
                && part.refractory == whole.refractory
                && part.steps == whole.steps
                && part.rate.to_bits() == whole.rate.to_bits()
                && part.last_initiators == whole.last_initiators;
            if !same {
                return Err(invalid(
                    "steps",
                    part.steps as f64,
                    "the parts' clocks or settings differ",
                ));
            }
            if part.partition.global_particles != global
                || part.partition.first_block * BLOCK_SIZE != whole.voltages.len()
                || part.voltages.len() != part.config.particles
            {
                return Err(invalid(
                    "partition",
                    part.partition.first_block as f64,
                    "the parts do not tile the network block by block",
                ));
            }
            whole.voltages.extend_from_slice(&part.voltages);
            whole.rngs.extend_from_slice(&part.rngs);
            whole.away.extend_from_slice(&part.away);
        }
        if whole.voltages.len() != global {
            return Err(invalid(
                "partition",
                whole.voltages.len() as f64,
                "the parts do not cover the network",
            ));
        }
        Ok(whole)
    }

    /// The state of the part `partition` (holding `particles` neurons) of the network
    /// this state holds, e.g. one process's share when a checkpoint is resumed on another
    /// number of processes.
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `partition` if it is not part of the network held.
    pub fn part(
        &self,
        partition: Partition,
        particles: usize,
    ) -> Result<ParticleState, MicroError> {
        let offset = partition
            .first_block
            .checked_sub(self.partition.first_block)
            .map(|b| b * BLOCK_SIZE);
        let range = offset
            .filter(|_| partition.global_particles == self.partition.global_particles)
            .and_then(|o| Some(o..o.checked_add(particles)?))
            .filter(|r| r.end <= self.voltages.len() && !r.is_empty());
        let Some(range) = range else {
            return Err(invalid(
                "partition",
                partition.first_block as f64,
                "the part is not within the network held",
            ));
        };
        let blocks = range.start / BLOCK_SIZE..range.end.div_ceil(BLOCK_SIZE);
        if range.end != self.voltages.len() && !particles.is_multiple_of(BLOCK_SIZE) {
            return Err(invalid(
                "partition",
                particles as f64,
                "only the last part may end inside a block",
            ));
        }
        Ok(ParticleState {
            config: MicroConfig {
                particles,
                ..self.config
            },
            partition,
            voltages: self.voltages[range.clone()].to_vec(),
            rngs: self.rngs.get(blocks).map(<[_]>::to_vec).unwrap_or_default(),
            away: self.away.get(range).map(<[_]>::to_vec).unwrap_or_default(),
            ..self.clone_header()
        })
    }

    /// Everything but the voltages and streams.
    fn clone_header(&self) -> ParticleState {
        ParticleState {
            version: self.version,
            params: self.params,
            input: self.input,
            config: self.config,
            partition: self.partition,
            t_start: self.t_start,
            steps: self.steps,
            rate: self.rate,
            last_initiators: self.last_initiators,
            voltages: Vec::new(),
            rngs: Vec::new(),
            refractory: self.refractory,
            away: Vec::new(),
        }
    }
}

/// What of a [`ParticleState`] changes over a run: the state without the problem it
/// solves (model, input, settings), for a caller that keeps the problem once and gives it
/// back with [`ParticleState::from_dynamics`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ParticleDynamics {
    /// As [`ParticleState::partition`].
    pub partition: Partition,
    /// As [`ParticleState::t_start`].
    pub t_start: f64,
    /// As [`ParticleState::steps`].
    pub steps: u64,
    /// As [`ParticleState::rate`].
    pub rate: f64,
    /// As [`ParticleState::last_initiators`].
    pub last_initiators: u64,
    /// As [`ParticleState::voltages`].
    pub voltages: Vec<f64>,
    /// As [`ParticleState::rngs`].
    pub rngs: Vec<[u64; 4]>,
    /// As [`ParticleState::away`].
    pub away: Vec<u32>,
}

impl ParticleState {
    /// The part that changes over a run.
    #[must_use]
    pub fn into_dynamics(self) -> ParticleDynamics {
        ParticleDynamics {
            partition: self.partition,
            t_start: self.t_start,
            steps: self.steps,
            rate: self.rate,
            last_initiators: self.last_initiators,
            voltages: self.voltages,
            rngs: self.rngs,
            away: self.away,
        }
    }

    /// The state of this build's version from its problem and its dynamics: `config`'s
    /// `particles` becomes the number of voltages held (checked when restored, by
    /// [`ParticleSystem::from_state`](crate::ParticleSystem::from_state)). The refractory
    /// period is none; set [`refractory`](Self::refractory) for a problem with one.
    ///
    /// ```
    /// use nlif_micro::{MicroConfig, Parallelism, ParticleState, ParticleSystem};
    /// use nlif_model::{InitialDensity, Input, ModelParams};
    ///
    /// let config = MicroConfig { particles: 1000, ..MicroConfig::default() };
    /// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
    /// let system = ParticleSystem::builder(ModelParams::default(), Input::None, config, 3)
    ///     .sample(&initial, -4.0)?;
    /// let state = system.state();
    /// let back = ParticleState::from_dynamics(
    ///     ModelParams::default(), Input::None, config, state.clone().into_dynamics());
    /// assert_eq!(back, state);
    /// # Ok::<(), nlif_micro::MicroError>(())
    /// ```
    #[must_use]
    pub fn from_dynamics(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        dynamics: ParticleDynamics,
    ) -> Self {
        ParticleState {
            version: PARTICLE_STATE_VERSION,
            params,
            input,
            config: MicroConfig {
                particles: dynamics.voltages.len(),
                ..config
            },
            partition: dynamics.partition,
            t_start: dynamics.t_start,
            steps: dynamics.steps,
            rate: dynamics.rate,
            last_initiators: dynamics.last_initiators,
            voltages: dynamics.voltages,
            rngs: dynamics.rngs,
            refractory: Refractory::None,
            away: dynamics.away,
        }
    }
}

fn invalid(field: &'static str, value: f64, reason: &'static str) -> MicroError {
    MicroError::Invalid {
        field,
        value,
        reason,
    }
}
