//! Sub-threshold time steppers (docs/model.md §2).
//!
//! Over one step of length `dt`, with the input `I` and the noise `a` frozen at the start
//! of the step, a neuron below threshold follows `dV = (-V + I) dt + sqrt(2a) dW`.
//!
//! | stepper | update | threshold crossing | weak order of the rate |
//! |---|---|---|---|
//! | [`Stepper::EulerMaruyama`] | `V + (-V + I) dt + sqrt(2 a dt) ξ` | end point only | 1/2 (crossings inside the step are missed) |
//! | [`Stepper::BrownianBridge`] | as Euler–Maruyama | end point, or inside the step with probability `exp(-(V_F - V_n)(V_F - V_{n+1}) / (a dt))` | 1 |
//! | [`Stepper::ExactOu`] | exact Ornstein–Uhlenbeck transition `I + (V - I) e^{-dt} + sqrt(a (1 - e^{-2dt})) ξ` | end point, or the bridge probability with the exact variance `s² = a(1 - e^{-2dt})`: `exp(-2 (V_F - V_n)(V_F - V_{n+1}) / s²)` | 1 |
//!
//! All are unconditionally stable for `dt < 1`. The bridge draws its uniform only when the
//! crossing probability exceeds `e^{-37} < 2^{-53}` (below that no `f64` uniform can fall
//! under it), so a neuron far from threshold costs one normal deviate.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// The choice of sub-threshold stepper, as written in a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Stepper {
    /// Plain Euler–Maruyama: the rate is biased low by `O(sqrt(dt))`.
    EulerMaruyama,
    /// Euler–Maruyama with the Brownian-bridge crossing correction.
    #[default]
    BrownianBridge,
    /// Exact Ornstein–Uhlenbeck transition with the bridge crossing correction.
    ExactOu,
}

/// Beyond this exponent the bridge crossing probability is below `2^-53`.
const BRIDGE_CUTOFF: f64 = 37.0;

/// One sub-threshold step of a single neuron, with coefficients frozen for the step.
///
/// To add a stepper, add a [`Stepper`] variant whose [`Stepper::coefficients`] returns a
/// [`Coefficients`] holding an implementation of this trait: the particle system matches on
/// [`Coefficients`] once per block of particles and runs the monomorphised kernel.
pub trait SubthresholdStep: Copy + Send + Sync {
    /// Advances `v` by one step; returns the new voltage and whether the neuron reached
    /// the threshold during the step.
    fn advance<R: Rng>(&self, v: f64, rng: &mut R) -> (f64, bool);
}

/// Frozen coefficients of a linear step `v ↦ decay · v + drive + noise · ξ`, with the
/// bridge factor `g0 g1 · bridge` as exponent of the crossing probability (0 for none).
#[derive(Debug, Clone, Copy)]
pub struct LinearStep {
    decay: f64,
    drive: f64,
    noise: f64,
    v_f: f64,
    bridge: f64,
}

/// Euler–Maruyama without crossing correction.
#[derive(Debug, Clone, Copy)]
pub struct PlainStep(pub LinearStep);

/// A linear step with the bridge crossing correction.
#[derive(Debug, Clone, Copy)]
pub struct BridgedStep(pub LinearStep);

impl LinearStep {
    #[inline(always)]
    fn propagate<R: Rng>(&self, v: f64, rng: &mut R) -> f64 {
        let xi: f64 = rng.sample(StandardNormal);
        self.decay * v + self.drive + self.noise * xi
    }
}

impl SubthresholdStep for PlainStep {
    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, rng: &mut R) -> (f64, bool) {
        let next = self.0.propagate(v, rng);
        (next, next >= self.0.v_f)
    }
}

impl SubthresholdStep for BridgedStep {
    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, rng: &mut R) -> (f64, bool) {
        let s = &self.0;
        let next = s.propagate(v, rng);
        if next >= s.v_f {
            return (next, true);
        }
        let exponent = (s.v_f - v) * (s.v_f - next) * s.bridge;
        if exponent < BRIDGE_CUTOFF {
            let u: f64 = rng.random();
            if u < (-exponent).exp() {
                return (next, true);
            }
        }
        (next, false)
    }
}

/// The frozen coefficients of one step of any stepper.
#[derive(Debug, Clone, Copy)]
pub enum Coefficients {
    /// Euler–Maruyama.
    Plain(PlainStep),
    /// Euler–Maruyama or exact OU with the bridge correction.
    Bridged(BridgedStep),
}

impl Stepper {
    /// Coefficients of one step of length `dt` with input `current`, noise `a`, threshold
    /// `v_f`.
    pub fn coefficients(self, dt: f64, current: f64, a: f64, v_f: f64) -> Coefficients {
        let euler = LinearStep {
            decay: 1.0 - dt,
            drive: current * dt,
            noise: (2.0 * a * dt).sqrt(),
            v_f,
            bridge: 1.0 / (a * dt),
        };
        match self {
            Stepper::EulerMaruyama => Coefficients::Plain(PlainStep(euler)),
            Stepper::BrownianBridge => Coefficients::Bridged(BridgedStep(euler)),
            Stepper::ExactOu => {
                let decay = (-dt).exp();
                let var = a * (-(-2.0 * dt).exp_m1());
                Coefficients::Bridged(BridgedStep(LinearStep {
                    decay,
                    drive: current * -(-dt).exp_m1(),
                    noise: var.sqrt(),
                    v_f,
                    bridge: 2.0 / var,
                }))
            }
        }
    }
}
