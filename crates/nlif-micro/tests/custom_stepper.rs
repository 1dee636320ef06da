//! Steppers written outside the crate, through the public API only.

use nlif_micro::stepper::{
    BRIDGE_CUTOFF, BridgedStep, LinearStep, Rng, SubthresholdStep, SubthresholdStepper, uniform,
};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, StepReport, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams};

/// A replica of the three built-in steppers, written from their documented formulas.
#[derive(Debug, Clone, Copy)]
struct Replica(Stepper);

#[derive(Debug, Clone, Copy)]
struct ReplicaKernel {
    decay: f64,
    drive: f64,
    noise: f64,
    v_f: f64,
    /// `None`: no crossing correction.
    bridge: Option<f64>,
}

impl SubthresholdStepper for Replica {
    type Kernel = ReplicaKernel;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> ReplicaKernel {
        match self.0 {
            Stepper::ExactOu => {
                let var = a * (-(-2.0 * dt).exp_m1());
                ReplicaKernel {
                    decay: (-dt).exp(),
                    drive: current * -(-dt).exp_m1(),
                    noise: var.sqrt(),
                    v_f,
                    bridge: Some(2.0 / var),
                }
            }
            other => ReplicaKernel {
                decay: 1.0 - dt,
                drive: current * dt,
                noise: (2.0 * a * dt).sqrt(),
                v_f,
                bridge: (other == Stepper::BrownianBridge).then_some(1.0 / (a * dt)),
            },
        }
    }
}

impl SubthresholdStep for ReplicaKernel {
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        let next = self.decay * v + self.drive + self.noise * z;
        if next >= self.v_f {
            return (next, true);
        }
        if let Some(bridge) = self.bridge {
            let exponent = (self.v_f - v) * (self.v_f - next) * bridge;
            if exponent < BRIDGE_CUTOFF && uniform(rng) < (-exponent).exp() {
                return (next, true);
            }
        }
        (next, false)
    }
}

/// Exact OU with the bridge, composed from the crate's public kernel building blocks.
#[derive(Debug, Clone, Copy)]
struct Composed;

impl SubthresholdStepper for Composed {
    type Kernel = BridgedStep;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> BridgedStep {
        let var = a * (-(-2.0 * dt).exp_m1());
        BridgedStep(LinearStep::new(
            (-dt).exp(),
            current * -(-dt).exp_m1(),
            var.sqrt(),
            v_f,
            2.0 / var,
        ))
    }
}

fn config(stepper: Stepper) -> MicroConfig {
    MicroConfig {
        particles: 9000,
        dt: 1e-2,
        stepper,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    }
}

fn trace<S: SubthresholdStepper>(
    net: &mut ParticleSystem<S>,
    steps: usize,
) -> (Vec<StepReport>, Vec<u64>) {
    let reports = (0..steps).map(|_| net.step()).collect();
    (reports, net.voltages().map(f64::to_bits).collect())
}

/// Oracle: the built-in steppers. A replica written outside the crate from the
/// documented formulas, run through `ParticleSystem`, gives the built-in run bit for bit
/// (reports with cascades, and voltages), under a time-dependent input.
#[test]
fn replicas_of_the_builtin_steppers_match_bit_for_bit() {
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
    let initial = InitialDensity::Gaussian {
        mean: 1.0,
        var: 0.3,
    };
    for stepper in [
        Stepper::EulerMaruyama,
        Stepper::BrownianBridge,
        Stepper::ExactOu,
    ] {
        let builder = ParticleSystem::builder(params, input, config(stepper), 5);
        let mut builtin = builder.clone().sample(&initial, -4.0).unwrap();
        let mut replica = builder
            .clone()
            .stepper(Replica(stepper))
            .sample(&initial, -4.0)
            .unwrap();
        let expected = trace(&mut builtin, 150);
        assert!(
            expected
                .0
                .iter()
                .any(|r| r.mfes[1].is_some_and(|m| m.rounds > 1))
        );
        assert_eq!(trace(&mut replica, 150), expected, "{stepper:?}");
        if stepper == Stepper::ExactOu {
            let mut composed = builder.stepper(Composed).sample(&initial, -4.0).unwrap();
            assert_eq!(trace(&mut composed, 150), expected, "composed");
        }
    }
}

/// Oracle: the built-in run. A custom stepper's state restores with the same stepper;
/// the config keeps the stepper it was given (a custom one is not a built-in).
#[test]
fn a_custom_stepper_continues_from_a_state() {
    let params = ModelParams {
        b: 1.0,
        ..ModelParams::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.5,
        var: 0.3,
    };
    let cfg = config(Stepper::EulerMaruyama);
    let mut reference = ParticleSystem::builder(params, Input::None, cfg, 9)
        .stepper(Replica(Stepper::ExactOu))
        .parallelism(Parallelism::Sequential)
        .sample(&initial, -4.0)
        .unwrap();
    assert_eq!(reference.config().stepper, Stepper::EulerMaruyama);
    let mut first = reference.clone();
    let expected = trace(&mut reference, 60);
    let head = trace(&mut first, 30);
    let mut second = ParticleSystem::from_state_with_stepper(
        first.state(),
        Replica(Stepper::ExactOu),
        Parallelism::Rayon,
    )
    .unwrap();
    let tail = trace(&mut second, 30);
    assert_eq!([head.0, tail.0].concat(), expected.0);
    assert_eq!(tail.1, expected.1);
    // A built-in stepper given to the builder is recorded in the config.
    let net = ParticleSystem::builder(params, Input::None, cfg, 9)
        .stepper(Stepper::ExactOu)
        .sample(&initial, -4.0)
        .unwrap();
    assert_eq!(net.config().stepper, Stepper::ExactOu);
    assert_eq!(net.state().config.stepper, Stepper::ExactOu);
}

