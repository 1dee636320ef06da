//! Runs of a network of several populations (an excitatory–inhibitory pair) through
//! every solver kind.
//!
//! Oracles: the exact stationary rates of the network (the fixed point of the Siegert
//! rate map, `nlif_model::network`), which a density run converges to within its
//! discretisation error (measured: it shrinks when the grid is refined); identities the
//! record must satisfy exactly (the network's rate is the share-weighted sum of the
//! populations'; every event carries one fraction per population); and the run itself:
//! a run saved and restored, or split into parts stepped in lock-step, is the straight
//! run bit for bit.

use fp_macro::MacroConfig;
use multiscale::{
    BuiltinPolicy, Problem, RunConfig, Simulation, SimulationState, SolverKind, Start, Trace,
};
use nlif_micro::{BLOCK_SIZE, MicroConfig, Parallelism, ThreadGroup};
use nlif_model::InitialDensity;
use nlif_model::network::network_stationary_states;
use nlif_model::network::{Network, Population};

/// The E–I network of issue 26's test vector: `a_E = 1`, `a_I = 0.5`, `V_F = 2`,
/// `V_R = 1`, no input, `B = [[1, -0.5], [2, -1.5]]`.
fn asynchronous() -> Network {
    Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 0.5),
        ],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

/// An E–I network whose excitation is strong enough to synchronize.
fn synchronous() -> Network {
    Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 1.0),
        ],
        coupling: vec![vec![3.0, -0.5], vec![1.0, -0.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.25,
};

fn config(kind: SolverKind, t_end: f64, particles: usize) -> RunConfig {
    let mut c = RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles,
            dt: 5e-4,
            ..MicroConfig::default()
        },
        t_end,
        seed: 11,
        sample_interval: 1e-2,
        density_interval: Some(0.25),
        ..RunConfig::default()
    };
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c
}

fn run(network: Network, config: RunConfig) -> Simulation {
    let mut run = Simulation::for_problem(Problem { network, config })
        .start(&INITIAL)
        .unwrap();
    let outcome = run.run(&mut ()).unwrap();
    assert!(outcome.is_completed(), "{outcome:?}");
    run
}

fn same(a: &Trace, b: &Trace) -> bool {
    a == b && serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
}

/// The largest relative error of the last sample's population rates against the exact
/// stationary rates of `network`, for a density run on a grid of step `dv`.
fn stationary_error(network: &Network, dv: f64) -> f64 {
    let exact = network_stationary_states(network).unwrap();
    assert_eq!(exact.len(), 1, "{exact:?}");
    assert!(exact[0].stable);
    let mut config = config(SolverKind::Macro, 8.0, 0);
    config.macro_config.dv = dv;
    let trace = run(network.clone(), config).into_trace();
    (0..2)
        .map(|alpha| {
            let last = trace.population_rates(alpha).last().unwrap();
            (last / exact[0].rates[alpha] - 1.0).abs()
        })
        .fold(0.0, f64::max)
}

/// Oracle: the exact fixed point of the rate map, `(N_E, N_I) = (0.149338643,
/// 0.041215056)` for issue 26's vector. The densities relax to the stationary state;
/// what is left is the discretisation error of the scheme (first order near the
/// threshold), so it must shrink when the grid is refined, and be small on the finer one
/// (measured: 2.5e-3 at `dv = 0.02`, 6.9e-4 at `dv = 0.01`).
#[test]
fn the_densities_relax_to_the_exact_stationary_rates_of_the_network() {
    let network = asynchronous();
    let exact = network_stationary_states(&network).unwrap();
    assert!((exact[0].rates[0] - 0.149338643).abs() < 1e-9);
    assert!((exact[0].rates[1] - 0.041215056).abs() < 1e-9);
    let coarse = stationary_error(&network, 0.02);
    let fine = stationary_error(&network, 0.01);
    assert!(fine < 0.7 * coarse, "coarse {coarse:e}, fine {fine:e}");
    assert!(fine < 2e-3, "fine {fine:e}");
}

