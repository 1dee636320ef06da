//! The refractory periods of a network's populations as the solvers see them: refused by
//! a solver that does not simulate them, checked against a step by those that do.

use super::{Network, NetworkError};
use crate::Refractory;

impl Network {
    /// Refuses a population with a refractory period, for a solver that does not simulate
    /// one (it would otherwise be ignored).
    ///
    /// # Errors
    ///
    /// [`NetworkError::Invalid`] naming `populations[α].refractory` of the first such
    /// population.
    pub fn refuse_refractory(&self) -> Result<(), NetworkError> {
        match self
            .populations
            .iter()
            .position(|x| !x.refractory.is_none())
        {
            Some(alpha) => Err(NetworkError::invalid(
                format!("populations[{alpha}].refractory"),
                "this solver does not simulate refractory periods (the dilated solver's events are derived without them); `Macro`, `Micro` and `Multiscale` runs do",
            )),
            None => Ok(()),
        }
    }

    /// Checks that every `Fixed` refractory period is a whole number of steps `dt` (to a
    /// relative `1e-9`): the particles and the density keep the neurons away in whole
    /// steps. A `dt` that is not positive and finite is left to the step's own check.
    ///
    /// ```
    /// use nlif_model::network::Network;
    /// use nlif_model::{Input, ModelParams, Refractory};
    /// let mut network = Network::single(&ModelParams::default(), Input::None);
    /// network.populations[0].refractory = Refractory::Fixed { tau: 0.025 };
    /// assert!(network.check_periods(1e-3).is_ok());
    /// let error = network.check_periods(1e-2).unwrap_err();
    /// assert_eq!(error.path(), "populations[0].refractory.tau");
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetworkError::Invalid`] naming `populations[α].refractory.tau` for the first
    /// period that is not, with its number of steps and the nearest periods that are.
    pub fn check_periods(&self, dt: f64) -> Result<(), NetworkError> {
        if !(dt.is_finite() && dt > 0.0) {
            // The step's own check names it.
            return Ok(());
        }
        for (alpha, population) in self.populations.iter().enumerate() {
            if let Refractory::Fixed { tau } = population.refractory {
                let ratio = tau / dt;
                let k = ratio.round();
                if tau > 0.0 && !(ratio.is_finite() && (ratio - k).abs() <= 1e-9 * k.max(1.0)) {
                    let (lo, hi) = (
                        crate::time::tidy(ratio.floor() * dt),
                        crate::time::tidy(ratio.ceil() * dt),
                    );
                    return Err(NetworkError::invalid(
                        format!("populations[{alpha}].refractory.tau"),
                        format!(
                            "{tau:?} is {} steps of dt = {dt:?}; a `Fixed` refractory period must be a whole number of steps (the nearest: {lo:?} or {hi:?})",
                            crate::time::tidy(ratio)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
