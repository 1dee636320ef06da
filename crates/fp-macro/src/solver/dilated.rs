//! The time-dilated mean field (docs/model.md §13): the density advanced in the dilated
//! time `s`, `ds = (1 + N) dt`, in which a firing event is a stretch of `s` with the
//! physical time frozen.
//!
//! **Equation.** With `M = N / (1 + N) ∈ [0, 1)` the Fokker–Planck equation of
//! docs/model.md §3 reads, in `s`,
//!
//! ```text
//! ∂_s p + ∂_v[((1 - M)(-v + I) + b M) p] - (1 - M) a ∂_vv p = M δ_{V_R},
//! dt/ds = 1 - M,      spikes per neuron = ∫ M ds,      N = -a ∂_v p(V_F),
//! ```
//!
//! every coefficient bounded as `N → ∞` (`M → 1`: transport at speed `b`, no diffusion,
//! `t` frozen).
//!
//! **Discretisation outside events.** Semi-implicit Euler in `s` with `M` frozen at the
//! sub-step's start, on the grid and with the face fluxes of the density step. Dividing
//! every row of that step by `1 - M` gives exactly the density step of physical length
//! `τ = (1 - M) ds = ds / (1 + N)` with `N`, `a(N)`, `I` frozen (the drift
//! `(1 - M)(-v + I) + b M` over `(1 - M)` is `-v + I + b N`, the source `M` over `1 - M`
//! is `N`): so a sub-step is [`MacroSolver`]'s operator with `dt = τ`, and inherits its
//! properties for every `τ`: the M-matrix (non-negative density), columns summing to
//! `1/τ` (mass to round-off), first order in `s` and in `t`, no stability condition with
//! implicit re-injection (explicit: `τ a <= h²`). Each physical step `dt` is covered by
//! sub-steps `τ = min(ds / (1 + N), rest of dt)`: the mass fired in a sub-step,
//! `τ N <= ds M < ds`, stays below `ds` however large the rate, and while
//! `(1 + N) dt <= ds` a step is one sub-step, the density step itself bit for bit.
//!
//! **Events.** When the density next to the threshold exceeds `1 / b` (`b p_{n-1} > 1`,
//! i.e. the discrete rate `N = a p_{n-1} / h` exceeds `a / (b h)`: the transport at speed
//! `b` brings mass to `V_F` faster than a dilated flux `M <= 1` can let it out), the
//! dilated solution enters `M = 1`, and the event is its exact `M → 1` limit (module
//! `cascade`): the not-fired mass moved by `b k*`, the fired mass `k*` re-injected at
//! `V_R` only when the event ends, so that no neuron fires twice in one event — the
//! particles' convention. The event takes no physical time. An input kick and the event
//! it seeds are taken on the piecewise-linear density the particles are sampled from
//! (module `linear`: the nodal `G` would place each node's mass half a cell closer to
//! the threshold, a bias of first order in `h` in the kick's size).

use super::step::{Step, shift_density};
use super::{MacroSolver, StepOutcome};
use crate::FrozenAt;
use crate::error::{MacroError, invalid};
use crate::operator::{Frozen, SolveFailure};
use crate::scheme::{FluxScheme, Scheme};

mod cascade;
mod linear;

use cascade::event_size;
use linear::{kick_event_size, shift_reconstruction};

/// The settings of the dilated solver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DilatedConfig {
    /// The step in the dilated time `s`, `ds > 0`: at most this mass fires in one
    /// sub-step (default `0.01`).
    pub ds: f64,
    /// Events firing at least this fraction are reported (default `0.01`, the particles'
    /// default `mfe_min_fraction`); smaller ones are simulated all the same.
    pub mfe_min_fraction: f64,
}

impl Default for DilatedConfig {
    fn default() -> Self {
        DilatedConfig {
            ds: 0.01,
            mfe_min_fraction: 0.01,
        }
    }
}

/// A firing event of the dilated solver: physical time frozen while a fraction of the
/// network fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiringEvent {
    /// The physical time of the event, as the particles' multiple firing events: the end
    /// of its step, or the start for an input kick's.
    pub t: f64,
    /// The mass (fraction of the network) that fired in it.
    pub fraction: f64,
}