/// Euler–Maruyama, except that every neuron starting the step above `cut` ends it at
/// `value` (NaN or an infinity) without firing: a stepper that breaks its promise of
/// finite voltages. `SPLIT`: in split form, whose `propagate` claims to have settled the
/// broken neurons (so that only the pass's own check can see them), or `advance` alone.
#[derive(Debug, Clone, Copy)]
struct Broken<const SPLIT: bool> {
    cut: f64,
    value: f64,
}

#[derive(Debug, Clone, Copy)]
struct BrokenKernel<const SPLIT: bool> {
    inner: <Stepper as SubthresholdStepper>::Kernel,
    cut: f64,
    value: f64,
}

impl<const SPLIT: bool> SubthresholdStepper for Broken<SPLIT> {
    type Kernel = BrokenKernel<SPLIT>;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> BrokenKernel<SPLIT> {
        BrokenKernel {
            inner: Stepper::EulerMaruyama.kernel(dt, current, a, v_f),
            cut: self.cut,
            value: self.value,
        }
    }
}

impl<const SPLIT: bool> SubthresholdStep for BrokenKernel<SPLIT> {
    const SPLIT: bool = SPLIT;

    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        if v > self.cut {
            (self.value, false)
        } else {
            self.inner.advance(v, z, rng)
        }
    }

    fn propagate(&self, v: f64, z: f64) -> (f64, bool) {
        if v > self.cut {
            (self.value, true)
        } else {
            self.inner.propagate(v, z)
        }
    }
}

/// Oracle: a count of the voltages before each step. Every neuron the broken stepper
/// sends to NaN or `±inf` is counted in the step's `non_finite`, in split form (where
/// `propagate` claims them settled) and plain; a NaN stays NaN and is counted again in the
/// next step (`!(v <= cut)` counts it; a `-inf` is the reset mark, which the next pass
/// settles at `V_R > cut` and the stepper breaks again). Spikes and non-finite voltages are
/// disjoint sets of the neurons. The report of the issue: a stepper that returns NaN for
/// everyone (`cut = -inf`) gives `non_finite = N` and no spikes, not a silent run.
#[test]
fn non_finite_voltages_from_a_custom_stepper_are_counted() {
    fn check<const SPLIT: bool>(cut: f64, value: f64) {
        let params = ModelParams {
            b: 0.5,
            ..ModelParams::default()
        };
        let initial = InitialDensity::Gaussian {
            mean: 0.5,
            var: 0.3,
        };
        let config = config(Stepper::EulerMaruyama);
        let mut net = ParticleSystem::builder(params, Input::Constant { i0: 1.5 }, config, 5)
            .stepper(Broken::<SPLIT> { cut, value })
            .parallelism(Parallelism::Sequential)
            .sample(&initial, -4.0)
            .unwrap();
        let n = net.len() as u64;
        for step in 0..4 {
            let expected = net.voltages().filter(|v| !(*v <= cut)).count() as u64;
            assert!(expected > 0);
            let report = net.step();
            let label = format!("SPLIT = {SPLIT}, cut {cut}, value {value}, step {step}");
            assert_eq!(report.non_finite, expected, "{label}");
            assert!(!report.is_valid(), "{label}");
            assert!(
                report.spikes + report.non_finite <= n,
                "{label}: {report:?}"
            );
            if cut == f64::NEG_INFINITY {
                assert_eq!(report.spikes, 0, "{label}");
            }
        }
    }
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for cut in [1.2, f64::NEG_INFINITY] {
            check::<true>(cut, value);
            check::<false>(cut, value);
        }
    }
}

/// Oracle: the promise of the built-in steppers. Their reports count no non-finite
/// voltage, through cascades and kicks.
#[test]
fn builtin_steppers_report_finite_voltages() {
    let params = ModelParams {
        b: 2.0,
        ..ModelParams::default()
    };
    let input = Input::Kick { t0: 0.05, dv: 0.6 };
    let initial = InitialDensity::Gaussian {
        mean: 1.0,
        var: 0.3,
    };
    for stepper in [
        Stepper::EulerMaruyama,
        Stepper::BrownianBridge,
        Stepper::ExactOu,
    ] {
        let mut net = ParticleSystem::builder(params, input, config(stepper), 3)
            .sample(&initial, -4.0)
            .unwrap();
        let mut spikes = 0;
        for _ in 0..30 {
            let report = net.step();
            assert!(report.is_valid(), "{stepper:?}: {report:?}");
            spikes += report.spikes;
        }
        assert!(spikes > 0);
        assert!(net.voltages().all(f64::is_finite));
    }
}
