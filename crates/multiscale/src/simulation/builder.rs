//! Choosing a run's components and starting it from data.

use fp_macro::{Grid, MacroConfig, MacroSolver};
use nlif_micro::{BLOCK_SIZE, Parallelism, Reduction, SingleProcess, SubthresholdStepper};
use nlif_model::{InitialDensity, Input, ModelParams};

use super::clock::SampleClock;
use super::handover::{HandOvers, share};
use super::network::network_grids;
use super::ring::RollbackRing;
use super::{Problem, Simulation};
use crate::components::{Builtin, Components, With};
use crate::config::{RunConfig, RunError};
use crate::phase::{Phase, Schedule};
use crate::policy::{BuiltinPolicy, SwitchingPolicy};
use crate::preflight::{discretised, initial_rate, plan_with};
use crate::trace::{Mode, Trace};

/// What a run starts from.
#[non_exhaustive]
pub enum Start<'a, C: Components> {
    /// An initial density of the model (the config's `initial`), discretised on the grid.
    Initial(&'a InitialDensity),
    /// Nodal values of a density on the run's grid (`Simulation::grid`), normalised to
    /// unit mass. A `Micro` run samples its particles from it.
    Density(Vec<f64>),
    /// The voltage of every particle of the network (`solver.micro.particles` of them),
    /// all finite and below `V_F`; the run starts in a particle phase (a `Multiscale` run
    /// switches to the density when its policy says so). Not for a `Macro` run.
    Voltages(Vec<f64>),
    /// A phase of the caller's (a new kind of description): the run starts with it.
    Phase(Box<dyn Phase<C>>),
}

/// Chooses the components of a [`Simulation`]; [`SimulationBuilder::start`] starts it
/// from an initial density, [`SimulationBuilder::start_from`] from any data,
/// [`SimulationBuilder::resume`] from a saved state.
#[must_use]
pub struct SimulationBuilder<C: Components = Builtin> {
    pub(super) problem: Problem,
    pub(super) policy: C::Policy,
    pub(super) scheme: C::Scheme,
    pub(super) stepper: C::Stepper,
    pub(super) reduction: C::Reduction,
    pub(super) parallelism: Parallelism,
    pub(super) part: (usize, usize),
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
        Simulation::for_problem(Problem::single(params, input, config))
    }

    /// A builder for a run of `problem` (the general form of
    /// [`builder`](Simulation::builder), whose problem is one population).
    pub fn for_problem(problem: Problem) -> SimulationBuilder {
        let config = problem.config;
        SimulationBuilder {
            problem,
            policy: BuiltinPolicy::from_config(&config.switching),
            scheme: config.macro_config.scheme,
            stepper: config.micro.stepper,
            reduction: SingleProcess,
            parallelism: Parallelism::default(),
            part: (0, 1),
        }
    }
}

impl<P: SwitchingPolicy> Simulation<With<P>> {
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

/// The builder with one component replaced.
type Replaced<P, S, T, R> = SimulationBuilder<With<P, S, T, R>>;

impl<C: Components> SimulationBuilder<C> {
    /// The switching policy (default: the one `config.switching` names).
    pub fn policy<Q: SwitchingPolicy>(
        self,
        policy: Q,
    ) -> Replaced<Q, C::Scheme, C::Stepper, C::Reduction> {
        let SimulationBuilder {
            problem,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
            ..
        } = self;
        SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        }
    }

