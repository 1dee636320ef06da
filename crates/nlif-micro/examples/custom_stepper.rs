//! Sub-threshold steppers written outside the crate, with the public API only.
//!
//! 1. `ReplicaOu`: the built-in exact Ornstein–Uhlenbeck step with the Brownian-bridge
//!    crossing correction, rewritten from its documented formulas, in split form (the fast
//!    vectorized pass; `advance` alone would do, more slowly). It runs through
//!    `ParticleSystem` next to the built-in `Stepper::ExactOu` (excitatory network with a
//!    periodic input, so cascades and a time-dependent current are involved); the two
//!    must agree bit for bit.
//! 2. `Heun`: the stochastic Heun (trapezoidal predictor–corrector) step for additive
//!    noise, with the bridge correction for the variance of its step. Its long-run firing
//!    rate (uncoupled network, `b = 0`) is compared with the exact stationary rate
//!    (Siegert formula, `nlif_model::siegert_rate`).
//!
//! Prints one JSON line. `cargo run --release -p nlif-micro --example custom_stepper`

use std::time::Instant;

use nlif_micro::stepper::{BRIDGE_CUTOFF, Rng, SubthresholdStep, SubthresholdStepper, uniform};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams, siegert_rate, stationary_rates};

/// Exact OU transition `I + (V - I) e^{-dt} + sqrt(a (1 - e^{-2dt})) ξ`, crossing inside
/// the step with probability `exp(-2 (V_F - V_n)(V_F - V_{n+1}) / s²)`.
#[derive(Debug, Clone, Copy)]
struct ReplicaOu;

#[derive(Debug, Clone, Copy)]
struct OuKernel {
    decay: f64,
    drive: f64,
    noise: f64,
    v_f: f64,
    bridge: f64,
}

impl SubthresholdStepper for ReplicaOu {
    type Kernel = OuKernel;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> OuKernel {
        let var = a * (-(-2.0 * dt).exp_m1());
        OuKernel {
            decay: (-dt).exp(),
            drive: current * -(-dt).exp_m1(),
            noise: var.sqrt(),
            v_f,
            bridge: 2.0 / var,
        }
    }
}

impl SubthresholdStep for OuKernel {
    const SPLIT: bool = true;

    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        let next = self.decay * v + self.drive + self.noise * z;
        if next >= self.v_f {
            return (next, true);
        }
        let exponent = (self.v_f - v) * (self.v_f - next) * self.bridge;
        let crossed = exponent < BRIDGE_CUTOFF && uniform(rng) < (-exponent).exp();
        (next, crossed)
    }

    /// The split form, for the vectorized pass: settled when below threshold with no
    /// chance of a bridge crossing, so `advance` would draw nothing. Branch-free (`&`, not
    /// `&&`).
    #[inline(always)]
    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        let next = self.decay * v + self.drive + self.noise * z;
        let exponent = (self.v_f - v) * (self.v_f - next) * self.bridge;
        (next, !(next >= self.v_f) & !(exponent < BRIDGE_CUTOFF))
    }
}

/// Stochastic Heun for `dV = (-V + I) dt + sqrt(2a) dW`:
/// predictor `V* = V + f(V) dt + ΔW`, corrector `V' = V + (f(V) + f(V*)) dt / 2 + ΔW`,
/// `ΔW = sqrt(2 a dt) ξ`. For this linear drift the noise of the step is
/// `(1 - dt/2) ΔW`, variance `s² = 2 a dt (1 - dt/2)²`, used by the bridge correction.
#[derive(Debug, Clone, Copy)]
struct Heun;

#[derive(Debug, Clone, Copy)]
struct HeunKernel {
    dt: f64,
    current: f64,
    noise: f64,
    v_f: f64,
    bridge: f64,
}

impl SubthresholdStepper for Heun {
    type Kernel = HeunKernel;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> HeunKernel {
        let var = 2.0 * a * dt * (1.0 - 0.5 * dt).powi(2);
        HeunKernel {
            dt,
            current,
            noise: (2.0 * a * dt).sqrt(),
            v_f,
            bridge: 2.0 / var,
        }
    }
}

