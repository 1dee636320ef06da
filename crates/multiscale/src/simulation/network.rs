//! A run of a network of several populations: its grids, its start, the policy's bound of
//! each population, and the hand-overs that convert each population.
//!
//! Everything per population follows the single-population rule of the same name:
//! population `α` has its own grid (`[v_min, V_F,α]`, step `dv`), its own density, its
//! own particles (`N_α` of `solver.micro.particles`, `Network::neurons`) drawn from its
//! density block by block from streams of its own (`population_seed`), and its own
//! estimate from its particles. A density snapshot, a kept macro state and a hand-over
//! hold every population's density one after the other, in population order.

use coupling::{Reconstruction, impose_rate};
use fp_macro::{DensityNetwork, Grid, MacroConfig};
use nlif_micro::network::population_seed;
use nlif_micro::{BLOCK_SIZE, NetworkPart, ParticleNetwork};
use nlif_model::InitialDensity;
use nlif_model::network::Network;
use nlif_model::seed::derive as derive_seed;

use super::Simulation;
use super::handover::sample_blocks;
use super::memory::{
    DensityMemory, Steps, away_from_compartment, compartment_from_away, rates_from_spikes,
    spikes_from_rates,
};
use crate::components::Components;
use crate::config::{RunConfig, RunError, SwitchingConfig};
use crate::phase::{DensityNetworkPhase, ParticleNetworkPhase, Phase, Schedule};
use crate::policy::{DensityView, SwitchingPolicy};
use crate::preflight::{discretised, plan_with};

/// Checks a run of `network` and returns each population's grid: the network's entries,
/// then every check of one population's run for each population's own parameters and
/// input (its initial density `initial` or its own), the policy's settings checked once.
///
/// # Errors
///
/// The first invalid entry ([`RunError::Network`] naming it, e.g. `coupling[0][1]`), in
/// a switching run a `Fixed` refractory period or a delay that is not a whole number of
/// the particles' steps, and [`plan_with`]'s errors.
pub(super) fn network_grids(
    network: &Network,
    initial: Option<&InitialDensity>,
    config: &RunConfig,
    policy: impl FnOnce(&SwitchingConfig) -> Result<(), RunError>,
) -> Result<Vec<Grid>, RunError> {
    network.validate()?;
    if Schedule::of(config.kind).switching {
        // The hand-overs carry the neurons away and the delays' histories between the
        // two steps: the period and every delay must be whole steps of both.
        if network.has_delay() {
            network.delay_steps(config.macro_config.dt)?;
            network.delay_steps(config.micro.dt)?;
        }
        network.check_periods(config.macro_config.dt)?;
        network.check_periods(config.micro.dt)?;
    }
    if config.kind.uses_micro() {
        network.neurons(config.micro.particles)?;
    }
    let mut policy = Some(policy);
    let mut grids = Vec::with_capacity(network.len());
    for (alpha, population) in network.populations.iter().enumerate() {
        let own = network.own_params(alpha);
        let initial = initial.map(|common| population.initial_or(common));
        let (grid, _) = match policy.take() {
            Some(policy) => plan_with(&own, &population.input, initial, config, policy)?,
            None => plan_with(&own, &population.input, initial, config, |_| Ok(()))?,
        };
        grids.push(grid);
    }
    Ok(grids)
}

impl<C: Components> Simulation<C> {
    /// Whether the run goes through the network's phases: a network of several
    /// populations, or one population with a refractory period or a delay
    /// ([`Problem::runs_as_network`](super::Problem::runs_as_network)).
    pub(super) fn is_network(&self) -> bool {
        self.problem.runs_as_network()
    }

    /// The cells of a density snapshot: every population's grid.
    pub(super) fn cells(&self) -> usize {
        self.grids.iter().map(Grid::len).sum()
    }

