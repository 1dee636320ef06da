//! The mean-field solver: a density on a grid advanced by semi-implicit steps.

use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::Grid;
use crate::error::{MacroError, invalid};
use crate::operator::{Frozen, Reinjection, SolveFailure, StepOperator};
use crate::scheme::{FluxScheme, Scheme, SchemeVisitor};
use crate::state::{MACRO_STATE_VERSION, MacroState};

/// Settings of the mean-field solver, as written in the `solver.macro` section of a config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MacroConfig {
    /// Flux scheme (read by [`MacroSolver::new`] and the other constructors of
    /// `MacroSolver<Scheme>`; kept but unused by [`MacroSolver::with_scheme`]).
    pub scheme: Scheme,
    /// Lower end of the truncated domain (no flux there).
    pub v_min: f64,
    /// Grid spacing `h`; must divide `v_f - v_r`.
    pub dv: f64,
    /// Time step.
    pub dt: f64,
    /// Implicit or explicit re-injection of the outflow at `V_R`.
    pub reinjection: Reinjection,
    /// When the step's frozen coefficients (the rate in the drift and the diffusion, and
    /// the input) are taken: at the start of the step (default) or predicted at its end.
    pub frozen_at: FrozenAt,
}

/// When the coefficients a step freezes are taken (docs/fp-macro.md, "Time stepping").
///
/// The step is linearly implicit: the density `p^{m+1}` is implicit, the drift
/// `-v + b N + I` and the diffusion `a(N)` are frozen for the step. Either choice keeps
/// the M-matrix (so non-negativity and mass to round-off) and the steady states, which
/// satisfy `N^m = N^{m-1}`; they differ in the time error.
///
/// New ways may be added: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FrozenAt {
    /// `N^m`, `a(N^m)`, `I(t^m)`: the rate lags one step behind the density. Near a
    /// blow-up, where `N` grows fast, that lag dominates the (first-order) time error.
    #[default]
    StepStart,
    /// `I(t^{m+1})` exactly and the rate extrapolated linearly to `t^{m+1}`,
    /// `N* = max(0, 2 N^m - N^{m-1})` (`N^{m-1} = N^m` on the first step after a start),
    /// with `a(N*)`: what backward Euler evaluates, to second order. The step stays
    /// first order, but without the lag: on the blow-up of `configs/blowup-a.ron` the
    /// rate passes 20 at `dt = 1e-3` within 0.001 of the `dt = 1e-5` time, against 0.014
    /// with `StepStart` (test `frozen_at_step_end_removes_the_lag_at_blow_up`). Free: the
    /// same one solve per step.
    StepEnd,
}

impl Default for MacroConfig {
    fn default() -> Self {
        MacroConfig {
            scheme: Scheme::ScharfetterGummel,
            v_min: -4.0,
            dv: 0.02,
            dt: 1e-4,
            reinjection: Reinjection::Implicit,
            frozen_at: FrozenAt::StepStart,
        }
    }
}

/// The result of one attempted step. Anything but `Advanced` leaves the state at `t^m`,
/// so a loop `while solver.time() < t_end { solver.step(bound) }` that ignores the outcome
/// would never end: stop (or change something) on anything but `Advanced`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
#[must_use = "a step that did not advance leaves the state unchanged: handle every outcome but `Advanced`"]
pub enum StepOutcome {
    /// The state advanced to `t^{m+1}` with this firing rate.
    Advanced {
        /// The new firing rate.
        rate: f64,
    },
    /// The new rate would exceed the caller's bound (the state did not advance).
    RateAboveBound {
        /// The rate the step would have produced.
        rate: f64,
        /// The caller's bound.
        bound: f64,
    },
    /// Explicit re-injection would make the density negative: `dt N > h p_{n-1}`.
    PositivityLost {
        /// The largest step that would have kept the density non-negative.
        max_dt: f64,
    },
    /// An input kick in this step pushes part of the mass over `V_F` at once: a
    /// synchronous event the density cannot represent.
    SynchronousKick {
        /// Time of the kick.
        t0: f64,
        /// Voltage shift of the kick.
        dv: f64,
        /// Fraction of the mass pushed to or over `V_F`.
        fraction: f64,
    },
    /// The solve produced a negative density value: the scheme's weights are not those of
    /// an M-matrix (a [`FluxScheme`] breaking its positivity promise; the built-in
    /// schemes cannot produce this).
    NegativeDensity {
        /// Index of the first negative nodal value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The solve produced NaN or infinity (the rate has blown up beyond representation,
    /// or a scheme returned non-finite weights).
    NonFinite,
}

impl StepOutcome {
    /// The new rate if the state advanced.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        match self {
            StepOutcome::Advanced { rate } => Some(*rate),
            _ => None,
        }
    }
}

