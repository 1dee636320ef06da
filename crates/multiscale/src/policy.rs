//! Switching policies: when the density hands over to particles, and back.

use crate::config::{Policy, SwitchingConfig};

/// Decides the switches of a multi-scale run.
///
/// Up (density → particles): the macro solver refuses a step whose rate exceeds
/// [`SwitchingPolicy::macro_rate_bound`]; the macro solver's other typed outcomes
/// (positivity lost, a kick it cannot represent, non-finite values) force a switch whatever
/// the policy says. Down (particles → density): [`SwitchingPolicy::burst_over`] is asked
/// at every sample time of a particle phase.
pub trait SwitchingPolicy {
    /// The largest rate a macro step of length `dt` may produce.
    fn macro_rate_bound(&self, dt: f64) -> f64;
    /// A particle phase starts at `t`.
    fn enter_micro(&mut self, t: f64);
    /// Whether the burst is over at time `t`, given the smoothed particle rate and whether
    /// a multiple firing event occurred since the last call.
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool;
}

/// Down-switch rule shared by the policies: the smoothed rate has stayed below
/// `rate_down`, with no multiple firing event, for `dwell`.
#[derive(Debug, Clone)]
struct QuietWindow {
    rate_down: f64,
    dwell: f64,
    quiet_since: Option<f64>,
}

impl QuietWindow {
    fn update(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        if mfe || smoothed_rate >= self.rate_down {
            self.quiet_since = None;
            return false;
        }
        let since = *self.quiet_since.get_or_insert(t);
        t - since >= self.dwell - 1e-12
    }
}

/// Rate threshold with hysteresis: up when the macro rate would pass `N_up`, down when the
/// smoothed particle rate stays below `N_down < N_up` for a dwell time.
#[derive(Debug, Clone)]
pub struct RateHysteresis {
    rate_up: f64,
    window: QuietWindow,
}

/// Up when the fraction of the population that fires in one macro step, `dt N`, would
/// pass a bound; down as [`RateHysteresis`].
#[derive(Debug, Clone)]
pub struct FiringFraction {
    fraction: f64,
    window: QuietWindow,
}

impl SwitchingPolicy for RateHysteresis {
    fn macro_rate_bound(&self, _dt: f64) -> f64 {
        self.rate_up
    }
    fn enter_micro(&mut self, _t: f64) {
        self.window.quiet_since = None;
    }
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        self.window.update(t, smoothed_rate, mfe)
    }
}

impl SwitchingPolicy for FiringFraction {
    fn macro_rate_bound(&self, dt: f64) -> f64 {
        self.fraction / dt
    }
    fn enter_micro(&mut self, _t: f64) {
        self.window.quiet_since = None;
    }
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        self.window.update(t, smoothed_rate, mfe)
    }
}

/// The policy a config names.
pub fn policy_from(config: &SwitchingConfig) -> Box<dyn SwitchingPolicy + Send> {
    let window = QuietWindow {
        rate_down: config.rate_down,
        dwell: config.dwell,
        quiet_since: None,
    };
    match config.policy {
        Policy::RateHysteresis => Box::new(RateHysteresis {
            rate_up: config.rate_up,
            window,
        }),
        Policy::FiringFraction { fraction } => Box::new(FiringFraction { fraction, window }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quiet_window_needs_the_whole_dwell_without_events() {
        // Oracle: the rule as stated, on a hand-made rate history.
        let mut w = QuietWindow {
            rate_down: 1.0,
            dwell: 0.1,
            quiet_since: None,
        };
        assert!(!w.update(0.00, 0.5, false));
        assert!(!w.update(0.05, 0.5, false));
        assert!(!w.update(0.08, 0.5, true)); // an MFE restarts the window
        assert!(!w.update(0.10, 0.5, false));
        assert!(!w.update(0.15, 1.5, false)); // so does a rate above rate_down
        assert!(!w.update(0.16, 0.5, false));
        assert!(!w.update(0.25, 0.5, false));
        assert!(w.update(0.26, 0.5, false));
    }

    #[test]
    fn firing_fraction_bounds_the_rate_by_the_step() {
        let config = SwitchingConfig {
            policy: Policy::FiringFraction { fraction: 0.01 },
            ..SwitchingConfig::default()
        };
        let p = policy_from(&config);
        assert_eq!(p.macro_rate_bound(1e-3), 10.0);
        assert_eq!(
            policy_from(&SwitchingConfig::default()).macro_rate_bound(1e-3),
            5.0
        );
    }
}
