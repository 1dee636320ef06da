//! The particles of a network of several populations as a phase.

use coupling::Estimator;
use nlif_micro::{ParticleNetwork, Reduction, SubthresholdStepper};
use nlif_model::Refractory;

use super::particles::tally;
use super::{Env, Phase, PhaseState, Stepped};
use crate::Components;
use crate::config::RunError;
use crate::simulation::ParticleMemory;
use crate::trace::Mode;

/// The neurons of a network of several populations (this part's share of each), advanced
/// by [`ParticleNetwork`] with the run's stepper, exact cascades across populations
/// included (docs/model.md §10).
#[derive(Debug)]
pub struct ParticleNetworkPhase<T: SubthresholdStepper> {
    /// The particles.
    pub network: ParticleNetwork<T>,
    /// The fraction of each population that fired in each event of the last step.
    fractions: [Vec<f64>; 2],
}

impl<T: SubthresholdStepper> ParticleNetworkPhase<T> {
    /// The phase of `network`.
    pub fn new(network: ParticleNetwork<T>) -> Self {
        let p = network.populations();
        ParticleNetworkPhase {
            network,
            fractions: [vec![0.0; p], vec![0.0; p]],
        }
    }
}

impl<T: SubthresholdStepper + Clone + Send, C: Components<Stepper = T>> Phase<C>
    for ParticleNetworkPhase<T>
{
    fn mode(&self) -> Mode {
        Mode::Micro
    }
    fn time(&self) -> f64 {
        self.network.time()
    }
    fn dt(&self) -> f64 {
        self.network.dt()
    }
    fn steps(&self) -> u64 {
        self.network.steps()
    }
    /// The network's rate, spikes over all neurons.
    fn rate(&self) -> f64 {
        self.network.rate()
    }
    fn population_rates(&self) -> &[f64] {
        self.network.rates()
    }

    /// A step of the whole network; its events carry the network's counts, each
    /// population's fraction in [`mfe_fractions`](Phase::mfe_fractions); the spikes of
    /// the sampled neurons go into `env.raster`, if any.
    fn step(&mut self, env: &mut Env<'_, C>) -> Stepped {
        let report = match env.raster.as_deref_mut() {
            Some(raster) => self.network.step_recording(env.reduction, raster),
            None => self.network.step_with(env.reduction),
        };
        if !report.is_valid() {
            return Stepped::Invalid { rate: report.rate };
        }
        let mut mfes = [None; 2];
        for ((mfe, fractions), event) in mfes.iter_mut().zip(&mut self.fractions).zip(&report.mfes)
        {
            if let Some(event) = event {
                *mfe = Some(event.network);
                for (f, population) in fractions.iter_mut().zip(&event.populations) {
                    *f = population.fraction;
                }
            }
        }
        Stepped::Advanced {
            rate: report.rate,
            mass: None,
            mfes,
        }
    }

    /// Each population's neurons away, counted by passes left over every part (a `Fixed`
    /// period's `m + 2` counts, an `Exponential` one's number away), and the spike
    /// history, where the network has a period or a delay.
    fn particle_memory(&mut self, env: &mut Env<'_, C>) -> Option<ParticleMemory> {
        let network = &self.network;
        let dt = network.dt();
        let mut away = Vec::with_capacity(network.populations());
        for (alpha, population) in network.network().populations.iter().enumerate() {
            let len = match population.refractory {
                _ if population.refractory.mean_time() == 0.0 => 0,
                Refractory::Fixed { tau } => (tau / dt).round() as usize + 2,
                _ => 1,
            };
            let mut counts = vec![0u64; len];
            if len > 0 {
                if let Some(system) = network.population(alpha) {
                    for passes in system.times_away() {
                        counts[(passes as usize).min(len - 1)] += 1;
                    }
                }
                env.reduction.sum_u64_slice(&mut counts);
            }
            away.push(counts);
        }
        let memory = ParticleMemory {
            away,
            spikes: network.spike_history(),
        };
        (!memory.is_empty()).then_some(memory)
    }

    fn mfe_fractions(&self, which: usize) -> &[f64] {
        self.fractions.get(which).map_or(&[], Vec::as_slice)
    }

    /// Each population's tally over every part (integer sums: the same for any split),
    /// turned into its density on its own grid by `estimator`, the kink at its reset set
    /// by `env.rates[α]` (the population's current rate where `env.rates` is empty).
    fn estimate(
        &mut self,
        env: &mut Env<'_, C>,
        estimator: Estimator,
        _rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        let rates: Vec<f64> = if env.rates.len() == self.network.populations() {
            env.rates.to_vec()
        } else {
            self.network.rates().to_vec()
        };
        let mut start = 0;
        let mut bandwidth = 0.0_f64;
        for (alpha, grid) in env.grids.iter().enumerate() {
            let mut tally = tally(estimator, grid, self.network.settle(alpha), env.parallelism)?;
            env.reduction.sum_u64_slice(tally.words_mut());
            let a = env.network.diffusion(alpha, &rates);
            let v_r = env.network.populations[alpha].v_r;
            let part = &mut out[start..start + grid.len()];
            let report = tally.estimate(rates[alpha], a, v_r, part)?;
            bandwidth = bandwidth.max(report.bandwidth);
            start += grid.len();
        }
        Ok(bandwidth)
    }

    fn state(&self) -> Option<PhaseState> {
        Some(PhaseState::MicroNetwork(self.network.state()))
    }
}
