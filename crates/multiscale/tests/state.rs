//! A saved and restored run continues bit for bit.
//!
//! Oracle: the straight run itself. Running to `T` must equal running to `t_cut`, saving
//! the state as JSON text, restoring it into a fresh `Simulation` (nothing shared with the
//! first one) and running on to `T` — the same trace to the last bit, on one and on two
//! threads, for every solver kind, cut in a macro phase and in a particle phase, with a
//! time-dependent input.

use fp_macro::MacroConfig;
use multiscale::{BuiltinPolicy, RunConfig, Simulation, SimulationState, SolverKind, Trace};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};

fn config(kind: SolverKind, t_end: f64) -> RunConfig {
    let mut c = RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles: 6_000,
            dt: 5e-4,
            ..MicroConfig::default()
        },
        t_end,
        seed: 11,
        sample_interval: 1e-2,
        density_interval: Some(0.1),
        ..RunConfig::default()
    };
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c
}

struct Case {
    b: f64,
    input: Input,
    initial: InitialDensity,
    t_end: f64,
}

/// Periodic drive (a burst from t ≈ 0.53): switches both ways before 2.
const PERIODIC: Case = Case {
    b: 1.5,
    input: Input::Periodic {
        i0: 0.0,
        amplitude: 3.0,
        period: 2.0,
        phase: 0.0,
    },
    initial: InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    },
    t_end: 2.0,
};

fn simulation(case: &Case, config: RunConfig) -> Simulation {
    let params = ModelParams {
        b: case.b,
        ..ModelParams::default()
    };
    Simulation::new(
        params,
        case.input,
        &case.initial,
        config,
        Parallelism::Rayon,
    )
    .unwrap()
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn straight(case: &Case, config: RunConfig) -> Trace {
    let mut run = simulation(case, config);
    run.run(&mut ()).unwrap();
    run.into_trace()
}

fn resumed(case: &Case, config: RunConfig, cut: f64) -> Trace {
    let mut first = simulation(case, config);
    first.advance(cut, &mut ()).unwrap();
    let text = serde_json::to_string(&first.state().unwrap()).unwrap();
    let problem = first.problem().clone();
    drop(first);
    let state: SimulationState<BuiltinPolicy> = serde_json::from_str(&text).unwrap();
    let mut second = Simulation::from_state(problem, state, Parallelism::Rayon).unwrap();
    second.run(&mut ()).unwrap();
    second.into_trace()
}

fn same(a: &Trace, b: &Trace) -> bool {
    a == b && serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
}

#[test]
fn every_solver_resumes_bit_for_bit_on_any_thread_count() {
    for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
        let config = config(kind, PERIODIC.t_end);
        let reference = on_threads(1, || straight(&PERIODIC, config));
        if kind == SolverKind::Multiscale {
            assert!(
                reference.switches.len() >= 2,
                "the case must switch both ways: {:?}",
                reference.switches
            );
        }
        // Cuts in the first macro phase and inside (or after) the burst.
        for cut in [0.25, 0.6037, 0.6, 1.7013] {
            for threads in [1, 2] {
                let trace = on_threads(threads, || resumed(&PERIODIC, config, cut));
                assert!(
                    same(&reference, &trace),
                    "{kind:?} cut at {cut} on {threads} threads differs"
                );
            }
        }
    }
}

/// The settle rule's rate since the last event and the step-end freezing's previous
/// rate are part of the state: cut between a burst and the switch back it settles into,
/// and in the density phase right after it.
#[test]
fn the_settle_rule_and_the_step_end_freezing_resume_bit_for_bit() {
    let mut config = config(SolverKind::Multiscale, PERIODIC.t_end);
    config.switching.settle = Some(0.02);
    config.macro_config.frozen_at = fp_macro::FrozenAt::StepEnd;
    let reference = on_threads(1, || straight(&PERIODIC, config));
    let burst = reference
        .mfes
        .iter()
        .find(|m| m.fraction >= 0.5)
        .expect("a burst")
        .t;
    let settled = reference
        .switches
        .iter()
        .find(|s| s.reason.as_str() == "settled")
        .expect("a settled switch")
        .t;
    assert!(
        burst < settled && settled <= burst + 0.02 + 0.02,
        "{burst} {settled}"
    );
    for cut in [0.25, burst + 0.005, settled + 0.0013, 1.7013] {
        for threads in [1, 2] {
            let trace = on_threads(threads, || resumed(&PERIODIC, config, cut));
            assert!(
                same(&reference, &trace),
                "cut at {cut} on {threads} threads differs"
            );
        }
    }
}

/// Taking the state does not change the run (it is read-only, even mid-cascade).
#[test]
fn taking_the_state_changes_nothing() {
    let config = config(SolverKind::Multiscale, PERIODIC.t_end);
    let reference = straight(&PERIODIC, config);
    let mut run = simulation(&PERIODIC, config);
    let mut t = 0.0;
    while t < PERIODIC.t_end {
        t += 0.07;
        run.advance(t, &mut ()).unwrap();
        let _ = run.state().unwrap();
    }
    run.run(&mut ()).unwrap();
    assert!(same(&reference, run.trace()));
}

/// A state of another layout version is refused, naming the field.
#[test]
fn a_state_of_another_version_is_refused() {
    let run = simulation(&PERIODIC, config(SolverKind::Macro, 0.1));
    let mut state = run.state().unwrap();
    state.version += 1;
    let err =
        Simulation::from_state(run.problem().clone(), state, Parallelism::Sequential).unwrap_err();
    assert_eq!(err.field(), "state.version");
}

/// Oracle: the straight run to the later end. A completed run to 1.0 (samples every 0.03,
/// so it ends on a partial sample), saved, restored and extended to 2.0 equals a run
/// started with `t_end = 2.0` — the partial sample and its flushed accumulator are taken
/// back. An early-ended run cannot be extended.
#[test]
fn a_completed_run_extends_as_if_started_with_the_later_end() {
    for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
        let mut long = config(kind, 2.0);
        long.sample_interval = 0.03;
        long.density_interval = Some(0.06);
        let reference = straight(&PERIODIC, long);
        let short = RunConfig { t_end: 1.0, ..long };
        let mut first = simulation(&PERIODIC, short);
        assert!(first.run(&mut ()).unwrap().is_completed());
        assert_eq!(first.trace().samples.last().unwrap().t, 1.0);
        let text = serde_json::to_string(&first.state().unwrap()).unwrap();
        let state: SimulationState<BuiltinPolicy> = serde_json::from_str(&text).unwrap();
        let mut second =
            Simulation::from_state(first.problem().clone(), state, Parallelism::Rayon).unwrap();
        second.extend_to(2.0).unwrap();
        second.run(&mut ()).unwrap();
        assert!(same(&reference, second.trace()), "{kind:?}");
    }
    let mut stop = config(SolverKind::Macro, 1.0);
    stop.blow_up.rate = 1e-6;
    stop.blow_up.stop = true;
    let mut ended = simulation(&PERIODIC, stop);
    assert!(!ended.run(&mut ()).unwrap().is_completed());
    assert_eq!(ended.extend_to(2.0).unwrap_err().field(), "t_end");
}
