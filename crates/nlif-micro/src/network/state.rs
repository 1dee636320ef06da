//! The saved state of a network of populations, and continuing a run from it.

use nlif_model::network::Network;
use serde::{Deserialize, Serialize};

use super::builder::{check, check_rates, check_spike_history};
use super::delay::SpikeHistory;
use super::{NetworkPart, ParticleNetwork, own_params};
use crate::stepper::{Stepper, SubthresholdStepper};
use crate::{MicroConfig, MicroError, Parallelism, ParticleState, ParticleSystem};

/// The version of [`ParticleNetworkState`] this crate writes and reads (3: the populations
/// carry their `prior_rate`, the parts' configs their generator of normal deviates; the
/// binary layout grew).
pub const PARTICLE_NETWORK_STATE_VERSION: u32 = 3;

/// Everything needed to continue a [`ParticleNetwork`] bit for bit, as plain serde data:
/// the network, the clock, the populations' rates and initiators, and each population's
/// part as a [`ParticleState`] (`None` where the part holds none of its neurons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ParticleNetworkState {
    /// Format version, [`PARTICLE_NETWORK_STATE_VERSION`].
    pub version: u32,
    /// The network.
    pub network: Network,
    /// The solver settings, `particles` the whole network's `N`.
    pub config: MicroConfig,
    /// The part held.
    pub part: NetworkPart,
    /// Start of the clock.
    pub t_start: f64,
    /// Steps taken since `t_start`.
    pub steps: u64,
    /// The rate of each population in the last step.
    pub rates: Vec<f64>,
    /// The spikes of each population in the last step (the network's rate).
    pub last_spikes: Vec<u64>,
    /// The initiators of each population in the last cascade.
    pub last_initiators: Vec<u64>,
    /// With synaptic delays, the spikes of each population at the last `d_max` step
    /// points, newest first, then at the point being filled (`(d_max + 1) P` counts,
    /// `d_max` the longest delay in steps); empty without delays.
    pub delay_history: Vec<u64>,
    /// Each population's neurons held, with its streams (its own parameters: `a0`, `V_F`,
    /// `V_R`, `b = coupling[α][α]`, `a1 = a1[α][α]`, and its input).
    pub populations: Vec<Option<ParticleState>>,
}

impl ParticleNetwork<Stepper> {
    /// Continues a run from a saved state with the stepper `config.stepper`.
    ///
    /// # Errors
    ///
    /// As [`ParticleNetwork::from_state_with_stepper`].
    pub fn from_state(
        state: ParticleNetworkState,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        let stepper = state.config.stepper;
        Self::from_state_with_stepper(state, stepper, parallelism)
    }
}

impl<S: SubthresholdStepper + Clone> ParticleNetwork<S> {
    /// Continues a run from a saved state with `stepper` (the one the run was built with).
    ///
    /// # Errors
    ///
    /// [`MicroError::At`] naming `version`, the network's entry, `part`, `rates`,
    /// `last_initiators`, `delay_history` or `populations[α]` (a population's state that is not the one
    /// the network and part prescribe: its parameters, input, size, clock); the errors of
    /// [`ParticleSystem::from_state_with_stepper`] under `populations[α].`.
    pub fn from_state_with_stepper(
        state: ParticleNetworkState,
        stepper: S,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        let at = |path: String, reason: &str| MicroError::At {
            path,
            reason: reason.to_string(),
        };
        if state.version != PARTICLE_NETWORK_STATE_VERSION {
            return Err(at(
                "version".into(),
                "unsupported particle network state version",
            ));
        }
        check(&state.network, &state.config, state.part)?;
        let neurons = state.network.neurons(state.config.particles)?;
        let p = neurons.len();
        check_rates(&state.rates, p)?;
        if state.last_initiators.len() != p
            || state
                .last_initiators
                .iter()
                .zip(&neurons)
                .any(|(&s, &n)| s > n as u64)
        {
            return Err(at(
                "last_initiators".into(),
                "not one count (at most N_α) per population",
            ));
        }
        if state.last_spikes.len() != p
            || state
                .last_spikes
                .iter()
                .zip(&neurons)
                .any(|(&s, &n)| s > 2 * n as u64)
        {
            return Err(at(
                "last_spikes".into(),
                "not one count (at most 2 N_α) per population",
            ));
        }
        check_spike_history(
            &state.network,
            state.config.dt,
            &state.delay_history,
            &neurons,
        )?;
        if state.populations.len() != p {
            return Err(at("populations".into(), "not one state per population"));
        }
        let mut systems = Vec::with_capacity(p);
        for (alpha, saved) in state.populations.into_iter().enumerate() {
            let expected = state.part.of_population(neurons[alpha]);
            let path = format!("populations[{alpha}]");
            let system = match (saved, expected) {
                (None, None) => None,
                (Some(saved), Some((partition, local))) => {
                    let (params, input) = own_params(&state.network, alpha);
                    let same = saved.params == params
                        && saved.input == input
                        && saved.refractory == state.network.populations[alpha].refractory
                        && saved.partition == partition
                        && saved.config
                            == MicroConfig {
                                particles: local,
                                ..state.config
                            }
                        && saved.t_start.to_bits() == state.t_start.to_bits()
                        && saved.steps == state.steps
                        && saved.rate.to_bits() == state.rates[alpha].to_bits()
                        && saved.last_initiators == state.last_initiators[alpha];
                    if !same {
                        return Err(at(path, "the population's state is not the network's"));
                    }
                    let system = ParticleSystem::from_state_with_stepper(
                        saved,
                        stepper.clone(),
                        parallelism,
                    )
                    .map_err(|e| e.under(&format!("{path}.")))?;
                    Some(system)
                }
                _ => {
                    return Err(at(
                        path,
                        "the part holds neurons of the population iff its state does",
                    ));
                }
            };
            systems.push(system);
        }
        let mut network = ParticleNetwork::assemble(
            state.network,
            state.config,
            stepper,
            state.part,
            systems,
            (state.t_start, state.steps),
            state.rates,
            state.last_initiators,
        );
        network.last_spikes = state.last_spikes;
        if let Some(history) = &mut network.history {
            history.restore(&state.delay_history);
        }
        Ok(network)
    }

