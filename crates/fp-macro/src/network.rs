//! The densities of a network of populations, advanced together (docs/model.md §10).
//!
//! Population `α` has its own density `p_α` on its own grid `[v_min, V_F,α]` (the grid
//! [`MacroSolver`] builds from the run's [`MacroConfig`] for `V_F,α`, `V_R,α`), and the
//! equation of docs/model.md §3 with the coefficients of every population's rate:
//!
//! ```text
//! ∂t p_α = ∂v[(v - μ_α) p_α] + a_α ∂vv p_α + N_α δ(v - V_R,α),
//! μ_α = Σ_β coupling[α][β] N_β + I_α(t),   a_α = a0_α + Σ_β a1[α][β] N_β,
//! N_α = -a_α ∂v p_α(V_F,α).
//! ```
//!
//! A step freezes every rate at the step's start (or extrapolates each as
//! [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd) says), forms every population's
//! [`Coefficients`] from them, and advances every density by the operator and the scheme of
//! [`MacroSolver::step_with`]. Construction, accessors and the state are here; the step in
//! `step`, the rates read off the densities in `rates`, the saved state in `state`.

use nlif_model::network::Network;
use nlif_model::{InitialDensity, ModelParams};

use crate::error::{MacroError, invalid};
use crate::scheme::{FluxScheme, Scheme};
use crate::{Grid, MacroConfig, MacroSolver};

mod delay;
mod rates;
mod refractory;
mod state;
mod step;

pub use state::{NETWORK_STATE_VERSION, NetworkState};
pub use step::NetworkOutcome;

/// The `P` densities of a [`Network`] advanced together (docs/model.md §10), generic over
/// the [`FluxScheme`] that every population uses (a clone each).
///
/// One population (`Network::single(&params, input)`) gives [`MacroSolver`]'s results bit
/// for bit; the state can be saved ([`DensityNetwork::state`]) and restored bit for bit
/// ([`DensityNetwork::from_state`]).
///
/// ```
/// use fp_macro::{DensityNetwork, MacroConfig, NetworkOutcome};
/// use nlif_model::network::{Network, Population};
/// use nlif_model::{InitialDensity, Input};
///
/// let population = |name: &str, share, a0| Population {
///     name: name.into(), share, a0, v_f: 2.0, v_r: 1.0, input: Input::None, initial: None,
///     refractory: Default::default(),
///     prior_rate: 0.0,
/// };
/// let network = Network {
///     populations: vec![population("E", 0.8, 1.0), population("I", 0.2, 0.5)],
///     coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
///     a1: Vec::new(),
///     delay: Vec::new(),
/// };
/// let config = MacroConfig { dt: 1e-2, ..MacroConfig::default() };
/// let initial = [InitialDensity::Gaussian { mean: 0.0, var: 0.25 }; 2];
/// let mut densities = DensityNetwork::from_initial(network, config, &initial)?;
/// while densities.time() < 1.0 {
///     match densities.step(f64::INFINITY) {
///         NetworkOutcome::Advanced { .. } => {}
///         other => panic!("t = {}: {other:?}", densities.time()),
///     }
/// }
/// assert!((densities.mass(0) - 1.0).abs() < 1e-12 && (densities.mass(1) - 1.0).abs() < 1e-12);
/// assert_eq!(densities.rate(), 0.8 * densities.rates()[0] + 0.2 * densities.rates()[1]);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DensityNetwork<S: FluxScheme + Clone = Scheme> {
    network: Network,
    /// Population `α`'s density, grid, input, clock and step buffers: a solver of the
    /// population without coupling (`b = a1 = 0`), driven by [`MacroSolver::step_with`].
    populations: Vec<MacroSolver<S>>,
    /// `N_α^m`, as the populations hold them (for [`DensityNetwork::rates`]).
    rates: Vec<f64>,
    /// The rates a step freezes (a buffer of the step).
    frozen: Vec<f64>,
    /// The rates a step produces, committed only if every population advances.
    next_rates: Vec<f64>,
    /// `delay[α][β] / dt` (docs/model.md §12); empty without delays.
    delay_steps: Vec<Vec<usize>>,
    /// The rates population `α` reads, each `delay[α][β]` late (a buffer of the step).
    seen: Vec<f64>,
}

/// The single-population parameters of population `alpha` without coupling: what its
/// grid and its own checks need.
fn uncoupled(network: &Network, alpha: usize) -> ModelParams {
    let population = &network.populations[alpha];
    ModelParams {
        a0: population.a0,
        a1: 0.0,
        b: 0.0,
        v_f: population.v_f,
        v_r: population.v_r,
    }
}

/// Checks that a list of one entry per population has `expected` entries.
fn per_population(field: &'static str, found: usize, expected: usize) -> Result<(), MacroError> {
    if found == expected {
        Ok(())
    } else {
        Err(MacroError::Populations {
            field,
            found,
            expected,
        })
    }
}

