//! One step of the mean-field solver: an input kick, the coefficients it freezes, and the
//! operator's solve with the scheme [`FluxScheme::dispatch`] hands over.

use super::{Coefficients, FrozenAt, MacroSolver, StepOutcome};
use crate::Grid;
use crate::operator::{Frozen, SolveFailure, StepOperator};
use crate::scheme::{FluxScheme, SchemeVisitor};

impl<S: FluxScheme> MacroSolver<S> {
    /// Attempts one step of length `dt`; advances only if the outcome is `Advanced` and the
    /// new rate is at most `rate_bound` (pass `f64::INFINITY` for no bound).
    ///
    /// The step freezes the coefficients [`MacroSolver::coefficients`] (the rate `N^m`, or
    /// its extrapolation with [`FrozenAt::StepEnd`], in the drift and the diffusion) and is
    /// then [`MacroSolver::step_with`] them.
    ///
    /// A kick of the input that falls into this step (`nlif_model::time::in_step`, the
    /// step from `t` to the clock's next time) is applied first, by a mass-conserving linear
    /// remap of the density shifted by `dv` (mass shifted below `v_0` stays in cell 0); if
    /// any mass reaches `V_F` the step reports [`StepOutcome::SynchronousKick`] instead.
    /// Then the step operator is assembled with the scheme's weights and solved in `O(n)`
    /// without allocating (module `operator`, docs/fp-macro.md); every failure is an
    /// outcome, and anything but `Advanced` leaves the state unchanged.
    pub fn step(&mut self, rate_bound: f64) -> StepOutcome {
        self.step_with(self.coefficients(), rate_bound)
    }

    /// The coefficients the next [`step`](MacroSolver::step) freezes: `a(N*)` and the drift
    /// shift `b N* + I`, `N*` the rate `N^m` or its extrapolation (`config.frozen_at`) —
    /// with a delay ([`MacroSolver::with_delay`]) the rate of the delay before, at the
    /// step's start or end —, the input at the step's start or end.
    #[must_use]
    pub fn coefficients(&self) -> Coefficients {
        // With a delay, the rate of `delay / dt` steps before (module `delay`).
        let frozen = self.frozen(self.delayed_rate(self.delay_steps), self.config.dt);
        Coefficients {
            a: frozen.a,
            shift: frozen.shift,
        }
    }

    /// One step of length `dt` with the coefficients `coefficients` (the diffusion and the
    /// drift shift, frozen for the step) instead of those of the solver's own model: as
    /// [`MacroSolver::step`] in everything else (the input's kick, the outcomes, the rate
    /// bound), the new rate being the outflow `(a/h) p_{n-1}^{m+1}` with the given `a`.
    /// This is how a network of populations drives each population's density with the
    /// coefficients of every population's rate (docs/model.md §10). Coefficients that are
    /// not finite, or `a <= 0`, give [`StepOutcome::NonFinite`] (the state unchanged).
    pub fn step_with(&mut self, coefficients: Coefficients, rate_bound: f64) -> StepOutcome {
        let outcome = self.solve(coefficients, rate_bound);
        if let StepOutcome::Advanced { rate } = outcome {
            self.commit(rate);
        }
        outcome
    }

