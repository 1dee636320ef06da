//! The driver of one run: phases advanced step by step, recorded on a common output grid.
//!
//! A [`Simulation`] is made of parts, each one idea with its own savable state: the
//! phase advancing the network ([`crate::phase`]), the sample clock (`clock`), the
//! rollback ring of kept macro states (`ring`), the rate monitor of the particle phases
//! (`monitor`) and the hand-overs between the descriptions (`handover`). This module
//! holds the step loop that ties them together.

use std::ops::ControlFlow;

use fp_macro::Grid;
use nlif_micro::Parallelism;
use nlif_model::network::Network;
use nlif_model::time::{reached, tidy as tidy_time};
use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::components::{Builtin, Components};
use crate::config::{RunConfig, RunError};
use crate::observer::{Event, Observer, StepView};
use crate::phase::{Phase, Schedule, Stepped};
use crate::policy::{DensityView, SwitchingPolicy};
use crate::trace::{MASS_TOLERANCE, Mode, Outcome, RateCrossing, Sample, SwitchReason, Trace};

/// What a phase may use besides itself ([`Env`]), for a step bounded by `bound`: built
/// from the simulation's fields, so that the phase (another field) can be borrowed too.
macro_rules! phase_env {
    ($s:ident, $bound:expr) => {
        phase_env!($s, $bound, &[])
    };
    ($s:ident, $bound:expr, $rates:expr) => {
        $crate::phase::Env {
            params: &$s.params,
            network: &$s.problem.network,
            grid: &$s.grid,
            grids: &$s.grids,
            rates: $rates,
            bounds: &$s.bounds,
            parallelism: $s.parallelism,
            reduction: &mut $s.reduction,
            bound: $bound,
            raster: $s.raster.as_mut(),
        }
    };
}

mod builder;
mod clock;
mod fingerprint;
mod handover;
mod memory;
mod monitor;
mod network;
mod raster;
mod record;
mod ring;
mod state;

pub use builder::{SimulationBuilder, Start};
pub use clock::{ClockState, Tail};
pub use memory::{DensityMemory, ParticleMemory};
pub use monitor::{MonitorState, SinceEvent};
pub use ring::SnapshotState;
pub use state::{SIMULATION_STATE_VERSION, SimulationState};

use clock::SampleClock;
use handover::HandOvers;
use ring::RollbackRing;

/// The problem a run solves: the network (its populations with their inputs, and the
/// coupling between them) and the run's settings. Held once by a [`Simulation`]; a
/// [`SimulationState`] holds its fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// The network; one population ([`Problem::single`]) is the model of
    /// [`ModelParams`].
    pub network: Network,
    /// The run's settings.
    pub config: RunConfig,
}

impl Problem {
    /// The problem of one population with the model `params` and the input `input`
    /// ([`Network::single`]).
    pub fn single(params: ModelParams, input: Input, config: RunConfig) -> Self {
        Problem {
            network: Network::single(&params, input),
            config,
        }
    }

    /// Whether the run goes through the network solvers: a network of several
    /// populations, or one population with what the single-population solvers do not
    /// take (a refractory period, a synaptic delay). One population otherwise runs
    /// through the single-population solvers, which give the same bits for it.
    #[must_use]
    pub fn runs_as_network(&self) -> bool {
        self.network.len() > 1 || self.network.as_single().is_none()
    }

