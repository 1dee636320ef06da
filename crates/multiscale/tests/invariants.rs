//! What every run guarantees: it ends exactly at `t_end` (or says why not), a macro-only
//! run goes through a blow-up, and the checks depend only on the solver that runs.

use fp_macro::{MacroConfig, MacroSolver, Reinjection};
use multiscale::{
    BlowUpWatch, MemoryEstimate, Outcome, RunConfig, Simulation, SolverKind, plan, preflight,
};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};

const BLOWUP_A: InitialDensity = InitialDensity::Gaussian {
    mean: -1.0,
    var: 0.5,
};

fn macro_config(kind: SolverKind, t_end: f64, interval: f64) -> RunConfig {
    RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles: 2_000,
            dt: 1e-3,
            ..MicroConfig::default()
        },
        t_end,
        seed: 3,
        sample_interval: interval,
        ..RunConfig::default()
    }
}

fn b(b: f64) -> ModelParams {
    ModelParams {
        b,
        ..ModelParams::default()
    }
}

/// The per-step rates of the bare macro solver, the slow obvious oracle of the sampling.
fn step_rates(params: ModelParams, config: &RunConfig, steps: usize) -> Vec<f64> {
    let mut solver =
        MacroSolver::from_initial(params, Input::None, config.macro_config, &BLOWUP_A).unwrap();
    (0..steps)
        .map(|_| solver.step(f64::INFINITY).rate().unwrap())
        .collect()
}

