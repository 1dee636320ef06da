//! Switching policies: when the density hands over to particles, and back.

use fp_macro::Grid;
use serde::{Deserialize, Serialize};

use crate::config::{Policy, RunError, SwitchingConfig};

/// The density phase as a policy sees it before each macro step.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct DensityView<'a> {
    /// The time at the start of the step.
    pub t: f64,
    /// The step.
    pub dt: f64,
    /// The current firing rate (of the last step).
    pub rate: f64,
    /// The density on the grid.
    pub density: &'a [f64],
    /// The grid.
    pub grid: &'a Grid,
}

/// Decides the switches of a multi-scale run.
///
/// Up (density → particles): the macro solver refuses a step whose rate exceeds
/// [`SwitchingPolicy::macro_rate_bound`], asked before every macro step with a view of
/// the density (so a policy may keep a state: "the rate above X for a time Z"); the
/// macro solver's other typed outcomes
/// (positivity lost, a kick it cannot represent, non-finite values) force a switch whatever
/// the policy says. Down (particles → density): [`SwitchingPolicy::burst_over`] is asked
/// once per macro step's worth of particle steps (`RunConfig::switch_check_every`, never
/// tied to the output interval).
///
/// What an implementation promises: its decisions depend only on what it is shown and on
/// its own state, which only its methods change, in the order the run calls them. A
/// policy that is `Serialize` and `Deserialize` (its whole state in its fields) makes the
/// [`Simulation`](crate::Simulation) that owns it savable and restorable bit for bit.
/// It checks the settings it reads in [`SwitchingPolicy::validate`]; the run checks no
/// other policy setting.
///
/// ```
/// use multiscale::SwitchingPolicy;
///
/// /// Particles whenever the rate would pass 3; back to the density after a fixed 0.5.
/// #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
/// struct FixedWindow {
///     entered: f64,
/// }
///
/// impl SwitchingPolicy for FixedWindow {
///     fn macro_rate_bound(&mut self, _density: &multiscale::DensityView<'_>) -> f64 {
///         3.0
///     }
///     fn enter_micro(&mut self, t: f64) {
///         self.entered = t;
///     }
///     fn burst_over(&mut self, t: f64, _smoothed_rate: f64, _mfe: bool) -> bool {
///         t - self.entered >= 0.5
///     }
/// }
///
/// let mut p = FixedWindow { entered: 0.0 };
/// p.enter_micro(1.0);
/// assert!(!p.burst_over(1.2, 0.0, false) && p.burst_over(1.5, 0.0, false));
/// ```
pub trait SwitchingPolicy {
    /// The largest rate the next macro step may produce, asked before every macro step
    /// of a multi-scale run with the density as it is (`density.dt` the step).
    #[must_use]
    fn macro_rate_bound(&mut self, density: &DensityView<'_>) -> f64;
    /// A particle phase starts at `t`.
    fn enter_micro(&mut self, t: f64);
    /// Whether the burst is over at time `t`, given the smoothed particle rate and whether
    /// a multiple firing event occurred since the last call.
    #[must_use]
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool;

    /// Whether the network has settled after its last multiple firing event, at time `t`:
    /// `since` has passed since the event and `rate` is the particle rate since it
    /// (smoothed, restarted at the event: the event's own spikes do not count; `since`
    /// counts from the end of the event's step). Asked at every down-switch decision of a particle
    /// phase after its first event at which at least one step has passed since the last
    /// event, before [`burst_over`](Self::burst_over); when it says yes, the density takes
    /// over carrying `rate`. The default never does: a custom policy that wants the rule
    /// implements it (`solver.switching.settle` configures the built-in ones).
    ///
    /// After a synchronous burst nearly every neuron sits at `V_R`, far from the
    /// threshold: the density can carry the network again long before the smoothed rate,
    /// which still holds the burst's spikes, has decayed (docs/multiscale.md).
    #[must_use]
    fn settled_after_event(&mut self, t: f64, since: f64, rate: f64) -> bool {
        let _ = (t, since, rate);
        false
    }

    /// Checks the settings of `solver.switching` this policy reads, before a run starts
    /// (the default reads none; the built-in policies check `rate_up`, `rate_down`,
    /// `dwell`, `settle` and `fraction`, [`SwitchingConfig::validate_policy`]).
    ///
    /// # Errors
    ///
    /// [`RunError::Invalid`] naming the first offending setting.
    fn validate(&self, settings: &SwitchingConfig) -> Result<(), RunError> {
        let _ = settings;
        Ok(())
    }
}

/// Down-switch rule shared by the built-in policies: the smoothed rate has stayed below
/// `rate_down`, with no multiple firing event, for `dwell`; or, with a `settle` time, the
/// rate since the last event is below `rate_down` once `settle` has passed since it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuietWindow {
    rate_down: f64,
    dwell: f64,
    quiet_since: Option<f64>,
    settle: Option<f64>,
}

