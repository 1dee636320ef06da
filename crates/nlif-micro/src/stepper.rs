//! Sub-threshold time steppers (docs/model.md §2) and the traits a new one implements.
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
//! under it), so a neuron far from threshold costs its normal deviate `ξ` alone.
//!
//! # Random numbers and their order
//!
//! The normal deviate `ξ` of each particle is drawn before the particle is stepped, for a
//! whole chunk of particles at once, by the generator of
//! [`MicroConfig::normals`](crate::MicroConfig::normals) (module [`crate::normal`]:
//! Box–Muller or the ziggurat), and handed to [`SubthresholdStep::advance`] as `z`. A
//! block's pass takes its particles in chunks of up to [`CHUNK`](crate::normal::CHUNK)
//! (256) in index order; for each chunk it draws the chunk's `z` from the block's stream
//! (exactly as [`normal::fill_with`](crate::normal::fill_with) of the chunk's length: for
//! Box–Muller one 64-bit word per pair, for the ziggurat half a word per deviate and a
//! few more for its rejections), then
//! advances the chunk's particles in index order, each drawing whatever else it needs
//! (the bridge's uniform) from the same stream. So every number still comes from the
//! block's stream in a fixed order, and one seed determines the run on any number of
//! threads. A kernel that needs no `z` (or draws its own) says so with
//! [`SubthresholdStep::NORMAL`]` = false`; the chunk then draws nothing for it.
//!
//! A kernel with a split form ([`SubthresholdStep::SPLIT`], the built-in ones) is run
//! faster with the same draws: [`propagate`](SubthresholdStep::propagate), which draws
//! nothing, for the whole chunk in one vectorized loop, then `advance` only for the
//! particles `propagate` did not settle, still in index order.
//!
//! # Writing a stepper
//!
//! A stepper is two types:
//!
//! - a [`SubthresholdStepper`], the choice a particle system holds (like [`Stepper`]): once
//!   per step it freezes `(dt, I, a, V_F)` into a kernel;
//! - the kernel, a [`SubthresholdStep`]: a small `Copy` value whose
//!   [`advance`](SubthresholdStep::advance) moves one neuron by one step, given the
//!   neuron's normal deviate `z` for the step and the random stream of its block.
//!
//! The particle system runs the kernel in a loop over each block of particles,
//! monomorphised for the kernel type: a stepper written in another crate, in split form,
//! is as fast as the built-in ones (`benches/micro_step.rs` measures one). Use `z` for the
//! step's noise, and
//! draw anything further from `rng` with [`uniform`] (the bridge's draw in the built-in
//! kernels) or [`standard_normal`], so that a run stays a function of the seed alone.
//! `cargo run --release -p nlif-micro --example custom_stepper` replicates
//! [`Stepper::ExactOu`] this way (bit for bit) and adds a Heun-type stepper.
//!
//! ```
//! use nlif_micro::stepper::{Rng, SubthresholdStep, SubthresholdStepper};
//!
//! /// Euler–Maruyama without crossing correction, written from scratch.
//! #[derive(Debug, Clone, Copy)]
//! struct Euler;
//!
//! #[derive(Debug, Clone, Copy)]
//! struct EulerKernel { decay: f64, drive: f64, noise: f64, v_f: f64 }
//!
//! impl SubthresholdStepper for Euler {
//!     type Kernel = EulerKernel;
//!     fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> EulerKernel {
//!         EulerKernel { decay: 1.0 - dt, drive: current * dt, noise: (2.0 * a * dt).sqrt(), v_f }
//!     }
//! }
//!
//! impl SubthresholdStep for EulerKernel {
//!     // The split form below is optional: without it the system calls `advance` for
//!     // every particle, with the same results, more slowly.
//!     const SPLIT: bool = true;
//!
//!     fn advance<R: Rng>(&self, v: f64, z: f64, _rng: &mut R) -> (f64, bool) {
//!         let next = self.decay * v + self.drive + self.noise * z;
//!         (next, next >= self.v_f)
//!     }
//!
//!     /// Below threshold the step is settled; at or above it, `advance` says it fired.
//!     fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
//!         let next = self.decay * v + self.drive + self.noise * z;
//!         (next, !(next >= self.v_f))
//!     }
//! }
//! # let _ = Euler.kernel(1e-3, 0.0, 1.0, 2.0);
//! ```