/// The mean-field Fokker–Planck solver (docs/model.md §3), generic over its
/// [`FluxScheme`]: the built-in [`Scheme`] (the default, chosen by the config) or any
/// scheme of the caller's ([`MacroSolver::with_scheme`]). Every step, whatever the scheme,
/// returns a [`StepOutcome`]; the state can be saved ([`MacroSolver::state`]) and
/// restored bit for bit ([`MacroSolver::from_state`]).
///
/// ```
/// use fp_macro::{MacroConfig, MacroSolver, StepOutcome};
/// use nlif_model::{InitialDensity, Input, ModelParams};
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
    rate: f64,
    /// `N^{m-1}`, for [`FrozenAt::StepEnd`]'s extrapolation.
    previous_rate: f64,
    t_start: f64,
    steps: u64,
    operator: StepOperator,
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
            operator: StepOperator::new(&grid, config.reinjection),
            mass: grid.mass(&density),
            grid,
            density,
            rate,
            previous_rate: rate,
            t_start,
            steps: 0,
        })
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
    /// [`MacroError::StateVersion`] if `state.version` is not [`MACRO_STATE_VERSION`];
    /// otherwise as [`MacroSolver::with_scheme`] for every field (the rate named `rate`),
    /// and [`MacroError::Invalid`] naming `steps` if the time `t_start + steps · dt` is not
    /// finite.
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
        } = state;
        if version != MACRO_STATE_VERSION {
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
        }
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

    /// Discrete mass `h Σ p_i` (1 up to round-off), as summed when the density was
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

    /// Attempts one step of length `dt`; advances only if the outcome is `Advanced` and the
    /// new rate is at most `rate_bound` (pass `f64::INFINITY` for no bound).
    ///
    /// A kick of the input that falls into this step (`nlif_model::time::in_step`, the
    /// step from `t` to the clock's next time) is applied first, by a mass-conserving linear
    /// remap of the density shifted by `dv` (mass shifted below `v_0` stays in cell 0); if
    /// any mass reaches `V_F` the step reports [`StepOutcome::SynchronousKick`] instead.
    /// Then the step operator is assembled with the scheme's weights and solved in `O(n)`
    /// without allocating (module `operator`, docs/fp-macro.md); every failure is an
    /// outcome, and anything but `Advanced` leaves the state unchanged.
    pub fn step(&mut self, rate_bound: f64) -> StepOutcome {
        let t = self.time();
        let dt = self.config.dt;
        let mut previous = std::mem::take(&mut self.density);
        // The next step's start as the clock computes it: consecutive windows share their
        // end points, so a kick falls into exactly one step (nlif_model::time).
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        if let Some(dv) = self.input.kick_within(t, t_next) {
            let fraction = shift_density(&self.grid, &previous, dv, &mut self.next);
            if fraction > 0.0 {
                self.density = previous;
                return StepOutcome::SynchronousKick {
                    t0: t,
                    dv,
                    fraction,
                };
            }
            std::mem::swap(&mut previous, &mut self.next);
        }
        let frozen = self.frozen(self.frozen_rate(), dt);
        let outcome = match self.solve_step(frozen, &previous) {
            Ok(rate) if !rate.is_finite() => StepOutcome::NonFinite,
            Ok(rate) if rate > rate_bound => StepOutcome::RateAboveBound {
                rate,
                bound: rate_bound,
            },
            Ok(rate) => StepOutcome::Advanced { rate },
            Err(SolveFailure::Positivity { max_dt }) => StepOutcome::PositivityLost { max_dt },
            Err(SolveFailure::Negative { index, value }) => {
                StepOutcome::NegativeDensity { index, value }
            }
            Err(SolveFailure::NotFinite) => StepOutcome::NonFinite,
        };
        if let StepOutcome::Advanced { rate } = outcome {
            self.density = std::mem::replace(&mut self.next, previous);
            self.mass = self.grid.spacing() * self.operator.sum();
            self.previous_rate = self.rate;
            self.rate = rate;
            self.steps += 1;
        } else {
            self.density = previous;
        }
        outcome
    }
}