/// What one physical step of [`DilatedSolver::step`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DilatedStep {
    /// The step's mean firing rate: the mass fired in it (events included) over `dt`.
    pub rate: f64,
    /// The events of the step of at least [`DilatedConfig::mfe_min_fraction`]: an input
    /// kick's (`[0]`) and one that started by itself (`[1]`; several in one step are
    /// reported as one, at the first one's time, with their fractions summed: the mass
    /// fired in events in the step, which exceeds 1 if the network fires more than once
    /// in it).
    pub events: [Option<FiringEvent>; 2],
    /// Sub-steps taken.
    pub substeps: u32,
}

/// The time-dilated mean field (module docs, docs/model.md §13): a [`MacroSolver`] whose
/// physical steps are taken as sub-steps in the dilated time and whose firing events are
/// resolved in the limit `M → 1`.
///
/// ```
/// use fp_macro::{DilatedConfig, DilatedSolver, MacroConfig, MacroSolver};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// // Blow-up B: one total synchronization right away, then relaxation.
/// let params = ModelParams { b: 1.5, ..ModelParams::default() };
/// let config = MacroConfig { dt: 1e-3, ..MacroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 1.5, var: 0.005 };
/// let solver = MacroSolver::from_initial(params, Input::None, config, &initial)?;
/// let mut dilated = DilatedSolver::new(solver, DilatedConfig::default())?;
/// let mut largest: f64 = 0.0;
/// while dilated.time() < 0.2 {
///     let step = dilated.step().expect("a dilated step");
///     for event in step.events.iter().flatten() {
///         largest = largest.max(event.fraction);
///     }
/// }
/// assert!(largest > 0.5);
/// assert!((dilated.mass() - 1.0).abs() < 1e-12);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DilatedSolver<S: FluxScheme = Scheme> {
    inner: MacroSolver<S>,
    settings: DilatedConfig,
    /// The density at the step's start, restored if a sub-step fails.
    saved: Vec<f64>,
}

impl<S: FluxScheme> DilatedSolver<S> {
    /// The dilated solver continuing `solver` (its density, rate, clock and settings;
    /// `config.dt` is the physical step, on which the clock and the outputs stay).
    ///
    /// # Errors
    ///
    /// [`MacroError::Invalid`] naming `ds` (not positive and finite), `mfe_min_fraction`
    /// (not in `[0, 1]`), `a1` (the event limit needs a noise independent of the rate:
    /// with `a1 > 0` the diffusion `(1 - M) a(N) → a1` does not vanish in an event),
    /// `refractory.tau` or `delay` (a refractory period or a delay: not simulated by this
    /// solver).
    pub fn new(solver: MacroSolver<S>, settings: DilatedConfig) -> Result<Self, MacroError> {
        if !(settings.ds.is_finite() && settings.ds > 0.0) {
            return Err(invalid(
                "ds",
                settings.ds,
                "the dilated step must be positive",
            ));
        }
        if !(0.0..=1.0).contains(&settings.mfe_min_fraction) {
            return Err(invalid(
                "mfe_min_fraction",
                settings.mfe_min_fraction,
                "a fraction of the network, in [0, 1]",
            ));
        }
        if solver.params.a1 != 0.0 {
            return Err(invalid(
                "a1",
                solver.params.a1,
                "the dilated solver needs a noise independent of the rate (a1 = 0)",
            ));
        }
        if solver.refractory.is_some() {
            return Err(invalid(
                "refractory.tau",
                f64::NAN,
                "the dilated solver does not simulate a refractory period",
            ));
        }
        if solver.history.is_some() || solver.delay_steps > 0 {
            return Err(invalid(
                "delay",
                solver.delay_steps as f64,
                "the dilated solver does not simulate a synaptic delay",
            ));
        }
        let saved = solver.density.clone();
        Ok(DilatedSolver {
            inner: solver,
            settings,
            saved,
        })
    }

    /// The underlying density solver (its density, rate, clock, state).
    #[must_use]
    pub fn solver(&self) -> &MacroSolver<S> {
        &self.inner
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> DilatedConfig {
        self.settings
    }

    /// The physical time.
    #[must_use]
    pub fn time(&self) -> f64 {
        self.inner.time()
    }

    /// The instantaneous firing rate `N` (the outflow of the last sub-step, or read off
    /// the density after an event), which the next sub-step freezes.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.inner.rate
    }

