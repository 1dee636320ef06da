//! Saving a particle system's state and continuing a run from it, bit for bit.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::builder::{check_away, check_clock, check_voltages, validate_settings};
use super::refractory::Away;
use super::{BLOCK_SIZE, Parallelism, ParticleSystem};
use crate::MicroError;
use crate::state::{PARTICLE_STATE_VERSION, ParticleState};
use crate::stepper::{Stepper, SubthresholdStepper};

impl ParticleSystem<Stepper> {
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

impl<S: SubthresholdStepper> ParticleSystem<S> {
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
    /// for [`ParticleSystemBuilder::voltages`](super::ParticleSystemBuilder::voltages).
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
        let away_of = Away::new(state.refractory, state.config.dt)?;
        if away_of.is_some() {
            check_away(
                &state.voltages,
                &state.away,
                state.config.particles,
                state.params.v_f,
            )?;
        } else {
            check_voltages(&state.voltages, state.config.particles, state.params.v_f)?;
            if !state.away.is_empty() {
                return Err(MicroError::Invalid {
                    field: "away",
                    value: state.away.len() as f64,
                    reason: "times away without a refractory period",
                });
            }
        }
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
        let mut system = ParticleSystem::assemble(
            state.params,
            state.input,
            state.config,
            stepper,
            state.partition,
            parallelism,
            (state.refractory, away_of),
            state.voltages,
            streams,
            state.t_start,
            state.steps,
            state.rate,
            state.last_initiators,
        );
        if away_of.is_some() {
            for (block, away) in system.blocks.iter_mut().zip(state.away.chunks(BLOCK_SIZE)) {
                block.away.copy_from_slice(away);
            }
        }
        Ok(system)
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
            refractory: self.refractory,
            away: self
                .blocks
                .iter()
                .flat_map(|b| b.away.iter().copied())
                .collect(),
        }
    }
}