/// Identities of the record: every sample's rate is the share-weighted sum of the
/// populations' (the network's rate per neuron), and every multiple firing event carries
/// one fraction per population whose share-weighted sum is the event's fraction (exact
/// shares: 16000 and 4000 of 20000 neurons).
#[test]
fn the_network_rate_is_the_share_weighted_sum_of_the_populations() {
    for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
        let trace = run(synchronous(), config(kind, 3.0, 20_000)).into_trace();
        assert_eq!(trace.populations, ["E", "I"]);
        assert_eq!(trace.population_rates.len(), 2 * trace.samples.len());
        for (k, sample) in trace.samples.iter().enumerate() {
            let e = trace.population_rates[2 * k];
            let i = trace.population_rates[2 * k + 1];
            let sum = 0.8 * e + 0.2 * i;
            assert!(
                (sample.rate - sum).abs() <= 1e-12 * sum.max(1.0),
                "{kind:?} t = {}: {} against {sum}",
                sample.t,
                sample.rate
            );
        }
        assert_eq!(trace.mfe_fractions.len(), 2 * trace.mfes.len());
        for (i, mfe) in trace.mfes.iter().enumerate() {
            let f = trace.mfe_fractions(i).unwrap();
            let sum = 0.8 * f[0] + 0.2 * f[1];
            assert!((mfe.fraction - sum).abs() <= 1e-12, "{mfe:?} {f:?}");
        }
        if kind != SolverKind::Macro {
            assert!(!trace.mfes.is_empty(), "{kind:?}: the network synchronizes");
        }
        if kind == SolverKind::Multiscale {
            assert!(trace.switches.len() >= 2, "{:?}", trace.switches);
        }
        let cells: usize = trace.population_cells.iter().sum();
        assert!(trace.densities.iter().all(|d| d.values.len() == cells));
        for snapshot in &trace.densities {
            for alpha in 0..2 {
                let part = trace.population_density(snapshot, alpha).unwrap();
                assert!(part.iter().all(|&p| p >= 0.0 && p.is_finite()));
            }
        }
    }
}

fn resumed(network: Network, config: RunConfig, cut: f64) -> Trace {
    let mut first = Simulation::for_problem(Problem { network, config })
        .start(&INITIAL)
        .unwrap();
    first.advance(cut, &mut ()).unwrap();
    let bytes = postcard::to_allocvec(&first.state().unwrap()).unwrap();
    let problem = first.problem().clone();
    drop(first);
    let state: SimulationState<BuiltinPolicy> = postcard::from_bytes(&bytes).unwrap();
    let mut second = Simulation::from_state(problem, state, Parallelism::Rayon).unwrap();
    second.run(&mut ()).unwrap();
    second.into_trace()
}

/// Oracle: the straight run. Cut before, inside and after the burst (a density phase,
/// a particle phase, the density again for the multi-scale run).
#[test]
fn a_network_run_resumes_bit_for_bit() {
    for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
        let config = config(kind, 3.0, 6_000);
        let reference = run(synchronous(), config).into_trace();
        for cut in [0.5013, 2.66, 2.9] {
            let trace = resumed(synchronous(), config, cut);
            assert!(same(&reference, &trace), "{kind:?} cut at {cut} differs");
        }
    }
}