/// Checks that `rates` holds one finite non-negative rate per population (`field`: `rate`
/// or `previous_rate`).
fn check_rates(field: &'static str, rates: &[f64], expected: usize) -> Result<(), MacroError> {
    per_population(field, rates.len(), expected)?;
    match rates.iter().position(|&n| !(n.is_finite() && n >= 0.0)) {
        Some(alpha) => Err(invalid(
            field,
            rates[alpha],
            "a firing rate must be finite and non-negative",
        )
        .in_population(alpha)),
        None => Ok(()),
    }
}

impl DensityNetwork<Scheme> {
    /// A network with the built-in scheme `config.scheme`, from the nodal values
    /// `densities[α]` on population `α`'s grid at time `t_start`, with current rates `rates`
    /// (`None`: read off the densities, [`DensityNetwork::with_scheme`]).
    ///
    /// # Errors
    ///
    /// As [`DensityNetwork::with_scheme`].
    pub fn new(
        network: Network,
        config: MacroConfig,
        densities: Vec<Vec<f64>>,
        t_start: f64,
        rates: Option<Vec<f64>>,
    ) -> Result<Self, MacroError> {
        Self::with_scheme(config.scheme, network, config, densities, t_start, rates)
    }

    /// A network with the built-in scheme `config.scheme` at `t = 0`, population `α` from
    /// `initial[α]` discretised and normalised on its grid.
    ///
    /// # Errors
    ///
    /// As [`DensityNetwork::from_initial_with`].
    pub fn from_initial(
        network: Network,
        config: MacroConfig,
        initial: &[InitialDensity],
    ) -> Result<Self, MacroError> {
        Self::from_initial_with(config.scheme, network, config, initial)
    }

    /// The network saved in `state`, with the built-in scheme `state.config.scheme`.
    ///
    /// # Errors
    ///
    /// As [`DensityNetwork::from_state_with`].
    pub fn from_state(state: NetworkState) -> Result<Self, MacroError> {
        let scheme = state.config.scheme;
        Self::from_state_with(scheme, state)
    }
}

impl<S: FluxScheme + Clone> DensityNetwork<S> {
    /// A network whose every population uses the flux scheme `scheme` (`config.scheme`
    /// kept but unused), from the nodal values `densities[α]` on population `α`'s grid at
    /// time `t_start`, with current rates `rates`. With `rates` `None` they are read off
    /// the densities next to the thresholds: `N_α = a_α q_α` with `q_α = p_{n-1,α} / h`
    /// and `a_α = a0_α + Σ_β a1[α][β] N_β`, the linear system of docs/model.md §10
    /// (for one population `threshold_rate`'s `a0 q / (1 - a1 q)`, bit for bit).
    ///
    /// # Errors
    ///
    /// [`MacroError::Network`] naming the entry of an invalid `network`;
    /// [`MacroError::Populations`] if `densities` or `rates` do not hold one entry per
    /// population; [`MacroError::Population`] naming the population whose density is
    /// refused (as [`MacroSolver::with_scheme`]: `populations[α].density`, or `dv`, `v_min`,
    /// `dt` for a grid its `V_F`, `V_R` do not admit), whose refractory period is refused
    /// (as [`MacroSolver::with_refractory`]: `populations[α].refractory.tau`), whose rate is negative or not
    /// finite (`populations[α].rate`), or, with `rates` `None`, whose threshold value
    /// gives no finite rate; [`MacroError::Invalid`] naming `t_start` if not finite;
    /// [`MacroError::Network`] naming `delay[α][β]` for a delay that is not a whole
    /// number of steps `dt` ([`Network::delay_steps`]), [`MacroError::Population`] naming
    /// `populations[β].delay` for a delay longer than [`MAX_HISTORY`](crate::MAX_HISTORY)
    /// steps. The rate history before the start is each population's `prior_rate` (0 by
    /// default; [`DensityNetwork::with_prior_rates`] replaces it).
    pub fn with_scheme(
        scheme: S,
        network: Network,
        config: MacroConfig,
        densities: Vec<Vec<f64>>,
        t_start: f64,
        rates: Option<Vec<f64>>,
    ) -> Result<Self, MacroError> {
        network.validate()?;
        let p = network.len();
        per_population("density", densities.len(), p)?;
        if let Some(rates) = &rates {
            check_rates("rate", rates, p)?;
        }
        let delay_steps = if network.has_delay() {
            network.delay_steps(config.dt)?
        } else {
            Vec::new()
        };
        let mut populations = Vec::with_capacity(p);
        for (alpha, density) in densities.into_iter().enumerate() {
            let input = network.populations[alpha].input;
            let params = uncoupled(&network, alpha);
            let solver = MacroSolver::with_scheme(
                scheme.clone(),
                params,
                input,
                config,
                density,
                t_start,
                Some(0.0),
            )
            .and_then(|solver| solver.with_refractory(network.populations[alpha].refractory))
            .map_err(|e| match e {
                // The start time is the network's, not the population's.
                MacroError::Invalid {
                    field: "t_start", ..
                } => e,
                e => e.in_population(alpha),
            })?;
            populations.push(solver);
        }
        let rates = match rates {
            Some(rates) => rates,
            None => {
                let q: Vec<f64> = populations
                    .iter()
                    .map(|s| s.density()[s.grid().len() - 1] / s.grid().spacing())
                    .collect();
                rates::threshold_rates(&network, &q)?
            }
        };
        for (solver, &rate) in populations.iter_mut().zip(&rates) {
            solver.set_dynamics(rate, rate, 0);
        }
        // Population `β` keeps its rate as long as its longest outgoing delay.
        for (beta, solver) in populations.iter_mut().enumerate() {
            let longest = delay_steps.iter().map(|row| row[beta]).max().unwrap_or(0);
            crate::solver::delay::check_length(longest as f64)
                .map_err(|e| e.in_population(beta))?;
            solver.keep_history(longest, network.populations[beta].prior_rate);
        }
        Ok(DensityNetwork {
            network,
            populations,
            frozen: vec![0.0; p],
            next_rates: vec![0.0; p],
            rates,
            delay_steps,
            seen: vec![0.0; p],
        })
    }