    /// The discrete mass `h Σ p_i`.
    #[must_use]
    pub fn mass(&self) -> f64 {
        self.inner.mass
    }

    /// One physical step of length `dt` (module docs): an input kick falling into it,
    /// then sub-steps in `s` and the events they run into.
    ///
    /// # Errors
    ///
    /// The outcome of a sub-step that failed (`PositivityLost` with explicit
    /// re-injection, `NegativeDensity` for a scheme breaking its promise, `NonFinite`);
    /// the state is then left as it was at the step's start.
    pub fn step(&mut self) -> Result<DilatedStep, StepOutcome> {
        let (rate, mass, previous) = (self.inner.rate, self.inner.mass, self.inner.previous_rate);
        self.saved.copy_from_slice(&self.inner.density);
        let result = self.advance();
        if result.is_err() {
            self.inner.density.copy_from_slice(&self.saved);
            (self.inner.rate, self.inner.mass) = (rate, mass);
            self.inner.previous_rate = previous;
        } else {
            self.inner.previous_rate = rate;
            self.inner.steps += 1;
        }
        result
    }

    fn advance(&mut self) -> Result<DilatedStep, StepOutcome> {
        let dt = self.inner.config.dt;
        let t = self.inner.time();
        let t_next = self.inner.t_start + (self.inner.steps + 1) as f64 * dt;
        let mut step = DilatedStep {
            rate: 0.0,
            events: [None; 2],
            substeps: 0,
        };
        // The mass fired: by the events, and the sub-steps' outflows `τ N`.
        let mut fired = 0.0;
        let mut outflow;
        if let Some(dv) = self.inner.input.kick_within(t, t_next) {
            let size = self.kick_event(dv);
            fired += size;
            step.events[0] = self.report(t, size);
        }
        let mut elapsed = 0.0;
        loop {
            let rest = dt - elapsed;
            let natural = self.settings.ds / (1.0 + self.inner.rate);
            // The last sub-step takes the rest of `dt` (also a sliver beyond it), so the
            // step ends on the clock's grid.
            let last = natural >= rest * (1.0 - 1e-9);
            let tau = if last { rest } else { natural };
            outflow = self.substep(t + elapsed, tau)?;
            fired += tau * outflow;
            step.substeps += 1;
            elapsed += tau;
            let b = self.inner.params.b;
            let near = self.inner.density.last().copied().unwrap_or(0.0);
            if b * near > 1.0 {
                let size = self.event(0.0);
                fired += size;
                // At the step's end, as the particles' cascades.
                step.events[1] = match (step.events[1], self.report(t_next, size)) {
                    (Some(first), Some(next)) => Some(FiringEvent {
                        fraction: first.fraction + next.fraction,
                        ..first
                    }),
                    (first, next) => first.or(next),
                };
            }
            if last {
                break;
            }
        }
        // One sub-step of the whole `dt` and no event: the density step's rate itself
        // (`dt N / dt` may round off by an ulp).
        step.rate = if step.substeps == 1 && fired == dt * outflow {
            outflow
        } else {
            fired / dt
        };
        if !step.rate.is_finite() {
            return Err(StepOutcome::NonFinite);
        }
        Ok(step)
    }

    /// An event of `size`, if it is large enough to be reported.
    fn report(&self, t: f64, size: f64) -> Option<FiringEvent> {
        (size > 0.0 && size >= self.settings.mfe_min_fraction)
            .then_some(FiringEvent { t, fraction: size })
    }

