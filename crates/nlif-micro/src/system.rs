//! The particle system and its time step.

use nlif_model::{InitialDensity, Input, ModelParams};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::cascade::{CascadeOutcome, CascadeWorkspace, SingleProcess, SpikeCountReduction};
use crate::stepper::{Coefficients, SubthresholdStep};
use crate::{MicroConfig, MicroError};

/// Particles per random stream. Streams belong to blocks of particles, never to threads,
/// so a run is bit-identical on any number of threads. Changing it changes the results.
pub const BLOCK_SIZE: usize = 4096;

/// How the blocks of particles are processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mfe {
    /// Time of the event (end of the step for a cascade, start of it for a kick).
    pub t: f64,
    /// Neurons fired in the instant.
    pub fired: u64,
    /// `fired / N_p`.
    pub fraction: f64,
    /// Kick rounds that fired further neurons.
    pub rounds: u32,
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// Spikes in the step, cascades and kicks included.
    pub spikes: u64,
    /// Empirical rate `spikes / (N_p dt)`.
    pub rate: f64,
    /// At most one event from an input kick and one from the cascade of the step.
    pub mfes: [Option<Mfe>; 2],
}

impl StepReport {
    /// The multiple firing events of the step.
    pub fn mfes(&self) -> impl Iterator<Item = &Mfe> {
        self.mfes.iter().flatten()
    }
}

#[derive(Debug, Clone)]
struct Block {
    rng: Xoshiro256PlusPlus,
    fired: u64,
    window: Vec<(f64, u32)>,
}

/// `N_p` interacting NLIF neurons (docs/model.md §2).
///
/// Internally a neuron that fired in the last step is stored as `-inf` and the kick owed
/// to the others is kept as one pending offset; both are applied ("settled") at the start
/// of the next pass over the particles, or by [`ParticleSystem::voltages`].
#[derive(Debug, Clone)]
pub struct ParticleSystem {
    params: ModelParams,
    input: Input,
    config: MicroConfig,
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

impl ParticleSystem {
    /// A system with the given voltages at time `t_start`, all below `v_f`.
    ///
    /// The random streams are derived from `seed` alone: block `j` uses the xoshiro256++
    /// stream seeded from `seed` and jumped `j` times (`2^128` draws apart).
    pub fn new(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        voltages: Vec<f64>,
        t_start: f64,
        seed: u64,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        let mut system = Self::with_streams(params, input, config, seed, parallelism)?;
        if voltages.len() != config.particles {
            return Err(MicroError::Count {
                expected: config.particles,
                got: voltages.len(),
            });
        }
        if let Some((index, &value)) = voltages
            .iter()
            .enumerate()
            .find(|&(_, &v)| !(v.is_finite() && v < params.v_f))
        {
            return Err(MicroError::Voltage { index, value });
        }
        system.voltages = voltages;
        system.t_start = t_start;
        Ok(system)
    }

