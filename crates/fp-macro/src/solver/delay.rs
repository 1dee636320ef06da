//! Synaptic delays in the density (docs/model.md §12): the history of a population's
//! rate, and the delayed rate a step freezes.
//!
//! With a delay `D = K dt` (`K >= 1` a whole number of steps) the drift and the noise of
//! the receiving population read the rate at `t - D`:
//!
//! ```text
//! ∂t p + ∂v[(-v + b N(t - D) + I) p] - a(N(t - D)) ∂vv p = N(t) δ(v - V_R),
//! ```
//!
//! (the re-injection and the outflow stay at `t`: a neuron that fires is reset at once;
//! only its effect on the others is late). The rates the solver computes are those at the
//! step points `t^m`, so the delayed rate of a step from `t^m` is read off the history
//! exactly, with no interpolation:
//!
//! - [`FrozenAt::StepStart`](crate::FrozenAt::StepStart) freezes `N(t^m - D) = N^{m-K}`;
//! - [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd) freezes `N(t^{m+1} - D) = N^{m+1-K}`,
//!   a rate already computed for every `K >= 1`: where `D = 0` extrapolates
//!   `2 N^m - N^{m-1}`, a delay needs no extrapolation.
//!
//! The delay therefore adds no error of its own: the step is the one of docs/model.md §3
//! with its coefficients taken at the delayed step point, of the same order in `dt` (first,
//! as without a delay). A ring holds `N^{m-K} .. N^{m-1}` (`K` rates; module `ring` for
//! its indexing); a committed step overwrites the oldest with `N^m`. Before `t = 0` the ring
//! holds the *prior rate* (default 0: nobody fired before the start), so the first `K`
//! steps read it. `D = 0` keeps no ring and freezes what it froze before, bit for bit.
//!
//! In a network each population keeps the history of its own rate, as long as the
//! longest delay of its outgoing connections (`max_α delay[α][β] / dt`), and population
//! `α` reads population `β`'s at `delay[α][β]`.

use crate::error::{MacroError, invalid};
use crate::scheme::FluxScheme;
use crate::state::DelayState;
use crate::{FrozenAt, MAX_HISTORY, MacroSolver};

use super::ring::Ring;

/// The last `K` rates of a density, `N^{m-K} .. N^{m-1}` (`K >= 1`), in a ring (module
/// `ring`): a committed step pushes `N^m` in place of the oldest, and `back(k)` is
/// `N^{m-k}`.
pub(crate) type History = Ring;

/// `delay / dt` as a whole number of steps (to [`nlif_model::network::DELAY_REL_TOL`]),
/// at most [`MAX_HISTORY`].
fn delay_steps(delay: f64, dt: f64) -> Result<usize, MacroError> {
    if !(delay.is_finite() && delay >= 0.0) {
        return Err(invalid(
            "delay",
            delay,
            "a delay must be finite and non-negative",
        ));
    }
    let ratio = delay / dt;
    let steps = ratio.round();
    if (ratio - steps).abs() > nlif_model::network::DELAY_REL_TOL * steps {
        return Err(invalid(
            "delay",
            delay,
            "a delay must be a whole number of time steps dt",
        ));
    }
    check_length(steps)
}

/// A history of `steps` rates, refused beyond [`MAX_HISTORY`].
pub(crate) fn check_length(steps: f64) -> Result<usize, MacroError> {
    if steps > MAX_HISTORY as f64 {
        return Err(invalid(
            "delay",
            steps,
            "a delay may span at most 2^24 time steps",
        ));
    }
    Ok(steps as usize)
}

/// Checks saved or given rates: `expected` of them, each finite and non-negative.
fn check_history(rates: &[f64], expected: usize) -> Result<(), MacroError> {
    if rates.len() != expected {
        return Err(invalid(
            "delay.history",
            rates.len() as f64,
            "the history must hold one rate per step of the delay",
        ));
    }
    match rates.iter().find(|&&n| !(n.is_finite() && n >= 0.0)) {
        Some(&bad) => Err(invalid(
            "delay.history",
            bad,
            "a firing rate must be finite and non-negative",
        )),
        None => Ok(()),
    }
}