    /// The model and input of a network of one population, the form the solvers of a
    /// run take today.
    ///
    /// # Errors
    ///
    /// [`RunError::Network`] naming `model.delay[0][0]` for a synaptic delay, and
    /// [`RunError::Invalid`] naming `model.populations` for a network of several
    /// populations (or one with a refractory period), which a run does not simulate yet.
    pub fn single_population(&self) -> Result<(ModelParams, Input), RunError> {
        self.network.refuse_delay()?;
        self.network.as_single().ok_or_else(|| RunError::Invalid {
            field: "model.populations",
            value: self.network.len() as f64,
            reason: "a run simulates one population without refractory period in this version"
                .to_owned(),
        })
    }
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
/// happens, step by step, and may stop the run. The library does no I/O.
///
/// The components are injected through [`Simulation::builder`] as one type
/// [`With<P, S, T, R>`](crate::With): the switching policy `P`, the flux scheme `S` of the
/// density, the sub-threshold stepper `T` of the particles, and the reduction `R` that
/// sums the particles' counts and tallies over the parts of a distributed run. The
/// defaults ([`Builtin`]) are the built-in ones the config names.
///
/// # Distributed runs
///
/// A run can hold only one part of the particles ([`SimulationBuilder::part`]): the
/// network's blocks are cut into contiguous parts ([`nlif_micro::Partition::split`]), each
/// part is stepped by its own process, and the parts exchange only integer sums through
/// `R` — the spike counts of every step and cascade round, and at a hand-over or a density
/// snapshot the tally of the particles. Everything else is replicated: every part computes
/// the same density phase, the same samples and the same decisions from the same sums. The
/// hand-over to particles draws block `j`'s strata from a stream of its own (seeded from
/// the segment's seed and `j`), so a part samples exactly what the whole network holds in
/// its blocks. Integer sums are exact, so a run split into any number of parts is the
/// single-process run bit for bit.
pub struct Simulation<C: Components = Builtin> {
    problem: Problem,
    /// The model and input of the problem's one population (of a network of several:
    /// the first population's own, which only the single-population phases read).
    params: ModelParams,
    input: Input,
    /// Each population's grid (`grid` alone for one population).
    grids: Vec<Grid>,
    /// Each population's rate bound for the current density step of a network of
    /// several populations (empty otherwise).
    bounds: Vec<f64>,
    policy: C::Policy,
    scheme: C::Scheme,
    stepper: C::Stepper,
    reduction: C::Reduction,
    parallelism: Parallelism,
    /// This process's share of the particles: part `.0` of `.1`.
    part: (usize, usize),
    schedule: Schedule,
    grid: Grid,
    phase: Box<dyn Phase<C>>,
    clock: SampleClock,
    ring: RollbackRing,
    monitor: MonitorState,
    handovers: HandOvers,
    /// The neurons whose spikes the particle phases record (`None`: no raster).
    raster: Option<nlif_micro::SpikeRaster>,
    trace: Trace,
    outcome: Option<Outcome>,
    /// An observer asked to stop during the current `advance`.
    stop: bool,
}

// A run of the built-in components moves between threads (every phase is `Send`).
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Simulation>();
};

impl<C: Components> std::fmt::Debug for Simulation<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("config", &self.problem.config)
            .field("time", &self.time())
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

impl<C: Components> Simulation<C> {
    /// Current time.
    pub fn time(&self) -> f64 {
        self.phase.time()
    }

    /// Current mode.
    pub fn mode(&self) -> Mode {
        self.phase.mode()
    }

    /// The current firing rate (of the last step).
    pub fn rate(&self) -> f64 {
        self.phase.rate()
    }

    /// The density on the grid, in a density phase.
    pub fn density(&self) -> Option<&[f64]> {
        self.phase.density()
    }

    /// This process's particle voltages (pending kicks applied; the run continues bit for
    /// bit as without the call), in a particle phase.
    pub fn voltages(&mut self) -> Option<&[f64]> {
        self.phase.voltages()
    }

    /// The phase advancing the network.
    pub fn phase(&self) -> &dyn Phase<C> {
        self.phase.as_ref()
    }

    /// The record so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The record, consuming the run.
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    /// The grid of the density and of the density snapshots (of the first population,
    /// for a network of several: see [`Simulation::grids`]).
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Each population's grid, in population order (one for a single population). A
    /// density snapshot of a network of several populations holds every population's
    /// density on its own grid, one after the other
    /// ([`Trace::population_density`]).
    pub fn grids(&self) -> &[Grid] {
        &self.grids
    }

    /// The nodes `v_0 .. v_{n-1}` of the grid (the cells of the density snapshots).
    pub fn grid_nodes(&self) -> Vec<f64> {
        self.grid.nodes().collect()
    }

    /// The switching policy.
    pub fn policy(&self) -> &C::Policy {
        &self.policy
    }

    /// The run's settings.
    pub fn config(&self) -> &RunConfig {
        &self.problem.config
    }

    /// The model, input and settings of the run.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// How the run ended, if it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// Runs to `t_end`, until the run ends early (see [`Outcome`]), or until the observer
    /// stops it ([`Outcome::Stopped`]: not an end, the run continues with another call).
    ///
    /// # Errors
    ///
    /// A conversion between density and particles that fails (a [`RunError::Coupling`]).
    pub fn run<O: Observer>(&mut self, observer: &mut O) -> Result<Outcome, RunError> {
        loop {
            if let Some(outcome) = self.advance(self.problem.config.t_end, observer)? {
                return Ok(outcome);
            }
            if self.stop {
                return Ok(Outcome::Stopped {
                    t: tidy_time(self.time()),
                });
            }
        }
    }

