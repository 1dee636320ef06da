//! The saved state of a [`MacroSolver`](crate::MacroSolver): plain data, `serde`, versioned.

use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::MacroConfig;

mod delay;
mod refractory;

pub use delay::DelayState;
pub use refractory::RefractoryState;

/// The version of [`MacroState`] this build writes and reads.
///
/// It changes whenever the meaning or the fields of [`MacroState`] change; a state of
/// another version is refused by
/// [`MacroSolver::from_state`](crate::MacroSolver::from_state) with
/// [`MacroError::StateVersion`](crate::MacroError::StateVersion).
///
/// Version 3 added [`MacroState::refractory`], version 4 [`MacroState::delay`]; a
/// version-2 or -3 state (without them: no refractory period, no delay) is still read.
pub const MACRO_STATE_VERSION: u32 = 4;

/// The oldest version of [`MacroState`] this build reads.
pub(crate) const MACRO_STATE_OLDEST: u32 = 2;

/// Everything a [`MacroSolver`](crate::MacroSolver) needs to continue bit for bit, as plain
/// `serde` data (an API boundary: stable within a [`version`](Self::version)).
///
/// Taken by [`MacroSolver::state`](crate::MacroSolver::state), restored by
/// [`MacroSolver::from_state`](crate::MacroSolver::from_state) (built-in schemes) or
/// [`MacroSolver::from_state_with`](crate::MacroSolver::from_state_with) (a custom
/// [`FluxScheme`](crate::FluxScheme), which the state does not record: pass the same one).
///
/// The clock is kept as `(t_start, steps)`, not as a time: the restored solver's time
/// `t_start + steps · dt` is the same `f64` as the saved one's, so a time-dependent input
/// sees the same times, bit for bit. Nothing in the state is a NaN sentinel.
///
/// Bit-for-bit continuation needs a format that round-trips `f64` exactly: RON, bincode,
/// or `serde_json` with its `float_roundtrip` feature (without it, `serde_json` may parse
/// a number one ulp off).
///
/// ```
/// use fp_macro::{MacroConfig, MacroSolver, MacroState, StepOutcome};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let input = Input::Periodic { i0: 0.5, amplitude: 1.0, period: 0.3, phase: 0.0 };
/// let config = MacroConfig { dt: 1e-3, ..MacroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut straight = MacroSolver::from_initial(ModelParams::default(), input, config, &initial)?;
/// let mut first = straight.clone();
/// for _ in 0..20 {
///     assert!(matches!(straight.step(f64::INFINITY), StepOutcome::Advanced { .. }));
/// }
/// for _ in 0..10 {
///     assert!(matches!(first.step(f64::INFINITY), StepOutcome::Advanced { .. }));
/// }
/// let saved: String = serde_json::to_string(&first.state())?;
/// let restored: MacroState = serde_json::from_str(&saved)?;
/// let mut second = MacroSolver::from_state(restored)?;
/// for _ in 0..10 {
///     assert!(matches!(second.step(f64::INFINITY), StepOutcome::Advanced { .. }));
/// }
/// assert_eq!(second.time().to_bits(), straight.time().to_bits());
/// assert_eq!(second.density(), straight.density());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MacroState {
    /// [`MACRO_STATE_VERSION`] when written.
    pub version: u32,
    /// The model parameters.
    pub params: ModelParams,
    /// The external input (its own clock is the solver's time).
    pub input: Input,
    /// The solver settings (for a custom scheme, `config.scheme` is as it was given, unused).
    pub config: MacroConfig,
    /// Nodal values of the density at `v_0 .. v_{n-1}` of the grid of `config`.
    pub density: Vec<f64>,
    /// The current firing rate `N^m` (the outflow of the last step, not recomputed).
    pub rate: f64,
    /// The rate before it, `N^{m-1}` (read by [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd);
    /// equal to `rate` before the first step).
    pub previous_rate: f64,
    /// The time the clock started from.
    pub t_start: f64,
    /// Steps taken since `t_start`: the time is `t_start + steps · dt`.
    pub steps: u64,
    /// The refractory compartment (docs/model.md §11): `None` without a refractory period
    /// (and in a version-2 state, which has no such field).
    #[serde(default)]
    pub refractory: Option<RefractoryState>,
    /// The synaptic delay and the rates it reads (docs/model.md §12): `None` without a
    /// delay (and in a state older than version 4).
    #[serde(default)]
    pub delay: Option<DelayState>,
}

/// What of a [`MacroState`] changes over a run: the state without the problem it solves
/// (model, input, settings), for a caller that keeps the problem once and gives it back
/// with [`MacroState::from_dynamics`].
///
/// ```
/// use fp_macro::{MacroConfig, MacroSolver, MacroState};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let config = MacroConfig::default();
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let solver = MacroSolver::from_initial(ModelParams::default(), Input::None, config, &initial)?;
/// let state = solver.state();
/// let dynamics = state.clone().into_dynamics();
/// let back = MacroState::from_dynamics(ModelParams::default(), Input::None, config, dynamics);
/// assert_eq!(back, state);
/// # Ok::<(), fp_macro::MacroError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DensityDynamics {
    /// As [`MacroState::density`].
    pub density: Vec<f64>,
    /// As [`MacroState::rate`].
    pub rate: f64,
    /// As [`MacroState::previous_rate`].
    pub previous_rate: f64,
    /// As [`MacroState::t_start`].
    pub t_start: f64,
    /// As [`MacroState::steps`].
    pub steps: u64,
    /// As [`MacroState::refractory`].
    #[serde(default)]
    pub refractory: Option<RefractoryState>,
    /// As [`MacroState::delay`].
    #[serde(default)]
    pub delay: Option<DelayState>,
}

impl MacroState {
    /// The part that changes over a run.
    #[must_use]
    pub fn into_dynamics(self) -> DensityDynamics {
        DensityDynamics {
            density: self.density,
            rate: self.rate,
            previous_rate: self.previous_rate,
            t_start: self.t_start,
            steps: self.steps,
            refractory: self.refractory,
            delay: self.delay,
        }
    }

    /// The state of this build's version from its problem and its dynamics (checked when
    /// restored, by [`MacroSolver::from_state`](crate::MacroSolver::from_state)).
    #[must_use]
    pub fn from_dynamics(
        params: ModelParams,
        input: Input,
        config: MacroConfig,
        dynamics: DensityDynamics,
    ) -> Self {
        MacroState {
            version: MACRO_STATE_VERSION,
            params,
            input,
            config,
            density: dynamics.density,
            rate: dynamics.rate,
            previous_rate: dynamics.previous_rate,
            t_start: dynamics.t_start,
            steps: dynamics.steps,
            refractory: dynamics.refractory,
            delay: dynamics.delay,
        }
    }
}
