//! The multi-scale solver on the experiments of docs/model.md §7, against pure macro and pure
//! micro runs of the same configuration.

mod common;

use common::{config, mean_sd, run};
use multiscale::{Mode, SolverKind, SwitchReason};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};

const BLOWUP_A: InitialDensity = InitialDensity::Gaussian {
    mean: -1.0,
    var: 0.5,
};
const BLOWUP_B: InitialDensity = InitialDensity::Gaussian {
    mean: 1.5,
    var: 0.005,
};
const RELAXED: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

/// The first synchronous burst: the first multiple firing event that fires at least half
/// of the network (smaller precursor cascades of a few percent precede it by one step).
fn first_burst(trace: &multiscale::Trace) -> (f64, f64) {
    let m = trace
        .mfes
        .iter()
        .find(|m| m.fraction >= 0.5)
        .expect("a burst");
    (m.t, m.fraction)
}

/// Asynchronous network: the rate never approaches N_up, so the multi-scale run never
/// switches and is the pure macro run, sample for sample (same code path, same numbers).
#[test]
fn asynchronous_network_never_switches_and_equals_macro() {
    let multi = run(
        0.5,
        Input::None,
        BLOWUP_A,
        config(SolverKind::Multiscale, 10_000, 4.0, 1),
    );
    let pure = run(
        0.5,
        Input::None,
        BLOWUP_A,
        config(SolverKind::Macro, 10_000, 4.0, 1),
    );
    assert!(multi.switches.is_empty());
    assert_eq!(multi.micro_steps, 0);
    assert_eq!(multi.samples, pure.samples);
    assert!(multi.mass_error_max < 1e-12);
}

/// Blow-up A (b = 3, v0 = -1, σ0² = 0.5) at dt = 1e-4, N_p = 2e4, six seeds each.
///
/// - The hand-over happens before the macro rate degrades: from a state at least
///   `rollback` before the step that would pass N_up, whose rate is below N_up.
/// - Oracle for the burst: the pure micro runs. Their first-burst times spread over a few
///   hundredths (sd ≈ 0.04, skewed late); each multi-scale time must lie within the range of
///   the micro times widened by one micro standard deviation, and the means within two
///   standard deviations; likewise for the fraction fired.
#[test]
fn blowup_a_switches_early_and_matches_micro_bursts() {
    let seeds = 1..=6u64;
    let mut micro = Vec::new();
    let mut multi = Vec::new();
    for seed in seeds {
        let mut c = config(SolverKind::Micro, 20_000, 3.6, seed);
        c.macro_config.dt = 1e-4;
        c.micro.dt = 1e-4;
        micro.push(first_burst(&run(3.0, Input::None, BLOWUP_A, c)));
        c.kind = SolverKind::Multiscale;
        let trace = run(3.0, Input::None, BLOWUP_A, c);
        let first = trace.switches[0];
        assert!(matches!(first.reason, SwitchReason::RateAboveBound { .. }));
        assert_eq!(first.to, Mode::Micro);
        assert!(first.rate_before <= 5.0, "{first:?}");
        assert!(
            first.triggered_at - first.t >= c.switching.rollback - 1e-9,
            "{first:?}"
        );
        multi.push(first_burst(&trace));
    }
    for (index, name) in [(0, "time"), (1, "fraction")] {
        let mi: Vec<f64> = micro
            .iter()
            .map(|x| if index == 0 { x.0 } else { x.1 })
            .collect();
        let ms: Vec<f64> = multi
            .iter()
            .map(|x| if index == 0 { x.0 } else { x.1 })
            .collect();
        let (m_mi, s_mi) = mean_sd(&mi);
        let (m_ms, _) = mean_sd(&ms);
        let lo = mi.iter().cloned().fold(f64::INFINITY, f64::min) - s_mi;
        let hi = mi.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + s_mi;
        println!(
            "first burst {name}: micro {mi:?} (mean {m_mi:.4}, sd {s_mi:.4}); multiscale {ms:?}"
        );
        assert!(
            ms.iter().all(|x| (lo..=hi).contains(x)),
            "{name}: {ms:?} outside [{lo}, {hi}]"
        );
        assert!(
            (m_ms - m_mi).abs() <= 2.0 * s_mi,
            "{name}: means {m_ms} vs {m_mi}"
        );
    }
}