/// Oracle: the bare solver's step rates. With `t_end = 0.5` and samples every 0.3, the run
/// ends at 0.5 (not 0.3), and its last sample is the mean rate over (0.3, 0.5].
#[test]
fn the_run_ends_at_t_end_with_a_final_partial_sample() {
    let config = macro_config(SolverKind::Macro, 0.5, 0.3);
    let mut run = Simulation::new(
        b(0.5),
        Input::None,
        &BLOWUP_A,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    assert_eq!(run.run(&mut ()).unwrap(), Outcome::Completed);
    let samples = &run.trace().samples;
    assert_eq!(samples.iter().map(|s| s.t).collect::<Vec<_>>(), [0.3, 0.5]);
    let rates = step_rates(b(0.5), &config, 500);
    let first = rates[..300].iter().sum::<f64>() / 300.0;
    let last = rates[300..].iter().sum::<f64>() / 200.0;
    assert!(
        (samples[0].rate - first).abs() <= 1e-12 * first,
        "{samples:?}"
    );
    assert!(
        (samples[1].rate - last).abs() <= 1e-12 * last,
        "{samples:?}"
    );
}

/// Oracle: the definition of the sample clock. A sample interval longer than the run
/// gives one sample at `t_end` (never an empty record), and sample times carry no float
/// noise (`3002 × 0.001` is reported as 3.002).
#[test]
fn long_intervals_give_one_sample_and_times_are_tidy() {
    let config = macro_config(SolverKind::Macro, 0.5, 10.0);
    let mut run = Simulation::new(
        b(0.0),
        Input::None,
        &BLOWUP_A,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    run.run(&mut ()).unwrap();
    assert_eq!(run.trace().samples.len(), 1);
    assert_eq!(run.trace().samples[0].t, 0.5);
    let config = macro_config(SolverKind::Macro, 3.01, 1e-3);
    let mut run = Simulation::new(
        b(0.0),
        Input::None,
        &BLOWUP_A,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    run.run(&mut ()).unwrap();
    let t = run.trace().samples[3001].t;
    assert_eq!(t.to_string(), "3.002");
}

/// Oracle: the bare solver through blow-up A. A macro-only run goes on to `t_end`
/// (saturating), and records the first step whose rate passed 5 — the step the bare
/// solver finds; the samples agree (the first sample above 5 is that step's sample).
/// With `stop`, the run ends there with outcome `blow_up` and a last partial sample.
#[test]
fn a_macro_run_goes_through_the_blow_up_and_records_it() {
    let config = macro_config(SolverKind::Macro, 4.0, 1e-3);
    let rates = step_rates(b(3.0), &config, 4000);
    let k = rates.iter().position(|&r| r > 5.0).unwrap();
    let t_blowup = (k + 1) as f64 * 1e-3;
    let mut run = Simulation::new(
        b(3.0),
        Input::None,
        &BLOWUP_A,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    assert_eq!(run.run(&mut ()).unwrap(), Outcome::Completed);
    let trace = run.trace();
    assert_eq!(trace.samples.last().unwrap().t, 4.0);
    let crossing = trace.blow_up.unwrap();
    assert!(
        (crossing.t - t_blowup).abs() < 1e-9,
        "{crossing:?} vs {t_blowup}"
    );
    assert_eq!(crossing.rate, rates[k]);
    let first_above = trace.samples.iter().find(|s| s.rate > 5.0).unwrap();
    assert!((first_above.t - crossing.t).abs() < 1e-9);

    let stop = RunConfig {
        blow_up: BlowUpWatch {
            rate: 5.0,
            stop: true,
        },
        ..config
    };
    let mut run = Simulation::new(
        b(3.0),
        Input::None,
        &BLOWUP_A,
        stop,
        Parallelism::Sequential,
    )
    .unwrap();
    let outcome = run.run(&mut ()).unwrap();
    assert_eq!(
        outcome,
        Outcome::BlowUp {
            t: crossing.t,
            rate: crossing.rate
        }
    );
    assert_eq!(run.trace().samples.last().unwrap().t, crossing.t);
}

/// Oracle: which settings each solver reads. A micro run ignores the macro step and the
/// switching; a macro run ignores the particles; a multi-scale run needs both steps to
/// nest. An end time that is not a whole number of steps is refused, naming `t_end`.
#[test]
fn checks_apply_to_the_settings_the_solver_uses() {
    let params = b(0.5);
    let check = |config: RunConfig| preflight(&params, &Input::None, &BLOWUP_A, &config);
    let mut micro = macro_config(SolverKind::Micro, 0.1, 1e-2);
    micro.macro_config.dt = 7e-4;
    micro.switching.rate_down = 1e9;
    assert!(check(micro).is_ok());
    let mut mac = macro_config(SolverKind::Macro, 0.1, 1e-2);
    mac.micro.dt = 3e-4;
    mac.micro.particles = 0;
    assert!(check(mac).is_ok());
    let mut multi = macro_config(SolverKind::Multiscale, 0.1, 1e-2);
    multi.micro.dt = 3e-4;
    assert_eq!(check(multi).unwrap_err().field(), "solver.micro.dt");
    let late = macro_config(SolverKind::Macro, 0.0105, 1e-3);
    assert_eq!(check(late).unwrap_err().field(), "t_end");
    let mut long = macro_config(SolverKind::Micro, 1e300, 1e-3);
    long.sample_interval = 1e299;
    assert_eq!(check(long).unwrap_err().field(), "t_end");
}

/// Oracle: the stability condition of explicit re-injection, `dt < h² / a0`, and the
/// definition of the rate read off a density, `a1 q < 1`: both checked before the run.
#[test]
fn unrunnable_settings_are_refused_before_the_run() {
    let mut explicit = macro_config(SolverKind::Macro, 0.1, 1e-2);
    explicit.macro_config.reinjection = Reinjection::Explicit; // h²/a0 = 4e-4 < 1e-2
    let err = preflight(&b(0.0), &Input::None, &BLOWUP_A, &explicit).unwrap_err();
    assert_eq!(err.field(), "solver.macro.dt");
    // Strictly below the bound (at it, rounding decides the step's test).
    explicit.macro_config.dt = 2e-4;
    explicit.sample_interval = 4e-3;
    explicit.t_end = 0.2;
    assert!(preflight(&b(0.0), &Input::None, &BLOWUP_A, &explicit).is_ok());
    let params = ModelParams {
        a1: 1e300,
        ..ModelParams::default()
    };
    let config = macro_config(SolverKind::Macro, 0.1, 1e-2);
    let err = preflight(&params, &Input::None, &BLOWUP_A, &config).unwrap_err();
    assert_eq!(err.field(), "model.a1");
    let far = InitialDensity::Gaussian {
        mean: 100.0,
        var: 1e-3,
    };
    let err = preflight(&b(0.0), &Input::None, &far, &config).unwrap_err();
    assert_eq!(err.field(), "initial.mean");
    assert!(err.to_string().contains("100"), "{err}");
}

/// Oracle: a lower bound by counting — the voltages alone take 8 bytes a particle, the
/// density snapshots 8 bytes a cell each. The estimate is made without allocating.
#[test]
fn the_memory_estimate_bounds_what_the_run_holds() {
    let mut config = macro_config(SolverKind::Multiscale, 1e4, 1e-3);
    config.micro.particles = u32::MAX as usize;
    config.density_interval = Some(1e-3);
    let (grid, memory) = plan(&b(0.0), &Input::None, &BLOWUP_A, &config).unwrap();
    assert!(memory.particles >= 8 * u64::from(u32::MAX));
    assert!(memory.trace >= 8 * grid.len() as u64 * 10_000_000);
    assert_eq!(
        memory.total(),
        memory.particles + memory.density + memory.rollback + memory.trace
    );
    let macro_only = RunConfig {
        kind: SolverKind::Macro,
        ..config
    };
    assert_eq!(MemoryEstimate::of(&macro_only, grid.len()).particles, 0);
}

/// Central differencing: `A = 1 + w/2`, `B = 1 - w/2` (consistent, `A - B = w`, but not
/// positivity-preserving for `|w| > 2`).
#[derive(Debug, Clone, Copy)]
struct Central;

impl fp_macro::FluxScheme for Central {
    fn weights(&self, w: f64) -> (f64, f64) {
        (1.0 + 0.5 * w, 1.0 - 0.5 * w)
    }
}

/// Oracle: the definition of an M-matrix. A scheme with negative weights (central
/// differencing at cell Péclet numbers up to 10) produces a negative density; a macro run
/// says so by name instead of calling it non-finite.
#[test]
fn a_negative_density_from_a_custom_scheme_is_named() {
    let params = ModelParams {
        a0: 0.1,
        ..ModelParams::default()
    };
    let mut config = macro_config(SolverKind::Macro, 1.0, 1e-2);
    config.macro_config.dv = 0.25;
    let mut run = Simulation::builder(params, Input::None, config)
        .scheme(Central)
        .parallelism(Parallelism::Sequential)
        .start(&BLOWUP_A)
        .unwrap();
    let outcome = run.run(&mut ()).unwrap();
    assert_eq!(outcome.as_str(), "negative_density", "{outcome:?}");
}

/// A sub-threshold stepper that steps as the built-in Euler–Maruyama until its kernel has
/// been made `healthy` times, and then returns NaN for every neuron (a stepper that breaks
/// its promise of finite voltages).
#[derive(Debug, Clone)]
struct NanAfter {
    healthy: u64,
    kernels: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Debug, Clone, Copy)]
struct NanKernel {
    inner: <nlif_micro::Stepper as nlif_micro::stepper::SubthresholdStepper>::Kernel,
    nan: bool,
}

impl nlif_micro::stepper::SubthresholdStepper for NanAfter {
    type Kernel = NanKernel;

    fn kernel(&self, dt: f64, current: f64, a: f64, v_f: f64) -> NanKernel {
        let made = self
            .kernels
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        NanKernel {
            inner: nlif_micro::Stepper::EulerMaruyama.kernel(dt, current, a, v_f),
            nan: made >= self.healthy,
        }
    }
}

impl nlif_micro::stepper::SubthresholdStep for NanKernel {
    fn advance<R: nlif_micro::stepper::Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        if self.nan {
            (f64::NAN, false)
        } else {
            self.inner.advance(v, z, rng)
        }
    }
}

/// Oracle: the step count (one kernel per step). A particle run whose stepper returns NaN
/// from its 301st step on ends with `non_finite` at `t = 301 dt`, the end of the first
/// step that left NaN voltages, with its last sample there; it does not go on to `t_end`
/// with every voltage NaN and no spikes. A multi-scale run through blow-up A, whose
/// stepper fails on its 11th particle step, ends 11 particle steps after its hand-over.
#[test]
fn a_particle_run_that_meets_non_finite_voltages_ends_there() {
    for (kind, healthy, t_end) in [
        (SolverKind::Micro, 300, 1.0),
        (SolverKind::Multiscale, 10, 5.0),
    ] {
        let mut config = macro_config(kind, t_end, 1e-2);
        config.micro.stepper = nlif_micro::Stepper::EulerMaruyama;
        let stepper = NanAfter {
            healthy,
            kernels: Default::default(),
        };
        let kernels = stepper.kernels.clone();
        let mut run = Simulation::builder(b(3.0), Input::None, config)
            .stepper(stepper)
            .parallelism(Parallelism::Sequential)
            .start(&BLOWUP_A)
            .unwrap();
        let outcome = run.run(&mut ()).unwrap();
        let made = kernels.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(made, healthy + 1, "{kind:?}: {outcome:?}");
        let Outcome::NonFinite { t } = outcome else {
            panic!("{kind:?}: {outcome:?}");
        };
        assert_eq!(run.trace().samples.last().unwrap().t, t, "{kind:?}");
        let start = match kind {
            SolverKind::Micro => 0.0,
            _ => run.trace().switches.first().expect("a hand-over").t,
        };
        let expected = start + (healthy + 1) as f64 * 1e-3;
        assert!((t - expected).abs() < 1e-9, "{kind:?}: {t} vs {expected}");
    }
}