impl<S: FluxScheme> MacroSolver<S> {
    /// The rate the next step freezes: `N^m`, or with [`FrozenAt::StepEnd`] the
    /// extrapolation `max(0, 2 N^m - N^{m-1})`.
    fn frozen_rate(&self) -> f64 {
        match self.config.frozen_at {
            FrozenAt::StepStart => self.rate,
            FrozenAt::StepEnd => (2.0 * self.rate - self.previous_rate).max(0.0),
        }
    }

    /// The coefficients a step of length `dt` from the current time freezes with the rate
    /// `rate`: `a(rate)` and the drift shift `b · rate + I`, the input taken at the step's
    /// start ([`FrozenAt::StepStart`]) or end.
    fn frozen(&self, rate: f64, dt: f64) -> Frozen {
        let t = self.time();
        let t_input = match self.config.frozen_at {
            FrozenAt::StepStart => t,
            FrozenAt::StepEnd => t + dt,
        };
        Frozen {
            a: self.params.diffusion(rate),
            shift: self.params.b * rate + self.input.current(t_input),
            dt,
        }
    }

    /// Forms and solves the step with the scheme's weights into `self.next`, with the
    /// scheme [`FluxScheme::dispatch`] hands over: the built-in enum matches its variant
    /// once here, so that the face loop is the concrete scheme's (`Scheme::weights` would
    /// match once per face: ~4 % of a Scharfetter–Gummel step); any other scheme is used
    /// as it is. Both are resolved at compile time after monomorphisation.
    #[inline]
    fn solve_step(&mut self, frozen: Frozen, previous: &[f64]) -> Result<f64, SolveFailure> {
        self.scheme.dispatch(Step {
            operator: &mut self.operator,
            grid: &self.grid,
            frozen,
            previous,
            next: &mut self.next,
        })
    }
}

/// One step of the operator with the scheme a [`FluxScheme::dispatch`] hands over.
struct Step<'a> {
    operator: &'a mut StepOperator,
    grid: &'a Grid,
    frozen: Frozen,
    previous: &'a [f64],
    next: &'a mut [f64],
}

impl SchemeVisitor for Step<'_> {
    type Output = Result<f64, SolveFailure>;

    #[inline(always)]
    fn visit<K: FluxScheme>(self, scheme: &K) -> Self::Output {
        self.operator
            .step(self.grid, scheme, self.frozen, self.previous, self.next)
    }
}

/// The grid of `config` for `params`, after checking `params` and `config.dt`.
fn grid_for(params: &ModelParams, config: &MacroConfig) -> Result<Grid, MacroError> {
    params.validate()?;
    if !(config.dt.is_finite() && config.dt > 0.0) {
        return Err(invalid("dt", config.dt, "the time step must be positive"));
    }
    Ok(Grid::for_model(params, config.v_min, config.dv)?)
}

/// Shifts nodal values `p` by `dv` into `out` with the conservative linear remap (the mass
/// `h p_i` at `v_i + dv` is split between the two nearest nodes); returns the mass landing
/// at or beyond `V_F` (node `n`), which `out` does not hold.
fn shift_density(grid: &Grid, p: &[f64], dv: f64, out: &mut [f64]) -> f64 {
    let n = grid.len();
    // A shift of more than the whole grid moves every cell past one end; clamping keeps
    // the cell index arithmetic in range for any finite `dv` without changing the result.
    let bound = n as f64 + 2.0;
    let cells = (dv / grid.spacing()).clamp(-bound, bound);
    let whole = cells.floor();
    let frac = cells - whole;
    let whole = whole as i64;
    out.iter_mut().for_each(|x| *x = 0.0);
    let mut fired = 0.0;
    for (i, &value) in p.iter().enumerate() {
        for (target, weight) in [(i as i64 + whole, 1.0 - frac), (i as i64 + whole + 1, frac)] {
            let share = value * weight;
            if share == 0.0 {
                continue;
            }
            if target >= n as i64 {
                fired += share;
            } else {
                out[target.max(0) as usize] += share;
            }
        }
    }
    fired * grid.spacing()
}

