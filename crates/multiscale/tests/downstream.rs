//! What a downstream crate relies on: restores that are bit-exact or refused, a run that
//! can be watched and stopped step by step, a start from any data, and a stateful policy
//! that sees the density and checks only its own settings.

use std::ops::ControlFlow;

use multiscale::{
    BuiltinPolicy, DensityView, Event, Mode, Problem, RunConfig, Simulation, SimulationState,
    SolverKind, Start, SwitchingPolicy, observe_with,
};
use nlif_micro::Parallelism;
use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

#[allow(dead_code)] // the shared set-up; this file uses its config only
mod common;

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

fn params() -> ModelParams {
    ModelParams {
        b: 1.5,
        ..ModelParams::default()
    }
}

const INPUT: Input = Input::Periodic {
    i0: 0.0,
    amplitude: 3.0,
    period: 2.0,
    phase: 0.0,
};

/// A run that switches both ways before 1.5 (a burst from t ≈ 0.53), with density
/// snapshots every 0.1.
fn config(kind: SolverKind) -> RunConfig {
    let mut c = common::config(kind, 4_000, 1.5, 5);
    c.density_interval = Some(0.1);
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c
}

fn problem() -> Problem {
    Problem::single(params(), INPUT, config(SolverKind::Multiscale))
}

fn started(kind: SolverKind) -> Simulation {
    Simulation::new(
        params(),
        INPUT,
        &INITIAL,
        config(kind),
        Parallelism::Sequential,
    )
    .unwrap()
}

fn state_at(t: f64) -> SimulationState<BuiltinPolicy> {
    let mut run = started(SolverKind::Multiscale);
    assert!(run.advance(t, &mut ()).unwrap().is_none());
    run.state().unwrap()
}

/// A state whose bits changed (as plain JSON, without exact floats, changes the last bit
/// of some numbers) is refused by its checksum; the untouched state restores.
#[test]
fn a_state_with_changed_bits_is_refused() {
    let state = state_at(0.7);
    assert!(Simulation::from_state(problem(), state.clone(), Parallelism::Sequential).is_ok());
    let mut changed = state.clone();
    let rate = &mut changed.trace.samples[3].rate;
    *rate = f64::from_bits(rate.to_bits() + 1); // one unit in the last place
    let err = Simulation::from_state(problem(), changed, Parallelism::Sequential).unwrap_err();
    assert_eq!(err.field(), "state.checksum");
    let mut policy = state.clone();
    policy.segments += 1;
    let err = Simulation::from_state(problem(), policy, Parallelism::Sequential).unwrap_err();
    assert_eq!(err.field(), "state.checksum");
}

/// A state restored with another scheme or stepper than the one that wrote it, or with
/// another problem, is refused by name.
#[test]
fn a_state_restored_with_other_components_or_problem_is_refused() {
    let state = state_at(0.7);
    let c = config(SolverKind::Multiscale);
    let other_scheme = Simulation::builder(params(), INPUT, c)
        .scheme(fp_macro::Scheme::ChangCooper)
        .resume(state.clone());
    let same_scheme = Simulation::builder(params(), INPUT, c)
        .scheme(c.macro_config.scheme)
        .resume(state.clone());
    assert!(same_scheme.is_ok());
    if c.macro_config.scheme != fp_macro::Scheme::ChangCooper {
        assert_eq!(other_scheme.unwrap_err().field(), "state.identity");
    }
    let stepper = Simulation::builder(params(), INPUT, c)
        .stepper(nlif_micro::Stepper::ExactOu)
        .resume(state.clone());
    if c.micro.stepper != nlif_micro::Stepper::ExactOu {
        assert_eq!(stepper.unwrap_err().field(), "state.identity");
    }
    let other = RunConfig { seed: 6, ..c };
    let err = Simulation::builder(params(), INPUT, other)
        .resume(state)
        .unwrap_err();
    assert_eq!(err.field(), "state.problem");
}