pub use rand::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// The choice of built-in sub-threshold stepper, as written in a config.
///
/// New variants may be added; code outside this crate should not match exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Stepper {
    /// Plain Euler–Maruyama: the rate is biased low by `O(sqrt(dt))`.
    EulerMaruyama,
    /// Euler–Maruyama with the Brownian-bridge crossing correction.
    #[default]
    BrownianBridge,
    /// Exact Ornstein–Uhlenbeck transition with the bridge crossing correction.
    ExactOu,
}

/// Beyond this exponent the bridge crossing probability `e^{-x}` is below `2^-53`, and the
/// built-in bridged kernels do not draw the uniform.
pub const BRIDGE_CUTOFF: f64 = 37.0;

/// One standard normal deviate from `rng` (one [`rand_distr::StandardNormal`] sample, a
/// ziggurat): for a kernel that needs more than the `z` it is handed. The particle system
/// draws its initial voltages ([`sample`](crate::ParticleSystemBuilder::sample)) this way.
#[inline(always)]
pub fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    rng.sample(StandardNormal)
}

/// A uniform deviate in `[0, 1)`, exactly as the built-in bridged kernels draw it.
#[inline(always)]
pub fn uniform<R: Rng>(rng: &mut R) -> f64 {
    rng.random()
}

/// A family of sub-threshold steppers: freezes the coefficients of one step into a kernel.
///
/// The particle system calls [`kernel`](SubthresholdStepper::kernel) once per step (and
/// nothing else), with the input current `I(t)` and noise `a(N)` frozen at the start of the
/// step. Implement it, with a [`SubthresholdStep`] kernel, to give a
/// [`ParticleSystem`](crate::ParticleSystem) your own stepper through
/// [`ParticleSystemBuilder::stepper`](crate::ParticleSystemBuilder::stepper).
pub trait SubthresholdStepper {
    /// The frozen per-step kernel.
    type Kernel: SubthresholdStep;

    /// The kernel of one step of length `dt` with input `current`, noise `a` (the
    /// diffusion coefficient: the noise term is `sqrt(2a) dW`) and threshold `v_f`.
    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> Self::Kernel;

    /// The built-in [`Stepper`] this stepper is, if it is one. A particle system records
    /// it as its `config.stepper`, so that a saved state names the stepper it ran with.
    /// Keep the default (`None`) for a stepper of your own.
    fn builtin(&self) -> Option<Stepper> {
        None
    }
}

/// One sub-threshold step of a single neuron, with coefficients frozen for the step.
pub trait SubthresholdStep: Copy + Send + Sync {
    /// Whether [`advance`](SubthresholdStep::advance) uses the normal deviate `z` the
    /// particle system draws for it (the default, `true`).
    ///
    /// A kernel that needs no normal deviate, or draws its own from `rng`, sets it to
    /// `false`: the system then draws no `z` for its particles (the block's stream is not
    /// advanced for them) and hands it `z = NaN`.
    const NORMAL: bool = true;

    /// Whether the kernel implements [`propagate`](SubthresholdStep::propagate) (default
    /// `false`). Then the system steps a chunk in the vectorized pass of `propagate` and
    /// calls `advance` only for the particles it did not settle; otherwise it calls
    /// `advance` for every particle in a plain loop. Both give the same run; the split is
    /// faster (for the built-in bridge 1.6 against 2.7 ns per neuron-step:
    /// docs/performance.md).
    const SPLIT: bool = false;

