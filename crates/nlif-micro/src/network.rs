//! One particle system holding every population of a network (docs/model.md §10).
//!
//! Population `α` of a [`Network`] holds `N_α = network.neurons(config.particles)[α]`
//! neurons with its own `V_F,α`, `V_R,α`, input `I_α(t)` and noise
//! `a_α = network.diffusion(α, rates)`, `rates` the populations' empirical rates of the
//! previous step (`spikes_β / (N_β dt)`). A spike of `β` moves every neuron of `α` that
//! has not fired in the same instant by `kick[α][β] = coupling[α][β] / N_β` (signed).
//!
//! A step ([`ParticleNetwork::step_with`]):
//!
//! 1. the input kicks falling into the step (`Input::kick_within`, each population its
//!    own; a population without one moves by 0) as one event, with its cascade;
//! 2. the sub-threshold pass of each population with its own current and noise;
//! 3. the cascade across populations, resolved exactly. With `k_β` the spikes of `β` so far
//!    (initiators included), the level of `α` is `L_α = Σ_β fl(k_β · kick[α][β])`, summed
//!    in `β` order (for one population exactly the `fl(k · kick)` of module
//!    [`crate::cascade`]); a neuron of `α` that has not fired fires iff
//!    `v + M_α >= V_F,α`, `M_α` the running maximum of `L_α` over the rounds (from 0):
//!    the union of the rounds' firings, each neuron at most once. Rounds repeat until no
//!    population gains a spike; they end, since `M` and `k` never decrease and are
//!    bounded. The fired reset to `V_R,α`; the others of `α` keep the final `L_α` (it may
//!    be negative) as their pending kick.
//!
//! Because `M_α` never decreases, the neurons of `α` fired by a cascade are a prefix of its
//! voltages sorted in decreasing order, exactly as for one population: each population
//! runs the window, bands and buckets of [`crate::cascade`] on its own voltages, raised to
//! `M_α` round by round, so a synchronous burst costs `O(N log)`, not `O(N × rounds)`. The
//! window of `α` reaches `θ_α = Σ_{β: kick[α][β] > 0} fl(min(4 s_β + 64, N_β) · kick[α][β])`
//! below `V_F,α` (`s_β` the initiators of `β`'s last cascade; for one population the
//! window of a [`ParticleSystem`]); a population no spike excites (every `kick[α][β] <= 0`)
//! gathers none and never fires in a cascade. `M_α` never exceeds
//! `Σ_{β: kick[α][β] > 0} fl(N_β · kick[α][β])` (rounding is monotone and `k_β <= N_β`),
//! the bound below which the bands stop.
//!
//! Each population is a [`ParticleSystem`] of its own (its blocks of [`BLOCK_SIZE`],
//! its streams, its kernel pass) that the network steps piece by piece. Population 0 draws
//! from the streams of `seed`, population `α >= 1` from those of
//! [`population_seed`]`(seed, α)`, so one population is today's [`ParticleSystem`] bit for
//! bit. A part of a distributed network ([`NetworkPart`]) owns a contiguous range of
//! blocks of every population; the parts sum, with the [`Reduction`](crate::Reduction),
//! one slice of `2P` counts per event (initiators and non-finite voltages of each
//! population) and one of `P` new spikes per cascade round, so results do not depend on
//! the split (nor on the threads).
//!
//! With synaptic delays (`network.delay`, whole steps) a connection `β → α` of delay
//! `d >= 1` steps takes no part in cascades (its kick is 0 above); the network keeps the
//! spike counts of the last `d` step points, the same on every part, and owes `α` the
//! kicks that arrive at the end of each step (module `delay`, docs/model.md §12).

use nlif_model::network::Network;
use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::stepper::Stepper;
use crate::{BLOCK_SIZE, MicroConfig, Parallelism, ParticleSystem, Partition};

mod builder;
mod delay;
#[doc(hidden)]
pub mod reference;
mod state;
mod step;
#[cfg(test)]
mod tests;

pub use builder::ParticleNetworkBuilder;
pub use state::{PARTICLE_NETWORK_STATE_VERSION, ParticleNetworkState};
pub use step::{NetworkMfe, NetworkStepReport, PopulationFired};

/// The tag from which the streams of population `α >= 1` derive their seed:
/// `nlif_model::seed::derive(seed, POPULATION_SEED_TAG + α)` (the ASCII of `"popu"` in the
/// high half, far from the small tags of a run's other streams).
pub const POPULATION_SEED_TAG: u64 = 0x706f_7075_0000_0000;