    /// The flux scheme of the density (default: `config.macro_config.scheme`).
    pub fn scheme<Q>(self, scheme: Q) -> Replaced<C::Policy, Q, C::Stepper, C::Reduction>
    where
        Q: fp_macro::FluxScheme + Clone + std::fmt::Debug + Send,
    {
        let SimulationBuilder {
            problem,
            policy,
            stepper,
            reduction,
            parallelism,
            part,
            ..
        } = self;
        SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        }
    }

    /// The sub-threshold stepper of the particles (default: `config.micro.stepper`).
    pub fn stepper<Q>(self, stepper: Q) -> Replaced<C::Policy, C::Scheme, Q, C::Reduction>
    where
        Q: SubthresholdStepper + Clone + std::fmt::Debug + Send + 'static,
    {
        let SimulationBuilder {
            problem,
            policy,
            scheme,
            reduction,
            parallelism,
            part,
            ..
        } = self;
        SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        }
    }

    /// The reduction that sums the particles' counts and tallies over the parts of the
    /// network (default: [`SingleProcess`], the identity of a run that holds all
    /// particles). With [`SimulationBuilder::part`], one that sums over the processes
    /// holding the other parts.
    pub fn reduction<Q: Reduction>(
        self,
        reduction: Q,
    ) -> Replaced<C::Policy, C::Scheme, C::Stepper, Q> {
        let SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            parallelism,
            part,
            ..
        } = self;
        SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        }
    }

    /// How the particle blocks are processed (default: [`Parallelism::Rayon`]); the
    /// results do not depend on it.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// Holds only part `index` of `parts` of the particles (default: part 0 of 1, all of
    /// them): the blocks of [`Partition::split`](nlif_micro::Partition::split)`(config.micro.particles, parts)[index]`.
    /// The other parts are run by other processes with the same config and a
    /// [`reduction`](SimulationBuilder::reduction) that sums over all of them; see
    /// [Distributed runs](Simulation#distributed-runs).
    pub fn part(mut self, index: usize, parts: usize) -> Self {
        self.part = (index, parts);
        self
    }

    /// Starts the run from the initial density at `t = 0`.
    ///
    /// # Errors
    ///
    /// As [`Simulation::new`].
    pub fn start(self, initial: &InitialDensity) -> Result<Simulation<C>, RunError> {
        self.start_from(Start::Initial(initial))
    }

    /// Starts the run from a phase of the caller's (see [`Start::Phase`]).
    ///
    /// # Errors
    ///
    /// As [`SimulationBuilder::start_from`].
    pub fn start_with(self, phase: Box<dyn Phase<C>>) -> Result<Simulation<C>, RunError> {
        self.start_from(Start::Phase(phase))
    }

    /// Starts the run from `start` at `t = 0` (a phase of the caller's at its own time).
    ///
    /// ```
    /// use multiscale::{RunConfig, Simulation, SolverKind, Start};
    /// use nlif_model::{Input, ModelParams};
    ///
    /// // A network whose every neuron starts at rest, 0 (the run's grid holds the voltages).
    /// let config = RunConfig { kind: SolverKind::Micro, t_end: 0.1, ..RunConfig::default() };
    /// let voltages = vec![0.0; config.micro.particles];
    /// let mut run = Simulation::builder(ModelParams::default(), Input::None, config)
    ///     .start_from(Start::Voltages(voltages))?;
    /// assert!(run.voltages().unwrap().iter().all(|&v| v == 0.0));
    /// assert!(run.run(&mut ())?.is_completed());
    /// # Ok::<(), multiscale::RunError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Every check of [`preflight`](crate::preflight) but the policy's settings, which
    /// the policy checks itself ([`SwitchingPolicy::validate`]); for data, a density of
    /// the wrong length, not finite, negative or without mass (`start.density`), voltages
    /// of the wrong number (`start.voltages`) or refused by the particles
    /// (`solver.micro`), voltages for a `Macro` run.
    pub fn start_from(self, start: Start<'_, C>) -> Result<Simulation<C>, RunError> {
        let SimulationBuilder {
            problem,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
        } = self;
        let config = problem.config;
        crate::phase::refuse_for_dilated(&problem)?;
        let populations = problem.network.len();
        let network_run = problem.runs_as_network();
        let mut trace = Trace::of(&problem.network);
        let schedule = Schedule::of(config.kind);
        let initial = match &start {
            Start::Initial(initial) => Some(*initial),
            _ => None,
        };
        let check_policy = |switching: &_| {
            if schedule.switching {
                policy.validate(switching)
            } else {
                Ok(())
            }
        };
        let (params, input, grids) = if network_run {
            let network = &problem.network;
            let grids = network_grids(network, initial, &config, check_policy)?;
            trace.population_cells = grids.iter().map(Grid::len).collect();
            (network.own_params(0), network.populations[0].input, grids)
        } else {
            let (params, input) = problem.single_population()?;
            let (grid, _) = plan_with(&params, &input, initial, &config, check_policy)?;
            (params, input, vec![grid])
        };
        let grid = grids[0];
        if config.kind.uses_micro() {
            share(&config, part)?;
        }
        let raster = super::raster::raster_of(&problem);
        let mut simulation = Simulation {
            raster,
            problem,
            params,
            input,
            policy,
            scheme,
            stepper,
            reduction,
            parallelism,
            part,
            schedule,
            grid,
            bounds: if populations > 1 {
                vec![f64::INFINITY; populations]
            } else {
                Vec::new()
            },
            grids,
            // Replaced below; a density phase needs no allocation to stand in.
            phase: Box::new(Placeholder),
            clock: SampleClock::new(&config, SampleClock::start(populations)),
            ring: RollbackRing::new(&config, schedule.switching, Vec::new()),
            monitor: super::MonitorState::default(),
            handovers: HandOvers::default(),
            trace,
            outcome: None,
            stop: false,
        };
        if network_run {
            simulation.start_network(start)?;
            return Ok(simulation);
        }
        let grid = simulation.grid;
        let density = match start {
            Start::Initial(initial) => Some(discretised(&grid, initial)?),
            Start::Density(values) => Some(normalised(&grid, values)?),
            Start::Voltages(voltages) => {
                simulation.start_particles(voltages)?;
                None
            }
            Start::Phase(phase) => {
                simulation.phase = phase;
                None
            }
        };
        if let Some(density) = density {
            let rate = initial_rate(&simulation.grid, &params, &density)?;
            let solver = MacroSolver::with_scheme(
                simulation.scheme.clone(),
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
            simulation.phase = crate::phase::dilated_phase(&config, solver)?;
            simulation.record_density(0)?;
            if schedule.start == Mode::Micro {
                let density = simulation.phase.density().unwrap_or(&[]).to_vec();
                simulation.phase = simulation.particles_from(&density, rate, 0.0)?;
                simulation.monitor.restart(rate);
            } else {
                simulation.keep_state();
            }
        } else {
            simulation.record_density(0)?;
            simulation.keep_state();
        }
        Ok(simulation)
    }
}