/// After the first burst blow-up A keeps bursting periodically. The multi-scale run keeps
/// those bursts: over [0, 4.6] it has as many bursts (fraction >= 0.5) as the micro run of
/// the same seed, within one, and their mean spacing agrees within 10 %. Derivation: the
/// spacing (about 0.23) is (last - first) / (k - 1) with k >= 4 bursts whose times jitter
/// by about 0.01 between runs (measured), so each estimate has a spread near
/// sqrt(2) 0.01 / 3 = 0.005 (2 %) and their ratio about 3 %: 10 % is over 3 spreads.
#[test]
fn blowup_a_keeps_the_periodic_bursts() {
    let bursts = |kind| {
        let trace = run(3.0, Input::None, BLOWUP_A, config(kind, 20_000, 4.6, 2));
        trace
            .mfes
            .iter()
            .filter(|m| m.fraction >= 0.5)
            .map(|m| m.t)
            .collect::<Vec<f64>>()
    };
    let micro = bursts(SolverKind::Micro);
    let multi = bursts(SolverKind::Multiscale);
    println!("bursts: micro {micro:?}, multiscale {multi:?}");
    assert!(micro.len() >= 4, "{micro:?}");
    assert!(micro.len().abs_diff(multi.len()) <= 1);
    let spacing = |b: &[f64]| (b[b.len() - 1] - b[0]) / (b.len() - 1) as f64;
    assert!((spacing(&micro) / spacing(&multi) - 1.0).abs() < 0.1);
}

/// Blow-up B (b = 1.5, v0 = 1.5, σ0² = 0.005): one total synchronization, then the network
/// desynchronizes, the solver returns to the density, and the rate converges to the stable
/// stationary rate. Oracle: the stable rate of docs/model.md §6, 0.192364; tolerance
/// 5e-4 = twice the measured discretisation error of the macro scheme at h = 0.02 (2.2e-4,
/// fp-macro tests).
#[test]
fn blowup_b_synchronizes_once_then_relaxes_in_macro() {
    let trace = run(
        1.5,
        Input::None,
        BLOWUP_B,
        config(SolverKind::Multiscale, 50_000, 10.0, 3),
    );
    let total: Vec<_> = trace.mfes.iter().filter(|m| m.fraction >= 0.9).collect();
    assert_eq!(total.len(), 1, "{total:?}");
    assert!(total[0].t < 0.1);
    let downs: Vec<_> = trace
        .switches
        .iter()
        .filter(|s| s.to == Mode::Macro)
        .collect();
    assert_eq!(downs.len(), 1, "{:?}", trace.switches);
    assert!(matches!(downs[0].reason, SwitchReason::BurstOver { .. }));
    assert_eq!(trace.samples.last().unwrap().mode, Mode::Macro);
    // Continuity of the rate across the switch back. The smoothed particle rate r handed
    // over has Poisson noise of variance r / (N_p 2τ) (exponential smoothing, τ = 0.02) and
    // lags a changing rate by about τ |dr/dt|; the first macro sample must lie within 4
    // standard deviations plus that lag (slope from the two micro samples before).
    let down = downs[0];
    let k = trace.samples.iter().position(|s| s.t > down.t).unwrap();
    let slope = (trace.samples[k - 1].rate - trace.samples[k - 3].rate) / 0.02;
    let sd = (down.rate_before / (50_000.0 * 2.0 * 0.02)).sqrt();
    let allowed = 4.0 * sd + 0.02 * slope.abs() + 0.01 * slope.abs();
    println!(
        "switch back: {} -> {} (allowed {allowed:.3})",
        down.rate_before,
        down.rate_after.unwrap()
    );
    assert!((down.rate_after.unwrap() - down.rate_before).abs() <= allowed);
    let stable = stationary_rates(
        &ModelParams {
            b: 1.5,
            ..ModelParams::default()
        },
        0.0,
    )
    .unwrap()[0];
    let tail: Vec<f64> = trace
        .samples
        .iter()
        .filter(|s| s.t > 8.0)
        .map(|s| s.rate)
        .collect();
    let (mean, _) = mean_sd(&tail);
    assert!((mean - stable).abs() < 5e-4, "{mean} vs {stable}");
}

