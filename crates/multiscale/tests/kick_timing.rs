//! An input kick is applied exactly once, at the step the rule of `nlif_model::time`
//! documents, by every solver kind, whatever `t0` and `dt` (issue: before the rule, rounding
//! decided — a kick at 4.1 with dt = 1e-4 was never applied, one at 3.0 twice by the
//! particles, many a step early).
//!
//! Oracle: the step index written down independently of the clock. `t0` is drawn as the
//! decimal literal of `k · dt` (what a user writes for a grid time: step `k`) or as
//! `(k + f) · dt` with `f` in `[0.01, 0.99]` (between grid times: the step containing it,
//! `k`), so the expected event time is `k · dt` to within half a step.

use fp_macro::{MacroConfig, MacroSolver};
use multiscale::{Outcome, RunConfig, Simulation, SolverKind};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};
use proptest::prelude::*;

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.05,
};

/// `k · dt` as a user writes it: the decimal literal with 12 significant digits.
fn literal(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap()
}

/// The kick time and its expected step `k` (module docs).
fn kick_time(k: u64, off_grid: Option<f64>, dt: f64) -> f64 {
    match off_grid {
        None => literal(k as f64 * dt),
        Some(f) => (k as f64 + f) * dt,
    }
}

/// A run of `kind` with clock step `dt_clock` (micro step `dt_clock / ratio` for
/// `Multiscale`), no coupling (`b = 0`: no cascade but the kick's), ending a few steps after
/// the kick's step.
fn run_config(kind: SolverKind, dt_clock: f64, ratio: u32, end_steps: u64) -> RunConfig {
    let micro_dt = match kind {
        SolverKind::Micro => dt_clock,
        _ => dt_clock / ratio as f64,
    };
    RunConfig {
        kind,
        macro_config: MacroConfig {
            dt: dt_clock,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles: 256,
            dt: micro_dt,
            ..MicroConfig::default()
        },
        t_end: literal(end_steps as f64 * dt_clock),
        sample_interval: dt_clock,
        seed: 7,
        ..RunConfig::default()
    }
}