    /// The density phase of the network at `t = 0`, population `α` from its initial
    /// density (its own, or `initial`), its rate read off its density.
    pub(super) fn network_densities(
        &self,
        initial: &InitialDensity,
    ) -> Result<Box<dyn Phase<C>>, RunError> {
        let network = &self.problem.network;
        let config = self.problem.config;
        let mut densities = Vec::with_capacity(network.len());
        for (population, grid) in network.populations.iter().zip(&self.grids) {
            densities.push(discretised(grid, population.initial_or(initial))?);
        }
        let densities = DensityNetwork::with_scheme(
            self.scheme.clone(),
            network.clone(),
            MacroConfig {
                // A `Micro` run uses the densities only to hold the initial data.
                dt: config.clock_step(),
                ..config.macro_config
            },
            densities,
            0.0,
            None,
        )?;
        Ok(Box::new(DensityNetworkPhase(densities)))
    }

    /// The policy's rate bound of each population for the next density step, each from
    /// its own density, grid and rate (the switch up when any population's rate tends to
    /// blow up); nothing for one population.
    pub(super) fn population_bounds(&mut self) {
        if !self.is_network() {
            return;
        }
        let (t, dt) = (self.phase.time(), self.phase.dt());
        let rates = self.phase.population_rates();
        for (alpha, bound) in self.bounds.iter_mut().enumerate() {
            *bound = self.policy.macro_rate_bound(&DensityView {
                t,
                dt,
                rate: rates.get(alpha).copied().unwrap_or(0.0),
                density: self.phase.population_density(alpha).unwrap_or(&[]),
                grid: &self.grids[alpha],
            });
        }
    }

    /// This part's particles of every population sampled from `density` (every
    /// population's, one after the other), carrying the populations' `rates`, at `t`,
    /// with the streams of the next segment: population `α`'s block `j` draws from the
    /// stream seeded by `derive_seed(population_seed(segment seed, α), j)`. What the
    /// densities remember (`memory`; `None` at the start of a run: nothing happened
    /// before) comes along (module `memory`): the first `round(R_α N_α)` neurons of a
    /// population with a refractory compartment are away, with the remaining times of its
    /// law, and the spikes the delays still deliver are those the rate histories and the
    /// current `rates` imply.
    pub(super) fn network_particles_from(
        &mut self,
        density: &[f64],
        rates: &[f64],
        memory: Option<&DensityMemory>,
        t: f64,
    ) -> Result<Box<dyn Phase<C>>, RunError> {
        let config = self.problem.config;
        let network = &self.problem.network;
        let neurons = network.neurons(config.micro.particles)?;
        let part = NetworkPart {
            index: self.part.0,
            parts: self.part.1,
        };
        let steps = Steps::of(&config);
        let sampling = derive_seed(config.seed, 2 * self.handovers.segments + 2);
        let mut voltages = Vec::with_capacity(network.len());
        let mut aways = Vec::with_capacity(network.len());
        let mut start = 0;
        for (alpha, grid) in self.grids.iter().enumerate() {
            let values = &density[start..start + grid.len()];
            start += grid.len();
            let compartment = memory.and_then(|m| m.refractory.get(alpha)?.as_ref());
            let passes = compartment
                .map(|c| away_from_compartment(c, neurons[alpha] as u64, steps))
                .unwrap_or_default();
            let Some((partition, local)) = part.of_population(neurons[alpha]) else {
                voltages.push(Vec::new());
                aways.push(Vec::new());
                continue;
            };
            let away = passes.len() as u64;
            let reconstruction = if away < neurons[alpha] as u64 {
                Some(Reconstruction::new(grid, values)?)
            } else {
                None
            };
            let mut mine = Vec::new();
            mine.try_reserve_exact(local)
                .map_err(|_| RunError::Invalid {
                    field: "solver.micro.particles",
                    value: local as f64,
                    reason: format!("cannot allocate {} bytes for the particles", 8 * local),
                })?;
            mine.resize(local, 0.0);
            sample_blocks(
                (reconstruction.as_ref(), config.switching.sampler),
                (partition, neurons[alpha] as u64, away),
                population_seed(sampling, alpha),
                &mut mine,
                self.parallelism,
            );
            voltages.push(mine);
            aways.push(match compartment {
                Some(_) => {
                    let first = partition.first_block * BLOCK_SIZE;
                    (first..first + local)
                        .map(|i| passes.get(i).copied().unwrap_or(0))
                        .collect()
                }
                None => Vec::new(),
            });
        }
        let segment = self.handovers.segments;
        self.handovers.segments += 1;
        let mut particles = ParticleNetwork::builder(
            network.clone(),
            config.micro,
            derive_seed(config.seed, 2 * segment + 1),
        )
        .stepper(self.stepper.clone())
        .partition(part)
        .t_start(t)
        .rates(rates.to_vec())
        .parallelism(self.parallelism);
        if aways.iter().any(|a| !a.is_empty()) {
            particles = particles.away(aways);
        }
        if let (Some(memory), true) = (memory, network.has_delay()) {
            let d_max = (network.delay_steps(config.micro.dt)?.iter().flatten())
                .copied()
                .max()
                .unwrap_or(0)
                .max(1);
            let sizes: Vec<u64> = neurons.iter().map(|&n| n as u64).collect();
            let spikes = spikes_from_rates(&memory.histories, rates, &sizes, d_max, steps);
            particles = particles.spike_history(spikes);
        }
        Ok(Box::new(ParticleNetworkPhase::new(
            particles.voltages(voltages)?,
        )))
    }