/// The linear system of one density step, `matrix · p^{m+1} = rhs` (feature `sprs`): see
/// [`MacroSolver::step_system`].
#[cfg(feature = "sprs")]
#[derive(Debug, Clone, PartialEq)]
pub struct StepSystem {
    /// The step matrix `M`, `n × n` in compressed sparse rows: three bands and, with
    /// implicit re-injection, the entry `(r, n-1)`.
    pub matrix: sprs::CsMat<f64>,
    /// The right-hand side: `p^m / dt` (after the step's input kick, if one falls into
    /// it), with explicit re-injection the outflow moved from the last cell to `V_R`.
    pub rhs: Vec<f64>,
}

/// The step matrix for analysis (feature `sprs`).
///
/// The step itself never assembles it: [`MacroSolver::step`] forms the rows inside its
/// `O(n)` two-chain elimination without allocating (docs/fp-macro.md, "Solve"). These
/// methods build the same matrix as a [`sprs::CsMat`], for its spectrum, its M-matrix
/// property or an export (to SciPy through the triplets or Matrix Market, say).
#[cfg(feature = "sprs")]
impl<S: FluxScheme> MacroSolver<S> {
    /// The matrix `M` of a step of length `dt` from the current state with the frozen rate
    /// `rate`: row `i` (cell `i` divided by `h`) holds `-κ A_{i-1/2}` at `i-1`,
    /// `1/dt + κ (A_{i+1/2} + B_{i-1/2})` at `i` and `-κ B_{i+1/2}` at `i+1`, `κ = a/h²`,
    /// the weights `(A, B)` of the scheme at the Péclet numbers
    /// `w = (b · rate + I - v_{i+1/2}) h / a`, `a = a(rate)`, the input `I` at the step's
    /// start or end as `config.frozen_at` says; the last face is the outflow (weight 1
    /// implicit, 0 explicit), and implicit re-injection adds `-κ` at `(r, n-1)`.
    ///
    /// With non-negative weights it is an M-matrix (positive diagonal, non-positive
    /// elsewhere) whose columns sum to `1/dt`, so that `M^{-1} >= 0` and
    /// `‖M^{-1}‖₁ = dt` (docs/fp-macro.md, "Time stepping").
    ///
    /// # Panics
    ///
    /// If `rate` or `dt` is not finite, or `dt <= 0`.
    #[must_use]
    pub fn step_matrix(&self, rate: f64, dt: f64) -> sprs::CsMat<f64> {
        assert!(
            rate.is_finite() && dt.is_finite() && dt > 0.0,
            "a finite rate and a positive time step"
        );
        self.matrix_of(self.frozen(rate, dt))
    }

    /// The system the next [`step`](MacroSolver::step) solves, `M p^{m+1} = rhs`: the
    /// matrix of [`step_matrix`](MacroSolver::step_matrix) with the rate and `dt` the step
    /// freezes, and the right-hand side from the current density, shifted first by an
    /// input kick that falls into the step (a kick that reaches `V_F` makes the step
    /// refuse with [`StepOutcome::SynchronousKick`] instead; the system is then that of
    /// the shifted density below `V_F`). Its solution is the step's new density, to
    /// round-off (tested against a dense elimination). Allocates.
    #[must_use]
    pub fn step_system(&self) -> StepSystem {
        let dt = self.config.dt;
        let frozen = self.frozen(self.frozen_rate(), dt);
        let t = self.time();
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        let previous = match self.input.kick_within(t, t_next) {
            Some(dv) => {
                let mut shifted = vec![0.0; self.grid.len()];
                let _ = shift_density(&self.grid, &self.density, dv, &mut shifted);
                shifted
            }
            None => self.density.clone(),
        };
        StepSystem {
            matrix: self.matrix_of(frozen),
            rhs: crate::operator::step_rhs(&self.grid, frozen, self.config.reinjection, &previous),
        }
    }

    fn matrix_of(&self, frozen: Frozen) -> sprs::CsMat<f64> {
        let n = self.grid.len();
        let entries = crate::operator::step_entries(
            &self.grid,
            &self.scheme,
            frozen,
            self.config.reinjection,
        );
        let mut triplets = sprs::TriMat::with_capacity((n, n), entries.len());
        for (i, j, value) in entries {
            triplets.add_triplet(i, j, value);
        }
        triplets.to_csr()
    }
}