/// Instantaneous input on a network relaxed to its stable state: the density reports the
/// kick as a synchronous event it cannot represent, the particles take over at the kick and
/// fire at least the mass the density had over the threshold (oracle: the fraction in the
/// switch reason, minus 4 binomial standard deviations of sampling N_p particles), and the
/// solver comes back to the density.
#[test]
fn a_kick_is_captured_in_micro_and_the_solver_comes_back() {
    let n = 50_000;
    let trace = run(
        1.5,
        Input::Kick { t0: 3.0, dv: 1.0 },
        RELAXED,
        config(SolverKind::Multiscale, n, 6.0, 4),
    );
    let up = trace.switches[0];
    let SwitchReason::SynchronousKick { fraction } = up.reason else {
        panic!("{up:?}")
    };
    assert!((up.t - 3.0).abs() < 1e-9);
    let event = trace
        .mfes
        .iter()
        .find(|m| (m.t - 3.0).abs() < 1e-9)
        .expect("the kick's event");
    let sd = (fraction * (1.0 - fraction) / n as f64).sqrt();
    println!(
        "kick: density fraction over V_F {fraction:.4}, particles fired {:.4}",
        event.fraction
    );
    assert!(fraction > 0.05, "the kick must be macroscopic: {fraction}");
    assert!(event.fraction >= fraction - 4.0 * sd);
    assert!(
        trace
            .switches
            .iter()
            .any(|s| s.to == Mode::Macro && s.t > 3.0)
    );
    assert_eq!(trace.samples.last().unwrap().mode, Mode::Macro);
}

/// Periodic input strong enough to drive a burst every period: every burst of the pure
/// micro run (fraction >= 0.5) has a burst of the multi-scale run within 0.05, each is
/// handled in a micro phase, and the quiet phases run in macro (at least half of the
/// time).
///
/// The criterion compares two realizations. The seed-to-seed jitter of the primary bursts
/// is about 0.01, that of the third burst of the first period (near t ≈ 1.1) about ±0.08;
/// rarely that burst does not happen and the second period's burst moves (seed 5 of the
/// pure micro run with the per-block hand-over streams: bursts at 2.721 and 2.946 instead
/// of one near 2.81 — 1 of 16 runs over seeds 1–8 before and after that change, measured
/// with the same criterion). Seed 6 gives a typical micro realization.
#[test]
fn periodic_bursts_run_in_micro_and_quiet_phases_in_macro() {
    let (micro, multi) = periodic(config(SolverKind::Multiscale, 50_000, 8.0, 6));
    let ups = multi
        .switches
        .iter()
        .filter(|s| s.to == Mode::Micro)
        .count();
    assert_eq!(ups, 4, "one micro phase per period: {:?}", multi.switches);
    let share = in_particles(&multi);
    println!("in particles: {share}");
    assert!(share < 0.5, "{share}");
    assert_bursts_match(&micro, &multi);
}

/// The same drive with the settle rule (`settle = 0.02`, `rate_down = 2`) and the
/// density's rate frozen at the step end: every burst is its own short particle phase,
/// handed back to the density right after it. Every burst of the pure micro run has a
/// burst of the multi-scale run within 0.05 (the criterion and the realisation of the
/// test above); every switch back is `settled`, at most `settle` plus two sample
/// intervals after a burst; and less than 12 % of the run is in particles (measured 7 %;
/// 33 % in the test above, which waits for the smoothed rate to decay).
#[test]
fn periodic_bursts_settle_back_to_the_density_between_bursts() {
    let mut c = config(SolverKind::Multiscale, 50_000, 8.0, 6);
    c.macro_config.dv = 0.01;
    c.macro_config.frozen_at = fp_macro::FrozenAt::StepEnd;
    c.switching.rate_down = 2.0;
    c.switching.dwell = 0.1;
    c.switching.settle = Some(0.02);
    let (micro, multi) = periodic(c);
    let b_ms = assert_bursts_match(&micro, &multi);
    let downs: Vec<_> = multi
        .switches
        .iter()
        .filter(|s| s.to == Mode::Macro)
        .collect();
    assert_eq!(downs.len(), b_ms.len(), "one particle phase per burst");
    for (down, burst) in downs.iter().zip(&b_ms) {
        assert!(
            matches!(down.reason, SwitchReason::Settled { .. }),
            "{down:?}"
        );
        assert!(
            down.t > *burst && down.t <= burst + 0.02 + 0.02 + 1e-9,
            "{down:?} after {burst}"
        );
    }
    let share = in_particles(&multi);
    println!("in particles: {share}");
    assert!(share < 0.12, "{share}");
}

