//! The mean-field solver: a density on a grid advanced by semi-implicit steps.
//!
//! Its settings are in `config` ([`MacroConfig`]), what a step reports in `outcome`
//! ([`StepOutcome`]), the step itself in `step`, the step's matrix for analysis (feature
//! `sprs`) in `matrix`; this file holds the solver, its construction and its accessors.

use nlif_model::{InitialDensity, Input, ModelParams, Refractory};

use crate::Grid;
use crate::error::{MacroError, invalid};
use crate::operator::StepOperator;
use crate::scheme::{FluxScheme, Scheme};
use crate::state::{MACRO_STATE_OLDEST, MACRO_STATE_VERSION, MacroState, RefractoryState};

use delay::History;

mod coefficients;
mod config;
pub(crate) mod delay;
mod dilated;
#[cfg(feature = "sprs")]
mod matrix;
mod outcome;
pub(crate) mod refractory;
mod ring;
mod step;

pub use coefficients::Coefficients;
pub use config::{FrozenAt, MacroConfig};
pub use dilated::{DilatedConfig, DilatedSolver, DilatedStep, FiringEvent};
#[cfg(feature = "sprs")]
pub use matrix::StepSystem;
pub use outcome::StepOutcome;
use refractory::Compartment;
pub use refractory::MAX_HISTORY;

/// The mean-field Fokker–Planck solver (docs/model.md §3), generic over its
/// [`FluxScheme`]: the built-in [`Scheme`] (the default, chosen by the config) or any
/// scheme of the caller's ([`MacroSolver::with_scheme`]). Every step, whatever the scheme,
/// returns a [`StepOutcome`]; the state can be saved ([`MacroSolver::state`]) and
/// restored bit for bit ([`MacroSolver::from_state`]).
///
/// ```
/// use fp_macro::{MacroConfig, MacroSolver, StepOutcome};
/// use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
///
/// let params = ModelParams { b: 0.5, ..ModelParams::default() };
/// let config = MacroConfig { dt: 1e-3, ..MacroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.25 };
/// let mut solver = MacroSolver::from_initial(params, Input::None, config, &initial)?;
/// while solver.time() < 1.0 {
///     match solver.step(f64::INFINITY) {
///         StepOutcome::Advanced { .. } => {}
///         other => panic!("t = {}: {other:?}", solver.time()),
///     }
/// }
/// assert!((solver.mass() - 1.0).abs() < 1e-12);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MacroSolver<S: FluxScheme = Scheme> {
    scheme: S,
    params: ModelParams,
    input: Input,
    config: MacroConfig,
    grid: Grid,
    density: Vec<f64>,
    /// `h Σ p_i` of `density`: summed by the last step's back substitution (which visits
    /// every value anyway; a separate sum is one chain of additions, about a fifth of a
    /// step on 600 cells), or by [`Grid::mass`] for the density the solver started from.
    mass: f64,
    next: Vec<f64>,
    /// The density shifted by an input kick, the source of the step that takes the kick (a
    /// buffer of its own, so that a refused step leaves `density` as it was).
    shifted: Vec<f64>,
    rate: f64,
    /// `N^{m-1}`, for [`FrozenAt::StepEnd`]'s extrapolation.
    previous_rate: f64,
    t_start: f64,
    steps: u64,
    operator: StepOperator,
    /// The refractory compartment (docs/model.md §11), `None` without a period.
    refractory: Option<Compartment>,
    /// The delay of the solver's own coupling in steps (docs/model.md §12; 0 without, and
    /// in a network's population, whose coupling the network applies).
    delay_steps: usize,
    /// The rates of the last steps that a delay reads (module `delay`), `None` without.
    history: Option<History>,
}

impl MacroSolver<Scheme> {
    /// A solver with the built-in scheme `config.scheme`, from the nodal values `density`
    /// on the grid of `config` at time `t_start`, with current firing rate `rate` (`None`:
    /// read off the density by [`threshold_rate`](crate::threshold_rate)).
    ///
    /// # Errors
    ///
    /// As [`MacroSolver::with_scheme`].
    pub fn new(
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        density: Vec<f64>,
        t_start: f64,
        rate: Option<f64>,
    ) -> Result<Self, MacroError> {
        Self::with_scheme(config.scheme, params, input, config, density, t_start, rate)
    }

