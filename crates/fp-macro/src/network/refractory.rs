//! The refractory compartments of a [`DensityNetwork`] (docs/model.md §11), read and
//! replaced one population at a time: a hand-over from particles gives the neurons it
//! counted away.

use super::DensityNetwork;
use crate::error::{MacroError, invalid};
use crate::scheme::FluxScheme;
use crate::state::RefractoryState;

impl<S: FluxScheme + Clone> DensityNetwork<S> {
    /// Population `alpha`'s refractory compartment as saved (`None` without a period;
    /// panics if `alpha >= P`).
    #[must_use]
    pub fn refractory_state(&self, alpha: usize) -> Option<RefractoryState> {
        self.populations[alpha].refractory_state()
    }

    /// Replaces population `alpha`'s refractory compartment by `state` (panics if
    /// `alpha >= P`). The density is not changed: with the mass `R` set here, the
    /// population's `mass + R` is 1 only if the density holds `1 - R` (a hand-over gives
    /// both).
    ///
    /// # Errors
    ///
    /// [`MacroError::Population`] naming `populations[α].refractory.tau` if `state` is not
    /// of the population's period, or as a restored compartment
    /// (`populations[α].refractory.mass`, `populations[α].refractory.history`: a fixed
    /// period's history not of `τ/dt` rates, or one negative or not finite). Nothing is
    /// changed then.
    pub fn set_refractory_state(
        &mut self,
        alpha: usize,
        state: RefractoryState,
    ) -> Result<(), MacroError> {
        let solver = &mut self.populations[alpha];
        if state.period != solver.refractory() || state.period.mean_time() == 0.0 {
            return Err(invalid(
                "refractory.tau",
                state.period.mean_time(),
                "the compartment is not of the population's refractory period",
            )
            .in_population(alpha));
        }
        // The compartment is built before it replaces the old one: an error changes nothing.
        solver
            .restore_refractory(Some(state))
            .map_err(|e| e.in_population(alpha))
    }
}