/// The seed of the streams of population `alpha` in a network seeded with `seed`: `seed`
/// itself for population 0 (so one population is the [`ParticleSystem`] of `seed`), else
/// `nlif_model::seed::derive(seed, POPULATION_SEED_TAG + alpha)`.
#[must_use]
pub fn population_seed(seed: u64, alpha: usize) -> u64 {
    if alpha == 0 {
        seed
    } else {
        nlif_model::seed::derive(seed, POPULATION_SEED_TAG + alpha as u64)
    }
}

/// Which part of a network a [`ParticleNetwork`] holds: part `index` of `parts`, owning of
/// every population `α` (of `B_α` blocks) the blocks `index · B_α / parts ..
/// (index + 1) · B_α / parts` (rounded down), which may be none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkPart {
    /// This part, `0..parts`.
    pub index: usize,
    /// The number of parts, at least 1.
    pub parts: usize,
}

impl NetworkPart {
    /// The whole network, in one part.
    pub const WHOLE: NetworkPart = NetworkPart { index: 0, parts: 1 };

    /// The part of a population of `neurons` neurons this part owns: its [`Partition`]
    /// and its number of neurons, `None` if it owns no block of it.
    #[must_use]
    pub fn of_population(&self, neurons: usize) -> Option<(Partition, usize)> {
        let blocks = neurons.div_ceil(BLOCK_SIZE);
        let first = self.index * blocks / self.parts;
        let end = (self.index + 1) * blocks / self.parts;
        let len = (end * BLOCK_SIZE)
            .min(neurons)
            .saturating_sub(first * BLOCK_SIZE);
        (len > 0).then_some((
            Partition {
                global_particles: neurons,
                first_block: first,
            },
            len,
        ))
    }

    fn validate(&self) -> Result<(), crate::MicroError> {
        if self.parts == 0 || self.index >= self.parts {
            return Err(crate::MicroError::At {
                path: "part".into(),
                reason: format!(
                    "part {} of {}: the index must lie in 0..parts, parts >= 1",
                    self.index, self.parts
                ),
            });
        }
        Ok(())
    }
}

/// A population of the network as the step sees it.
#[derive(Debug, Clone)]
struct Member<S> {
    /// This part's neurons of the population, if it owns any.
    system: Option<ParticleSystem<S>>,
    /// `N_α`, the population's neurons in the whole network.
    neurons: usize,
    /// `kick[α][β] = coupling[α][β] / N_β` of the connections acting in the instant (0
    /// where the connection is delayed).
    kicks: Vec<f64>,
    /// The delayed connections `(β, d[α][β], kick[α][β])`, `d >= 1` steps (module
    /// `delay`).
    delayed: Vec<(usize, usize, f64)>,
    /// Whether some `kick[α][β] > 0` (a cascade can fire neurons of `α`).
    excited: bool,
    /// The largest level of a cascade, `Σ_{β: kick > 0} fl(N_β · kick[α][β])`.
    total: f64,
    /// The window of the current event (`-inf` if not excited).
    theta: f64,
    /// The running maximum `M_α` of the current cascade.
    max: f64,
}

/// A network of populations of noisy LIF neurons as one particle system, with exact
/// cascades across populations (module documentation; docs/model.md §10), stepped with
/// the sub-threshold stepper `S`.
#[derive(Debug, Clone)]
pub struct ParticleNetwork<S = Stepper> {
    network: Network,
    config: MicroConfig,
    stepper: S,
    part: NetworkPart,
    members: Vec<Member<S>>,
    /// `N_α` of each population.
    sizes: Vec<usize>,
    t_start: f64,
    steps: u64,
    rates: Vec<f64>,
    last_spikes: Vec<u64>,
    last_initiators: Vec<u64>,
    /// Scratch of the reductions: `2P` counts per event, `P` per round.
    counts: Vec<u64>,
    fired: Vec<u64>,
    new: Vec<u64>,
    /// The spikes of the last points, with synaptic delays (module `delay`).
    history: Option<delay::SpikeHistory>,
    /// Scratch: the rates the noise of a population reads, with delays.
    delayed_rates: Vec<f64>,
}

/// The parameters of population `alpha` as a single population
/// ([`Network::own_params`]) and its input.
fn own_params(network: &Network, alpha: usize) -> (ModelParams, Input) {
    (network.own_params(alpha), network.populations[alpha].input)
}