    /// Advances `v` by one step; returns the new voltage and whether the neuron reached
    /// the threshold during the step (then the new voltage is discarded: the neuron fires
    /// and is reset).
    ///
    /// `z` is the neuron's standard normal deviate for the step (drawn for its whole chunk
    /// before the chunk is stepped: module documentation). `rng` is the stream of the
    /// neuron's block, for anything more: draw from it with [`uniform`] and
    /// [`standard_normal`] (or any [`Rng`] method); the number of draws may depend on `v`.
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool);

    /// The part of the step that needs no random draw: `(next, settled)`, where `settled`
    /// promises that [`advance`](SubthresholdStep::advance)`(v, z, rng)` would return
    /// `(next, false)` and draw nothing from `rng`.
    ///
    /// The particle system evaluates it for a whole chunk of particles in one loop, and
    /// calls `advance` only for the particles it did not settle (in index order, so the
    /// draws from the stream are those of a plain loop over `advance`). Written without
    /// branches (`&`, `|` and comparisons rather than `if`, `&&`, `||`), the loop is
    /// vectorized. The system calls it only if [`SPLIT`](SubthresholdStep::SPLIT) is
    /// `true`. The built-in Euler–Maruyama kernel settles every particle that ends below
    /// `V_F`; the bridged ones those that also have a bridge exponent of at least
    /// [`BRIDGE_CUTOFF`].
    ///
    /// The contract, for a kernel of your own: when `settled` is `true`, `next` must be
    /// bit for bit the voltage `advance` returns, for any state of the stream, and
    /// `advance` must neither fire nor draw; when it is `false`, `next` is ignored. A
    /// kernel whose `advance` always draws (its own noise, say) can never settle: keep the
    /// default. Breaking the contract is not undefined behaviour, but it silently changes
    /// the run (a spike lost, or the stream shifted for every later particle of the
    /// block); compare a run with `SPLIT = true` against the same kernel with
    /// `SPLIT = false`, which must be identical (as `tests/custom_stepper.rs` does for the
    /// built-in kernels).
    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        let _ = (v, z);
        (f64::NAN, false)
    }

    /// Hands `visitor` the kernel to run over one block of particles.
    ///
    /// The default hands over `self`, which is right for a kernel of one type. A kernel
    /// that is an enum of kernels (like [`Coefficients`]) overrides it to match once and
    /// hand over the variant, so that the loop over the block is monomorphised for it.
    #[inline(always)]
    fn dispatch<V: KernelVisitor>(self, visitor: V) -> V::Output {
        visitor.visit(self)
    }
}

/// Receives a concrete kernel from [`SubthresholdStep::dispatch`]; the particle system
/// implements it for its loop over one block.
pub trait KernelVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with the kernel `kernel`.
    fn visit<K: SubthresholdStep>(self, kernel: K) -> Self::Output;
}

/// Frozen coefficients of a linear step `v ↦ decay · v + drive + noise · z`, with the
/// bridge factor `g0 g1 · bridge` as exponent of the crossing probability (0 for none),
/// `g0 = V_F - v`, `g1 = V_F - v_next`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearStep {
    decay: f64,
    drive: f64,
    noise: f64,
    v_f: f64,
    bridge: f64,
}

impl LinearStep {
    /// The step `v ↦ decay · v + drive + noise · z` with threshold `v_f` and bridge factor
    /// `bridge` (`1 / (a dt)` for Euler–Maruyama, `2 / s²` for a step of variance `s²`).
    #[must_use]
    pub const fn new(decay: f64, drive: f64, noise: f64, v_f: f64, bridge: f64) -> Self {
        LinearStep {
            decay,
            drive,
            noise,
            v_f,
            bridge,
        }
    }

    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> f64 {
        self.decay * v + self.drive + self.noise * z
    }
}

/// A linear step without crossing correction (Euler–Maruyama).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlainStep(pub LinearStep);

/// A linear step with the bridge crossing correction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BridgedStep(pub LinearStep);

impl SubthresholdStep for PlainStep {
    const SPLIT: bool = true;

    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, z: f64, _rng: &mut R) -> (f64, bool) {
        let next = self.0.propagate(v, z);
        (next, next >= self.0.v_f)
    }

    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        let next = self.0.propagate(v, z);
        (next, !(next >= self.0.v_f))
    }
}

impl SubthresholdStep for BridgedStep {
    const SPLIT: bool = true;

    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        let s = &self.0;
        let next = s.propagate(v, z);
        if next >= s.v_f {
            return (next, true);
        }
        let exponent = (s.v_f - v) * (s.v_f - next) * s.bridge;
        if exponent < BRIDGE_CUTOFF {
            return (next, bridge_crossing(exponent, rng));
        }
        (next, false)
    }

    /// Settled: below `V_F` and `!(exponent < BRIDGE_CUTOFF)` (the negations of
    /// `advance`'s two tests: a NaN is settled, as `advance` neither fires nor draws for it).
    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        let s = &self.0;
        let next = s.propagate(v, z);
        let exponent = (s.v_f - v) * (s.v_f - next) * s.bridge;
        (next, !(next >= s.v_f) & !(exponent < BRIDGE_CUTOFF))
    }
}

