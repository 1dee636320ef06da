//! The hand-overs between the density and the particles.

use coupling::{Reconstruction, Sampler, impose_rate};
use fp_macro::MacroSolver;
use nlif_micro::{BLOCK_SIZE, MicroConfig, Parallelism, ParticleSystem, Partition};
use nlif_model::seed::derive as derive_seed;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::Simulation;
use crate::components::Components;
use crate::config::{RunConfig, RunError};
use crate::observer::{Event, Observer};
use crate::phase::{DensityPhase, ParticlePhase, Phase};
use crate::policy::SwitchingPolicy;
use crate::trace::{Mode, Switch, SwitchReason};

/// What the hand-overs keep between phases.
#[derive(Debug, Default)]
pub(crate) struct HandOvers {
    /// Particle phases started so far: each draws from streams of its own.
    pub(crate) segments: u64,
    /// The last particle phase's voltage buffer, kept for the next hand-over to particles
    /// (its pages are mapped: a fresh one cost a third of a hand-over of 1e5). Not state.
    /// It stays resident through the density phase; the peak is the particle phase's.
    pub(crate) spare: Vec<f64>,
}

/// Fills `voltages`, the blocks of `partition` in a population of `total` particles,
/// from `reconstruction` by `sampler`: block `j` draws its strata `j · BLOCK_SIZE ..`
/// from the stream seeded by `derive_seed(sampling, j)`, so the same draws in any order,
/// on any thread, and a part holds what the whole population would in its blocks.
///
/// The first `away` neurons of the population are away from the voltage line (`-inf`;
/// a refractory period, module `memory`) and draw nothing; the others are strata
/// `k - away` of `total - away` (with `away = 0` exactly the strata above). There is no
/// reconstruction when every neuron is away.
pub(super) fn sample_blocks(
    (reconstruction, sampler): (Option<&Reconstruction>, Sampler),
    (partition, total, away): (Partition, u64, u64),
    sampling: u64,
    voltages: &mut [f64],
    parallelism: Parallelism,
) {
    let sample_block = |(j, chunk): (usize, &mut [f64])| {
        let block = (partition.first_block + j) as u64;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(sampling, block));
        let first = block * BLOCK_SIZE as u64;
        let gone = away.saturating_sub(first).min(chunk.len() as u64) as usize;
        let (gone, line) = chunk.split_at_mut(gone);
        gone.fill(f64::NEG_INFINITY);
        if let (Some(reconstruction), false) = (reconstruction, line.is_empty()) {
            let first = first + gone.len() as u64 - away;
            reconstruction.sample_strata(sampler, first, total - away, line, &mut rng);
        }
    };
    match parallelism {
        Parallelism::Sequential => voltages
            .chunks_mut(BLOCK_SIZE)
            .enumerate()
            .for_each(sample_block),
        _ => voltages
            .par_chunks_mut(BLOCK_SIZE)
            .enumerate()
            .for_each(sample_block),
    }
}

/// Part `index` of `parts` of the config's particles, with its number of particles.
pub(crate) fn share(
    config: &RunConfig,
    (index, parts): (usize, usize),
) -> Result<(Partition, usize), RunError> {
    let split = Partition::split(config.micro.particles, parts)?;
    split.get(index).copied().ok_or_else(|| RunError::Invalid {
        field: "part",
        value: index as f64,
        reason: format!("there are only {parts} parts"),
    })
}

impl<C: Components> Simulation<C> {
    /// Density → particles, from a state kept at least `rollback` before the trigger.
    pub(super) fn hand_over_to_particles<O: Observer>(
        &mut self,
        reason: SwitchReason,
        rollback: bool,
        observer: &mut O,
    ) -> Result<(), RunError> {
        let triggered_at = self.phase.time();
        let kept = if rollback {
            let rollback = self.problem.config.switching.rollback;
            self.ring.before(triggered_at, rollback)
        } else {
            None
        };
        let (t, density, rate, rates, memory) = match kept {
            Some(kept) if kept.t < triggered_at => {
                // Everything recorded after the kept state is taken back (by count).
                let samples = kept.next_sample - 1;
                let densities = self.clock.snapshots_in(samples);
                self.trace
                    .truncate_to(samples as usize, densities as usize, kept.t);
                self.clock.state.next_sample = kept.next_sample;
                self.clock.state.accumulated = kept.accumulated;
                self.clock.state.populations.clone_from(&kept.populations);
                Self::emit(&mut self.stop, observer, Event::Rollback { t: kept.t });
                (kept.t, kept.density, kept.rate, kept.rates, kept.memory)
            }
            _ => {
                let rates = self.phase.population_rates().to_vec();
                let memory = self.phase.density_memory().unwrap_or_default();
                (
                    triggered_at,
                    self.current_density()?,
                    self.phase.rate(),
                    rates,
                    memory,
                )
            }
        };
        self.phase = if self.is_network() {
            self.network_particles_from(&density, &rates, Some(&memory), t)?
        } else {
            self.particles_from(&density, rate, t)?
        };
        self.ring.clear();
        self.monitor.restart_populations(rate, &rates);
        self.policy.enter_micro(t);
        let switch = Switch {
            t,
            triggered_at,
            to: Mode::Micro,
            reason,
            rate_before: rate,
            rate_after: None,
        };
        self.trace.switches.push(switch);
        Self::emit(&mut self.stop, observer, Event::Switch(&switch));
        Ok(())
    }

