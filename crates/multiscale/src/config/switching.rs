//! The `solver.switching` section: which policy decides the switches, and the settings
//! of the hand-overs.

use coupling::{Estimator, Sampler};
use serde::{Deserialize, Serialize};

use crate::config::{RunError, invalid};

/// When to hand over from the density to particles.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Policy {
    /// Switch to particles when the macro rate would exceed `rate_up`.
    #[default]
    RateHysteresis,
    /// Switch to particles when the fraction of the population firing in one macro step,
    /// `dt N`, would exceed `fraction` (independent of the mesh: a density whose rate
    /// saturates at a mesh-dependent level still trips it).
    FiringFraction {
        /// The bound on `dt N`.
        fraction: f64,
    },
}

/// The `solver.switching` section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SwitchingConfig {
    /// The up-switch rule.
    pub policy: Policy,
    /// `N_up`: the macro rate above which particles take over (`RateHysteresis`).
    pub rate_up: f64,
    /// `N_down < N_up`: the smoothed particle rate below which the burst may be over.
    pub rate_down: f64,
    /// How long the smoothed particle rate must stay below `rate_down`, without any
    /// multiple firing event, before the density takes over again.
    pub dwell: f64,
    /// After a multiple firing event: back to the density once this long has passed since
    /// the last event with the rate since it below `rate_down` (`None`: only the `dwell`
    /// rule). The rate since the event is smoothed like the particle rate but restarted
    /// at the event, so the event's own spikes do not count. Read by the built-in
    /// policies ([`BuiltinPolicy::from_config`](crate::BuiltinPolicy::from_config)); a
    /// custom policy decides through its own `settled_after_event`.
    pub settle: Option<f64>,
    /// Time constant of the exponential smoothing of the particle rate.
    pub smoothing: f64,
    /// Hand over to particles from a macro state at least this long before the trigger, so
    /// that no degraded density is sampled (0: the last accepted state).
    pub rollback: f64,
    /// Density → particles.
    pub sampler: Sampler,
    /// Particles → density.
    pub estimator: Estimator,
    /// Make the re-estimated density carry the smoothed particle rate next to `V_F`
    /// (`coupling::impose_rate`), so the rate is continuous across the switch.
    pub match_rate: bool,
}

impl Default for SwitchingConfig {
    fn default() -> Self {
        SwitchingConfig {
            policy: Policy::RateHysteresis,
            rate_up: 5.0,
            rate_down: 1.0,
            dwell: 0.2,
            settle: None,
            smoothing: 0.02,
            rollback: 0.02,
            sampler: Sampler::Stratified,
            estimator: Estimator::default(),
            match_rate: true,
        }
    }
}

impl SwitchingConfig {
    /// Checks the settings the built-in policies read: `rate_up`, `rate_down`, `dwell`,
    /// `settle` and the policy's own (`fraction`). A custom policy checks what it reads
    /// itself ([`SwitchingPolicy::validate`](crate::SwitchingPolicy::validate)).
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming the first offending setting by its config path.
    pub fn validate_policy(&self) -> Result<(), RunError> {
        let s = self;
        if !(s.rate_up > 0.0 && s.rate_up.is_finite()) {
            return Err(invalid(
                "solver.switching.rate_up",
                s.rate_up,
                "must be positive and finite (a very large value, e.g. 1e300, never switches)",
            ));
        }
        if !(s.rate_down >= 0.0 && s.rate_down < s.rate_up) {
            return Err(invalid(
                "solver.switching.rate_down",
                s.rate_down,
                format!(
                    "must be non-negative and below solver.switching.rate_up = {:?} (hysteresis)",
                    s.rate_up
                ),
            ));
        }
        if !(s.dwell.is_finite() && s.dwell >= 0.0) {
            return Err(invalid(
                "solver.switching.dwell",
                s.dwell,
                "must be a non-negative time",
            ));
        }
        if let Some(settle) = s.settle
            && !(settle.is_finite() && settle > 0.0)
        {
            return Err(invalid(
                "solver.switching.settle",
                settle,
                "must be a positive, finite time (None: no settle rule)",
            ));
        }
        if let Policy::FiringFraction { fraction } = s.policy
            && !(fraction > 0.0 && fraction <= 1.0)
        {
            return Err(invalid(
                "solver.switching.policy.fraction",
                fraction,
                "a fraction of the population must lie in (0, 1]",
            ));
        }
        Ok(())
    }
}
