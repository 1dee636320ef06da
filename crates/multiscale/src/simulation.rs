//! The driver: one run of any of the three solvers, recorded on a common output grid.

use std::collections::VecDeque;

use coupling::{Estimator, Reconstruction, Tally, impose_rate};
use fp_macro::{FluxScheme, Grid, MacroConfig, MacroSolver, Scheme, StepOutcome};
use nlif_micro::{
    BLOCK_SIZE, MicroConfig, Parallelism, ParticleSystem, Partition, Reduction, SingleProcess,
    Stepper, SubthresholdStepper,
};
use nlif_model::seed::derive as derive_seed;
use nlif_model::time::reached;
use nlif_model::{InitialDensity, Input, ModelParams};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::config::{RunConfig, RunError, SolverKind, multiple_of};
use crate::policy::{BuiltinPolicy, SwitchingPolicy};
use crate::preflight::{Preflight, preflight};
use crate::trace::{
    DensitySnapshot, Event, MASS_TOLERANCE, Mode, Observer, Outcome, RateCrossing, Sample, Switch,
    SwitchReason, Trace,
};

mod state;

pub use state::{PhaseState, SIMULATION_STATE_VERSION, SimulationState, SnapshotState};

/// The description currently advancing the network.
#[derive(Debug)]
enum Phase<S: FluxScheme, T: SubthresholdStepper> {
    Macro(MacroSolver<S>),
    Micro(ParticleSystem<T>),
}

/// A run of the macro, micro or multi-scale solver (docs/model.md §4).
///
/// The run advances the mean-field density while the switching policy allows it, and hands
/// over to `N_p` particles when a macro step would exceed the policy's rate bound (or the
/// density cannot represent what happens: an input kick over the threshold, lost
/// positivity, non-finite values). The hand-over samples the density of a macro state kept
/// from at least `rollback` before the trigger, so the density handed over is never the
/// degraded one near blow-up; the samples after it are discarded and recomputed by the
/// particles. When the smoothed particle rate has stayed below `rate_down` with no multiple
/// firing event for `dwell`, the particles are turned back into a density.
///
/// Everything is recorded in a [`Trace`] on the output grid; an [`Observer`] sees it as it
/// happens. The library does no I/O.
///
/// The components are injected through [`Simulation::builder`]: the switching policy
/// `P`, the flux scheme `S` of the density, the sub-threshold stepper `T` of the
/// particles, and the reduction `R` that sums the particles' counts and tallies over the
/// parts of a distributed run. The defaults are the built-in ones the config names.
///
/// # Distributed runs
///
/// A run can hold only one part of the particles ([`SimulationBuilder::part`]): the
/// network's blocks are cut into contiguous parts ([`Partition::split`]), each part is
/// stepped by its own process, and the parts exchange only integer sums through `R` — the
/// spike counts of every step and cascade round, and at a hand-over or a density snapshot
/// the [`Tally`] of the particles. Everything else is replicated: every part computes the
/// same density phase, the same samples and the same decisions from the same sums. The
/// hand-over to particles draws block `j`'s strata from a stream of its own (seeded from
/// the segment's seed and `j`), so a part samples exactly what the whole network holds in
/// its blocks. Integer sums are exact, so a run split into any number of parts is the
/// single-process run bit for bit.
pub struct Simulation<
    P: SwitchingPolicy = BuiltinPolicy,
    S: FluxScheme + Clone = Scheme,
    T: SubthresholdStepper + Clone = Stepper,
    R: Reduction = SingleProcess,
> {
    params: ModelParams,
    input: Input,
    config: RunConfig,
    policy: P,
    scheme: S,
    stepper: T,
    reduction: R,
    parallelism: Parallelism,
    /// This process's share of the particles: part `.0` of `.1`.
    part: (usize, usize),
    grid: Grid,
    phase: Phase<S, T>,
    history: VecDeque<SnapshotState>,
    trace: Trace,
    segments: u64,
    /// The last particle phase's voltage buffer, kept for the next hand-over to particles
    /// (its pages are mapped: a fresh one cost a third of a hand-over of 1e5). Not state.
    /// It stays resident through the density phase; the peak is the particle phase's.
    spare: Vec<f64>,
    /// `∫ rate dt` over the current output interval.
    accumulated: f64,
    /// Index `k` of the next sample time `k · sample_interval`.
    next_sample: u64,
    density_every: Option<u64>,
    smoothed: f64,
    mfe_since_check: bool,
    /// The particle rate since the last multiple firing event of this particle phase.
    since_event: Option<SinceEvent>,
    outcome: Option<Outcome>,
    /// The final partial sample's flushed accumulator, for [`Simulation::extend_to`].
    tail: Option<Tail>,
}