    /// A network whose every population uses the flux scheme `scheme`, at `t = 0`,
    /// population `α` from `initial[α]` discretised and normalised on its grid.
    ///
    /// # Errors
    ///
    /// As [`DensityNetwork::with_scheme`]; [`MacroError::Populations`] if `initial` does
    /// not hold one entry per population, and [`discretise`](crate::discretise)'s, in
    /// [`MacroError::Population`], if `initial[α]` is invalid or has no mass on the grid
    /// (`populations[α].initial.mean`).
    pub fn from_initial_with(
        scheme: S,
        network: Network,
        config: MacroConfig,
        initial: &[InitialDensity],
    ) -> Result<Self, MacroError> {
        network.validate()?;
        per_population("initial", initial.len(), network.len())?;
        let mut densities = Vec::with_capacity(initial.len());
        for (alpha, initial) in initial.iter().enumerate() {
            let grid = crate::solver::grid_for(&uncoupled(&network, alpha), &config)
                .map_err(|e| e.in_population(alpha))?;
            densities.push(crate::discretise(&grid, initial).map_err(|e| e.in_population(alpha))?);
        }
        Self::with_scheme(scheme, network, config, densities, 0.0, None)
    }

    /// Sets every population's current rate (`N^m`, and `N^{m-1}` for
    /// [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd), as after a start): a hand-over
    /// from another description of the network gives the rates it measured.
    ///
    /// # Errors
    ///
    /// [`MacroError::Populations`] if `rates` does not hold one rate per population;
    /// [`MacroError::Population`] naming `populations[α].rate` if one is negative or not
    /// finite. Nothing is changed then.
    pub fn set_rates(&mut self, rates: &[f64]) -> Result<(), MacroError> {
        check_rates("rate", rates, self.populations.len())?;
        for (solver, &rate) in self.populations.iter_mut().zip(rates) {
            let steps = solver.steps();
            solver.set_dynamics(rate, rate, steps);
        }
        self.rates.copy_from_slice(rates);
        Ok(())
    }

    /// The network.
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The number `P` of populations.
    #[must_use]
    pub fn populations(&self) -> usize {
        self.populations.len()
    }

    /// The flux scheme (every population uses a clone of it).
    #[must_use]
    pub fn scheme(&self) -> &S {
        self.populations[0].scheme()
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &MacroConfig {
        self.populations[0].config()
    }

    /// Current time `t_start + steps · dt`.
    #[must_use]
    pub fn time(&self) -> f64 {
        self.populations[0].time()
    }

    /// The time the clock started from.
    #[must_use]
    pub fn t_start(&self) -> f64 {
        self.populations[0].t_start()
    }

    /// Steps taken since `t_start`.
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.populations[0].steps()
    }

    /// The time step.
    #[must_use]
    pub fn dt(&self) -> f64 {
        self.config().dt
    }

    /// The grid of population `alpha` (panics if `alpha >= P`).
    #[must_use]
    pub fn grid(&self, alpha: usize) -> &Grid {
        self.populations[alpha].grid()
    }

    /// Nodal values of population `alpha`'s density (panics if `alpha >= P`).
    #[must_use]
    pub fn density(&self, alpha: usize) -> &[f64] {
        self.populations[alpha].density()
    }

    /// Discrete mass `h Σ p_i` of population `alpha`'s density (`1 - R_α` up to round-off,
    /// [`DensityNetwork::refractory_mass`]; panics if `alpha >= P`).
    #[must_use]
    pub fn mass(&self, alpha: usize) -> f64 {
        self.populations[alpha].mass()
    }

    /// The refractory mass `R_α` of population `alpha` (0 without a period; panics if
    /// `alpha >= P`): `mass(α) + refractory_mass(α)` is 1 up to rounding.
    #[must_use]
    pub fn refractory_mass(&self, alpha: usize) -> f64 {
        self.populations[alpha].refractory_mass()
    }

    /// Every population's current firing rate `N_α^m`.
    #[must_use]
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// The network's firing rate per neuron, `Σ_α share_α N_α` (summed in population
    /// order; for one population its rate exactly).
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.network
            .populations
            .iter()
            .zip(&self.rates)
            .fold(0.0, |sum, (population, n)| sum + population.share * n)
    }
}