/// Oracle: the run without an observer. An observer sees every step (macro and particle)
/// once, in order (a rollback takes time back); stopping the run at a step and going on gives the straight run's trace
/// bit for bit; the views show the phase as it is.
#[test]
fn an_observer_sees_every_step_and_can_stop_the_run() {
    let mut straight = started(SolverKind::Multiscale);
    assert!(straight.run(&mut ()).unwrap().is_completed());
    let mut watched = started(SolverKind::Multiscale);
    let (mut steps, mut last_t, mut stops) = (0u64, 0.0, 0);
    loop {
        let mut stop_in_particles = observe_with(|event| match event {
            Event::Step(step) => {
                steps += 1;
                assert!(step.t > last_t);
                last_t = step.t;
                assert_eq!(step.density.is_some(), step.mode == Mode::Macro);
                if step.mode == Mode::Micro && steps % 97 == 0 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            }
            Event::Rollback { t } => {
                last_t = t; // the steps after `t` are taken again
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Continue(()),
        });
        let outcome = watched.run(&mut stop_in_particles).unwrap();
        if outcome.is_completed() {
            break;
        }
        assert_eq!(outcome.as_str(), "stopped");
        stops += 1;
        // Stopped in a particle phase: the views show the particles.
        assert_eq!(watched.mode(), Mode::Micro);
        assert!(watched.density().is_none());
        let n = config(SolverKind::Multiscale).micro.particles;
        assert_eq!(watched.voltages().unwrap().len(), n);
    }
    assert!(stops > 0, "the run has particle phases");
    let trace = watched.trace();
    // Every step taken is seen, but the refused macro steps that triggered a hand-over
    // (counted by the trace, not advanced).
    let refused = trace
        .switches
        .iter()
        .filter(|s| s.to == Mode::Micro)
        .count() as u64;
    assert_eq!(steps + refused, trace.macro_steps + trace.micro_steps);
    assert_eq!(trace, straight.trace());
    let grid = *watched.grid();
    let density = watched.density().unwrap();
    assert!((grid.mass(density) - 1.0).abs() <= multiscale::MASS_TOLERANCE);
}

/// Oracles exact to the bit. A start from nodal values is normalised: the values ×4 (a
/// power of two: every product exact, and so the mass ×4) start the same run as the values
/// themselves, whose first density is `v / (h Σ v)` computed here; a `Micro` run started
/// from the voltages it sampled at t = 0 gives the same samples and events (the model has
/// `a1 = 0`, so the rate carried at the start does not matter).
#[test]
fn a_run_starts_from_a_density_or_from_voltages() {
    let c = config(SolverKind::Multiscale);
    let reference = started(SolverKind::Multiscale);
    let values = reference.density().unwrap().to_vec();
    let grid = *reference.grid();
    let start = |values: Vec<f64>| {
        Simulation::builder(params(), INPUT, c)
            .parallelism(Parallelism::Sequential)
            .start_from(Start::Density(values))
            .unwrap()
    };
    let mut plain = start(values.clone());
    let mass = grid.mass(&values);
    let normalised: Vec<f64> = values.iter().map(|v| v / mass).collect();
    assert_eq!(plain.density().unwrap(), normalised.as_slice());
    let mut scaled = start(values.iter().map(|v| 4.0 * v).collect());
    plain.run(&mut ()).unwrap();
    scaled.run(&mut ()).unwrap();
    assert!(!plain.trace().switches.is_empty());
    assert_eq!(scaled.trace(), plain.trace());

    assert_eq!(params().a1, 0.0);
    let c = config(SolverKind::Micro);
    let mut micro = started(SolverKind::Micro);
    let voltages = micro.voltages().unwrap().to_vec();
    micro.run(&mut ()).unwrap();
    let mut from_voltages = Simulation::builder(params(), INPUT, c)
        .start_from(Start::Voltages(voltages))
        .unwrap();
    from_voltages.run(&mut ()).unwrap();
    assert_eq!(from_voltages.trace().samples, micro.trace().samples);
    assert_eq!(from_voltages.trace().mfes, micro.trace().mfes);

    let short = Simulation::builder(params(), INPUT, c).start_from(Start::Voltages(vec![0.0; 3]));
    assert_eq!(short.unwrap_err().field(), "start.voltages");
    let wrong = Simulation::builder(params(), INPUT, c).start_from(Start::Density(vec![1.0; 3]));
    assert_eq!(wrong.unwrap_err().field(), "start.density");
    let empty = vec![0.0; grid.len()];
    let none = Simulation::builder(params(), INPUT, c).start_from(Start::Density(empty));
    assert_eq!(none.unwrap_err().field(), "start.density");
}

/// Switches to particles once the density's rate has stayed above `rate` for `sustained`;
/// back after `hold` without an event.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sustained {
    rate: f64,
    sustained: f64,
    hold: f64,
    above_since: Option<f64>,
    last_event: f64,
    /// Every view seen: `(t, dt, rate)`.
    seen: Vec<(f64, f64, f64)>,
}

