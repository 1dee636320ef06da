//! The saved state of a particle system.

use nlif_model::{Input, ModelParams};
use serde::{Deserialize, Serialize};

use crate::{MicroConfig, Partition};

/// The version of [`ParticleState`] this crate writes and reads.
pub const PARTICLE_STATE_VERSION: u32 = 1;

/// Everything needed to continue a particle system bit for bit, as plain serde data.
///
/// Written by [`ParticleSystem::state`](crate::ParticleSystem::state), read by
/// [`ParticleSystem::from_state`](crate::ParticleSystem::from_state) (which validates every
/// field). The clock is kept as `(t_start, steps)`, not as the time, because the solver
/// computes `t = t_start + steps · dt`, and a time-dependent input must see the same `t`
/// after a restore. The voltages are settled (no pending kick, no pending reset): a
/// restored system computes the same sums as the saved one would have.
///
/// In JSON, `f64` values round-trip exactly only if the parser does; with `serde_json`
/// enable its `float_roundtrip` feature.
///
/// ```
/// use nlif_micro::{MicroConfig, Parallelism, ParticleSystem};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let config = MicroConfig { particles: 1000, dt: 1e-3, ..MicroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut a = ParticleSystem::from_initial(ModelParams::default(), Input::None, config, &initial, -4.0, 3, Parallelism::Sequential)?;
/// for _ in 0..10 { let _ = a.step(); }
/// let mut b = ParticleSystem::from_state(a.state(), Parallelism::Sequential)?;
/// assert_eq!(a.step(), b.step());
/// assert!(a.voltages().eq(b.voltages()));
/// # Ok::<(), nlif_micro::MicroError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ParticleState {
    /// Format version, [`PARTICLE_STATE_VERSION`].
    pub version: u32,
    /// The model parameters.
    pub params: ModelParams,
    /// The input.
    pub input: Input,
    /// The solver settings (`particles` is the number of voltages held).
    pub config: MicroConfig,
    /// The part of the network held.
    pub partition: Partition,
    /// Start of the clock.
    pub t_start: f64,
    /// Steps taken since `t_start`.
    pub steps: u64,
    /// The rate of the last step, which sets `a(N)` of the next one.
    pub rate: f64,
    /// Initiators of the last cascade (they set the width of the next cascade window).
    pub last_initiators: u64,
    /// The settled voltages, all finite and below `v_f`.
    pub voltages: Vec<f64>,
    /// The xoshiro256++ state words `s[0..4]` of the stream of each block held.
    pub rngs: Vec<[u64; 4]>,
}