impl QuietWindow {
    /// A window requiring the rate below `rate_down` for `dwell`, with no event.
    pub fn new(rate_down: f64, dwell: f64) -> Self {
        QuietWindow {
            rate_down,
            dwell,
            quiet_since: None,
            settle: None,
        }
    }

    /// The same window, and back after an event once `settle` has passed since it with
    /// the rate since it below `rate_down` (`None`: the window alone).
    #[must_use]
    pub fn with_settle(mut self, settle: Option<f64>) -> Self {
        self.settle = settle;
        self
    }

    /// Whether the network has settled after its last event (see
    /// [`SwitchingPolicy::settled_after_event`]).
    pub fn settled(&self, since: f64, rate: f64) -> bool {
        self.settle
            .is_some_and(|settle| since >= settle - 1e-12 && rate < self.rate_down)
    }

    /// Since when the rate has been quiet, if it is.
    pub fn quiet_since(&self) -> Option<f64> {
        self.quiet_since
    }

    /// Records the state at `t`; true once the rate has been quiet for the dwell time.
    pub fn update(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        if mfe || smoothed_rate >= self.rate_down {
            self.quiet_since = None;
            return false;
        }
        let since = *self.quiet_since.get_or_insert(t);
        t - since >= self.dwell - 1e-12
    }

    fn reset(&mut self) {
        self.quiet_since = None;
    }
}

/// Rate threshold with hysteresis: up when the macro rate would pass `N_up`, down when the
/// smoothed particle rate stays below `N_down < N_up` for a dwell time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateHysteresis {
    rate_up: f64,
    window: QuietWindow,
}

impl RateHysteresis {
    /// Up above `rate_up`; down after `dwell` below `rate_down` without an event.
    pub fn new(rate_up: f64, rate_down: f64, dwell: f64) -> Self {
        RateHysteresis {
            rate_up,
            window: QuietWindow::new(rate_down, dwell),
        }
    }

    /// The same, and down `settle` after an event if the rate since it is below
    /// `rate_down` ([`QuietWindow::with_settle`]).
    #[must_use]
    pub fn with_settle(mut self, settle: Option<f64>) -> Self {
        self.window = self.window.with_settle(settle);
        self
    }
}

/// Up when the fraction of the population that fires in one macro step, `dt N`, would
/// pass a bound; down as [`RateHysteresis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiringFraction {
    fraction: f64,
    window: QuietWindow,
}

impl FiringFraction {
    /// Up when `dt N` would pass `fraction`; down after `dwell` below `rate_down` without
    /// an event.
    pub fn new(fraction: f64, rate_down: f64, dwell: f64) -> Self {
        FiringFraction {
            fraction,
            window: QuietWindow::new(rate_down, dwell),
        }
    }

    /// The same, and down `settle` after an event if the rate since it is below
    /// `rate_down` ([`QuietWindow::with_settle`]).
    #[must_use]
    pub fn with_settle(mut self, settle: Option<f64>) -> Self {
        self.window = self.window.with_settle(settle);
        self
    }
}

impl SwitchingPolicy for RateHysteresis {
    fn macro_rate_bound(&mut self, _density: &DensityView<'_>) -> f64 {
        self.rate_up
    }
    fn validate(&self, settings: &SwitchingConfig) -> Result<(), RunError> {
        settings.validate_policy()
    }
    fn enter_micro(&mut self, _t: f64) {
        self.window.reset();
    }
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        self.window.update(t, smoothed_rate, mfe)
    }
    fn settled_after_event(&mut self, _t: f64, since: f64, rate: f64) -> bool {
        self.window.settled(since, rate)
    }
}

impl SwitchingPolicy for FiringFraction {
    fn macro_rate_bound(&mut self, density: &DensityView<'_>) -> f64 {
        self.fraction / density.dt
    }
    fn validate(&self, settings: &SwitchingConfig) -> Result<(), RunError> {
        settings.validate_policy()
    }
    fn enter_micro(&mut self, _t: f64) {
        self.window.reset();
    }
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        self.window.update(t, smoothed_rate, mfe)
    }
    fn settled_after_event(&mut self, _t: f64, since: f64, rate: f64) -> bool {
        self.window.settled(since, rate)
    }
}