impl<S: crate::SubthresholdStepper> ParticleNetwork<S> {
    /// Current time `t_start + steps · dt`.
    #[must_use]
    pub fn time(&self) -> f64 {
        self.t_start + self.steps as f64 * self.config.dt
    }

    /// The start of the clock.
    #[must_use]
    pub fn t_start(&self) -> f64 {
        self.t_start
    }

    /// Steps taken since the start of the clock.
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The time step.
    #[must_use]
    pub fn dt(&self) -> f64 {
        self.config.dt
    }

    /// Neurons this part holds, over every population.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members
            .iter()
            .map(|m| m.system.as_ref().map_or(0, ParticleSystem::len))
            .sum()
    }

    /// Whether this part holds no neuron (a part of a network may own no block).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Neurons of the whole network, `N = config.particles`.
    #[must_use]
    pub fn global_len(&self) -> usize {
        self.config.particles
    }

    /// The number `P` of populations.
    #[must_use]
    pub fn populations(&self) -> usize {
        self.members.len()
    }

    /// `N_α` of each population, in the whole network.
    pub fn neurons(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.members.iter().map(|m| m.neurons)
    }

    /// The network simulated.
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The solver settings (`particles` is the whole network's `N`).
    #[must_use]
    pub fn config(&self) -> &MicroConfig {
        &self.config
    }

    /// The sub-threshold stepper.
    #[must_use]
    pub fn stepper(&self) -> &S {
        &self.stepper
    }

    /// The part of the network held.
    #[must_use]
    pub fn part(&self) -> NetworkPart {
        self.part
    }

    /// The empirical rate `spikes_α / (N_α dt)` of each population in the last step (they
    /// set the noise of the next one).
    #[must_use]
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// The network's empirical rate of the last step, `Σ_α spikes_α / (N dt)` (0 before
    /// the first step of a new network; a restored one continues its last).
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.last_spikes.iter().sum::<u64>() as f64 / (self.global_len() as f64 * self.dt())
    }

    /// The spikes of each population in the last step (over the whole network).
    #[must_use]
    pub fn last_spikes(&self) -> &[u64] {
        &self.last_spikes
    }

    /// The initiators of each population's spikes in the last cascade.
    #[must_use]
    pub fn last_initiators(&self) -> &[u64] {
        &self.last_initiators
    }

    /// This part's neurons of population `alpha` as a [`ParticleSystem`] (its voltages,
    /// pending kick, streams), `None` if the part owns none of them.
    ///
    /// # Panics
    ///
    /// If `alpha` is not a population.
    #[must_use]
    pub fn population(&self, alpha: usize) -> Option<&ParticleSystem<S>> {
        self.members[alpha].system.as_ref()
    }
}

impl<S: crate::SubthresholdStepper> ParticleNetwork<S> {
    /// This part's voltages of population `alpha`, pending kicks and resets applied on
    /// the fly (empty if the part owns none).
    ///
    /// # Panics
    ///
    /// If `alpha` is not a population.
    pub fn voltages(&self, alpha: usize) -> impl ExactSizeIterator<Item = f64> + '_ {
        let (raw, pending, v_r, parks) = match &self.members[alpha].system {
            Some(system) => (
                system.raw_voltages(),
                system.pending_kick(),
                system.params().v_r,
                system.parks(),
            ),
            None => (&[][..], 0.0, 0.0, false),
        };
        raw.iter()
            .map(move |&x| crate::system::settle_or_park(x, pending, v_r, parks))
    }

    /// Applies the pending kicks and resets of population `alpha` in place and returns its
    /// voltages (this part's); the run continues bit for bit as without the call.
    ///
    /// # Panics
    ///
    /// If `alpha` is not a population.
    pub fn settle(&mut self, alpha: usize) -> &[f64] {
        match &mut self.members[alpha].system {
            Some(system) => system.settle(),
            None => &[],
        }
    }

    /// The spikes the delays still deliver, in the saved form of
    /// [`ParticleNetworkState::delay_history`]: each population's count at the last
    /// `d_max` step points, newest first, then at the point being filled (the last
    /// cascade's spikes); empty without delays. The same on every part.
    #[must_use]
    pub fn spike_history(&self) -> Vec<u64> {
        (self.history.as_ref()).map_or_else(Vec::new, delay::SpikeHistory::to_counts)
    }

    /// Changes how blocks are processed; the results do not depend on it.
    pub fn set_parallelism(&mut self, parallelism: Parallelism) {
        for system in self.members.iter_mut().filter_map(|m| m.system.as_mut()) {
            system.set_parallelism(parallelism);
        }
    }
}
