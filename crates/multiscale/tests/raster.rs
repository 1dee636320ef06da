//! Spike rasters of a run: what is recorded never changes what is simulated, the spikes
//! are the run's own, and they are the same on any number of parts and after a restore.
//!
//! Oracles: the run without a raster (every other field of the trace, bit for bit); the
//! rate samples (with every neuron sampled, the spikes of a sample's interval over
//! `N · interval` are its rate); the whole, straight run (parts, restores).

use fp_macro::MacroConfig;
use multiscale::{
    BuiltinPolicy, MAX_RASTER, Mode, Problem, RunConfig, Simulation, SimulationState, SolverKind,
    Trace,
};
use nlif_micro::{BLOCK_SIZE, MicroConfig, Parallelism, ThreadGroup};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};

const PARTICLES: usize = 2 * BLOCK_SIZE + 700;
const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};
/// A burst from t ≈ 0.53 (switches both ways before 1.5).
const PERIODIC: Input = Input::Periodic {
    i0: 0.0,
    amplitude: 3.0,
    period: 2.0,
    phase: 0.0,
};

fn config(kind: SolverKind, t_end: f64, raster: usize) -> RunConfig {
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
        seed: 7,
        sample_interval: 1e-2,
        density_interval: Some(0.1),
        raster,
        ..RunConfig::default()
    };
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c
}

fn params() -> ModelParams {
    ModelParams {
        b: 1.5,
        ..ModelParams::default()
    }
}

fn run(input: Input, config: RunConfig) -> Trace {
    let mut run = Simulation::new(params(), input, &INITIAL, config, Parallelism::Rayon).unwrap();
    assert!(run.run(&mut ()).unwrap().is_completed());
    run.into_trace()
}

fn json(trace: &Trace) -> String {
    serde_json::to_string(trace).unwrap()
}

/// Recording 1, 20 or every neuron (a raster larger than the population is clamped to
/// it) leaves every other field of the trace bit for bit; the spikes lie in the particle
/// phases, in time order, of sampled neurons.
#[test]
fn recording_never_changes_the_run() {
    for (kind, input, t_end) in [
        (SolverKind::Multiscale, PERIODIC, 1.5),
        (SolverKind::Micro, Input::Kick { t0: 0.2, dv: 0.8 }, 0.4),
    ] {
        let plain = run(input, config(kind, t_end, 0));
        assert!(plain.spikes.is_empty());
        let expected = json(&plain);
        for raster in [1, 20, MAX_RASTER] {
            let mut trace = run(input, config(kind, t_end, raster));
            let spikes = std::mem::take(&mut trace.spikes);
            assert!(json(&trace) == expected, "{kind:?}, raster {raster}");
            let mut ids: Vec<u64> = spikes.iter().map(|s| s.neuron).collect();
            ids.sort_unstable();
            ids.dedup();
            assert!(ids.len() <= raster.min(PARTICLES), "{raster}");
            assert!(raster < 20 || ids.len() > 1, "{raster}: {ids:?}");
            assert!(ids.iter().all(|&id| id < PARTICLES as u64));
            assert!(spikes.iter().all(|s| s.population == 0));
            assert!(spikes.windows(2).all(|w| w[0].t <= w[1].t));
            if kind == SolverKind::Multiscale {
                // Between a switch to the particles and the next one back.
                let switches = &trace.switches;
                assert!(switches.len() >= 2);
                let phases: Vec<(f64, f64)> = (switches.chunks(2))
                    .map(|w| (w[0].t, w.get(1).map_or(t_end, |s| s.t)))
                    .collect();
                assert!(switches.iter().step_by(2).all(|s| s.to == Mode::Micro));
                for s in &spikes {
                    assert!(
                        phases.iter().any(|&(a, b)| s.t >= a && s.t <= b),
                        "a spike at {} outside the particle phases {phases:?}",
                        s.t
                    );
                }
            }
        }
    }
}

/// Oracle: the rate samples. Every neuron sampled, the spikes at the step ends within a
/// sample's interval `(t - interval, t]`, over `N · interval`, are the sample's rate.
#[test]
fn with_every_neuron_sampled_the_spikes_are_the_rate() {
    let trace = run(PERIODIC, config(SolverKind::Micro, 0.8, PARTICLES));
    let interval = 1e-2;
    let mut counts = vec![0u64; trace.samples.len()];
    for s in &trace.spikes {
        let k = (s.t / interval - 1e-9).ceil() as usize;
        counts[k - 1] += 1;
    }
    let mut busy = 0;
    for (sample, &count) in trace.samples.iter().zip(&counts) {
        let rate = count as f64 / (PARTICLES as f64 * interval);
        assert!(
            (rate - sample.rate).abs() <= 1e-9 * sample.rate.max(1.0),
            "t = {}: {rate} from the spikes, {} sampled",
            sample.t,
            sample.rate
        );
        busy += usize::from(count > 0);
    }
    assert!(busy > trace.samples.len() / 2);
}