impl SwitchingPolicy for Sustained {
    fn macro_rate_bound(&mut self, density: &DensityView<'_>) -> f64 {
        self.seen.push((density.t, density.dt, density.rate));
        if density.rate <= self.rate {
            self.above_since = None;
        } else if density.t - *self.above_since.get_or_insert(density.t) >= self.sustained - 1e-12 {
            return 0.0;
        }
        f64::INFINITY
    }
    fn enter_micro(&mut self, t: f64) {
        self.last_event = t;
        self.above_since = None;
    }
    fn burst_over(&mut self, t: f64, _smoothed: f64, mfe: bool) -> bool {
        if mfe {
            self.last_event = t;
        }
        t - self.last_event >= self.hold
    }
}

/// Oracle: a macro-only run's step rates (from an observer). The stateful policy is shown
/// every macro step's start time and the rate before it, and hands over at the first
/// step at which the rate has been above 1 for 0.05 — read off the macro-only run. Its
/// config's built-in settings are not checked (`rate_down > rate_up` would refuse the
/// built-in policy).
#[test]
fn a_stateful_policy_sees_the_density_and_checks_only_its_own_settings() {
    let mut macro_only = started(SolverKind::Macro);
    let mut rates = vec![(0.0, macro_only.rate())];
    macro_only
        .run(&mut observe_with(|event| {
            if let Event::Step(step) = event {
                rates.push((step.t, step.rate));
            }
            ControlFlow::Continue(())
        }))
        .unwrap();
    let first_above = rates.iter().position(|&(_, r)| r > 1.0).unwrap();
    let (t_above, _) = rates[first_above];
    let (expected, _) = *rates
        .iter()
        .find(|&&(t, _)| t - t_above >= 0.05 - 1e-12)
        .unwrap();
    assert!(
        rates[first_above..]
            .iter()
            .take_while(|&&(t, _)| t <= expected)
            .all(|&(_, r)| r > 1.0)
    );

    let mut c = config(SolverKind::Multiscale);
    c.switching.rate_up = 1.0;
    c.switching.rate_down = 5.0; // never read by this policy
    let builtin = Simulation::new(params(), INPUT, &INITIAL, c, Parallelism::Sequential);
    assert_eq!(builtin.unwrap_err().field(), "solver.switching.rate_down");
    let policy = Sustained {
        rate: 1.0,
        sustained: 0.05,
        hold: 0.2,
        above_since: None,
        last_event: 0.0,
        seen: Vec::new(),
    };
    let mut run = Simulation::with_policy(
        policy,
        params(),
        INPUT,
        &INITIAL,
        c,
        Parallelism::Sequential,
    )
    .unwrap();
    run.run(&mut ()).unwrap();
    let first = run.trace().switches[0];
    assert_eq!(first.triggered_at, expected);
    let seen = &run.policy().seen;
    // Until the first switch, one view per macro step, starting where the last ended,
    // with the rate of the step before.
    for (m, &(t, dt, rate)) in seen.iter().take(first_above).enumerate() {
        assert_eq!(dt, 1e-3);
        assert_eq!((t, rate), rates[m]);
    }
}
