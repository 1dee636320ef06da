//! Particles with a refractory period (docs/model.md §11): the time away by counting,
//! stationary rates against the exact `1/N = tau + 1/ν`, `tau = 0` as the model without
//! a period, and states, threads and parts bit for bit.
//!
//! Rate tolerances as in `tests/stationary_rate.rs`: `4 · SE` of 20 batch means (a
//! chance failure below one in a thousand) plus the 1 % bias bound of the bridge stepper
//! at `dt = 1e-3` established there.

use nlif_micro::{
    MicroConfig, NetworkPart, Parallelism, ParticleNetwork, ParticleNetworkState, ParticleSystem,
    Stepper, ThreadGroup,
};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams, Refractory, stationary_states_refractory};

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.3,
};

fn system(
    params: ModelParams,
    input: Input,
    refractory: Refractory,
    (particles, dt): (usize, f64),
    seed: u64,
) -> ParticleSystem {
    let config = MicroConfig {
        particles,
        dt,
        stepper: Stepper::BrownianBridge,
        ..MicroConfig::default()
    };
    ParticleSystem::builder(params, input, config, seed)
        .refractory(refractory)
        .sample(&INITIAL, -4.0)
        .unwrap()
}

/// Oracle: counting. With `Fixed(tau)`, `tau = m dt`, a neuron that fires is `-inf` after
/// the step it fired in and after the `m` steps it sits out, then on the line again:
/// every run of `-inf` that ends is exactly `m + 1` steps long (a strong drive makes
/// many of them; one step cannot carry a neuron from `V_R` to `V_F` here, so none fires
/// on its return).
#[test]
fn a_fixed_period_keeps_a_neuron_away_for_exactly_m_steps() {
    let m = 7;
    let dt = 1e-2;
    let refractory = Refractory::Fixed { tau: m as f64 * dt };
    let mut net = system(
        ModelParams::default(),
        Input::Constant { i0: 4.0 },
        refractory,
        (3000, dt),
        5,
    );
    let n = net.len();
    let mut run = vec![0usize; n];
    let (mut ended, mut spikes) = (0, 0);
    for _ in 0..400 {
        let report = net.step();
        spikes += report.spikes;
        let away = net.voltages().filter(|v| *v == f64::NEG_INFINITY).count();
        assert_eq!(away, net.away_count());
        for (i, v) in net.voltages().enumerate() {
            if v == f64::NEG_INFINITY {
                run[i] += 1;
            } else {
                if run[i] > 0 {
                    assert_eq!(run[i], m + 1, "neuron {i} away for {} steps", run[i]);
                    ended += 1;
                }
                run[i] = 0;
            }
        }
    }
    assert!(
        ended > 3000 && spikes > 3000,
        "{ended} periods ended, {spikes} spikes"
    );
}

/// Oracle: the exact stationary rate `1/N = tau + 1/ν(N)` (nlif-model), both forms, an
/// uncoupled network driven to the threshold (the period takes a tenth of the time) and
/// issue 27's excitatory network (`b = 1.5`, `tau = 0.025`) in its low state.
#[test]
fn stationary_rates_with_a_period_are_the_exact_ones() {
    let driven = (ModelParams::default(), 2.0, 0.1);
    let excitatory = (
        ModelParams {
            b: 1.5,
            ..ModelParams::default()
        },
        0.0,
        0.025,
    );
    for (k, (params, i0, tau)) in [driven, excitatory].into_iter().enumerate() {
        for (j, refractory) in [Refractory::Fixed { tau }, Refractory::Exponential { tau }]
            .into_iter()
            .enumerate()
        {
            let exact = stationary_states_refractory(&params, i0, &refractory).unwrap()[0].rate;
            let seed = 40 + 2 * k as u64 + j as u64;
            let mut net = system(
                params,
                Input::Constant { i0 },
                refractory,
                (40_000, 1e-3),
                seed,
            );
            let (rate, se) = batch_rate(&mut net, 3.0, 0.5, 20);
            println!(
                "b = {}, I = {i0}, {refractory:?}: {rate:.5} ± {se:.5}, exact {exact:.5}",
                params.b
            );
            assert!(
                (rate - exact).abs() <= 4.0 * se + 0.01 * exact,
                "{refractory:?}, b = {}: {rate} ± {se} vs {exact}",
                params.b
            );
        }
    }
}

/// Mean and standard error of `batches` batch rates of `batch` time units each, after a
/// burn-in.
fn batch_rate(net: &mut ParticleSystem, burn_in: f64, batch: f64, batches: usize) -> (f64, f64) {
    let dt = net.config().dt;
    for _ in 0..(burn_in / dt).round() as usize {
        let _ = net.step();
    }
    let steps = (batch / dt).round() as usize;
    let rates: Vec<f64> = (0..batches)
        .map(|_| {
            let spikes: u64 = (0..steps).map(|_| net.step().spikes).sum();
            spikes as f64 / (net.len() as f64 * steps as f64 * dt)
        })
        .collect();
    let m = batches as f64;
    let mean = rates.iter().sum::<f64>() / m;
    let var = rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
    (mean, (var / m).sqrt())
}