/// Parts (2, 3) of a multi-scale run record the whole run's spikes; a state saved in a
/// particle phase and in a density phase (through JSON) continues them bit for bit.
#[test]
fn parts_and_restores_record_the_same_spikes() {
    let config = config(SolverKind::Multiscale, 1.5, 30);
    let straight = run(PERIODIC, config);
    assert!(straight.spikes.len() > 30);
    let expected = json(&straight);
    for parts in [2, 3] {
        let traces: Vec<Trace> = std::thread::scope(|scope| {
            let handles: Vec<_> = (ThreadGroup::new(parts).into_iter().enumerate())
                .map(|(index, group)| {
                    scope.spawn(move || {
                        let mut run = Simulation::builder(params(), PERIODIC, config)
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
        for (p, trace) in traces.iter().enumerate() {
            assert!(json(trace) == expected, "part {p} of {parts}");
        }
    }
    for cut in [0.3, 0.6, 0.7013] {
        let mut first =
            Simulation::new(params(), PERIODIC, &INITIAL, config, Parallelism::Rayon).unwrap();
        first.advance(cut, &mut ()).unwrap();
        let text = serde_json::to_string(&first.state().unwrap()).unwrap();
        let problem = first.problem().clone();
        drop(first);
        let state: SimulationState<BuiltinPolicy> = serde_json::from_str(&text).unwrap();
        let mut second = Simulation::from_state(problem, state, Parallelism::Rayon).unwrap();
        second.run(&mut ()).unwrap();
        assert!(json(second.trace()) == expected, "cut at {cut}");
    }
}

fn network() -> Network {
    let population = |name: &str, share, input| Population {
        name: name.into(),
        share,
        a0: 1.0,
        v_f: 2.0,
        v_r: 1.0,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    };
    Network {
        populations: vec![
            population("E", 0.8, PERIODIC),
            population("I", 0.2, Input::None),
        ],
        coupling: vec![vec![3.0, -0.5], vec![1.0, -0.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

/// A network of two populations: each population's sampled neurons (ids of its own
/// `N_α`) record spikes; recording leaves the rest of the trace; 2 parts record the
/// whole run's spikes.
#[test]
fn a_network_records_each_population() {
    let problem = |raster| Problem {
        network: network(),
        config: config(SolverKind::Multiscale, 1.0, raster),
    };
    let whole = |raster| {
        let mut run = Simulation::for_problem(problem(raster))
            .start(&INITIAL)
            .unwrap();
        assert!(run.run(&mut ()).unwrap().is_completed());
        run.into_trace()
    };
    let plain = whole(0);
    let mut trace = whole(25);
    let expected = json(&trace);
    let neurons = network().neurons(PARTICLES).unwrap();
    for (alpha, &n) in neurons.iter().enumerate() {
        let mine: Vec<_> = (trace.spikes.iter())
            .filter(|s| s.population == alpha as u32)
            .collect();
        assert!(!mine.is_empty(), "population {alpha}");
        assert!(mine.iter().all(|s| s.neuron < n as u64));
    }
    trace.spikes.clear();
    assert!(json(&trace) == json(&plain));
    let traces: Vec<Trace> = std::thread::scope(|scope| {
        let handles: Vec<_> = (ThreadGroup::new(2).into_iter().enumerate())
            .map(|(index, group)| {
                scope.spawn(move || {
                    let mut run = Simulation::for_problem(problem(25))
                        .part(index, 2)
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
    for (p, trace) in traces.iter().enumerate() {
        assert!(json(trace) == expected, "part {p} of 2");
    }
}

/// A raster above [`MAX_RASTER`] is refused, naming `output.raster`.
#[test]
fn a_raster_too_large_is_refused_by_name() {
    let config = config(SolverKind::Micro, 0.1, MAX_RASTER + 1);
    let e = Simulation::new(params(), PERIODIC, &INITIAL, config, Parallelism::Rayon).unwrap_err();
    assert_eq!(e.field(), "output.raster");
    assert!(e.to_string().contains("10000"), "{e}");
}
