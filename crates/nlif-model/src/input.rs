//! External input currents `I(t)` (docs/model.md §5).

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, finite, require};
use crate::time::{in_step, reached};

/// The external input: a drift term `I(t)` added to `-V`, or an instantaneous kick.
///
/// Solvers freeze `I` at a grid time of each step, and apply a kick at the start of the
/// step into which `t0` falls; times are compared by the rule of module
/// [`time`](crate::time), so a `t0` or a pulse edge on a grid time acts at that grid time
/// whatever the rounding of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Input {
    /// No input, `I = 0`.
    #[default]
    None,
    /// A constant current `I = i0`.
    Constant {
        /// The current.
        i0: f64,
    },
    /// A rectangular pulse: `I = amplitude` on `[t0, t0 + duration)`, zero elsewhere.
    Pulse {
        /// Start of the pulse.
        t0: f64,
        /// Length of the pulse, `>= 0`.
        duration: f64,
        /// Height of the pulse.
        amplitude: f64,
    },
    /// An instantaneous shift of every voltage by `dv` at time `t0`. Neurons pushed to or
    /// over the threshold fire at once, a synchronous event by construction.
    Kick {
        /// Time of the kick.
        t0: f64,
        /// Voltage shift.
        dv: f64,
    },
    /// A periodic current `I = i0 + amplitude sin(2 pi t / period + phase)`.
    Periodic {
        /// Mean current.
        i0: f64,
        /// Amplitude of the oscillation.
        amplitude: f64,
        /// Period, `> 0`.
        period: f64,
        /// Phase in radians.
        phase: f64,
    },
}

impl Input {
    /// Checks every field; the error names the first offending one.
    pub fn validate(&self) -> Result<(), ModelError> {
        match *self {
            Input::None => {}
            Input::Constant { i0 } => {
                finite("input.i0", i0)?;
            }
            Input::Pulse {
                t0,
                duration,
                amplitude,
            } => {
                finite("input.t0", t0)?;
                require(
                    "input.duration",
                    duration,
                    duration >= 0.0,
                    "a pulse duration must be non-negative",
                )?;
                finite("input.amplitude", amplitude)?;
            }
            Input::Kick { t0, dv } => {
                finite("input.t0", t0)?;
                finite("input.dv", dv)?;
            }
            Input::Periodic {
                i0,
                amplitude,
                period,
                phase,
            } => {
                finite("input.i0", i0)?;
                finite("input.amplitude", amplitude)?;
                require(
                    "input.period",
                    period,
                    period > 0.0,
                    "the period must be positive",
                )?;
                finite("input.phase", phase)?;
            }
        }
        Ok(())
    }

    /// The drift current `I(t)` (zero for a kick, which acts only at its instant).
    ///
    /// ```
    /// use nlif_model::Input;
    /// let pulse = Input::Pulse { t0: 1.0, duration: 0.5, amplitude: 2.0 };
    /// assert_eq!(pulse.current(0.9), 0.0);
    /// assert_eq!(pulse.current(1.0), 2.0);
    /// assert_eq!(pulse.current(1.5), 0.0);
    /// ```
    #[inline]
    pub fn current(&self, t: f64) -> f64 {
        match *self {
            Input::None | Input::Kick { .. } => 0.0,
            Input::Constant { i0 } => i0,
            Input::Pulse {
                t0,
                duration,
                amplitude,
            } => {
                if reached(t, t0) && !reached(t, t0 + duration) {
                    amplitude
                } else {
                    0.0
                }
            }
            Input::Periodic {
                i0,
                amplitude,
                period,
                phase,
            } => i0 + amplitude * (2.0 * PI * t / period + phase).sin(),
        }
    }

    /// The voltage shift of a kick whose instant falls into the step from grid time `t` to
    /// grid time `t_next` ([`time::in_step`](crate::time::in_step)), if any. `t_next` is the
    /// next step's start as the clock computes it (`t_start + (m + 1) · dt`), so that
    /// consecutive steps share their end points and the kick falls into exactly one.
    ///
    /// ```
    /// use nlif_model::Input;
    /// let kick = Input::Kick { t0: 1.0, dv: 0.5 };
    /// assert_eq!(kick.kick_within(0.99, 1.0), None);
    /// assert_eq!(kick.kick_within(1.0, 1.01), Some(0.5));
    /// // 3 · 0.1 = 0.30000000000000004 is the grid time 0.3 up to rounding: the kick at
    /// // 0.3 is applied at the start of step 3, not at the end of step 2.
    /// let kick = Input::Kick { t0: 0.3, dv: 0.5 };
    /// assert_eq!(kick.kick_within(2.0 * 0.1, 3.0 * 0.1), None);
    /// assert_eq!(kick.kick_within(3.0 * 0.1, 4.0 * 0.1), Some(0.5));
    /// ```
    #[inline]
    pub fn kick_within(&self, t: f64, t_next: f64) -> Option<f64> {
        match *self {
            Input::Kick { t0, dv } if in_step(t0, t, t_next) => Some(dv),
            _ => None,
        }
    }

    /// The constant current of a time-independent input (`None` or `Constant`), used by
    /// the stationary-state formulas; `None` for a time-dependent one.
    pub fn stationary_current(&self) -> Option<f64> {
        match *self {
            Input::None => Some(0.0),
            Input::Constant { i0 } => Some(i0),
            _ => None,
        }
    }
}