    /// Advances until `until` (at most `t_end`), the end of the run, or the observer's
    /// stop; returns the outcome once the run has ended. When it ends, a last partial rate
    /// sample covers the time since the last full sample (the run ends exactly at `t_end`,
    /// which need not be a multiple of the sample interval, or earlier with an outcome
    /// other than [`Outcome::Completed`]).
    ///
    /// # Errors
    ///
    /// As [`Simulation::run`].
    pub fn advance<O: Observer>(
        &mut self,
        until: f64,
        observer: &mut O,
    ) -> Result<Option<Outcome>, RunError> {
        let t_end = self.problem.config.t_end;
        let until = until.min(t_end);
        self.stop = false;
        // Grid times compared with instants by the one rule of `nlif_model::time`.
        while self.outcome.is_none() && !self.stop && !reached(self.time(), until) {
            self.step(observer)?;
        }
        if self.outcome.is_none() && reached(self.time(), t_end) {
            self.outcome = Some(Outcome::Completed);
        }
        if self.outcome.is_some() {
            self.final_sample(observer);
        }
        Ok(self.outcome)
    }

    /// Records an event; an observer's stop ends the current `advance` after this step.
    fn emit<O: Observer>(stop: &mut bool, observer: &mut O, event: Event<'_>) {
        if let ControlFlow::Break(()) = observer.observe(event) {
            *stop = true;
        }
    }

    /// One step of the phase, with what follows from it: the sample clock, the invariants,
    /// the events, and the switching on its own cadence.
    fn step<O: Observer>(&mut self, observer: &mut O) -> Result<(), RunError> {
        let mode = self.phase.mode();
        let switching = self.schedule.switching;
        let bound = if switching && mode == Mode::Macro {
            self.population_bounds();
            self.policy.macro_rate_bound(&DensityView {
                t: self.phase.time(),
                dt: self.phase.dt(),
                rate: self.phase.rate(),
                density: self.phase.density().unwrap_or(&[]),
                grid: &self.grid,
            })
        } else {
            self.bounds.fill(f64::INFINITY);
            f64::INFINITY
        };
        let mut env = phase_env!(self, bound);
        let stepped = self.phase.step(&mut env);
        self.take_spikes();
        match mode {
            Mode::Macro => self.trace.macro_steps += 1,
            Mode::Micro => self.trace.micro_steps += 1,
        }
        let (t, dt) = (self.phase.time(), self.phase.dt());
        let (rate, mass, mfes) = match stepped {
            Stepped::Advanced { rate, mass, mfes } => (rate, mass, mfes),
            Stepped::Invalid { rate } => {
                // A stepper left non-finite voltages (counted over the whole network, so
                // every part of a distributed run ends here alike).
                self.clock.add(rate, self.phase.population_rates(), dt);
                self.outcome = Some(Outcome::NonFinite { t: tidy_time(t) });
                return Ok(());
            }
            Stepped::Refused { reason, rollback } if switching && mode == Mode::Macro => {
                return self.hand_over_to_particles(reason, rollback, observer);
            }
            Stepped::Refused { reason, .. } => {
                self.outcome = Some(Outcome::ended_by(reason, tidy_time(t)));
                return Ok(());
            }
        };
        self.clock.add(rate, self.phase.population_rates(), dt);
        if let Some(mass) = mass {
            let error = (mass - 1.0).abs();
            self.trace.mass_error_max = self.trace.mass_error_max.max(error);
            if !(error <= MASS_TOLERANCE) {
                let t = tidy_time(t);
                self.outcome = Some(Outcome::MassLost { t, error });
                return Ok(());
            }
        }
        let watch = self.problem.config.blow_up;
        // A dilated run passes through its blow-ups (as firing events): nothing to watch.
        let watched = self.problem.config.kind != crate::SolverKind::Dilated;
        if watched
            && !switching
            && mode == Mode::Macro
            && rate > watch.rate
            && self.trace.blow_up.is_none()
        {
            let t = tidy_time(t);
            self.trace.blow_up = Some(RateCrossing { t, rate });
            if watch.stop {
                self.outcome = Some(Outcome::BlowUp { t, rate });
                return Ok(());
            }
        }
        if mode == Mode::Micro {
            let smoothing = self.problem.config.switching.smoothing;
            self.monitor.step(dt, smoothing, rate, &mfes);
            self.monitor
                .step_populations(dt, smoothing, self.phase.population_rates());
        }
        for (which, mfe) in mfes.iter().enumerate() {
            let Some(mfe) = mfe else { continue };
            self.trace.mfes.push(*mfe);
            if !self.trace.populations.is_empty() {
                let fractions = self.phase.mfe_fractions(which);
                self.trace.mfe_fractions.extend_from_slice(fractions);
            }
            Self::emit(&mut self.stop, observer, Event::Mfe(mfe));
        }
        let view = StepView {
            t,
            rate,
            mode,
            density: self.phase.density(),
        };
        Self::emit(&mut self.stop, observer, Event::Step(&view));
        self.after_step(t, observer)
    }