impl SubthresholdStep for HeunKernel {
    #[inline(always)]
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        let dw = self.noise * z;
        let drift = self.current - v;
        let predictor = v + drift * self.dt + dw;
        let next = v + 0.5 * (drift + (self.current - predictor)) * self.dt + dw;
        if next >= self.v_f {
            return (next, true);
        }
        let exponent = (self.v_f - v) * (self.v_f - next) * self.bridge;
        let crossed = exponent < BRIDGE_CUTOFF && uniform(rng) < (-exponent).exp();
        (next, crossed)
    }
}

/// Largest |difference| of the voltages, and whether every step report agreed, over
/// `steps` steps of the built-in exact OU stepper and its replica.
fn compare_replica(steps: usize) -> (f64, bool) {
    let params = ModelParams {
        b: 2.0,
        ..ModelParams::default()
    };
    let input = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    let config = MicroConfig {
        particles: 20_000,
        dt: 1e-3,
        stepper: Stepper::ExactOu,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 1.0,
        var: 0.3,
    };
    let builder = ParticleSystem::builder(params, input, config, 1);
    let mut builtin = builder.clone().sample(&initial, -4.0).expect("valid");
    let mut replica = builder
        .stepper(ReplicaOu)
        .sample(&initial, -4.0)
        .expect("valid");
    let mut identical = true;
    for _ in 0..steps {
        identical &= builtin.step() == replica.step();
    }
    let max_diff = builtin
        .voltages()
        .zip(replica.voltages())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    (max_diff, identical)
}

/// Mean rate over `batches` batches of one time unit after a burn-in of 3, and its
/// standard error (batch means: batches of one membrane time constant are nearly
/// independent).
fn stationary_rate<S: SubthresholdStepper>(
    stepper: S,
    particles: usize,
    dt: f64,
    batches: usize,
) -> (f64, f64) {
    let config = MicroConfig {
        particles,
        dt,
        ..MicroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.3,
    };
    let mut net = ParticleSystem::builder(ModelParams::default(), Input::None, config, 2)
        .stepper(stepper)
        .parallelism(Parallelism::Rayon)
        .sample(&initial, -6.0)
        .expect("valid");
    let per_unit = (1.0 / dt).round() as usize;
    for _ in 0..3 * per_unit {
        let _ = net.step();
    }
    let rates: Vec<f64> = (0..batches)
        .map(|_| {
            let spikes: u64 = (0..per_unit).map(|_| net.step().spikes).sum();
            spikes as f64 / (particles as f64 * per_unit as f64 * dt)
        })
        .collect();
    let m = batches as f64;
    let mean = rates.iter().sum::<f64>() / m;
    let var = rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
    (mean, (var / m).sqrt())
}

fn main() {
    let clock = Instant::now();
    let replica_steps = 500;
    let (max_diff, identical) = compare_replica(replica_steps);

    let params = ModelParams::default();
    let exact = siegert_rate(0.0, params.a0, params.v_f, params.v_r).expect("valid neuron");
    let fixed_points = stationary_rates(&params, 0.0).expect("valid parameters");
    let (particles, dt, batches) = (40_000, 5e-3, 10);
    let (heun, heun_se) = stationary_rate(Heun, particles, dt, batches);
    let (ou, ou_se) = stationary_rate(Stepper::ExactOu, particles, dt, batches);

    let line = serde_json::json!({
        "replica": {
            "of": "ExactOu",
            "particles": 20_000,
            "steps": replica_steps,
            "max_abs_voltage_difference": max_diff,
            "reports_identical": identical,
        },
        "heun": {
            "particles": particles,
            "dt": dt,
            "measured_time": batches,
            "rate": heun,
            "standard_error": heun_se,
            "exact_rate": exact,
            "relative_error": heun / exact - 1.0,
            "within_4_standard_errors": (heun - exact).abs() < 4.0 * heun_se,
        },
        "builtin_exact_ou": {
            "rate": ou,
            "standard_error": ou_se,
            "relative_error": ou / exact - 1.0,
        },
        "exact_rate_check": fixed_points,
        "seconds": clock.elapsed().as_secs_f64(),
    });
    println!("{line}");
}