    /// The step's new density into `self.next`, the state untouched: the first half of a
    /// step, which a network takes for every population before it commits any.
    pub(crate) fn solve(&mut self, coefficients: Coefficients, rate_bound: f64) -> StepOutcome {
        let Coefficients { a, shift } = coefficients;
        if !(a > 0.0 && a.is_finite() && shift.is_finite()) {
            return StepOutcome::NonFinite;
        }
        let t = self.time();
        let dt = self.config.dt;
        // The next step's start as the clock computes it: consecutive windows share their
        // end points, so a kick falls into exactly one step (nlif_model::time).
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        let kicked = match self.input.kick_within(t, t_next) {
            Some(dv) => {
                let fraction = shift_density(&self.grid, &self.density, dv, &mut self.shifted);
                if fraction > 0.0 {
                    return StepOutcome::SynchronousKick {
                        t0: t,
                        dv,
                        fraction,
                    };
                }
                true
            }
            None => false,
        };
        let frozen = Frozen { a, shift, dt };
        if let Some(compartment) = &self.refractory {
            self.operator.set_reentry(compartment.reentry(dt));
        }
        let previous = if kicked { &self.shifted } else { &self.density };
        // The scheme [`FluxScheme::dispatch`] hands over: the built-in enum matches its
        // variant once here, so that the face loop is the concrete scheme's
        // (`Scheme::weights` would match once per face: ~4 % of a Scharfetter–Gummel step);
        // any other scheme is used as it is. Both are resolved at compile time.
        let solved = self.scheme.dispatch(Step {
            operator: &mut self.operator,
            grid: &self.grid,
            frozen,
            previous,
            next: &mut self.next,
        });
        match solved {
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
        }
    }

    /// The second half of a step: the density [`solve`](Self::solve) left in `self.next`
    /// becomes the state, with its rate `rate`; the refractory compartment takes the
    /// step's balance `R += dt (N_out - Q)` (module `refractory`).
    pub(crate) fn commit(&mut self, rate: f64) {
        std::mem::swap(&mut self.density, &mut self.next);
        self.mass = self.grid.spacing() * self.operator.sum();
        if let Some(compartment) = &mut self.refractory {
            let (reentry, outflow) = (self.operator.reentry(), self.operator.outflow_of(rate));
            compartment.commit(reentry, outflow, self.config.dt);
        }
        if let Some(history) = &mut self.history {
            history.push(self.rate);
        }
        self.previous_rate = self.rate;
        self.rate = rate;
        self.steps += 1;
    }

    /// The rate the next step freezes: `N^m`, or with [`FrozenAt::StepEnd`] the
    /// extrapolation `max(0, 2 N^m - N^{m-1})`.
    pub(crate) fn frozen_rate(&self) -> f64 {
        match self.config.frozen_at {
            FrozenAt::StepStart => self.rate,
            FrozenAt::StepEnd => (2.0 * self.rate - self.previous_rate).max(0.0),
        }
    }

    /// The time at which a step of length `dt` from the current time takes the input: its
    /// start ([`FrozenAt::StepStart`]) or its end.
    pub(crate) fn input_time(&self, dt: f64) -> f64 {
        let t = self.time();
        match self.config.frozen_at {
            FrozenAt::StepStart => t,
            FrozenAt::StepEnd => t + dt,
        }
    }

    /// The coefficients a step of length `dt` from the current time freezes with the rate
    /// `rate`: `a(rate)` and the drift shift `b · rate + I`, the input taken at the step's
    /// start ([`FrozenAt::StepStart`]) or end.
    pub(super) fn frozen(&self, rate: f64, dt: f64) -> Frozen {
        let t_input = self.input_time(dt);
        Frozen {
            a: self.params.diffusion(rate),
            shift: self.params.b * rate + self.input.current(t_input),
            dt,
        }
    }
}

/// One step of the operator with the scheme a [`FluxScheme::dispatch`] hands over.
pub(super) struct Step<'a> {
    pub(super) operator: &'a mut StepOperator,
    pub(super) grid: &'a Grid,
    pub(super) frozen: Frozen,
    pub(super) previous: &'a [f64],
    pub(super) next: &'a mut [f64],
}

impl SchemeVisitor for Step<'_> {
    type Output = Result<f64, SolveFailure>;

    #[inline(always)]
    fn visit<K: FluxScheme>(self, scheme: &K) -> Self::Output {
        self.operator
            .step(self.grid, scheme, self.frozen, self.previous, self.next)
    }
}

/// Shifts nodal values `p` by `dv` into `out` with the conservative linear remap (the mass
/// `h p_i` at `v_i + dv` is split between the two nearest nodes); returns the mass landing
/// at or beyond `V_F` (node `n`), which `out` does not hold.
pub(super) fn shift_density(grid: &Grid, p: &[f64], dv: f64, out: &mut [f64]) -> f64 {
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