    /// Everything needed to continue the run bit for bit (the voltages settled in a copy;
    /// the network itself is untouched).
    #[must_use]
    pub fn state(&self) -> ParticleNetworkState {
        ParticleNetworkState {
            version: PARTICLE_NETWORK_STATE_VERSION,
            network: self.network.clone(),
            config: self.config,
            part: self.part,
            t_start: self.t_start,
            steps: self.steps,
            rates: self.rates.clone(),
            last_spikes: self.last_spikes.clone(),
            last_initiators: self.last_initiators.clone(),
            delay_history: (self.history.as_ref()).map_or_else(Vec::new, SpikeHistory::to_counts),
            populations: (self.members.iter())
                .map(|m| m.system.as_ref().map(ParticleSystem::state))
                .collect(),
        }
    }
}

impl ParticleNetworkState {
    /// The state of the whole network from the states of all its parts (in any order),
    /// each population joined by [`ParticleState::join`].
    ///
    /// # Errors
    ///
    /// [`MicroError::At`] naming `part` if the parts are not the `parts` parts of one
    /// network at one clock, and the errors of [`ParticleState::join`].
    pub fn join(mut parts: Vec<ParticleNetworkState>) -> Result<ParticleNetworkState, MicroError> {
        let bits = |rates: &[f64]| rates.iter().map(|r| r.to_bits()).collect::<Vec<_>>();
        parts.sort_by_key(|s| s.part.index);
        let invalid = || MicroError::At {
            path: "part".into(),
            reason: "the states are not every part of one network at one clock".into(),
        };
        let first = parts.first().ok_or_else(invalid)?;
        let tiles = parts.len() == first.part.parts
            && parts.iter().enumerate().all(|(i, s)| {
                s.part
                    == NetworkPart {
                        index: i,
                        parts: first.part.parts,
                    }
                    && s.version == first.version
                    && s.network == first.network
                    && s.config == first.config
                    && s.t_start.to_bits() == first.t_start.to_bits()
                    && s.steps == first.steps
                    && bits(&s.rates) == bits(&first.rates)
                    && s.last_spikes == first.last_spikes
                    && s.last_initiators == first.last_initiators
                    && s.delay_history == first.delay_history
                    && s.populations.len() == first.populations.len()
            });
        if !tiles {
            return Err(invalid());
        }
        let p = first.populations.len();
        let mut whole = ParticleNetworkState {
            part: NetworkPart::WHOLE,
            populations: Vec::with_capacity(p),
            network: first.network.clone(),
            rates: first.rates.clone(),
            last_spikes: first.last_spikes.clone(),
            last_initiators: first.last_initiators.clone(),
            delay_history: first.delay_history.clone(),
            ..*first
        };
        let mut columns: Vec<Vec<ParticleState>> = vec![Vec::new(); p];
        for part in parts {
            for (column, population) in columns.iter_mut().zip(part.populations) {
                column.extend(population);
            }
        }
        for column in columns {
            whole.populations.push(Some(ParticleState::join(column)?));
        }
        Ok(whole)
    }

    /// The state of the part `part` of the whole network this state holds (e.g. one
    /// process's when a checkpoint is resumed on another number of processes).
    ///
    /// # Errors
    ///
    /// [`MicroError::At`] naming `part` if this state is not of the whole network or `part`
    /// is not a part; the errors of [`ParticleState::part`].
    pub fn part(&self, part: NetworkPart) -> Result<ParticleNetworkState, MicroError> {
        part.validate()?;
        if self.part != NetworkPart::WHOLE {
            return Err(MicroError::At {
                path: "part".into(),
                reason: "only the state of the whole network can be cut into parts".into(),
            });
        }
        let neurons = self.network.neurons(self.config.particles)?;
        let mut populations = Vec::with_capacity(neurons.len());
        for (whole, &n) in self.populations.iter().zip(&neurons) {
            populations.push(match (whole, part.of_population(n)) {
                (Some(whole), Some((partition, local))) => Some(whole.part(partition, local)?),
                _ => None,
            });
        }
        Ok(ParticleNetworkState {
            part,
            populations,
            network: self.network.clone(),
            rates: self.rates.clone(),
            last_spikes: self.last_spikes.clone(),
            last_initiators: self.last_initiators.clone(),
            delay_history: self.delay_history.clone(),
            ..*self
        })
    }
}