impl<S: FluxScheme> MacroSolver<S> {
    /// This solver with the synaptic delay `delay` of its own coupling (docs/model.md
    /// §12): a step's drift `b N(t - delay) + I` and noise `a0 + a1 N(t - delay)` read the
    /// rate `delay` before (module `solver::delay`), the rate before the start being
    /// `prior_rate` (0: nobody fired before). `delay = 0`: the solver as it is, its steps
    /// bit for bit those without a delay.
    ///
    /// ```
    /// use fp_macro::{MacroConfig, MacroSolver};
    /// use nlif_model::{InitialDensity, Input, ModelParams};
    ///
    /// let params = ModelParams { b: -2.0, ..ModelParams::default() };
    /// let config = MacroConfig { dt: 1e-3, ..MacroConfig::default() };
    /// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.25 };
    /// let mut solver = MacroSolver::from_initial(params, Input::None, config, &initial)?
    ///     .with_delay(0.1, 0.0)?;
    /// for _ in 0..300 {
    ///     assert!(solver.step(f64::INFINITY).rate().is_some());
    /// }
    /// assert_eq!(solver.rate_history().len(), 100);
    /// let odd = solver.clone().with_delay(0.1005, 0.0);
    /// assert_eq!(odd.unwrap_err().field(), "delay");
    /// # Ok::<(), fp_macro::MacroError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MacroError::Invalid`] naming `delay` if it is negative, not finite, not a whole
    /// number of steps `dt` (to a relative `1e-9`) or longer than [`MAX_HISTORY`] steps,
    /// `prior_rate` if that is negative or not finite.
    pub fn with_delay(mut self, delay: f64, prior_rate: f64) -> Result<Self, MacroError> {
        let steps = delay_steps(delay, self.config.dt)?;
        if !(prior_rate.is_finite() && prior_rate >= 0.0) {
            return Err(invalid(
                "prior_rate",
                prior_rate,
                "a firing rate must be finite and non-negative",
            ));
        }
        self.delay_steps = steps;
        self.history = (steps > 0).then(|| History::filled(steps, prior_rate));
        Ok(self)
    }

    /// The delay of the solver's own coupling (0 without).
    #[must_use]
    pub fn delay(&self) -> f64 {
        self.delay_steps as f64 * self.config.dt
    }

    /// The rates the delay reads, `N^{m-K} .. N^{m-1}` oldest first (`K = delay / dt`;
    /// empty without a delay).
    #[must_use]
    pub fn rate_history(&self) -> Vec<f64> {
        self.history
            .as_ref()
            .map_or_else(Vec::new, History::oldest_first)
    }

    /// Replaces the rate history by `rates`, oldest first (`N^{m-K} .. N^{m-1}`): a
    /// hand-over from another description gives the rates it measured before.
    ///
    /// # Errors
    ///
    /// [`MacroError::Invalid`] naming `delay.history` if `rates` does not hold one rate
    /// per step of the history ([`MacroSolver::rate_history`]'s length), or one is negative
    /// or not finite. Nothing is changed then.
    pub fn set_rate_history(&mut self, rates: &[f64]) -> Result<(), MacroError> {
        let len = self.history.as_ref().map_or(0, History::len);
        check_history(rates, len)?;
        if let Some(history) = &mut self.history {
            history.set_oldest_first(rates);
        }
        Ok(())
    }

    /// Keeps a history of `steps` rates of this density, each `prior` to start (a
    /// network's population, whose rate others read late); its own coefficients are not
    /// delayed.
    pub(crate) fn keep_history(&mut self, steps: usize, prior: f64) {
        self.history = (steps > 0).then(|| History::filled(steps, prior));
    }

    /// The rate `k` steps late that a step freezes (module documentation): `N^{m-k}` for
    /// [`FrozenAt::StepStart`], `N^{m+1-k}` for [`FrozenAt::StepEnd`]; for `k = 0` what
    /// [`MacroSolver::frozen_rate`] freezes. `k` is at most the history's length.
    #[inline]
    pub(crate) fn delayed_rate(&self, k: usize) -> f64 {
        match (k, &self.history, self.config.frozen_at) {
            (0, ..) | (_, None, _) => self.frozen_rate(),
            (1, Some(_), FrozenAt::StepEnd) => self.rate,
            (_, Some(history), FrozenAt::StepEnd) => history.back(k - 1),
            (_, Some(history), FrozenAt::StepStart) => history.back(k),
        }
    }

    /// The saved delay (`None` without).
    pub(crate) fn delay_state(&self) -> Option<DelayState> {
        self.history.as_ref().map(|history| DelayState {
            delay: self.delay(),
            history: history.oldest_first(),
        })
    }

    /// Restores a saved delay: [`MacroSolver::with_delay`]'s checks for its delay, then
    /// its history.
    pub(crate) fn restore_delay(self, state: DelayState) -> Result<Self, MacroError> {
        let mut solver = self.with_delay(state.delay, 0.0)?;
        if solver.history.is_none() {
            return Err(invalid(
                "delay",
                state.delay,
                "a saved delay must be positive",
            ));
        }
        solver.set_rate_history(&state.history)?;
        Ok(solver)
    }
}