/// The particle rate since the last multiple firing event: the exponential smoothing of
/// the step rates (time constant `smoothing`, factor `α = dt / smoothing`) restarted at
/// the event and normalised by its total weight, so that it is the weighted mean of the
/// steps after the event (their plain mean while `since ≪ smoothing`), the event's step
/// excluded.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SinceEvent {
    /// Time since the event.
    pub since: f64,
    /// `Σ α (1-α)^j N_j` over the steps after the event, newest `j = 0`.
    pub weighted: f64,
    /// `Σ α (1-α)^j = 1 - (1-α)^steps`.
    pub weight: f64,
}

impl SinceEvent {
    /// Restarts at an event.
    fn restart() -> Self {
        SinceEvent {
            since: 0.0,
            weighted: 0.0,
            weight: 0.0,
        }
    }

    /// One step of length `dt` at `rate`.
    fn add(&mut self, dt: f64, alpha: f64, rate: f64) {
        self.since += dt;
        self.weighted += alpha * (rate - self.weighted);
        self.weight += alpha * (1.0 - self.weight);
    }

    /// The rate since the event, once a step has passed.
    fn rate(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.weighted / self.weight)
    }
}

/// What the final partial sample of a run changed, so an extension can take it back.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tail {
    /// `∫ rate dt` since the last full sample, before the partial sample flushed it.
    pub accumulated: f64,
    /// Whether the partial sample gave the last switch its `rate_after`.
    pub filled_rate_after: bool,
}

impl<P, S, T, R> std::fmt::Debug for Simulation<P, S, T, R>
where
    P: SwitchingPolicy,
    S: FluxScheme + Clone,
    T: SubthresholdStepper + Clone,
    R: Reduction,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("config", &self.config)
            .field("time", &self.time())
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

/// The tally of `voltages` for `estimator` on `grid`, formed in parts on the rayon pool
/// (`parallelism` permitting) and summed word by word: integer sums, so the same words
/// for any split (module `coupling::tally`).
fn tally(
    estimator: Estimator,
    grid: &Grid,
    voltages: &[f64],
    parallelism: Parallelism,
) -> Result<Tally, RunError> {
    let mut whole = Tally::new(estimator, grid)?;
    // Parts of 8192: 13 for 1e5 particles, even shares on a few threads.
    const PART: usize = 1 << 13;
    if parallelism == Parallelism::Sequential || voltages.len() <= PART {
        whole.add(voltages);
        return Ok(whole);
    }
    // One tally per worker (fold), summed pairwise (reduce): memory for a few tallies,
    // whatever the number of particles.
    let sum = |mut a: Tally, b: Tally| {
        for (w, x) in a.words_mut().iter_mut().zip(b.words()) {
            *w += x;
        }
        a
    };
    Ok(voltages
        .par_chunks(PART)
        .fold(
            || whole.clone(),
            |mut part, chunk| {
                part.add(chunk);
                part
            },
        )
        .reduce(|| whole.clone(), sum))
}