    /// The density the phase holds (every population's, one after the other, for a
    /// network), or its estimate, for a phase without one.
    pub(super) fn current_density(&mut self) -> Result<Vec<f64>, RunError> {
        let mut values = Vec::new();
        if super::joined_density(self.phase.as_ref(), &mut values) {
            return Ok(values);
        }
        values.resize(self.cells(), 0.0);
        let rate = self.phase.rate();
        let rates = self.phase.population_rates().to_vec();
        let mut env = phase_env!(self, f64::INFINITY, &rates);
        let estimator = self.problem.config.switching.estimator;
        self.phase
            .estimate(&mut env, estimator, rate, &mut values)?;
        Ok(values)
    }

    /// This part's particles sampled from `density`, with their own streams for this
    /// segment: block `j` of the network draws its strata `j · BLOCK_SIZE ..` from the
    /// stream seeded by `derive_seed(segment seed, j)`, so the part holds what the whole
    /// network would in its blocks.
    pub(super) fn particles_from(
        &mut self,
        density: &[f64],
        rate: f64,
        t: f64,
    ) -> Result<Box<dyn Phase<C>>, RunError> {
        let config = self.problem.config;
        let (partition, local) = share(&config, self.part)?;
        let reconstruction = Reconstruction::new(&self.grid, density)?;
        let sampling = derive_seed(config.seed, 2 * self.handovers.segments + 2);
        let total = config.micro.particles as u64;
        let mut voltages = self.particle_buffer(local)?;
        voltages.resize(local, 0.0);
        let sampler = config.switching.sampler;
        sample_blocks(
            (Some(&reconstruction), sampler),
            (partition, total, 0),
            sampling,
            &mut voltages,
            self.parallelism,
        );
        self.particles_with(voltages, partition, rate, t)
    }

    /// An empty buffer for `local` voltages (the last particle phase's, reused). A failed
    /// allocation is an error, not an abort: a process of a distributed run that cannot
    /// hold its part reports it.
    pub(super) fn particle_buffer(&mut self, local: usize) -> Result<Vec<f64>, RunError> {
        let mut voltages = std::mem::take(&mut self.handovers.spare);
        voltages.clear();
        voltages
            .try_reserve_exact(local)
            .map_err(|_| RunError::Invalid {
                field: "solver.micro.particles",
                value: local as f64,
                reason: format!("cannot allocate {} bytes for the particles", 8 * local),
            })?;
        Ok(voltages)
    }

    /// A particle phase of this part's `voltages` at `t`, carrying `rate`, with the
    /// streams of the next segment.
    pub(super) fn particles_with(
        &mut self,
        voltages: Vec<f64>,
        partition: Partition,
        rate: f64,
        t: f64,
    ) -> Result<Box<dyn Phase<C>>, RunError> {
        let segment = self.handovers.segments;
        self.handovers.segments += 1;
        let problem = &self.problem;
        let system = ParticleSystem::builder(
            self.params,
            self.input,
            MicroConfig {
                particles: voltages.len(),
                ..problem.config.micro
            },
            derive_seed(problem.config.seed, 2 * segment + 1),
        )
        .partition(partition)
        .stepper(self.stepper.clone())
        .t_start(t)
        .rate(rate)
        .parallelism(self.parallelism)
        .voltages(voltages)?;
        Ok(Box::new(ParticlePhase(system)))
    }

    /// Particles → density, carrying the particle rate `rate` (smoothed, or since the
    /// last event).
    pub(super) fn hand_over_to_density<O: Observer>(
        &mut self,
        rate: f64,
        reason: SwitchReason,
        observer: &mut O,
    ) -> Result<(), RunError> {
        if self.is_network() {
            let t = self.phase.time();
            let densities = self.network_density_from_particles(rate)?;
            let particles = std::mem::replace(&mut self.phase, densities);
            self.handovers.spare = particles.into_buffer();
            self.switched_to_density(t, rate, reason, observer);
            return Ok(());
        }
        let t = self.phase.time();
        let config = self.problem.config;
        let mut density = vec![0.0; self.grid.len()];
        let mut env = phase_env!(self, f64::INFINITY);
        let estimator = config.switching.estimator;
        let bandwidth = self
            .phase
            .estimate(&mut env, estimator, rate, &mut density)?;
        if config.switching.match_rate {
            let a = self.params.diffusion(rate);
            let width = (3.0 * self.grid.spacing()).max(bandwidth);
            impose_rate(&self.grid, &mut density, rate, a, width)?;
        }
        let solver = MacroSolver::with_scheme(
            self.scheme.clone(),
            self.params,
            self.input,
            config.macro_config,
            density,
            t,
            Some(rate),
        )?;
        let particles = std::mem::replace(&mut self.phase, Box::new(DensityPhase(solver)));
        self.handovers.spare = particles.into_buffer();
        self.switched_to_density(t, rate, reason, observer);
        Ok(())
    }

    /// Records the switch to the density at `t` carrying `rate`, and keeps the new
    /// density for a later rollback.
    fn switched_to_density<O: Observer>(
        &mut self,
        t: f64,
        rate: f64,
        reason: SwitchReason,
        observer: &mut O,
    ) {
        let switch = Switch {
            t,
            triggered_at: t,
            to: Mode::Macro,
            reason,
            rate_before: rate,
            rate_after: None,
        };
        self.trace.switches.push(switch);
        Self::emit(&mut self.stop, observer, Event::Switch(&switch));
        self.ring.clear();
        self.keep_state();
    }
}