impl<C: Components> Simulation<C> {
    /// Starts a network of several populations: from each population's initial density
    /// (the densities, or the particles sampled from them for a `Micro` run), or from a
    /// phase of the caller's.
    fn start_network(&mut self, start: Start<'_, C>) -> Result<(), RunError> {
        match start {
            Start::Initial(initial) => {
                self.phase = self.network_densities(initial)?;
                self.record_density(0)?;
                if self.schedule.start == Mode::Micro {
                    let density = self.current_density()?;
                    let rates = self.phase.population_rates().to_vec();
                    let rate = self.phase.rate();
                    self.phase = self.network_particles_from(&density, &rates, None, 0.0)?;
                    self.monitor.restart_populations(rate, &rates);
                } else {
                    self.keep_state();
                }
            }
            Start::Phase(phase) => {
                self.phase = phase;
                self.record_density(0)?;
                self.keep_state();
            }
            Start::Density(_) | Start::Voltages(_) => {
                return Err(RunError::Invalid {
                    field: "start",
                    value: self.problem.network.len() as f64,
                    reason: "a network of several populations starts from its initial densities or from a phase".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Starts in a particle phase from the whole network's `voltages` (this part's share
    /// of them), at rate 0.
    fn start_particles(&mut self, voltages: Vec<f64>) -> Result<(), RunError> {
        let config = self.problem.config;
        if config.kind == crate::SolverKind::Macro {
            return Err(RunError::Invalid {
                field: "start.voltages",
                value: voltages.len() as f64,
                reason: "a Macro run starts from a density, not from particles".to_owned(),
            });
        }
        if voltages.len() != config.micro.particles {
            return Err(RunError::Invalid {
                field: "start.voltages",
                value: voltages.len() as f64,
                reason: format!(
                    "one voltage per particle: solver.micro.particles = {}",
                    config.micro.particles
                ),
            });
        }
        let (partition, local) = share(&config, self.part)?;
        let first = partition.first_block * BLOCK_SIZE;
        let mut mine = self.particle_buffer(local)?;
        mine.extend_from_slice(&voltages[first..first + local]);
        self.phase = self.particles_with(mine, partition, 0.0, 0.0)?;
        self.monitor.restart(0.0);
        Ok(())
    }
}

/// `values` checked against `grid` and scaled to unit mass.
fn normalised(grid: &fp_macro::Grid, mut values: Vec<f64>) -> Result<Vec<f64>, RunError> {
    let bad = |value: f64, reason: String| RunError::Invalid {
        field: "start.density",
        value,
        reason,
    };
    if values.len() != grid.len() {
        return Err(bad(
            values.len() as f64,
            format!("one value per grid node: the grid has {} nodes", grid.len()),
        ));
    }
    if let Some(&v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(bad(
            v,
            "every value must be finite and non-negative".to_owned(),
        ));
    }
    let mass = grid.mass(&values);
    if !(mass > 0.0 && mass.is_finite()) {
        return Err(bad(mass, "the density has no mass on the grid".to_owned()));
    }
    values.iter_mut().for_each(|v| *v /= mass);
    Ok(values)
}

/// The phase a simulation holds while it is being built (never stepped).
struct Placeholder;

impl<C: Components> Phase<C> for Placeholder {
    fn mode(&self) -> Mode {
        Mode::Macro
    }
    fn time(&self) -> f64 {
        0.0
    }
    fn dt(&self) -> f64 {
        f64::INFINITY
    }
    fn steps(&self) -> u64 {
        0
    }
    fn rate(&self) -> f64 {
        0.0
    }
    fn step(&mut self, _env: &mut crate::phase::Env<'_, C>) -> crate::phase::Stepped {
        unreachable!("a simulation is never stepped while it is built")
    }
    fn estimate(
        &mut self,
        _env: &mut crate::phase::Env<'_, C>,
        _estimator: coupling::Estimator,
        _rate: f64,
        _out: &mut [f64],
    ) -> Result<f64, RunError> {
        unreachable!("a simulation is never recorded while it is built")
    }
    fn state(&self) -> Option<crate::phase::PhaseState> {
        None
    }
}
