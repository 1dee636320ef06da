//! The rate histories of a [`DensityNetwork`] with synaptic delays (docs/model.md §12):
//! population `β` keeps its last `max_α delay[α][β] / dt` rates (module
//! `solver::delay`), which population `α` reads `delay[α][β]` late.

use super::{DensityNetwork, check_rates};
use crate::error::MacroError;
use crate::scheme::FluxScheme;

impl<S: FluxScheme + Clone> DensityNetwork<S> {
    /// This network with the rates `prior[β]` before the start: what every history holds
    /// until the steps replace it (by default each population's `prior_rate`, itself 0 by
    /// default: nobody fired before `t = 0`).
    ///
    /// # Errors
    ///
    /// [`MacroError::Populations`] if `prior` does not hold one rate per population,
    /// [`MacroError::Population`] naming `populations[β].prior_rate` for a negative or
    /// non-finite one.
    pub fn with_prior_rates(mut self, prior: &[f64]) -> Result<Self, MacroError> {
        check_rates("prior_rate", prior, self.populations.len())?;
        for (solver, &rate) in self.populations.iter_mut().zip(prior) {
            let steps = solver.rate_history().len();
            solver.keep_history(steps, rate);
        }
        Ok(self)
    }

    /// The delay of each connection in steps, `delay[α][β] / dt` (empty without delays).
    #[must_use]
    pub fn delay_steps(&self) -> &[Vec<usize>] {
        &self.delay_steps
    }

    /// Population `beta`'s rates that the delays read, oldest first: `N_β^{m-K} ..
    /// N_β^{m-1}`, `K = max_α delay[α][β] / dt` (empty if no connection from `beta` is
    /// delayed; panics if `beta >= P`).
    #[must_use]
    pub fn rate_history(&self, beta: usize) -> Vec<f64> {
        self.populations[beta].rate_history()
    }

    /// Replaces population `beta`'s rate history by `rates`, oldest first (a hand-over
    /// gives the rates it measured; panics if `beta >= P`).
    ///
    /// # Errors
    ///
    /// [`MacroError::Population`] naming `populations[β].delay.history` if `rates` is not
    /// of the history's length or holds a negative or non-finite rate; nothing changed.
    pub fn set_rate_history(&mut self, beta: usize, rates: &[f64]) -> Result<(), MacroError> {
        self.populations[beta]
            .set_rate_history(rates)
            .map_err(|e| e.in_population(beta))
    }
}