/// The policy a config names: one of the built-in policies, savable with the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BuiltinPolicy {
    /// [`RateHysteresis`].
    RateHysteresis(RateHysteresis),
    /// [`FiringFraction`].
    FiringFraction(FiringFraction),
}

impl BuiltinPolicy {
    /// The policy of a `solver.switching` section.
    pub fn from_config(config: &SwitchingConfig) -> Self {
        match config.policy {
            Policy::RateHysteresis => BuiltinPolicy::RateHysteresis(
                RateHysteresis::new(config.rate_up, config.rate_down, config.dwell)
                    .with_settle(config.settle),
            ),
            Policy::FiringFraction { fraction } => BuiltinPolicy::FiringFraction(
                FiringFraction::new(fraction, config.rate_down, config.dwell)
                    .with_settle(config.settle),
            ),
        }
    }

    fn inner(&mut self) -> &mut dyn SwitchingPolicy {
        match self {
            BuiltinPolicy::RateHysteresis(p) => p,
            BuiltinPolicy::FiringFraction(p) => p,
        }
    }
}

impl SwitchingPolicy for BuiltinPolicy {
    fn macro_rate_bound(&mut self, density: &DensityView<'_>) -> f64 {
        self.inner().macro_rate_bound(density)
    }
    fn validate(&self, settings: &SwitchingConfig) -> Result<(), RunError> {
        settings.validate_policy()
    }
    fn enter_micro(&mut self, t: f64) {
        self.inner().enter_micro(t);
    }
    fn burst_over(&mut self, t: f64, smoothed_rate: f64, mfe: bool) -> bool {
        self.inner().burst_over(t, smoothed_rate, mfe)
    }
    fn settled_after_event(&mut self, t: f64, since: f64, rate: f64) -> bool {
        self.inner().settled_after_event(t, since, rate)
    }
}

/// The policy a config names, boxed (see [`BuiltinPolicy::from_config`]).
pub fn policy_from(config: &SwitchingConfig) -> Box<dyn SwitchingPolicy + Send> {
    Box::new(BuiltinPolicy::from_config(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quiet_window_needs_the_whole_dwell_without_events() {
        // Oracle: the rule as stated, on a hand-made rate history.
        let mut w = QuietWindow::new(1.0, 0.1);
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
    fn settling_needs_the_settle_time_and_a_low_rate_since_the_event() {
        // Oracle: the rule as stated. Without a settle time it never fires.
        let plain = QuietWindow::new(2.0, 0.1);
        assert!(!plain.settled(10.0, 0.0));
        let w = QuietWindow::new(2.0, 0.1).with_settle(Some(0.02));
        assert!(!w.settled(0.01, 0.5)); // too soon
        assert!(!w.settled(0.02, 2.0)); // rate not below rate_down
        assert!(w.settled(0.02, 1.99));
        assert!(w.settled(0.5, 0.0));
        // Every built-in policy a config names answers through its window.
        for policy in [
            Policy::RateHysteresis,
            Policy::FiringFraction { fraction: 0.01 },
        ] {
            let config = SwitchingConfig {
                policy,
                rate_down: 2.0,
                settle: Some(0.02),
                ..SwitchingConfig::default()
            };
            let mut p = BuiltinPolicy::from_config(&config);
            assert!(!p.settled_after_event(1.0, 0.01, 0.5));
            assert!(p.settled_after_event(1.0, 0.02, 0.5));
            let mut none = BuiltinPolicy::from_config(&SwitchingConfig {
                policy,
                ..SwitchingConfig::default()
            });
            assert!(!none.settled_after_event(1.0, 1.0, 0.0));
        }
    }

    #[test]
    fn firing_fraction_bounds_the_rate_by_the_step() {
        let config = SwitchingConfig {
            policy: Policy::FiringFraction { fraction: 0.01 },
            ..SwitchingConfig::default()
        };
        let grid = Grid::new(-4.0, 2.0, 1.0, 0.01).unwrap();
        let view = DensityView {
            t: 0.0,
            dt: 1e-3,
            rate: 0.0,
            density: &[],
            grid: &grid,
        };
        let mut p = policy_from(&config);
        assert_eq!(p.macro_rate_bound(&view), 10.0);
        assert_eq!(
            policy_from(&SwitchingConfig::default()).macro_rate_bound(&view),
            5.0
        );
    }
}