    /// The densities of the network estimated from its particles, carrying the network's
    /// `rate` split over the populations as the monitor says
    /// (`MonitorState::population_rates`), each population's density made to carry its
    /// rate where `match_rate` asks it.
    pub(super) fn network_density_from_particles(
        &mut self,
        rate: f64,
    ) -> Result<Box<dyn Phase<C>>, RunError> {
        let t = self.phase.time();
        let config = self.problem.config;
        let shares: Vec<f64> = (self.problem.network.populations.iter())
            .map(|p| p.share)
            .collect();
        let rates = self.monitor.population_rates(rate, &shares);
        let mut joined = vec![0.0; self.cells()];
        let mut env = phase_env!(self, f64::INFINITY, &rates);
        let memory = self.phase.particle_memory(&mut env).unwrap_or_default();
        let estimator = config.switching.estimator;
        let bandwidth = self
            .phase
            .estimate(&mut env, estimator, rate, &mut joined)?;
        let network = &self.problem.network;
        let sizes: Vec<u64> = (network.neurons(config.micro.particles)?.iter())
            .map(|&n| n as u64)
            .collect();
        let steps = Steps::of(&config);
        let mut densities = Vec::with_capacity(network.len());
        let mut compartments = Vec::with_capacity(network.len());
        let mut start = 0;
        for (alpha, grid) in self.grids.iter().enumerate() {
            let mut density = joined[start..start + grid.len()].to_vec();
            start += grid.len();
            let away = memory.away.get(alpha).filter(|away| !away.is_empty());
            let compartment = away.map(|away| {
                let period = network.populations[alpha].refractory;
                compartment_from_away(period, away, sizes[alpha], steps)
            });
            // The line holds `1 - R` of the mass: its rate is imposed on the density of
            // unit mass `p / (1 - R)` as `N / (1 - R)` (nothing to impose when all are
            // away; with `R = 0` the division and product are exact).
            let line = 1.0 - compartment.as_ref().map_or(0.0, |c| c.mass);
            if config.switching.match_rate && line > 0.0 {
                let a = network.diffusion(alpha, &rates);
                let width = (3.0 * grid.spacing()).max(bandwidth);
                density.iter_mut().for_each(|p| *p /= line);
                impose_rate(grid, &mut density, rates[alpha] / line, a, width)?;
                density.iter_mut().for_each(|p| *p *= line);
            }
            densities.push(density);
            compartments.push(compartment);
        }
        let mut densities = DensityNetwork::with_scheme(
            self.scheme.clone(),
            network.clone(),
            config.macro_config,
            densities,
            t,
            Some(rates),
        )?;
        for (alpha, compartment) in compartments.into_iter().enumerate() {
            if let Some(compartment) = compartment {
                densities.set_refractory_state(alpha, compartment)?;
            }
        }
        if !memory.spikes.is_empty() {
            let lengths: Vec<usize> = (0..network.len())
                .map(|beta| densities.rate_history(beta).len())
                .collect();
            let histories = rates_from_spikes(&memory.spikes, &sizes, &lengths, steps);
            for (beta, history) in histories.iter().enumerate() {
                densities.set_rate_history(beta, history)?;
            }
        }
        Ok(Box::new(DensityNetworkPhase(densities)))
    }
}