    /// One sub-step of physical length `tau` from time `t`: the density step with `N`,
    /// `a(N)` of the sub-step's start and the input at its start or, with
    /// [`FrozenAt::StepEnd`], its end (the rate is never extrapolated: the sub-steps
    /// shrink as it grows, `τ = ds / (1 + N)`, which bounds the lag `StepEnd` removes from
    /// the density step). Returns the mass flux out through `V_F`.
    fn substep(&mut self, t: f64, tau: f64) -> Result<f64, StepOutcome> {
        let inner = &mut self.inner;
        let rate = inner.rate;
        let t_input = match inner.config.frozen_at {
            FrozenAt::StepStart => t,
            _ => t + tau,
        };
        let frozen = Frozen {
            a: inner.params.diffusion(rate),
            shift: inner.params.b * rate + inner.input.current(t_input),
            dt: tau,
        };
        if !(frozen.a > 0.0 && frozen.a.is_finite() && frozen.shift.is_finite()) {
            return Err(StepOutcome::NonFinite);
        }
        let solved = inner.scheme.dispatch(Step {
            operator: &mut inner.operator,
            grid: &inner.grid,
            frozen,
            previous: &inner.density,
            next: &mut inner.next,
        });
        let rate = match solved {
            Ok(rate) if rate.is_finite() => rate,
            Ok(_) | Err(SolveFailure::NotFinite) => return Err(StepOutcome::NonFinite),
            Err(SolveFailure::Positivity { max_dt }) => {
                return Err(StepOutcome::PositivityLost { max_dt });
            }
            Err(SolveFailure::Negative { index, value }) => {
                return Err(StepOutcome::NegativeDensity { index, value });
            }
        };
        std::mem::swap(&mut inner.density, &mut inner.next);
        inner.mass = inner.grid.spacing() * inner.operator.sum();
        inner.rate = rate;
        Ok(inner.operator.outflow_of(rate))
    }

    /// An event seeded by the mass `seed` already removed from the density (module
    /// `cascade`): the not-fired mass moved by `b k*`, then `k*` put at `V_R`. Returns
    /// `k*`, the mass fired.
    fn event(&mut self, seed: f64) -> f64 {
        let inner = &mut self.inner;
        let h = inner.grid.spacing();
        let size = event_size(&inner.density, h, inner.params.b, seed);
        let moved = shift_density(
            &inner.grid,
            &inner.density,
            inner.params.b * size,
            &mut inner.shifted,
        );
        std::mem::swap(&mut inner.density, &mut inner.shifted);
        // What left the grid is what fired (equal to `size - seed` up to rounding):
        // re-injecting exactly that keeps the mass.
        self.reinject(seed + moved)
    }

    /// An input kick `dv` and the event it seeds, on the piecewise-linear density (module
    /// `linear`): the reconstruction moved by `dv + b k*` (for `b <= 0`: by `dv`, then the
    /// rest moved down by `b k*`), then `k*` put at `V_R`. Returns the mass fired.
    fn kick_event(&mut self, dv: f64) -> f64 {
        let inner = &mut self.inner;
        let (h, b) = (inner.grid.spacing(), inner.params.b);
        let size = kick_event_size(&inner.density, h, b, dv);
        let total = if b > 0.0 {
            shift_reconstruction(&inner.density, h, dv + b * size, &mut inner.shifted)
        } else {
            let fired = shift_reconstruction(&inner.density, h, dv, &mut inner.shifted);
            std::mem::swap(&mut inner.density, &mut inner.shifted);
            // A shift down fires nobody.
            fired + shift_density(&inner.grid, &inner.density, b * fired, &mut inner.shifted)
        };
        std::mem::swap(&mut inner.density, &mut inner.shifted);
        self.reinject(total)
    }

    /// Puts the mass `total` that left the grid in an event back at `V_R` (which keeps the
    /// mass), and reads the rate off the density. Returns `total`.
    fn reinject(&mut self, total: f64) -> f64 {
        let inner = &mut self.inner;
        let h = inner.grid.spacing();
        let r = inner.grid.reset_index();
        inner.density[r] += total / h;
        inner.mass = inner.grid.mass(&inner.density);
        inner.rate = inner.params.a0 * inner.density.last().copied().unwrap_or(0.0) / h;
        total
    }
}

impl<S: FluxScheme> MacroSolver<S> {
    /// This solver as the time-dilated solver ([`DilatedSolver::new`]).
    ///
    /// # Errors
    ///
    /// As [`DilatedSolver::new`].
    pub fn dilated(self, settings: DilatedConfig) -> Result<DilatedSolver<S>, MacroError> {
        DilatedSolver::new(self, settings)
    }
}
