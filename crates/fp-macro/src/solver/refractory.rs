//! The refractory compartment of a density (docs/model.md §11): the mass `R` away from
//! the voltage line, and what a step re-injects at `V_R`.
//!
//! A step re-injects at `V_R` the flux `Q = source + share · N_out`, `N_out` the step's
//! outflow at `V_F` (`(a/h) p^{m+1}_{n-1}` with implicit re-injection, `(a/h) p^m_{n-1}`
//! with explicit), and the compartment takes the balance:
//!
//! ```text
//! R^{m+1} = R^m + dt (N_out - Q),
//! ```
//!
//! the negative of the density's own balance `h Σ p^{m+1} = h Σ p^m + dt (Q - N_out)`
//! (the step matrix's columns sum to `1/dt`, the outflow leaves row `n-1`, `Q` enters row
//! `r`): `h Σ p + R` is conserved to rounding by construction, whatever the form.
//!
//! - `Exponential(τ)`, `dR/dt = N - R/τ`, backward Euler with the step's outflow:
//!   `R^{m+1} = (R^m + dt N_out) τ / (τ + dt)` and `Q = R^{m+1}/τ`, i.e.
//!   `share = dt/(τ + dt)`, `source = R^m/(τ + dt)`. With implicit re-injection the share
//!   is the off-band entry `-κ · share` of the step matrix (an M-matrix whose columns sum
//!   to at least `1/dt`): positive for every `dt`, first order in time, and the balance
//!   above is exactly this `R^{m+1}` (non-negative) in exact arithmetic.
//! - `Fixed(τ)`, `Q(t) = N(t - τ)`: `K = τ/dt` steps of outflow in a ring; the step
//!   re-injects the outflow of the step `K` steps before (`share = 0`, `source = N_out^{m-K}`,
//!   explicit, non-negative), then the ring takes this step's outflow. `R` is then
//!   `dt` times the sum of the ring (to rounding). Before the start the ring is zero:
//!   nobody is refractory.
//!
//! `Refractory::None` (or `τ = 0`) has no compartment: the step's `share = 1`,
//! `source = 0`, today's re-injection bit for bit.

use nlif_model::Refractory;

use crate::error::{MacroError, invalid};
use crate::operator::Reentry;
use crate::state::RefractoryState;

use super::ring::Ring;

/// The longest ring of a fixed period, in steps (`2^24`: 128 MiB of rates).
pub const MAX_HISTORY: usize = 1 << 24;

/// The refractory compartment of a density with a period `τ > 0`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compartment {
    period: Refractory,
    /// `R`, the mass away from the voltage line.
    mass: f64,
    /// `Fixed`: the outflow of each of the last `K` steps, `N_out^{m-K} .. N_out^{m-1}`
    /// (module `ring`); `Exponential`: empty.
    history: Ring,
}

impl Compartment {
    /// The compartment of `period` for steps of `dt`, nobody refractory; `None` for no
    /// period (or `τ = 0`).
    ///
    /// # Errors
    ///
    /// [`MacroError::Model`] naming `refractory.tau` if `τ` is negative or not finite;
    /// [`MacroError::Invalid`] naming `refractory.tau` if a fixed period is not a whole
    /// number of steps `dt`, or longer than [`MAX_HISTORY`] steps.
    pub(crate) fn new(period: Refractory, dt: f64) -> Result<Option<Self>, MacroError> {
        period.validate()?;
        let tau = period.mean_time();
        if tau == 0.0 {
            return Ok(None);
        }
        let steps = match period {
            Refractory::Fixed { .. } => whole_steps(tau, dt)?,
            _ => 0,
        };
        Ok(Some(Compartment {
            period,
            mass: 0.0,
            history: Ring::filled(steps, 0.0),
        }))
    }

    /// The compartment saved in `state`, for steps of `dt`.
    ///
    /// # Errors
    ///
    /// As [`Compartment::new`] for `state.period` (`τ = 0` or `None` is refused too: such a
    /// density has no compartment to save); [`MacroError::Invalid`] naming
    /// `refractory.mass` if the mass is not finite, `refractory.history` if the history
    /// does not hold `τ/dt` rates (none for `Exponential`) or one is negative or not finite.
    pub(crate) fn restore(state: RefractoryState, dt: f64) -> Result<Self, MacroError> {
        let RefractoryState {
            period,
            mass,
            history,
        } = state;
        let Some(mut compartment) = Compartment::new(period, dt)? else {
            return Err(invalid(
                "refractory.tau",
                period.mean_time(),
                "a saved refractory compartment needs a period tau > 0",
            ));
        };
        if !mass.is_finite() {
            return Err(invalid(
                "refractory.mass",
                mass,
                "the refractory mass must be finite",
            ));
        }
        if history.len() != compartment.history.len() {
            return Err(invalid(
                "refractory.history",
                history.len() as f64,
                "the history must hold one rate per step of a fixed period (none otherwise)",
            ));
        }
        if let Some(&bad) = history.iter().find(|&&n| !(n.is_finite() && n >= 0.0)) {
            return Err(invalid(
                "refractory.history",
                bad,
                "a firing rate must be finite and non-negative",
            ));
        }
        compartment.mass = mass;
        compartment.history = Ring::from_oldest_first(history);
        Ok(compartment)
    }

    /// The saved form: the history oldest first.
    pub(crate) fn state(&self) -> RefractoryState {
        RefractoryState {
            period: self.period,
            mass: self.mass,
            history: self.history.oldest_first(),
        }
    }

    /// `R`.
    pub(crate) fn mass(&self) -> f64 {
        self.mass
    }

    /// What the next step of length `dt` re-injects (module documentation).
    #[inline]
    pub(crate) fn reentry(&self, dt: f64) -> Reentry {
        match self.period {
            Refractory::Exponential { tau } => Reentry {
                share: dt / (tau + dt),
                source: self.mass / (tau + dt),
            },
            _ => Reentry {
                share: 0.0,
                source: self.history.oldest(),
            },
        }
    }

    /// After a step of length `dt` whose outflow was `outflow` and whose re-injection was
    /// `reentry`: `R += dt (N_out - Q)`, and a fixed period's ring takes the outflow.
    #[inline]
    pub(crate) fn commit(&mut self, reentry: Reentry, outflow: f64, dt: f64) {
        let injected = reentry.source + reentry.share * outflow;
        self.mass += dt * (outflow - injected);
        if !self.history.is_empty() {
            self.history.push(outflow);
        }
    }
}

/// `τ/dt` if it is a whole number of steps (to a relative `1e-9`), at least one and at
/// most [`MAX_HISTORY`].
fn whole_steps(tau: f64, dt: f64) -> Result<usize, MacroError> {
    let ratio = tau / dt;
    let steps = ratio.round();
    if !(steps >= 1.0 && (ratio - steps).abs() <= 1e-9 * steps) {
        return Err(invalid(
            "refractory.tau",
            tau,
            "a fixed refractory period must be a whole number of time steps dt",
        ));
    }
    if steps > MAX_HISTORY as f64 {
        return Err(invalid(
            "refractory.tau",
            tau,
            "a fixed refractory period may span at most 2^24 time steps",
        ));
    }
    Ok(steps as usize)
}