fn params() -> ModelParams {
    ModelParams {
        b: 0.0,
        ..ModelParams::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Every kind, a kick that fires the whole network (`dv = 6` from around 0, threshold
    /// 2): the particles record exactly one kick event, at `k · dt`; the density alone
    /// ends with a synchronous event at `k · dt` (it cannot represent it).
    #[test]
    fn a_kick_is_applied_once_at_its_documented_step(
        dt_index in 0usize..6,
        k in 1u64..400,
        off_grid in prop::option::of(0.01f64..0.99),
        ratio in prop::sample::select(vec![1u32, 2, 5, 10]),
    ) {
        let dt = [1e-4, 2e-4, 5e-4, 1e-3, 0.01, 1.0 / 30.0][dt_index];
        let input = Input::Kick { t0: kick_time(k, off_grid, dt), dv: 6.0 };
        let end_steps = k + 5;

        // Particles: the kick's event, once, at the start of step k.
        let config = run_config(SolverKind::Micro, dt, 1, end_steps);
        let mut micro = Simulation::new(params(), input, &INITIAL, config, Parallelism::Sequential).unwrap();
        prop_assert!(micro.run(&mut ()).unwrap().is_completed());
        let mfes = &micro.trace().mfes;
        prop_assert_eq!(mfes.len(), 1, "{:?}", mfes);
        prop_assert!((mfes[0].t - k as f64 * dt).abs() < 0.5 * dt, "{:?} k = {}", mfes[0], k);
        prop_assert!(mfes[0].fraction > 0.9, "{:?}", mfes[0]);

        // Density alone: the synchronous event ends the run at the start of step k.
        let config = run_config(SolverKind::Macro, dt, 1, end_steps);
        let mut density = Simulation::new(params(), input, &INITIAL, config, Parallelism::Sequential).unwrap();
        match density.run(&mut ()).unwrap() {
            Outcome::SynchronousEvent { t, fraction } => {
                prop_assert!((t - k as f64 * dt).abs() < 0.5 * dt, "t = {} k = {}", t, k);
                prop_assert!(fraction > 0.9, "fraction {}", fraction);
            }
            other => prop_assert!(false, "{:?}", other),
        }

        // Multi-scale: the density hands over at the start of its step that holds the kick,
        // the particles apply it once, at the start of their step that holds it.
        let config = run_config(SolverKind::Multiscale, dt, ratio, end_steps);
        let micro_dt = dt / ratio as f64;
        let mut multi = Simulation::new(params(), input, &INITIAL, config, Parallelism::Sequential).unwrap();
        prop_assert!(multi.run(&mut ()).unwrap().is_completed());
        let mfes = &multi.trace().mfes;
        prop_assert_eq!(mfes.len(), 1, "{:?}", mfes);
        let t0 = kick_time(k, off_grid, dt);
        // Between grid times: the micro step containing it (on a micro grid time up to
        // rounding: that step).
        let q = t0 / micro_dt;
        let q = if (q - q.round()).abs() < 1e-6 { q.round() } else { q.floor() };
        let expected = if off_grid.is_none() { k as f64 * dt } else { q * micro_dt };
        prop_assert!((mfes[0].t - expected).abs() < 0.5 * micro_dt, "{:?} expected {}", mfes[0], expected);
    }

    /// The density with a kick that fires nothing (`dv = -0.5`): its mean voltage jumps by
    /// `dv` once, in step `k`, and moves by `O(dt)` in every other step (oracle: the drift
    /// `-v + I` and the flux bound the change of the mean per step by `dt · 8` here).
    #[test]
    fn a_subthreshold_kick_moves_the_density_once(
        dt_index in 0usize..4,
        k in 1u64..300,
        off_grid in prop::option::of(0.01f64..0.99),
    ) {
        let dt = [1e-4, 5e-4, 1e-3, 1.0 / 300.0][dt_index];
        let input = Input::Kick { t0: kick_time(k, off_grid, dt), dv: -0.5 };
        let config = MacroConfig { dt, ..MacroConfig::default() };
        let grid = nlif_model::Grid::for_model(&params(), config.v_min, config.dv).unwrap();
        let density = fp_macro::discretise(&grid, &INITIAL).unwrap();
        let mut solver = MacroSolver::new(params(), input, config, density, 0.0, None).unwrap();
        let nodes: Vec<f64> = grid.nodes().collect();
        let mean = |s: &MacroSolver| {
            s.density().iter().zip(&nodes).map(|(p, v)| p * v).sum::<f64>() * grid.spacing()
        };
        let mut jumps = Vec::new();
        for m in 0..k + 5 {
            let before = mean(&solver);
            let advanced = matches!(solver.step(f64::INFINITY), fp_macro::StepOutcome::Advanced { .. });
            prop_assert!(advanced, "step {}", m);
            let change = mean(&solver) - before;
            if change < -0.25 {
                jumps.push(m);
            } else {
                prop_assert!(change.abs() <= 8.0 * dt, "step {}: {}", m, change);
            }
        }
        prop_assert_eq!(jumps, vec![k]);
    }
}

/// The instances of the report: at dt = 1e-4 a kick at 4.1 (never applied before) and at
/// 3.0 (applied twice by the particles) act once, at their grid time.
#[test]
fn the_reported_kicks_act_once_at_their_grid_time() {
    for t0 in [4.1, 4.6, 5.1, 5.6, 5.8, 3.0, 2.1, 3.5] {
        let k = (t0 * 1e4_f64).round() as u64;
        let config = run_config(SolverKind::Micro, 1e-4, 1, k + 3);
        let input = Input::Kick { t0, dv: 3.0 };
        let mut run =
            Simulation::new(params(), input, &INITIAL, config, Parallelism::Sequential).unwrap();
        assert!(run.run(&mut ()).unwrap().is_completed());
        let mfes = &run.trace().mfes;
        assert_eq!(mfes.len(), 1, "t0 = {t0}: {mfes:?}");
        assert_eq!(nlif_model::time::tidy(mfes[0].t), t0, "t0 = {t0}");
    }
}

/// A kick outside the run is refused before it starts, naming the field.
#[test]
fn a_kick_outside_the_run_is_refused() {
    for t0 in [-0.1, 0.5, 0.7] {
        let config = run_config(SolverKind::Micro, 1e-3, 1, 500);
        let input = Input::Kick { t0, dv: 1.0 };
        let err = Simulation::new(params(), input, &INITIAL, config, Parallelism::Sequential)
            .unwrap_err();
        assert_eq!(err.field(), "model.input.t0", "{err}");
    }
    let config = run_config(SolverKind::Micro, 1e-3, 1, 500);
    let inside = Input::Kick { t0: 0.0, dv: 1.0 };
    assert!(Simulation::new(params(), inside, &INITIAL, config, Parallelism::Sequential).is_ok());
}
