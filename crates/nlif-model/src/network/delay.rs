//! Synaptic delays (docs/model.md §12): a spike of population `β` reaches population `α`
//! after `delay[α][β] >= 0`, so the mean-field drift of `α` reads `N_β(t - delay[α][β])`.
//!
//! A solver on a time grid of step `dt` keeps the rates (or spike counts) of the last
//! `delay / dt` steps; [`Network::delay_steps`] turns the delays into those whole numbers
//! of steps, or names the entry that is not one.

use super::{Network, NetworkError, check_square};
use crate::error::require;
use crate::time::tidy;

/// The relative tolerance on `delay / dt` within which [`Network::delay_steps`] takes a
/// delay as a whole number `k` of steps: `|delay/dt - k| <= DELAY_REL_TOL · k` (so a delay
/// written as a decimal, `0.3` with `dt = 1e-3`, passes despite the rounding of the
/// quotient, `299.99999999999994`; a positive delay below half a step is refused).
pub const DELAY_REL_TOL: f64 = 1e-9;

impl Network {
    /// `delay[α][β]`, zero when `delay` is left empty.
    #[inline]
    #[must_use]
    pub fn delay_entry(&self, alpha: usize, beta: usize) -> f64 {
        if self.delay.is_empty() {
            0.0
        } else {
            self.delay[alpha][beta]
        }
    }

    /// Whether some connection has a positive delay.
    #[must_use]
    pub fn has_delay(&self) -> bool {
        self.delay.iter().flatten().any(|&d| d != 0.0)
    }

    /// Each population's firing rate before `t = 0` ([`Population::prior_rate`](
    /// super::Population::prior_rate)), what the delays deliver until the run's own spikes
    /// arrive.
    #[must_use]
    pub fn prior_rates(&self) -> Vec<f64> {
        self.populations.iter().map(|p| p.prior_rate).collect()
    }

    /// The longest delay (0 without delays).
    #[must_use]
    pub fn max_delay(&self) -> f64 {
        self.delay.iter().flatten().fold(0.0, |m, &d| m.max(d))
    }

    /// Checks `delay`: empty, or `P×P` (`delay`, `delay[α]` naming a wrong shape) with
    /// every entry finite and non-negative (`delay[α][β]`).
    pub(super) fn validate_delay(&self) -> Result<(), NetworkError> {
        if self.delay.is_empty() {
            return Ok(());
        }
        check_square("delay", &self.delay, self.len())?;
        for (alpha, row) in self.delay.iter().enumerate() {
            for (beta, &d) in row.iter().enumerate() {
                require(
                    "delay",
                    d,
                    d >= 0.0,
                    "a delay must be finite and non-negative",
                )
                .map_err(|e| NetworkError::at(format!("delay[{alpha}][{beta}]"), e))?;
            }
        }
        Ok(())
    }

    /// Each delay as a whole number of steps `dt`: `steps[α][β] = delay[α][β] / dt`
    /// (a `P×P` matrix of zeros without delays).
    ///
    /// ```
    /// use nlif_model::network::Network;
    /// use nlif_model::{Input, ModelParams};
    /// let mut network = Network::single(&ModelParams::default(), Input::None);
    /// network.delay = vec![vec![0.3]];
    /// assert_eq!(network.delay_steps(1e-3)?, vec![vec![300]]);
    /// network.delay = vec![vec![0.0305]];
    /// let error = network.delay_steps(1e-3).unwrap_err();
    /// assert_eq!(error.path(), "delay[0][0]");
    /// assert!(error.to_string().contains("0.03 or 0.031"), "{error}");
    /// # Ok::<(), nlif_model::network::NetworkError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Network::validate`] for the shape and the entries of `delay`;
    /// [`NetworkError::Invalid`] naming `delay[α][β]` for the first entry that is not a
    /// whole number of steps to a relative [`DELAY_REL_TOL`] (the message gives the two
    /// nearest delays that are), and `dt` if `dt` is not positive and finite.
    pub fn delay_steps(&self, dt: f64) -> Result<Vec<Vec<usize>>, NetworkError> {
        let p = self.len();
        if !(dt.is_finite() && dt > 0.0) {
            return Err(NetworkError::invalid(
                "dt",
                format!("{dt:?}: the time step must be positive and finite"),
            ));
        }
        self.validate_delay()?;
        let mut steps = vec![vec![0; p]; p];
        for (alpha, row) in self.delay.iter().enumerate() {
            for (beta, &d) in row.iter().enumerate() {
                let ratio = d / dt;
                let k = ratio.round();
                if !(ratio.is_finite() && (ratio - k).abs() <= DELAY_REL_TOL * k) {
                    let (lo, hi) = (tidy(ratio.floor() * dt), tidy(ratio.ceil() * dt));
                    let ratio = tidy(ratio);
                    return Err(NetworkError::invalid(
                        format!("delay[{alpha}][{beta}]"),
                        format!(
                            "{d:?} is {ratio} steps of dt = {dt:?}; a delay must be a whole number of steps (the nearest: {lo:?} or {hi:?})"
                        ),
                    ));
                }
                steps[alpha][beta] = k as usize;
            }
        }
        Ok(steps)
    }

    /// Refuses a positive delay, for a solver that does not simulate delays (it would
    /// otherwise be ignored).
    ///
    /// ```
    /// use nlif_model::network::Network;
    /// use nlif_model::{Input, ModelParams};
    /// let mut network = Network::single(&ModelParams::default(), Input::None);
    /// assert!(network.refuse_delay().is_ok());
    /// network.delay = vec![vec![0.5]];
    /// assert_eq!(network.refuse_delay().unwrap_err().path(), "delay[0][0]");
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetworkError::Invalid`] naming `delay[α][β]` of the first positive delay.
    pub fn refuse_delay(&self) -> Result<(), NetworkError> {
        for (alpha, row) in self.delay.iter().enumerate() {
            if let Some(beta) = row.iter().position(|&d| d != 0.0) {
                return Err(NetworkError::invalid(
                    format!("delay[{alpha}][{beta}]"),
                    "this solver does not simulate synaptic delays (the dilated solver's events are derived without them; `Macro`, `Micro` and `Multiscale` runs do; the stationary states do not depend on them)",
                ));
            }
        }
        Ok(())
    }
}