    /// Emits the samples whose time has come; then, on the switching's own cadence (not
    /// the output's: what is recorded never changes what is simulated), keeps a macro
    /// state for the rolled-back hand-over (every `snapshot_every` macro steps) or
    /// decides the switch back to the density (every macro step's worth of particle
    /// steps).
    fn after_step<O: Observer>(&mut self, t: f64, observer: &mut O) -> Result<(), RunError> {
        while let Some(due) = self.clock.due(t, &mut self.trace.population_rates) {
            let sample = Sample {
                t: due.t,
                rate: due.rate,
                mode: self.mode(),
            };
            let _ = fill_rate_after(&mut self.trace.switches, sample.rate);
            self.trace.samples.push(sample);
            Self::emit(&mut self.stop, observer, Event::Sample(&sample));
            self.record_density(due.k)?;
        }
        if !self.schedule.switching {
            return Ok(());
        }
        let steps = self.phase.steps();
        match self.mode() {
            Mode::Macro if self.ring.due(steps) => self.keep_state(),
            Mode::Micro if steps.is_multiple_of(self.problem.config.switch_check_every()) => {
                self.decide_switch_down(t, observer)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Keeps the current density for a later hand-over, with the sample clock at its time
    /// (a rollback restores it).
    fn keep_state(&mut self) {
        let (t, rate) = (self.phase.time(), self.phase.rate());
        let rates = self.phase.population_rates();
        let phase = self.phase.as_ref();
        self.ring.keep(
            t,
            |out| joined_density(phase, out),
            (rate, rates),
            || phase.density_memory(),
            &self.clock.state,
        );
    }

    /// The switch back to the density, asked once per macro step's worth of particle
    /// steps: settled after the last event, or the burst over.
    fn decide_switch_down<O: Observer>(
        &mut self,
        t: f64,
        observer: &mut O,
    ) -> Result<(), RunError> {
        let mfe = self.monitor.take_mfe();
        let t = tidy_time(t);
        let settled = self.monitor.since_event.and_then(|e| {
            let rate = e.rate()?;
            self.policy
                .settled_after_event(t, e.since, rate)
                .then_some((e.since, rate))
        });
        if let Some((since_event, rate)) = settled {
            let rate = rate.max(0.0);
            let reason = SwitchReason::Settled { since_event, rate };
            self.hand_over_to_density(rate, reason, observer)?;
        } else if self.policy.burst_over(t, self.monitor.smoothed, mfe) {
            let rate = self.monitor.smoothed.max(0.0);
            let reason = SwitchReason::BurstOver {
                smoothed_rate: rate,
            };
            self.hand_over_to_density(rate, reason, observer)?;
        }
        Ok(())
    }
}

/// Appends the density `phase` holds to `out`: its one density, or every population's
/// one after the other; whether it holds any.
fn joined_density<C: Components>(phase: &dyn Phase<C>, out: &mut Vec<f64>) -> bool {
    if let Some(density) = phase.density() {
        out.extend_from_slice(density);
        return true;
    }
    let mut alpha = 0;
    while let Some(density) = phase.population_density(alpha) {
        out.extend_from_slice(density);
        alpha += 1;
    }
    alpha > 0
}

/// Gives the first sample after a switch its rate; whether there was one to fill.
fn fill_rate_after(switches: &mut [crate::trace::Switch], rate: f64) -> bool {
    if let Some(last) = switches.last_mut()
        && last.rate_after.is_none()
    {
        last.rate_after = Some(rate);
        return true;
    }
    false
}