/// The pure micro run (seed 6) and the multi-scale run of `multi` under `3 sin(πt)`.
fn periodic(multi: multiscale::RunConfig) -> (multiscale::Trace, multiscale::Trace) {
    let input = Input::Periodic {
        i0: 0.0,
        amplitude: 3.0,
        period: 2.0,
        phase: 0.0,
    };
    let micro = run(
        1.5,
        input,
        RELAXED,
        config(SolverKind::Micro, 50_000, 8.0, 6),
    );
    (micro, run(1.5, input, RELAXED, multi))
}

/// Asserts that the runs have as many bursts (fraction >= 0.5), at least four, each pair
/// within 0.05; returns the multi-scale run's.
fn assert_bursts_match(micro: &multiscale::Trace, multi: &multiscale::Trace) -> Vec<f64> {
    let bursts = |t: &multiscale::Trace| {
        t.mfes
            .iter()
            .filter(|m| m.fraction >= 0.5)
            .map(|m| m.t)
            .collect::<Vec<f64>>()
    };
    let (b_mi, b_ms) = (bursts(micro), bursts(multi));
    println!("bursts: micro {b_mi:?}, multiscale {b_ms:?}");
    assert!(b_mi.len() >= 4);
    assert_eq!(b_mi.len(), b_ms.len());
    for (x, y) in b_mi.iter().zip(&b_ms) {
        assert!((x - y).abs() < 0.05, "{x} vs {y}");
    }
    b_ms
}

/// The fraction of the samples taken in particles.
fn in_particles(trace: &multiscale::Trace) -> f64 {
    let n = trace
        .samples
        .iter()
        .filter(|s| s.mode == Mode::Micro)
        .count();
    n as f64 / trace.samples.len() as f64
}

/// Sub-stepping: the particles may step more finely than the density (here four micro
/// steps per macro step); samples stay on the common output grid, every interval is
/// sampled exactly once, and the switches land on macro step times.
#[test]
fn micro_substeps_land_on_the_common_output_grid() {
    let mut c = config(SolverKind::Multiscale, 20_000, 1.0, 6);
    c.micro.dt = 2.5e-4;
    let trace = run(1.5, Input::None, BLOWUP_B, c);
    assert_eq!(trace.samples.len(), 100);
    for (k, s) in trace.samples.iter().enumerate() {
        assert!((s.t - (k + 1) as f64 * 0.01).abs() < 1e-9, "{} at {k}", s.t);
    }
    assert!(trace.switches.len() >= 2, "{:?}", trace.switches);
    for s in &trace.switches {
        let steps = s.t / 1e-3;
        assert!(
            (steps - steps.round()).abs() < 1e-6,
            "switch at {} is off the macro grid",
            s.t
        );
    }
    // Four micro steps per macro step of the micro phases, which last whole macro steps
    // (the switch back is decided once per macro step's worth of particle steps).
    assert_eq!(trace.micro_steps % 4, 0);
    let mut in_micro = 0.0;
    let mut since = None;
    for s in &trace.switches {
        match (s.to, since) {
            (Mode::Micro, _) => since = Some(s.t),
            (Mode::Macro, Some(t0)) => {
                in_micro += s.t - t0;
                since = None;
            }
            _ => {}
        }
    }
    if let Some(t0) = since {
        in_micro += 1.0 - t0;
    }
    assert!((trace.micro_steps as f64 * 2.5e-4 - in_micro).abs() < 1e-9);
}