    /// A system at `t = 0` with voltages drawn from `initial` restricted to
    /// `[v_min, v_f)`, by rejection, each block from its own stream.
    pub fn from_initial(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        initial: &InitialDensity,
        v_min: f64,
        seed: u64,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        let mut system = Self::with_streams(params, input, config, seed, parallelism)?;
        initial.validate()?;
        let InitialDensity::Gaussian { mean, var } = *initial;
        let sd = var.sqrt();
        let cdf = nlif_model::special::normal_cdf;
        let acceptance = cdf((params.v_f - mean) / sd) - cdf((v_min - mean) / sd);
        if acceptance.is_nan() || acceptance <= 1e-6 {
            return Err(MicroError::Invalid {
                field: "initial.mean",
                value: mean,
                reason: "the initial Gaussian has (almost) no mass in [v_min, v_f)",
            });
        }
        system.voltages = vec![0.0; config.particles];
        let v_f = params.v_f;
        system.for_each_block(|_, v, block| {
            for x in v.iter_mut() {
                *x = loop {
                    let z: f64 = block.rng.sample(StandardNormal);
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
    fn with_streams(
        params: ModelParams,
        input: Input,
        config: MicroConfig,
        seed: u64,
        parallelism: Parallelism,
    ) -> Result<Self, MicroError> {
        params.validate()?;
        input.validate()?;
        config.validate()?;
        let count = config.particles.div_ceil(BLOCK_SIZE);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let blocks = (0..count)
            .map(|_| {
                let block = Block {
                    rng: rng.clone(),
                    fired: 0,
                    window: Vec::new(),
                };
                rng.jump();
                block
            })
            .collect();
        Ok(ParticleSystem {
            params,
            input,
            config,
            parallelism,
            voltages: Vec::new(),
            blocks,
            pending: 0.0,
            t_start: 0.0,
            steps: 0,
            rate: 0.0,
            last_initiators: 0,
            cascade: CascadeWorkspace::default(),
        })
    }

    /// Current time `t_start + steps · dt`.
    pub fn time(&self) -> f64 {
        self.t_start + self.steps as f64 * self.config.dt
    }

    /// Steps taken since construction.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Number of neurons `N_p`.
    pub fn len(&self) -> usize {
        self.voltages.len()
    }

    /// Whether the system is empty (never: `N_p >= 1` is validated).
    pub fn is_empty(&self) -> bool {
        self.voltages.is_empty()
    }

    /// The empirical rate of the last step (the rate that sets `a(N)` of the next one).
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Sets the rate used for `a(N) = a0 + a1 N` in the next step (e.g. after a hand-over
    /// from the mean-field solver).
    pub fn set_rate(&mut self, rate: f64) {
        self.rate = rate;
    }

    /// The model parameters.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The solver settings.
    pub fn config(&self) -> &MicroConfig {
        &self.config
    }

    /// The voltages, with pending kicks and resets applied.
    pub fn voltages(&mut self) -> &[f64] {
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
    pub fn step(&mut self) -> StepReport {
        self.step_with(&mut SingleProcess)
    }

    /// Advances one step, reducing spike counts with `reduction`.
    ///
    /// 1. If an input kick falls in `[t, t + dt)`: every voltage moves by `dv`, those at or
    ///    over `V_F` fire, with their cascade.
    /// 2. Sub-threshold update with `I(t)` and `a(N)` frozen at `t`, `N` the empirical rate of
    ///    the previous step; neurons crossing `V_F` fire and are reset to `V_R`.
    /// 3. The cascade they start is resolved exactly (module [`crate::cascade`]); fired
    ///    neurons are reset, the others kicked by `k* b / N_p`.
    pub fn step_with<R: SpikeCountReduction>(&mut self, reduction: &mut R) -> StepReport {
        let t = self.time();
        let dt = self.config.dt;
        let mut mfes = [None, None];
        let mut spikes = 0;
        if let Some(dv) = self.input.kick_within(t, t + dt) {
            let outcome = self.kick_event(dv, reduction);
            spikes += outcome.fired;
            mfes[0] = self.as_mfe(t, outcome, true);
        }
        let current = self.input.current(t);
        let a = self.params.diffusion(self.rate);
        let coefficients = self
            .config
            .stepper
            .coefficients(dt, current, a, self.params.v_f);
        let outcome = self.subthreshold_event(coefficients, reduction);
        spikes += outcome.fired;
        mfes[1] = self.as_mfe(t + dt, outcome, false);
        self.steps += 1;
        self.rate = spikes as f64 / (self.len() as f64 * dt);
        StepReport {
            spikes,
            rate: self.rate,
            mfes,
        }
    }

    fn as_mfe(&self, t: f64, outcome: CascadeOutcome, kick: bool) -> Option<Mfe> {
        let fraction = outcome.fired as f64 / self.len() as f64;
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
            let w = (4 * self.last_initiators + 64).min(self.len() as u64);
            w as f64 * self.kick()
        } else {
            f64::NEG_INFINITY
        }
    }

    fn kick(&self) -> f64 {
        self.params.b / self.len() as f64
    }

    fn kick_event<R: SpikeCountReduction>(&mut self, dv: f64, reduction: &mut R) -> CascadeOutcome {
        let (pending, v_r, v_f, theta) = (
            self.pending,
            self.params.v_r,
            self.params.v_f,
            self.window(),
        );
        self.for_each_block(|offset, v, block| {
            block.fired = 0;
            block.window.clear();
            for (i, x) in v.iter_mut().enumerate() {
                let next = settle(*x, pending, v_r) + dv;
                record(x, next, next >= v_f, offset + i, theta, v_f, block);
            }
        });
        self.pending = 0.0;
        self.resolve(theta, reduction)
    }

    fn subthreshold_event<R: SpikeCountReduction>(
        &mut self,
        coefficients: Coefficients,
        reduction: &mut R,
    ) -> CascadeOutcome {
        let (pending, v_r, v_f, theta) = (
            self.pending,
            self.params.v_r,
            self.params.v_f,
            self.window(),
        );
        match coefficients {
            Coefficients::Plain(s) => self
                .for_each_block(|o, v, b| subthreshold_block(s, o, v, b, pending, v_r, v_f, theta)),
            Coefficients::Bridged(s) => self
                .for_each_block(|o, v, b| subthreshold_block(s, o, v, b, pending, v_r, v_f, theta)),
        }
        self.pending = 0.0;
        self.resolve(theta, reduction)
    }

    /// Sums the initiators, resolves their cascade, resets the fired and owes the kick.
    fn resolve<R: SpikeCountReduction>(&mut self, theta: f64, reduction: &mut R) -> CascadeOutcome {
        let local: u64 = self.blocks.iter().map(|b| b.fired).sum();
        let s0 = reduction.sum(local);
        self.last_initiators = s0;
        let kick = self.kick();
        if s0 == 0 {
            return CascadeOutcome {
                fired: 0,
                rounds: 0,
            };
        }
        if kick <= 0.0 {
            self.pending = s0 as f64 * kick;
            return CascadeOutcome {
                fired: s0,
                rounds: 0,
            };
        }
        let ws = &mut self.cascade;
        ws.window.clear();
        for block in &self.blocks {
            ws.window.extend_from_slice(&block.window);
        }
        let outcome = ws.resolve(&self.voltages, s0, kick, self.params.v_f, theta, reduction);
        for &i in &ws.fired {
            self.voltages[i as usize] = f64::NEG_INFINITY;
        }
        self.pending = outcome.fired as f64 * kick;
        outcome
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

/// Applies a pending reset (`-inf` ↦ `V_R`) or kick.
#[inline(always)]
fn settle(x: f64, pending: f64, v_r: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        v_r
    } else {
        x + pending
    }
}

/// Stores the new voltage of particle `index`, counting a spike or a cascade candidate.
#[inline(always)]
fn record(
    x: &mut f64,
    next: f64,
    fired: bool,
    index: usize,
    theta: f64,
    v_f: f64,
    block: &mut Block,
) {
    if fired {
        *x = f64::NEG_INFINITY;
        block.fired += 1;
    } else {
        *x = next;
        if next + theta >= v_f {
            block.window.push((next, index as u32));
        }
    }
}

#[inline(always)]
fn subthreshold_block<S: SubthresholdStep>(
    step: S,
    offset: usize,
    v: &mut [f64],
    block: &mut Block,
    pending: f64,
    v_r: f64,
    v_f: f64,
    theta: f64,
) {
    block.fired = 0;
    block.window.clear();
    for (i, x) in v.iter_mut().enumerate() {
        let (next, fired) = step.advance(settle(*x, pending, v_r), &mut block.rng);
        record(x, next, fired, offset + i, theta, v_f, block);
    }
}