    /// A solver with the built-in scheme `config.scheme` at `t = 0` from `initial`
    /// discretised and normalised on the grid.
    ///
    /// # Errors
    ///
    /// As [`MacroSolver::from_initial_with`].
    pub fn from_initial(
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        initial: &InitialDensity,
    ) -> Result<Self, MacroError> {
        Self::from_initial_with(config.scheme, params, input, config, initial)
    }

    /// The solver saved in `state`, with the built-in scheme `state.config.scheme`; it
    /// continues exactly where the saved one stood (same time, same steps to come, bit for
    /// bit).
    ///
    /// # Errors
    ///
    /// As [`MacroSolver::from_state_with`].
    pub fn from_state(state: MacroState) -> Result<Self, MacroError> {
        let scheme = state.config.scheme;
        Self::from_state_with(scheme, state)
    }
}

impl<S: FluxScheme> MacroSolver<S> {
    /// A solver with the flux scheme `scheme` (`config.scheme` is then kept but unused),
    /// from the nodal values `density` on the grid of `config` at time `t_start`, with
    /// current firing rate `rate` (`None`: read off the density by
    /// [`threshold_rate`](crate::threshold_rate)). Its clock is `t_start + steps · dt`, `steps` counted from
    /// zero.
    ///
    /// # Errors
    ///
    /// [`MacroError::Model`] naming the field of invalid `params` or `input`;
    /// [`MacroError::Invalid`] naming `dt`, `dv`, `v_min` (see [`Grid::new`]), `t_start` (not
    /// finite) or `rate` (negative or not finite); [`MacroError::DensityLength`] if `density`
    /// does not hold one value per unknown of the grid; [`MacroError::Density`] if a value
    /// is negative or not finite; with `rate` `None`, [`threshold_rate`](crate::threshold_rate)'s if the
    /// density gives no finite rate.
    pub fn with_scheme(
        scheme: S,
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        density: Vec<f64>,
        t_start: f64,
        rate: Option<f64>,
    ) -> Result<Self, MacroError> {
        params.validate()?;
        input.validate()?;
        let grid = grid_for(&params, &config)?;
        if !t_start.is_finite() {
            return Err(invalid("t_start", t_start, "the start time must be finite"));
        }
        if density.len() != grid.len() {
            return Err(MacroError::DensityLength {
                found: density.len(),
                expected: grid.len(),
            });
        }
        if let Some((index, &value)) = density
            .iter()
            .enumerate()
            .find(|&(_, &p)| !(p.is_finite() && p >= 0.0))
        {
            return Err(MacroError::Density {
                index,
                value,
                len: grid.len(),
            });
        }
        let rate = match rate {
            Some(rate) if rate.is_finite() && rate >= 0.0 => rate,
            Some(rate) => {
                return Err(invalid(
                    "rate",
                    rate,
                    "a firing rate must be finite and non-negative",
                ));
            }
            None => crate::threshold_rate(&grid, &params, &density)?,
        };
        Ok(MacroSolver {
            scheme,
            params,
            input,
            config,
            next: vec![0.0; grid.len()],
            shifted: vec![0.0; grid.len()],
            operator: StepOperator::new(&grid, config.reinjection),
            mass: grid.mass(&density),
            grid,
            density,
            rate,
            previous_rate: rate,
            t_start,
            steps: 0,
            refractory: None,
            delay_steps: 0,
            history: None,
        })
    }