/// `t` rounded to 12 significant digits: sample times `k · interval` without the float
/// noise of the product (`3002 × 0.001 = 3.0020000000000002` becomes `3.002`). Times are
/// reported, never fed back into the clock, so this changes no result.
pub fn tidy_time(t: f64) -> f64 {
    if t == 0.0 || !t.is_finite() {
        return t;
    }
    format!("{t:.11e}").parse().unwrap_or(t)
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

impl Simulation {
    /// Prepares a run from the initial density at `t = 0`, with the built-in components
    /// the config names.
    ///
    /// # Errors
    ///
    /// Every check of [`preflight`](crate::preflight) (the first invalid setting, named by
    /// its config path), and a failed first conversion to particles of a `Micro` run.
    /// The memory estimate is not compared with anything: a caller that wants a bound
    /// calls [`plan`](crate::plan) first.
    pub fn new(
        params: ModelParams,
        input: Input,
        initial: &InitialDensity,
        config: RunConfig,
        parallelism: Parallelism,
    ) -> Result<Self, RunError> {
        Simulation::builder(params, input, config)
            .parallelism(parallelism)
            .start(initial)
    }

    /// A builder for a run with components of the caller's choice.
    ///
    /// ```
    /// use multiscale::{RunConfig, Simulation, SolverKind};
    /// use nlif_model::{InitialDensity, Input, ModelParams};
    ///
    /// let config = RunConfig { kind: SolverKind::Macro, t_end: 0.1, ..RunConfig::default() };
    /// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
    /// let mut run = Simulation::builder(ModelParams::default(), Input::None, config)
    ///     .scheme(fp_macro::Scheme::ChangCooper)
    ///     .start(&initial)?;
    /// assert!(run.run(&mut ())?.is_completed());
    /// # Ok::<(), multiscale::RunError>(())
    /// ```
    pub fn builder(params: ModelParams, input: Input, config: RunConfig) -> SimulationBuilder {
        SimulationBuilder {
            params,
            input,
            config,
            policy: BuiltinPolicy::from_config(&config.switching),
            scheme: config.macro_config.scheme,
            stepper: config.micro.stepper,
            reduction: SingleProcess,
            parallelism: Parallelism::default(),
            part: (0, 1),
        }
    }
}

impl<P: SwitchingPolicy> Simulation<P> {
    /// Continues a run with the built-in scheme, stepper and reduction from a saved state
    /// (see [`Simulation::state`]); the policy is the state's.
    ///
    /// # Errors
    ///
    /// As [`SimulationBuilder::resume`].
    pub fn from_state(
        state: SimulationState<P>,
        parallelism: Parallelism,
    ) -> Result<Self, RunError> {
        Simulation::builder(state.params, state.input, state.config)
            .parallelism(parallelism)
            .resume(state)
    }

    /// Prepares a run from the initial density at `t = 0` with a policy of the caller's
    /// (the config's `switching` section is then used only for the hand-over settings:
    /// `smoothing`, `rollback`, `sampler`, `estimator`, `match_rate`).
    ///
    /// # Errors
    ///
    /// As [`Simulation::new`].
    pub fn with_policy(
        policy: P,
        params: ModelParams,
        input: Input,
        initial: &InitialDensity,
        config: RunConfig,
        parallelism: Parallelism,
    ) -> Result<Self, RunError> {
        Simulation::builder(params, input, config)
            .policy(policy)
            .parallelism(parallelism)
            .start(initial)
    }
}

/// Chooses the components of a [`Simulation`]; [`SimulationBuilder::start`] starts it
/// from initial data, [`SimulationBuilder::resume`] from a saved state.
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulationBuilder<P = BuiltinPolicy, S = Scheme, T = Stepper, R = SingleProcess> {
    params: ModelParams,
    input: Input,
    config: RunConfig,
    policy: P,
    scheme: S,
    stepper: T,
    reduction: R,
    parallelism: Parallelism,
    part: (usize, usize),
}

impl<P, S, T, R> SimulationBuilder<P, S, T, R> {
    /// The switching policy (default: the one `config.switching` names).
    pub fn policy<Q: SwitchingPolicy>(self, policy: Q) -> SimulationBuilder<Q, S, T, R> {
        SimulationBuilder {
            params: self.params,
            input: self.input,
            config: self.config,
            policy,
            scheme: self.scheme,
            stepper: self.stepper,
            reduction: self.reduction,
            parallelism: self.parallelism,
            part: self.part,
        }
    }

    /// The flux scheme of the density (default: `config.macro_config.scheme`).
    pub fn scheme<Q: FluxScheme + Clone>(self, scheme: Q) -> SimulationBuilder<P, Q, T, R> {
        SimulationBuilder {
            params: self.params,
            input: self.input,
            config: self.config,
            policy: self.policy,
            scheme,
            stepper: self.stepper,
            reduction: self.reduction,
            parallelism: self.parallelism,
            part: self.part,
        }
    }

    /// The sub-threshold stepper of the particles (default: `config.micro.stepper`).
    pub fn stepper<Q: SubthresholdStepper + Clone>(
        self,
        stepper: Q,
    ) -> SimulationBuilder<P, S, Q, R> {
        SimulationBuilder {
            params: self.params,
            input: self.input,
            config: self.config,
            policy: self.policy,
            scheme: self.scheme,
            stepper,
            reduction: self.reduction,
            parallelism: self.parallelism,
            part: self.part,
        }
    }

    /// The reduction that sums the particles' counts and tallies over the parts of the
    /// network (default: [`SingleProcess`], the identity of a run that holds all
    /// particles). With [`SimulationBuilder::part`], one that sums over the processes
    /// holding the other parts.
    pub fn reduction<Q: Reduction>(self, reduction: Q) -> SimulationBuilder<P, S, T, Q> {
        SimulationBuilder {
            params: self.params,
            input: self.input,
            config: self.config,
            policy: self.policy,
            scheme: self.scheme,
            stepper: self.stepper,
            reduction,
            parallelism: self.parallelism,
            part: self.part,
        }
    }

    /// How the particle blocks are processed (default: [`Parallelism::Rayon`]); the
    /// results do not depend on it.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// Holds only part `index` of `parts` of the particles (default: part 0 of 1, all of
    /// them): the blocks of [`Partition::split`]`(config.micro.particles, parts)[index]`.
    /// The other parts are run by other processes with the same config and a
    /// [`reduction`](SimulationBuilder::reduction) that sums over all of them; see
    /// [Distributed runs](Simulation#distributed-runs).
    pub fn part(mut self, index: usize, parts: usize) -> Self {
        self.part = (index, parts);
        self
    }
}

impl<P, S, T, R> SimulationBuilder<P, S, T, R>
where
    P: SwitchingPolicy,
    S: FluxScheme + Clone,
    T: SubthresholdStepper + Clone,
    R: Reduction,
{
    /// Starts the run from the initial density at `t = 0`.
    ///
    /// # Errors
    ///
    /// As [`Simulation::new`].
    pub fn start(self, initial: &InitialDensity) -> Result<Simulation<P, S, T, R>, RunError> {
        let SimulationBuilder {
            params,
            input,
            config,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        } = self;
        let Preflight {
            grid,
            density,
            rate,
            ..
        } = preflight(&params, &input, initial, &config)?;
        if config.kind != SolverKind::Macro {
            share(&config, part)?;
        }
        let density_every = config
            .density_interval
            .and_then(|d| multiple_of(d, config.sample_interval));
        let initial_macro = MacroSolver::with_scheme(
            scheme.clone(),
            params,
            input,
            MacroConfig {
                // A `Micro` run uses the macro solver only to hold the initial density.
                dt: config.clock_step(),
                ..config.macro_config
            },
            density,
            0.0,
            Some(rate),
        )?;
        let mut simulation = Simulation {
            params,
            input,
            policy,
            scheme,
            stepper,
            reduction,
            config,
            parallelism,
            part,
            grid,
            phase: Phase::Macro(initial_macro),
            history: VecDeque::new(),
            trace: Trace::default(),
            segments: 0,
            spare: Vec::new(),
            accumulated: 0.0,
            next_sample: 1,
            density_every,
            smoothed: 0.0,
            mfe_since_check: false,
            since_event: None,
            outcome: None,
            tail: None,
        };
        simulation.record_density(0)?;
        if config.kind == SolverKind::Micro {
            let Phase::Macro(solver) = &simulation.phase else {
                unreachable!()
            };
            let density = solver.density().to_vec();
            simulation.phase = Phase::Micro(simulation.particles_from(&density, rate, 0.0)?);
            simulation.smoothed = rate;
        } else {
            simulation.snapshot();
        }
        Ok(simulation)
    }
}

impl<P, S, T, R> Simulation<P, S, T, R>
where
    P: SwitchingPolicy,
    S: FluxScheme + Clone,
    T: SubthresholdStepper + Clone,
    R: Reduction,
{
    /// Current time.
    pub fn time(&self) -> f64 {
        match &self.phase {
            Phase::Macro(s) => s.time(),
            Phase::Micro(s) => s.time(),
        }
    }

    /// Current mode.
    pub fn mode(&self) -> Mode {
        match self.phase {
            Phase::Macro(_) => Mode::Macro,
            Phase::Micro(_) => Mode::Micro,
        }
    }

    /// The record so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The record, consuming the run.
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    /// The grid of the density and of the density snapshots.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The nodes `v_0 .. v_{n-1}` of the grid (the cells of the density snapshots).
    pub fn grid_nodes(&self) -> Vec<f64> {
        self.grid.nodes().collect()
    }

    /// The switching policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The run's settings.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Runs to `t_end`, or until the run ends early (see [`Outcome`]).
    ///
    /// # Errors
    ///
    /// A conversion between density and particles that fails (a [`RunError::Coupling`]).
    pub fn run<O: Observer>(&mut self, observer: &mut O) -> Result<Outcome, RunError> {
        loop {
            if let Some(outcome) = self.advance(self.config.t_end, observer)? {
                return Ok(outcome);
            }
        }
    }

    /// Advances until `until` (at most `t_end`) or the end of the run; returns the outcome
    /// once the run has ended. When it ends, a last partial rate sample covers the time
    /// since the last full sample (the run ends exactly at `t_end`, which need not be a
    /// multiple of the sample interval, or earlier with an outcome other than
    /// [`Outcome::Completed`]).
    ///
    /// # Errors
    ///
    /// As [`Simulation::run`].
    pub fn advance<O: Observer>(
        &mut self,
        until: f64,
        observer: &mut O,
    ) -> Result<Option<Outcome>, RunError> {
        let until = until.min(self.config.t_end);
        // Grid times compared with instants by the one rule of `nlif_model::time`.
        while self.outcome.is_none() && !reached(self.time(), until) {
            match self.phase {
                Phase::Macro(_) => self.macro_step(observer)?,
                Phase::Micro(_) => self.micro_step(observer)?,
            }
        }
        if self.outcome.is_none() && reached(self.time(), self.config.t_end) {
            self.outcome = Some(Outcome::Completed);
        }
        if self.outcome.is_some() {
            self.final_sample(observer);
        }
        Ok(self.outcome)
    }

    /// The partial sample over `(k · interval, t]` at the end of a run, `k · interval`
    /// being the last full sample (nothing if the run ended on a sample time).
    fn final_sample<O: Observer>(&mut self, observer: &mut O) {
        let interval = self.config.sample_interval;
        let last = (self.next_sample - 1) as f64 * interval;
        let t = self.time().min(self.config.t_end);
        let duration = t - last;
        if duration <= 1e-9 * interval {
            return;
        }
        let sample = Sample {
            t: tidy_time(t),
            rate: self.accumulated / duration,
            mode: self.mode(),
        };
        self.tail = Some(Tail {
            accumulated: self.accumulated,
            filled_rate_after: self.fill_rate_after(sample.rate),
        });
        self.accumulated = 0.0;
        self.next_sample += 1;
        self.trace.samples.push(sample);
        observer.observe(Event::Sample(&sample));
    }

    /// Gives the first sample after a switch its rate; whether there was one to fill.
    fn fill_rate_after(&mut self, rate: f64) -> bool {
        if let Some(last) = self.trace.switches.last_mut()
            && last.rate_after.is_none()
        {
            last.rate_after = Some(rate);
            return true;
        }
        false
    }

    /// Extends a completed run to a later end time, as if it had been started with it:
    /// the final partial sample of the old end (if any) is taken back, with the
    /// accumulator it flushed, so the run continues exactly as a run to `t_end` would.
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming `t_end` if the run ended early (only a completed or
    /// still running run can be extended) or `t_end` is not later than the current end;
    /// the checks of [`RunConfig::validate`] for the new end time.
    pub fn extend_to(&mut self, t_end: f64) -> Result<(), RunError> {
        let refuse = |reason: String| RunError::Invalid {
            field: "t_end",
            value: t_end,
            reason,
        };
        if let Some(outcome) = self.outcome
            && !outcome.is_completed()
        {
            return Err(refuse(format!(
                "the run ended early ({}) and cannot be extended",
                outcome.as_str()
            )));
        }
        if !(t_end > self.config.t_end) {
            return Err(refuse(format!(
                "an extension must end after the current end t_end = {:?}",
                self.config.t_end
            )));
        }
        let config = RunConfig {
            t_end,
            ..self.config
        };
        config.validate()?;
        if let Some(tail) = self.tail.take() {
            self.trace.samples.pop();
            self.next_sample -= 1;
            self.accumulated = tail.accumulated;
            if tail.filled_rate_after
                && let Some(last) = self.trace.switches.last_mut()
            {
                last.rate_after = None;
            }
        }
        self.outcome = None;
        self.config = config;
        Ok(())
    }

    fn macro_step<O: Observer>(&mut self, observer: &mut O) -> Result<(), RunError> {
        let dt = self.config.macro_config.dt;
        let bound = match self.config.kind {
            SolverKind::Multiscale => self.policy.macro_rate_bound(dt),
            _ => f64::INFINITY,
        };
        let macro_only = self.config.kind == SolverKind::Macro;
        let Phase::Macro(solver) = &mut self.phase else {
            unreachable!()
        };
        let outcome = solver.step(bound);
        self.trace.macro_steps += 1;
        let t = solver.time();
        let (reason, rollback) = match outcome {
            StepOutcome::Advanced { rate } => {
                self.accumulated += rate * dt;
                let error = (solver.mass() - 1.0).abs();
                self.trace.mass_error_max = self.trace.mass_error_max.max(error);
                if !(error <= MASS_TOLERANCE) {
                    self.outcome = Some(Outcome::MassLost {
                        t: tidy_time(t),
                        error,
                    });
                    return Ok(());
                }
                if macro_only && rate > self.config.blow_up.rate && self.trace.blow_up.is_none() {
                    let t = tidy_time(t);
                    self.trace.blow_up = Some(RateCrossing { t, rate });
                    if self.config.blow_up.stop {
                        self.outcome = Some(Outcome::BlowUp { t, rate });
                        return Ok(());
                    }
                }
                return self.after_step(t, observer);
            }
            _ if macro_only => {
                let t = tidy_time(t);
                self.outcome = Some(match outcome {
                    StepOutcome::PositivityLost { .. } => Outcome::PositivityLost { t },
                    StepOutcome::SynchronousKick { fraction, .. } => {
                        Outcome::SynchronousEvent { t, fraction }
                    }
                    StepOutcome::NegativeDensity { .. } => Outcome::NegativeDensity { t },
                    _ => Outcome::NonFinite { t },
                });
                return Ok(());
            }
            StepOutcome::RateAboveBound { rate, bound } => {
                (SwitchReason::RateAboveBound { rate, bound }, true)
            }
            StepOutcome::PositivityLost { .. } => (SwitchReason::PositivityLost, false),
            StepOutcome::SynchronousKick { fraction, .. } => {
                (SwitchReason::SynchronousKick { fraction }, false)
            }
            StepOutcome::NegativeDensity { .. } => (SwitchReason::NegativeDensity, true),
            _ => (SwitchReason::NonFinite, true),
        };
        self.hand_over_to_particles(reason, rollback, observer)
    }

    fn micro_step<O: Observer>(&mut self, observer: &mut O) -> Result<(), RunError> {
        let Phase::Micro(system) = &mut self.phase else {
            unreachable!()
        };
        let dt = system.config().dt;
        let report = system.step_with(&mut self.reduction);
        self.trace.micro_steps += 1;
        let t = system.time();
        self.accumulated += report.rate * dt;
        if !report.is_valid() {
            // A stepper left non-finite voltages (the report counts them over the whole
            // network, so every part of a distributed run ends here alike).
            self.outcome = Some(Outcome::NonFinite { t: tidy_time(t) });
            return Ok(());
        }
        // One smoothing factor for both rates (at most 1: a smoothing time below the step
        // is the step's rate itself).
        let alpha = (dt / self.config.switching.smoothing).min(1.0);
        self.smoothed += alpha * (report.rate - self.smoothed);
        if report.mfes().next().is_some() {
            self.since_event = Some(SinceEvent::restart());
        } else if let Some(since) = &mut self.since_event {
            since.add(dt, alpha, report.rate);
        }
        for mfe in report.mfes() {
            self.mfe_since_check = true;
            self.trace.mfes.push(*mfe);
            observer.observe(Event::Mfe(mfe));
        }
        self.after_step(t, observer)
    }

    /// Emits the samples whose time has come; then, on the switching's own cadence (not
    /// the output's: what is recorded never changes what is simulated), keeps a macro
    /// state for the rolled-back hand-over (every `snapshot_every` macro steps) or
    /// decides the switch back to the density (every macro step's worth of particle
    /// steps).
    fn after_step<O: Observer>(&mut self, t: f64, observer: &mut O) -> Result<(), RunError> {
        let interval = self.config.sample_interval;
        while reached(t, self.next_sample as f64 * interval) {
            let k = self.next_sample;
            let sample = Sample {
                t: tidy_time(k as f64 * interval),
                rate: self.accumulated / interval,
                mode: self.mode(),
            };
            self.accumulated = 0.0;
            self.next_sample += 1;
            let _ = self.fill_rate_after(sample.rate);
            self.trace.samples.push(sample);
            observer.observe(Event::Sample(&sample));
            self.record_density(k)?;
        }
        if self.config.kind != SolverKind::Multiscale {
            return Ok(());
        }
        match &self.phase {
            Phase::Macro(solver) => {
                if solver.steps().is_multiple_of(self.config.snapshot_every()) {
                    self.snapshot();
                }
            }
            Phase::Micro(system) => {
                if system
                    .steps()
                    .is_multiple_of(self.config.switch_check_every())
                {
                    self.decide_switch_down(t, observer)?;
                }
            }
        }
        Ok(())
    }

    /// The switch back to the density, asked once per macro step's worth of particle
    /// steps: settled after the last event, or the burst over.
    fn decide_switch_down<O: Observer>(
        &mut self,
        t: f64,
        observer: &mut O,
    ) -> Result<(), RunError> {
        let mfe = std::mem::take(&mut self.mfe_since_check);
        let t = tidy_time(t);
        let settled = self.since_event.and_then(|e| {
            let rate = e.rate()?;
            self.policy
                .settled_after_event(t, e.since, rate)
                .then_some((e.since, rate))
        });
        if let Some((since_event, rate)) = settled {
            let rate = rate.max(0.0);
            let reason = SwitchReason::Settled { since_event, rate };
            self.hand_over_to_density(rate, reason, observer)?;
        } else if self.policy.burst_over(t, self.smoothed, mfe) {
            let rate = self.smoothed.max(0.0);
            let reason = SwitchReason::BurstOver {
                smoothed_rate: rate,
            };
            self.hand_over_to_density(rate, reason, observer)?;
        }
        Ok(())
    }

    /// Keeps the current macro state for a later hand-over, with the sample clock's
    /// accumulators at its time (a rollback restores them).
    fn snapshot(&mut self) {
        // Without a rollback the hand-over takes the current state: nothing to keep.
        if self.config.kind != SolverKind::Multiscale || !(self.config.switching.rollback > 0.0) {
            return;
        }
        let Phase::Macro(solver) = &self.phase else {
            return;
        };
        let keep = self.config.rollback_snapshots();
        let mut reused = if self.history.len() >= keep {
            self.history
                .pop_front()
                .map(|s| s.density)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        reused.clear();
        reused.extend_from_slice(solver.density());
        self.history.push_back(SnapshotState {
            t: solver.time(),
            next_sample: self.next_sample,
            accumulated: self.accumulated,
            density: reused,
            rate: solver.rate(),
        });
    }

    fn record_density(&mut self, k: u64) -> Result<(), RunError> {
        let Some(every) = self.density_every else {
            return Ok(());
        };
        if !k.is_multiple_of(every) {
            return Ok(());
        }
        let t = tidy_time(k as f64 * self.config.sample_interval);
        let values = match &mut self.phase {
            Phase::Macro(solver) => solver.density().to_vec(),
            Phase::Micro(system) => {
                let mut tally = tally(
                    Estimator::Histogram,
                    &self.grid,
                    system.settle(),
                    self.parallelism,
                )?;
                self.reduction.sum_u64_slice(tally.words_mut());
                let mut values = vec![0.0; self.grid.len()];
                let a = self.params.diffusion(self.smoothed);
                tally.estimate(self.smoothed, a, self.params.v_r, &mut values)?;
                values
            }
        };
        self.trace.densities.push(DensitySnapshot {
            t,
            mode: self.mode(),
            values,
        });
        Ok(())
    }

    /// Density → particles, from a state kept at least `rollback` before the trigger.
    fn hand_over_to_particles<O: Observer>(
        &mut self,
        reason: SwitchReason,
        rollback: bool,
        observer: &mut O,
    ) -> Result<(), RunError> {
        let Phase::Macro(solver) = &self.phase else {
            unreachable!()
        };
        let triggered_at = solver.time();
        let horizon = triggered_at - self.config.switching.rollback;
        let chosen = if rollback && self.config.switching.rollback > 0.0 {
            self.history
                .iter()
                .rev()
                .find(|s| s.t <= horizon + 1e-12)
                .or(self.history.front())
                .cloned()
        } else {
            None
        };
        let (t, density, rate) = match chosen {
            Some(snapshot) if snapshot.t < triggered_at => {
                let samples = snapshot.next_sample - 1;
                let densities = self.density_every.map_or(0, |every| samples / every + 1);
                self.trace.truncate_to(samples as usize, densities as usize);
                self.next_sample = snapshot.next_sample;
                self.accumulated = snapshot.accumulated;
                observer.observe(Event::Rollback { t: snapshot.t });
                (snapshot.t, snapshot.density, snapshot.rate)
            }
            _ => (triggered_at, solver.density().to_vec(), solver.rate()),
        };
        let system = self.particles_from(&density, rate, t)?;
        self.phase = Phase::Micro(system);
        self.history.clear();
        self.smoothed = rate;
        self.mfe_since_check = false;
        self.since_event = None;
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
        observer.observe(Event::Switch(&switch));
        Ok(())
    }

    /// This part's particles sampled from `density`, with their own streams for this
    /// segment: block `j` of the network draws its strata `j · BLOCK_SIZE ..` from the
    /// stream seeded by `derive_seed(segment seed, j)`, so the part holds what the whole
    /// network would in its blocks.
    fn particles_from(
        &mut self,
        density: &[f64],
        rate: f64,
        t: f64,
    ) -> Result<ParticleSystem<T>, RunError> {
        let segment = self.segments;
        self.segments += 1;
        let (partition, local) = share(&self.config, self.part)?;
        let reconstruction = Reconstruction::new(&self.grid, density)?;
        let sampling = derive_seed(self.config.seed, 2 * segment + 2);
        let total = self.config.micro.particles as u64;
        // A failed allocation is an error, not an abort: a process of a distributed run
        // that cannot hold its part reports it.
        let mut voltages = std::mem::take(&mut self.spare);
        voltages.clear();
        voltages
            .try_reserve_exact(local)
            .map_err(|_| RunError::Invalid {
                field: "solver.micro.particles",
                value: local as f64,
                reason: format!("cannot allocate {} bytes for the particles", 8 * local),
            })?;
        voltages.resize(local, 0.0);
        // Each block from its own stream: the same draws in any order, on any thread.
        let sampler = self.config.switching.sampler;
        let sample_block = |(j, chunk): (usize, &mut [f64])| {
            let block = (partition.first_block + j) as u64;
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(sampling, block));
            let first = block * BLOCK_SIZE as u64;
            reconstruction.sample_strata(sampler, first, total, chunk, &mut rng);
        };
        match self.parallelism {
            Parallelism::Sequential => voltages
                .chunks_mut(BLOCK_SIZE)
                .enumerate()
                .for_each(sample_block),
            _ => voltages
                .par_chunks_mut(BLOCK_SIZE)
                .enumerate()
                .for_each(sample_block),
        }
        let system = ParticleSystem::builder(
            self.params,
            self.input,
            MicroConfig {
                particles: local,
                ..self.config.micro
            },
            derive_seed(self.config.seed, 2 * segment + 1),
        )
        .partition(partition)
        .stepper(self.stepper.clone())
        .t_start(t)
        .rate(rate)
        .parallelism(self.parallelism)
        .voltages(voltages)?;
        Ok(system)
    }

    /// Particles → density, carrying the particle rate `rate` (smoothed, or since the
    /// last event).
    fn hand_over_to_density<O: Observer>(
        &mut self,
        rate: f64,
        reason: SwitchReason,
        observer: &mut O,
    ) -> Result<(), RunError> {
        let Phase::Micro(system) = &mut self.phase else {
            unreachable!()
        };
        let t = system.time();
        let a = self.params.diffusion(rate);
        let mut tally = tally(
            self.config.switching.estimator,
            &self.grid,
            system.settle(),
            self.parallelism,
        )?;
        self.reduction.sum_u64_slice(tally.words_mut());
        let mut density = vec![0.0; self.grid.len()];
        let report = tally.estimate(rate, a, self.params.v_r, &mut density)?;
        if self.config.switching.match_rate {
            let width = (3.0 * self.grid.spacing()).max(report.bandwidth);
            impose_rate(&self.grid, &mut density, rate, a, width)?;
        }
        let solver = MacroSolver::with_scheme(
            self.scheme.clone(),
            self.params,
            self.input,
            self.config.macro_config,
            density,
            t,
            Some(rate),
        )?;
        if let Phase::Micro(system) = std::mem::replace(&mut self.phase, Phase::Macro(solver)) {
            self.spare = system.into_voltages();
        }
        let switch = Switch {
            t,
            triggered_at: t,
            to: Mode::Macro,
            reason,
            rate_before: rate,
            rate_after: None,
        };
        self.trace.switches.push(switch);
        observer.observe(Event::Switch(&switch));
        self.history.clear();
        self.snapshot();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SinceEvent;

    /// Oracle: the definition, `Σ α (1-α)^j N_j / Σ α (1-α)^j` over the steps after the
    /// event (newest `j = 0`), summed directly; after one step it is that step's rate, and
    /// a constant rate stays that rate (both to rounding).
    #[test]
    fn the_rate_since_an_event_is_the_weighted_mean_of_the_steps_after_it() {
        let (dt, alpha) = (1e-3, 0.05);
        let rates = [3.0, 0.0, 1.5, 0.25, 7.0, 0.5, 0.5, 2.0];
        let mut e = SinceEvent::restart();
        assert_eq!(e.rate(), None);
        for (m, &rate) in rates.iter().enumerate() {
            e.add(dt, alpha, rate);
            let (mut num, mut den) = (0.0, 0.0);
            for (j, rate) in rates[..=m].iter().rev().enumerate() {
                let w = alpha * (1.0 - alpha).powi(j as i32);
                num += w * rate;
                den += w;
            }
            let got = e.rate().unwrap();
            assert!((got - num / den).abs() <= 1e-12 * (num / den).abs().max(1.0));
            assert!((e.since - (m + 1) as f64 * dt).abs() < 1e-15);
        }
        let mut c = SinceEvent::restart();
        c.add(dt, alpha, 3.0);
        assert!((c.rate().unwrap() - 3.0).abs() < 1e-15);
        for _ in 0..1000 {
            c.add(dt, alpha, 3.0);
        }
        assert!((c.rate().unwrap() - 3.0).abs() < 1e-12);
    }
}