/// Oracle: the system without a period. `tau = 0` in either form is today's model, bit
/// for bit, through cascades and an input kick.
#[test]
fn a_zero_period_is_the_model_without_one() {
    let params = ModelParams {
        b: 2.5,
        ..ModelParams::default()
    };
    let input = Input::Kick { t0: 0.3, dv: 0.4 };
    let run = |refractory| {
        let mut net = system(params, input, refractory, (9000, 1e-2), 3);
        let reports: Vec<_> = (0..150).map(|_| net.step()).collect();
        (
            reports,
            net.voltages().map(f64::to_bits).collect::<Vec<_>>(),
        )
    };
    let (reports, voltages) = run(Refractory::None);
    assert!(reports.iter().any(|r| r.mfes().any(|m| m.rounds > 1)));
    for refractory in [
        Refractory::Fixed { tau: 0.0 },
        Refractory::Exponential { tau: 0.0 },
    ] {
        assert_eq!(
            run(refractory),
            (reports.clone(), voltages.clone()),
            "{refractory:?}"
        );
    }
}

/// A `Fixed` period that is not a whole number of steps, and a negative one, are refused
/// with the field named; in a network, under the population's path.
#[test]
fn a_bad_period_is_refused_with_its_path() {
    let config = MicroConfig {
        particles: 100,
        dt: 1e-3,
        ..MicroConfig::default()
    };
    let build = |refractory| {
        ParticleSystem::builder(ModelParams::default(), Input::None, config, 1)
            .refractory(refractory)
            .sample(&INITIAL, -4.0)
            .map(|_| ())
    };
    let error = build(Refractory::Fixed { tau: 0.0025 }).unwrap_err();
    assert_eq!(error.field(), "refractory.tau");
    assert!(
        error.to_string().contains("whole number of steps"),
        "{error}"
    );
    assert_eq!(
        build(Refractory::Exponential { tau: -1.0 })
            .unwrap_err()
            .field(),
        "refractory.tau"
    );
    let mut network = network();
    network.populations[1].refractory = Refractory::Fixed { tau: 0.0155 };
    let error = ParticleNetwork::builder(network, config, 1)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap_err();
    assert_eq!(error.path(), "populations[1].refractory.tau", "{error}");
}

/// An E–I network with cascades across populations, a kick and a period of each form.
fn network() -> Network {
    let population = |name: &str, share, a0, input, refractory| Population {
        input,
        refractory,
        prior_rate: 0.0,
        ..Population::new(name, share, a0)
    };
    Network {
        populations: vec![
            population(
                "E",
                0.8,
                1.0,
                Input::Kick { t0: 0.3, dv: 0.5 },
                Refractory::Fixed { tau: 0.05 },
            ),
            population(
                "I",
                0.2,
                0.5,
                Input::Constant { i0: 1.0 },
                Refractory::Exponential { tau: 0.03 },
            ),
        ],
        coupling: vec![vec![2.5, -1.0], vec![2.0, -1.0]],
        a1: vec![vec![0.1, 0.0], vec![0.0, 0.05]],
        delay: Vec::new(),
    }
}

fn build(part: NetworkPart, parallelism: Parallelism) -> ParticleNetwork {
    let config = MicroConfig {
        particles: 5 * nlif_micro::BLOCK_SIZE + 300,
        dt: 1e-2,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    };
    ParticleNetwork::builder(network(), config, 17)
        .partition(part)
        .parallelism(parallelism)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap()
}

/// A state and its reports as text (the voltages of neurons away are `-inf`, which JSON
/// cannot hold; `Debug` writes every `f64` exactly).
fn text<T: std::fmt::Debug>(x: &T) -> String {
    format!("{x:?}")
}

/// Oracle: the whole network stepped alone. One and two threads, two and three parts
/// stepped in lock-step (one part restored midway from its state) give the same reports
/// and the same final state, bit for bit; the run has a large cascade and neurons away
/// in both populations.
#[test]
fn threads_parts_and_restores_do_not_change_a_run_with_periods() {
    let steps = 120;
    let mut whole = build(NetworkPart::WHOLE, Parallelism::Sequential);
    let reports: Vec<String> = (0..steps).map(|_| text(&whole.step())).collect();
    assert!(reports.iter().any(|r| r.contains("rounds")));
    let expected = text(&whole.state());
    let away: Vec<usize> = (0..2)
        .map(|alpha| {
            whole
                .voltages(alpha)
                .filter(|v| *v == f64::NEG_INFINITY)
                .count()
        })
        .collect();
    assert!(away.iter().all(|&a| a > 0), "neurons away: {away:?}");
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut net = build(NetworkPart::WHOLE, Parallelism::Rayon);
        let got: Vec<String> = pool.install(|| (0..steps).map(|_| text(&net.step())).collect());
        assert_eq!(got, reports, "{threads} threads");
        assert_eq!(text(&net.state()), expected, "{threads} threads");
    }
    for parts in [2, 3] {
        let outcomes: Vec<(Vec<String>, ParticleNetworkState)> = std::thread::scope(|s| {
            let handles: Vec<_> = (ThreadGroup::new(parts).into_iter().enumerate())
                .map(|(index, mut group)| {
                    s.spawn(move || {
                        let mut net = build(NetworkPart { index, parts }, Parallelism::Sequential);
                        let mut reports = Vec::new();
                        for k in 0..steps {
                            if index == 1 && k == steps / 2 {
                                net = ParticleNetwork::from_state(net.state(), Parallelism::Rayon)
                                    .unwrap();
                            }
                            reports.push(text(&net.step_with(&mut group)));
                        }
                        (reports, net.state())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (got, _) in &outcomes {
            assert_eq!(got, &reports, "{parts} parts");
        }
        let states = outcomes.into_iter().map(|(_, state)| state).collect();
        let joined = ParticleNetworkState::join(states).unwrap();
        assert_eq!(text(&joined), expected, "{parts} parts");
    }
}