    /// This solver with the refractory period `period` (docs/model.md §11), nobody
    /// refractory yet (the refractory mass `R = 0`: the density should hold the whole
    /// mass). The density then holds `1 - R`; the outflow at `V_F` enters the refractory
    /// compartment, which re-injects at `V_R` (module `solver::refractory` for the
    /// scheme). [`Refractory::None`] or `tau = 0`: the solver as it is, its steps bit for
    /// bit those without a period.
    ///
    /// ```
    /// use fp_macro::{MacroConfig, MacroSolver};
    /// use nlif_model::{InitialDensity, Input, ModelParams, Refractory};
    ///
    /// let config = MacroConfig { dt: 1e-3, ..MacroConfig::default() };
    /// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.25 };
    /// let mut solver = MacroSolver::from_initial(ModelParams::default(), Input::None, config, &initial)?
    ///     .with_refractory(Refractory::Exponential { tau: 0.025 })?;
    /// for _ in 0..100 {
    ///     assert!(solver.step(f64::INFINITY).rate().is_some());
    /// }
    /// assert!((solver.mass() + solver.refractory_mass() - 1.0).abs() < 1e-12);
    /// let odd = solver.clone().with_refractory(Refractory::Fixed { tau: 0.0255 });
    /// assert_eq!(odd.unwrap_err().field(), "refractory.tau");
    /// # Ok::<(), fp_macro::MacroError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MacroError::Model`] naming `refractory.tau` if `tau` is negative or not finite;
    /// [`MacroError::Invalid`] naming `refractory.tau` if a `Fixed` period is not a whole
    /// number of steps `dt` (to a relative `1e-9`) or spans more than [`MAX_HISTORY`]
    /// steps.
    pub fn with_refractory(mut self, period: Refractory) -> Result<Self, MacroError> {
        self.refractory = Compartment::new(period, self.config.dt)?;
        Ok(self)
    }

    /// The refractory period (`Refractory::None` without one, or for `tau = 0`).
    #[must_use]
    pub fn refractory(&self) -> Refractory {
        self.refractory
            .as_ref()
            .map_or(Refractory::None, |c| c.state().period)
    }

    /// The refractory mass `R` (0 without a period): `mass() + refractory_mass()` is 1
    /// up to rounding.
    #[must_use]
    pub fn refractory_mass(&self) -> f64 {
        self.refractory.as_ref().map_or(0.0, Compartment::mass)
    }

    /// A solver with the flux scheme `scheme` (`config.scheme` unused) at `t = 0` from
    /// `initial` discretised and normalised on the grid.
    ///
    /// # Errors
    ///
    /// As [`MacroSolver::with_scheme`], and [`discretise`](crate::discretise)'s if `initial` is invalid
    /// or has no mass on the grid.
    pub fn from_initial_with(
        scheme: S,
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        initial: &InitialDensity,
    ) -> Result<Self, MacroError> {
        let grid = grid_for(&params, &config)?;
        let density = crate::discretise(&grid, initial)?;
        Self::with_scheme(scheme, params, input, config, density, 0.0, None)
    }

    /// The solver saved in `state`, with the flux scheme `scheme` (the one it was saved
    /// with: the state does not record a custom scheme; `state.config.scheme` is unused).
    /// The clock continues as `state.t_start + steps · dt` from `steps = state.steps`, so
    /// the restored solver's steps are bit for bit those the saved one would have taken.
    ///
    /// # Errors
    ///
    /// [`MacroError::StateVersion`] if `state.version` is neither [`MACRO_STATE_VERSION`]
    /// nor an older version this build still reads (2: the same fields without
    /// `refractory` and `delay`; 3: without `delay`); otherwise as [`MacroSolver::with_scheme`] for every field (the rate
    /// named `rate`), [`MacroError::Invalid`] naming `steps` if the time
    /// `t_start + steps · dt` is not finite, and for a refractory compartment
    /// [`MacroSolver::with_refractory`]'s for its period, [`MacroError::Invalid`] naming
    /// `refractory.mass` (not finite) or `refractory.history` (not `tau/dt` finite
    /// non-negative rates for `Fixed`, not empty for `Exponential`), and for a delay
    /// [`MacroSolver::with_delay`]'s (`delay`, also if it is 0) and
    /// [`MacroSolver::set_rate_history`]'s (`delay.history`).
    pub fn from_state_with(scheme: S, state: MacroState) -> Result<Self, MacroError> {
        let MacroState {
            version,
            params,
            input,
            config,
            density,
            rate,
            previous_rate,
            t_start,
            steps,
            refractory,
            delay,
        } = state;
        if !(MACRO_STATE_OLDEST..=MACRO_STATE_VERSION).contains(&version) {
            return Err(MacroError::StateVersion {
                found: version,
                supported: MACRO_STATE_VERSION,
            });
        }
        let mut solver =
            Self::with_scheme(scheme, params, input, config, density, t_start, Some(rate))?;
        if !(previous_rate.is_finite() && previous_rate >= 0.0) {
            return Err(invalid(
                "previous_rate",
                previous_rate,
                "a firing rate must be finite and non-negative",
            ));
        }
        solver.previous_rate = previous_rate;
        solver.steps = steps;
        if let Some(refractory) = refractory {
            solver.refractory = Some(Compartment::restore(refractory, config.dt)?);
        }
        if let Some(delay) = delay {
            solver = solver.restore_delay(delay)?;
        }
        if !solver.time().is_finite() {
            return Err(invalid(
                "steps",
                steps as f64,
                "the time t_start + steps * dt is not finite",
            ));
        }
        Ok(solver)
    }