/// Oracle: the single-process run. The network cut into 2 and 3 parts, each stepped on
/// its own thread with an integer reduction over the parts, records the same trace.
#[test]
fn a_network_split_into_parts_is_the_whole_run_bit_for_bit() {
    let particles = 3 * BLOCK_SIZE + 500;
    for kind in [SolverKind::Micro, SolverKind::Multiscale] {
        let config = config(kind, 3.0, particles);
        let reference = run(synchronous(), config).into_trace();
        assert!(!reference.mfes.is_empty());
        for parts in [2, 3] {
            let traces: Vec<Trace> = std::thread::scope(|scope| {
                let handles: Vec<_> = ThreadGroup::new(parts)
                    .into_iter()
                    .enumerate()
                    .map(|(index, group)| {
                        scope.spawn(move || {
                            let problem = Problem {
                                network: synchronous(),
                                config,
                            };
                            let mut run = Simulation::for_problem(problem)
                                .part(index, parts)
                                .reduction(group)
                                .start(&INITIAL)
                                .unwrap();
                            run.run(&mut ()).unwrap();
                            run.into_trace()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for (index, trace) in traces.iter().enumerate() {
                assert!(
                    same(&reference, trace),
                    "{kind:?}: part {index} of {parts} differs"
                );
            }
        }
    }
}

/// Oracle: the run on the rayon pool. Blocks processed one after the other give the
/// same bits.
#[test]
fn a_network_run_does_not_depend_on_the_parallelism() {
    let config = config(SolverKind::Multiscale, 3.0, 20_000);
    let reference = run(synchronous(), config).into_trace();
    let mut sequential = Simulation::for_problem(Problem {
        network: synchronous(),
        config,
    })
    .parallelism(Parallelism::Sequential)
    .start(&INITIAL)
    .unwrap();
    sequential.run(&mut ()).unwrap();
    assert!(same(&reference, sequential.trace()));
}

/// What a run of a network cannot start from is refused, naming the field: particle
/// voltages or a density of one grid (a network starts from its initial densities), a
/// `Fixed` refractory period or a delay in a switching run that is not a whole number of
/// both steps (the hand-overs carry the neurons away and the histories between them), of
/// a network or of one population, a coupling matrix of the wrong size.
#[test]
fn what_a_network_run_cannot_do_is_refused_by_name() {
    let problem = |network| Problem {
        network,
        config: config(SolverKind::Micro, 1.0, 6_000),
    };
    let e = Simulation::for_problem(problem(synchronous()))
        .start_from(Start::Voltages(vec![0.0; 6_000]))
        .unwrap_err();
    assert_eq!(e.field(), "start");
    // 0.0075 is 7.5 steps of the density (1e-3) and 15 of the particles (5e-4); 0.0025
    // is 5 of the particles' and 2.5 of the density's.
    for (tau, steps) in [(0.0075, "1e-3"), (0.0025, "1e-3")] {
        let mut refractory = synchronous();
        refractory.populations[1].refractory = nlif_model::Refractory::Fixed { tau };
        let switching = Problem {
            network: refractory,
            config: config(SolverKind::Multiscale, 1.0, 6_000),
        };
        let e = Simulation::for_problem(switching)
            .start(&INITIAL)
            .unwrap_err();
        assert_eq!(e.field(), "model.populations[1].refractory.tau", "{e}");
        assert!(
            e.to_string().contains(steps) || e.to_string().contains("whole"),
            "{e}"
        );
    }
    // A synaptic delay in a switching run, of a network and of one population, that is
    // not a whole number of the density's steps, named by its entry.
    let mut delayed = synchronous();
    delayed.delay = vec![vec![0.0, 0.0], vec![0.0025, 0.0]];
    let switching = Problem {
        network: delayed,
        config: config(SolverKind::Multiscale, 1.0, 6_000),
    };
    let e = Simulation::for_problem(switching)
        .start(&INITIAL)
        .unwrap_err();
    assert_eq!(e.field(), "model.delay[1][0]", "{e}");
    let mut one = Network::single(&nlif_model::ModelParams::default(), nlif_model::Input::None);
    one.delay = vec![vec![0.0025]];
    let switching = Problem {
        network: one,
        config: config(SolverKind::Multiscale, 1.0, 6_000),
    };
    let e = Simulation::for_problem(switching)
        .start(&INITIAL)
        .unwrap_err();
    assert_eq!(e.field(), "model.delay[0][0]", "{e}");
    let mut wrong = synchronous();
    wrong.coupling[1].pop();
    let e = Simulation::for_problem(problem(wrong))
        .start(&INITIAL)
        .unwrap_err();
    assert!(
        e.field().starts_with("model.coupling"),
        "{e}: {}",
        e.field()
    );
}