/// Whether the bridge crossed, with probability `e^{-exponent}`. Inlined into the loop over
/// the particles near `V_F` (the split pass calls nothing else): before a burst they are a
/// few percent of all, and a call per particle (the function was once out of line and
/// `#[cold]`) cost 7 % of those steps.
///
/// The exponential is skipped when the uniform `u` already decides: `e^x > 1 + x + x²/2`
/// for `x > 0`, so `u >= 1 / (1 + x + x²/2)` implies `u >= e^{-x}`. For `x >= 1` the two
/// bounds differ by at least 8 % (`(1 + x + x²/2) e^{-x} <= 2.5 / e`), far more than the
/// rounding of either side, so the answer is the one `u < exp(-x)` gives, bit for bit;
/// and most particles that get here sit near the cutoff, where the bound is below 0.02.
#[inline(always)]
fn bridge_crossing<R: Rng>(exponent: f64, rng: &mut R) -> bool {
    crosses(exponent, uniform(rng))
}

/// `u < exp(-exponent)`, without the exponential when a bound decides (see
/// [`bridge_crossing`]).
#[inline(always)]
fn crosses(exponent: f64, u: f64) -> bool {
    if exponent >= 1.0 && u * (1.0 + exponent * (1.0 + 0.5 * exponent)) >= 1.0 {
        return false;
    }
    u < (-exponent).exp()
}

/// The frozen coefficients of one step of any built-in stepper: the kernel of
/// [`Stepper`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Coefficients {
    /// Euler–Maruyama.
    Plain(PlainStep),
    /// Euler–Maruyama or exact OU with the bridge correction.
    Bridged(BridgedStep),
}

impl SubthresholdStep for Coefficients {
    const SPLIT: bool = true;

    /// Matches per call; the particle system never calls it (see
    /// [`dispatch`](SubthresholdStep::dispatch)).
    #[inline]
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        match self {
            Coefficients::Plain(s) => s.advance(v, z, rng),
            Coefficients::Bridged(s) => s.advance(v, z, rng),
        }
    }

    /// Matches per call, like `advance`.
    #[inline]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        match self {
            Coefficients::Plain(s) => s.propagate(v, z),
            Coefficients::Bridged(s) => s.propagate(v, z),
        }
    }

    /// Matches once and hands over the monomorphic kernel.
    #[inline(always)]
    fn dispatch<V: KernelVisitor>(self, visitor: V) -> V::Output {
        match self {
            Coefficients::Plain(s) => visitor.visit(s),
            Coefficients::Bridged(s) => visitor.visit(s),
        }
    }
}

impl Stepper {
    /// Coefficients of one step of length `dt` with input `current`, noise `a`, threshold
    /// `v_f`.
    #[must_use]
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

impl SubthresholdStepper for Stepper {
    type Kernel = Coefficients;

    #[inline]
    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> Coefficients {
        self.coefficients(dt, current, a, v_f)
    }

    fn builtin(&self) -> Option<Stepper> {
        Some(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::crosses;
    use proptest::prelude::*;

    /// Oracle: the plain test `u < exp(-x)`. The bound only skips the exponential; the
    /// answer must be the same for every exponent and uniform, including uniforms one ulp
    /// either side of `exp(-x)` and of the bound `1 / (1 + x + x²/2)`.
    #[test]
    fn the_bound_never_changes_the_crossing_decision() {
        let mut exponents = vec![0.0, 1e-300, 1e-8, 0.5, 1.0 - 1e-16, 1.0, 1.0 + 1e-15, 2.0];
        exponents.extend((0..=370).map(|k| k as f64 * 0.1));
        for x in exponents {
            let e = (-x).exp();
            let bound = 1.0 / (1.0 + x * (1.0 + 0.5 * x));
            for center in [e, bound] {
                let mut u = center;
                for _ in 0..4 {
                    u = f64::from_bits(u.to_bits().saturating_sub(1));
                }
                for _ in 0..9 {
                    assert_eq!(crosses(x, u), u < e, "x = {x}, u = {u:e}");
                    u = f64::from_bits(u.to_bits() + 1);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn crossing_decisions_match_the_plain_test(x in 0.0f64..40.0, u in 0.0f64..1.0) {
            prop_assert_eq!(crosses(x, u), u < (-x).exp());
        }
    }
}