    /// Everything needed to continue this run bit for bit (see [`MacroState`]); not the
    /// scheme, which for a custom [`FluxScheme`] the caller keeps. Allocates a copy of the
    /// density.
    #[must_use]
    pub fn state(&self) -> MacroState {
        MacroState {
            version: MACRO_STATE_VERSION,
            params: self.params,
            input: self.input,
            config: self.config,
            density: self.density.clone(),
            rate: self.rate,
            previous_rate: self.previous_rate,
            t_start: self.t_start,
            steps: self.steps,
            refractory: self.refractory_state(),
            delay: self.delay_state(),
        }
    }

    /// Sets the rates and the step count (a network's construction and restore, which
    /// check them): `N^m`, `N^{m-1}`, and `steps`.
    pub(crate) fn set_dynamics(&mut self, rate: f64, previous_rate: f64, steps: u64) {
        self.rate = rate;
        self.previous_rate = previous_rate;
        self.steps = steps;
    }

    /// The saved refractory compartment (`None` without a period).
    pub(crate) fn refractory_state(&self) -> Option<RefractoryState> {
        self.refractory.as_ref().map(Compartment::state)
    }

    /// Replaces the refractory compartment by the saved `state` (a network's restore,
    /// which checks that its period is the population's).
    ///
    /// # Errors
    ///
    /// As [`MacroSolver::from_state_with`] for the compartment.
    pub(crate) fn restore_refractory(
        &mut self,
        state: Option<RefractoryState>,
    ) -> Result<(), MacroError> {
        self.refractory = state
            .map(|state| Compartment::restore(state, self.config.dt))
            .transpose()?;
        Ok(())
    }

    /// The flux scheme.
    #[must_use]
    pub fn scheme(&self) -> &S {
        &self.scheme
    }

    /// The grid.
    #[must_use]
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Nodal values of the density at `v_0 .. v_{n-1}`.
    #[must_use]
    pub fn density(&self) -> &[f64] {
        &self.density
    }

    /// The rate before the current one, `N^{m-1}` (equal to it before the first step).
    pub(crate) fn previous_rate(&self) -> f64 {
        self.previous_rate
    }

    /// Current firing rate `N^m`.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Current time `t_start + steps · dt` (computed from the step count, so it does not
    /// accumulate round-off).
    #[must_use]
    pub fn time(&self) -> f64 {
        self.t_start + self.steps as f64 * self.config.dt
    }

    /// The time the clock started from.
    #[must_use]
    pub fn t_start(&self) -> f64 {
        self.t_start
    }

    /// Steps taken since `t_start` (since construction, or as restored from a state).
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Discrete mass `h Σ p_i` (1 up to round-off, `1 - R` with a refractory period:
    /// [`MacroSolver::refractory_mass`]), as summed when the density was
    /// computed (in the order of the step's back substitution).
    #[must_use]
    pub fn mass(&self) -> f64 {
        self.mass
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &MacroConfig {
        &self.config
    }

    /// The model parameters.
    #[must_use]
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The external input.
    #[must_use]
    pub fn input(&self) -> &Input {
        &self.input
    }
}

/// The grid of `config` for `params`, after checking `params` and `config.dt`.
pub(crate) fn grid_for(params: &ModelParams, config: &MacroConfig) -> Result<Grid, MacroError> {
    params.validate()?;
    if !(config.dt.is_finite() && config.dt > 0.0) {
        return Err(invalid("dt", config.dt, "the time step must be positive"));
    }
    Ok(Grid::for_model(params, config.v_min, config.dv)?)
}
