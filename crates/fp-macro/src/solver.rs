//! The mean-field solver: a density on a grid advanced by semi-implicit steps.

use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::Grid;
use crate::error::{MacroError, invalid};
use crate::operator::{Frozen, Reinjection, SolveFailure, StepOperator};
use crate::scheme::{ChangCooper, ScharfetterGummel, Scheme, Upwind};

/// Settings of the mean-field solver, as written in the `solver.macro` section of a config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MacroConfig {
    /// Flux scheme.
    pub scheme: Scheme,
    /// Lower end of the truncated domain (no flux there).
    pub v_min: f64,
    /// Grid spacing `h`; must divide `v_f - v_r`.
    pub dv: f64,
    /// Time step.
    pub dt: f64,
    /// Implicit or explicit re-injection of the outflow at `V_R`.
    pub reinjection: Reinjection,
}

impl Default for MacroConfig {
    fn default() -> Self {
        MacroConfig {
            scheme: Scheme::ScharfetterGummel,
            v_min: -4.0,
            dv: 0.02,
            dt: 1e-4,
            reinjection: Reinjection::Implicit,
        }
    }
}

/// The result of one attempted step. Anything but `Advanced` leaves the state at `t^m`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
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
    /// The solve produced NaN or infinity (the rate has blown up beyond representation).
    NonFinite,
}

impl StepOutcome {
    /// The new rate if the state advanced.
    pub fn rate(&self) -> Option<f64> {
        match self {
            StepOutcome::Advanced { rate } => Some(*rate),
            _ => None,
        }
    }
}

/// The mean-field Fokker–Planck solver (docs/model.md §3).
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
///     let outcome = solver.step(f64::INFINITY);
///     assert!(matches!(outcome, StepOutcome::Advanced { .. }));
/// }
/// assert!((solver.mass() - 1.0).abs() < 1e-12);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MacroSolver {
    params: ModelParams,
    input: Input,
    config: MacroConfig,
    grid: Grid,
    density: Vec<f64>,
    next: Vec<f64>,
    rate: f64,
    t_start: f64,
    steps: u64,
    operator: StepOperator,
}

impl MacroSolver {
    /// A solver from the nodal values `density` on the grid of `config` at time `t_start`,
    /// with current firing rate `rate` (`None`: read off the density by
    /// [`Grid::threshold_rate`]).
    pub fn new(
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        density: Vec<f64>,
        t_start: f64,
        rate: Option<f64>,
    ) -> Result<Self, MacroError> {
        params.validate()?;
        input.validate()?;
        let grid = Self::grid_for(&params, &config)?;
        if density.len() != grid.len() {
            return Err(MacroError::Density {
                index: density.len(),
                value: f64::NAN,
                len: grid.len(),
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
            None => grid.threshold_rate(&params, &density)?,
        };
        Ok(MacroSolver {
            params,
            input,
            config,
            next: vec![0.0; grid.len()],
            operator: StepOperator::new(&grid, config.reinjection),
            grid,
            density,
            rate,
            t_start,
            steps: 0,
        })
    }

    /// A solver at `t = 0` from `initial` discretised and normalised on the grid.
    pub fn from_initial(
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        initial: &InitialDensity,
    ) -> Result<Self, MacroError> {
        let grid = Self::grid_for(&params, &config)?;
        let density = grid.discretise(initial)?;
        Self::new(params, input, config, density, 0.0, None)
    }

    fn grid_for(params: &ModelParams, config: &MacroConfig) -> Result<Grid, MacroError> {
        params.validate()?;
        if !(config.dt.is_finite() && config.dt > 0.0) {
            return Err(invalid("dt", config.dt, "the time step must be positive"));
        }
        Grid::for_model(params, config.v_min, config.dv)
    }

    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Nodal values of the density at `v_0 .. v_{n-1}`.
    pub fn density(&self) -> &[f64] {
        &self.density
    }

    /// Current firing rate `N^m`.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Current time `t_start + steps · dt`.
    pub fn time(&self) -> f64 {
        self.t_start + self.steps as f64 * self.config.dt
    }

    /// Steps taken since construction.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Discrete mass `h Σ p_i` (1 up to round-off).
    pub fn mass(&self) -> f64 {
        self.grid.mass(&self.density)
    }

    /// The settings.
    pub fn config(&self) -> &MacroConfig {
        &self.config
    }

    /// The model parameters.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The step operator of the last step (its CSR matrix, for inspection).
    pub fn operator(&self) -> &StepOperator {
        &self.operator
    }

    /// Attempts one step of length `dt`; advances only if the outcome is `Advanced` and the
    /// new rate is at most `rate_bound` (pass `f64::INFINITY` for no bound).
    ///
    /// A kick of the input in `[t, t + dt)` is applied first, by a mass-conserving linear
    /// remap of the density shifted by `dv` (mass shifted below `v_0` stays in cell 0); if
    /// any mass reaches `V_F` the step reports [`StepOutcome::SynchronousKick`] instead.
    pub fn step(&mut self, rate_bound: f64) -> StepOutcome {
        let t = self.time();
        let dt = self.config.dt;
        let mut previous = std::mem::take(&mut self.density);
        if let Some(dv) = self.input.kick_within(t, t + dt) {
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
        let frozen = Frozen {
            a: self.params.diffusion(self.rate),
            shift: self.params.b * self.rate + self.input.current(t),
            dt,
        };
        match self.config.scheme {
            Scheme::ChangCooper => self.operator.assemble(&self.grid, ChangCooper, frozen),
            Scheme::ScharfetterGummel => {
                self.operator
                    .assemble(&self.grid, ScharfetterGummel, frozen)
            }
            Scheme::Upwind => self.operator.assemble(&self.grid, Upwind, frozen),
        }
        let outcome = match self
            .operator
            .solve(&self.grid, dt, &previous, &mut self.next)
        {
            Ok(rate) if !rate.is_finite() => StepOutcome::NonFinite,
            Ok(rate) if rate > rate_bound => StepOutcome::RateAboveBound {
                rate,
                bound: rate_bound,
            },
            Ok(rate) => StepOutcome::Advanced { rate },
            Err(SolveFailure::Positivity { max_dt }) => StepOutcome::PositivityLost { max_dt },
            Err(SolveFailure::NotFinite) => StepOutcome::NonFinite,
        };
        if let StepOutcome::Advanced { rate } = outcome {
            self.density = std::mem::replace(&mut self.next, previous);
            self.rate = rate;
            self.steps += 1;
        } else {
            self.density = previous;
        }
        outcome
    }
}

/// Shifts nodal values `p` by `dv` into `out` with the conservative linear remap (the mass
/// `h p_i` at `v_i + dv` is split between the two nearest nodes); returns the mass landing
/// at or beyond `V_F` (node `n`), which `out` does not hold.
fn shift_density(grid: &Grid, p: &[f64], dv: f64, out: &mut [f64]) -> f64 {
    let n = grid.len();
    let cells = dv / grid.spacing();
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
