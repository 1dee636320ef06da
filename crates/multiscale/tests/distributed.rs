//! A run split into parts, stepped in lock-step and joined by an integer reduction, is the
//! single-process run bit for bit.
//!
//! Oracle: the single-process run itself. The network is cut into K = 2 and 3 parts
//! (`SimulationBuilder::part`), each run on its own thread with a `ThreadGroup` reduction
//! (what a distributed run does with one part per process); every part must produce the
//! trace of the whole run to the last bit (samples, switches, MFEs, density snapshots),
//! and the parts' particles, joined, must be the whole run's particles. Cases: a pure
//! particle run with an input kick and cascades, and a multi-scale run through a burst with
//! the kernel estimate, both with density snapshots in particle phases. A run cut in a
//! particle phase, saved as one joined state and resumed on another number of parts,
//! continues as the straight run.

use fp_macro::MacroConfig;
use multiscale::{PhaseState, RunConfig, Simulation, SimulationState, SolverKind, Trace};
use nlif_micro::{BLOCK_SIZE, MicroConfig, ParticleDynamics, ParticleState, ThreadGroup};
use nlif_model::{InitialDensity, Input, ModelParams};

const PARTICLES: usize = 3 * BLOCK_SIZE + 500;

fn config(kind: SolverKind, t_end: f64) -> RunConfig {
    let mut c = RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles: PARTICLES,
            dt: 5e-4,
            ..MicroConfig::default()
        },
        t_end,
        seed: 5,
        sample_interval: 1e-2,
        density_interval: Some(0.05),
        ..RunConfig::default()
    };
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c
}

struct Case {
    b: f64,
    input: Input,
    kind: SolverKind,
    t_end: f64,
}

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

const CASES: [Case; 2] = [
    // A kick at 0.2 fires part of the network and cascades.
    Case {
        b: 1.2,
        input: Input::Kick { t0: 0.2, dv: 0.8 },
        kind: SolverKind::Micro,
        t_end: 0.5,
    },
    // A burst from t ≈ 0.53 and back to the density.
    Case {
        b: 1.5,
        input: Input::Periodic {
            i0: 0.0,
            amplitude: 3.0,
            period: 2.0,
            phase: 0.0,
        },
        kind: SolverKind::Multiscale,
        t_end: 1.5,
    },
];

fn params(case: &Case) -> ModelParams {
    ModelParams {
        b: case.b,
        ..ModelParams::default()
    }
}

fn whole(case: &Case, t_end: f64) -> Simulation {
    Simulation::builder(params(case), case.input, config(case.kind, t_end))
        .start(&INITIAL)
        .unwrap()
}

fn json(trace: &Trace) -> String {
    serde_json::to_string(trace).unwrap()
}

/// Runs `parts` parts to `t_end` on threads: each part's trace and particle state.
fn split_run(
    case: &Case,
    parts: usize,
    from: Option<&SimulationState<multiscale::BuiltinPolicy>>,
    t_end: f64,
) -> Vec<(Trace, Option<ParticleState>)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = ThreadGroup::new(parts)
            .into_iter()
            .enumerate()
            .map(|(index, group)| {
                scope.spawn(move || {
                    let builder =
                        Simulation::builder(params(case), case.input, config(case.kind, t_end))
                            .part(index, parts)
                            .reduction(group);
                    let mut run = match from {
                        None => builder.start(&INITIAL).unwrap(),
                        Some(state) => builder.resume(state.clone()).unwrap(),
                    };
                    run.run(&mut ()).unwrap();
                    let particles = match run.state().unwrap().phase {
                        PhaseState::Micro(p) => Some(with_problem(case, p)),
                        _ => None,
                    };
                    (run.into_trace(), particles)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn joined(parts: Vec<(Trace, Option<ParticleState>)>) -> Option<ParticleState> {
    let states: Option<Vec<ParticleState>> = parts.into_iter().map(|(_, p)| p).collect();
    states.map(|s| ParticleState::join(s).unwrap())
}

#[test]
fn parts_reproduce_the_single_process_run_bit_for_bit() {
    for case in &CASES {
        let mut single = whole(case, case.t_end);
        assert!(single.run(&mut ()).unwrap().is_completed());
        let expected = json(single.trace());
        let trace = single.trace();
        assert!(!trace.densities.is_empty());
        match case.kind {
            SolverKind::Micro => assert!(trace.mfes.iter().any(|m| m.rounds > 1), "cascades"),
            _ => assert!(trace.switches.len() >= 2, "a burst and back"),
        }
        let particles = match single.state().unwrap().phase {
            PhaseState::Micro(p) => Some(with_problem(case, p)),
            _ => None,
        };
        for parts in [2, 3] {
            let results = split_run(case, parts, None, case.t_end);
            for (p, (trace, _)) in results.iter().enumerate() {
                assert!(
                    json(trace) == expected,
                    "{:?}, part {p} of {parts}: trace",
                    case.kind
                );
            }
            assert_eq!(
                joined(results),
                particles,
                "{:?}, {parts} parts: particles",
                case.kind
            );
        }
    }
}

#[test]
fn a_joined_state_resumes_on_another_number_of_parts() {
    let case = &CASES[1];
    let mut straight = whole(case, case.t_end);
    straight.run(&mut ()).unwrap();
    // Cut at 0.6, inside the burst, on 2 parts; join; resume on 3 parts and on 1.
    let cut = split_run_state(case, 2, 0.6);
    let PhaseState::Micro(_) = &cut.phase else {
        panic!("0.6 is in the particle phase");
    };
    for parts in [1, 2, 3] {
        let results = split_run(case, parts, Some(&cut), case.t_end);
        for (trace, _) in &results {
            let (a, b) = (json(trace), json(straight.trace()));
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            assert!(
                a == b,
                "resumed on {parts} parts: {} vs {}",
                &a[at.saturating_sub(200)..(at + 100).min(a.len())],
                &b[at.saturating_sub(200)..(at + 100).min(b.len())]
            );
        }
    }
}

/// The state at `t_cut` of a run on `parts` parts, its particles joined into one.
fn split_run_state(
    case: &Case,
    parts: usize,
    t_cut: f64,
) -> SimulationState<multiscale::BuiltinPolicy> {
    let states: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = ThreadGroup::new(parts)
            .into_iter()
            .enumerate()
            .map(|(index, group)| {
                scope.spawn(move || {
                    let mut run = Simulation::builder(
                        params(case),
                        case.input,
                        config(case.kind, case.t_end),
                    )
                    .part(index, parts)
                    .reduction(group)
                    .start(&INITIAL)
                    .unwrap();
                    assert!(run.advance(t_cut, &mut ()).unwrap().is_none());
                    run.state().unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let whole = states[0].clone();
    let particles: Vec<ParticleState> = states
        .into_iter()
        .map(|s| match s.phase {
            PhaseState::Micro(p) => with_problem(case, p),
            _ => panic!("not in a particle phase"),
        })
        .collect();
    let joined = ParticleState::join(particles).unwrap().into_dynamics();
    whole.with_phase(PhaseState::Micro(joined)).unwrap()
}

/// A part's particle state with the problem of `case` (the simulation state holds only
/// what changes).
fn with_problem(case: &Case, particles: ParticleDynamics) -> ParticleState {
    let micro = config(case.kind, case.t_end).micro;
    ParticleState::from_dynamics(params(case), case.input, micro, particles)
}
