//! The time-dilated solver (docs/model.md §13): mass and positivity, agreement with the
//! density step where the dilation is only a change of clock, the exact stationary
//! rates, and a blow-up passed through.

use fp_macro::{
    DilatedConfig, FrozenAt, Grid, MacroConfig, MacroSolver, Reinjection, Scheme, StepOutcome,
};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_rates};
use proptest::prelude::*;

const SCHEMES: [Scheme; 3] = [
    Scheme::ChangCooper,
    Scheme::ScharfetterGummel,
    Scheme::Upwind,
];

/// The grid in terms of the cells below and above the reset (as the density step's
/// proptest): `V_R` on node `r >= 1`, `V_F` on node `n`.
fn random_grid() -> impl Strategy<Value = (f64, f64, f64, f64)> {
    (
        -3.0..3.0f64,
        1e-3..0.2f64,
        3usize..60,
        1usize..80,
        0.0..0.999f64,
    )
        .prop_map(|(v_r, dv, above, below, offset)| {
            let v_f = v_r + above as f64 * dv;
            let v_min = v_r - (below as f64 - offset) * dv;
            (v_min, dv, v_r, v_f)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Oracle: conservation law. A sub-step is the density step (columns of its matrix
    /// summing to `1/τ`), an event moves mass by the conservative remap and puts back
    /// exactly what left the grid: 200 steps change the mass by round-off only, and the
    /// density stays non-negative. Couplings up to 6 (far beyond `V_F - V_R` on most
    /// grids), kicks of either sign and dilated steps down to `1e-4` make events and many
    /// sub-steps. The bound: as the density step's, `c ε (1 + 4 κ τ)` per solve with
    /// `c = 32`, times the sub-steps taken, plus `4 n ε` per event (the remap's and the
    /// mass's sums).
    #[test]
    fn mass_and_positivity_on_random_grids(
        (v_min, dv, v_r, v_f) in random_grid(),
        scheme in prop::sample::select(SCHEMES.to_vec()),
        b in -2.0..6.0f64,
        mean_in_cells in 0.0..1.0f64,
        ds in 1e-4..0.05f64,
        kick in -1.0..2.0f64,
    ) {
        let params = ModelParams { v_f, v_r, b, ..ModelParams::default() };
        let config = MacroConfig {
            scheme,
            v_min,
            dv,
            dt: 1e-3,
            reinjection: Reinjection::Implicit,
            frozen_at: FrozenAt::StepStart,
        };
        let mean = v_min + mean_in_cells * (v_f - v_min);
        let initial = InitialDensity::Gaussian { mean, var: (v_f - v_min).powi(2) / 16.0 };
        let input = Input::Kick { t0: 0.05, dv: kick * (v_f - v_r) };
        let settings = DilatedConfig { ds, mfe_min_fraction: 0.0 };
        let mut solver = MacroSolver::from_initial(params, input, config, &initial)
            .unwrap()
            .dilated(settings)
            .unwrap();
        let grid: Grid = *solver.solver().grid();
        let (mut solves, mut events) = (0.0, 0.0);
        for _ in 0..200 {
            let step = solver.step();
            prop_assert!(step.is_ok(), "{:?}", step);
            let step = step.unwrap();
            solves += f64::from(step.substeps);
            for event in step.events.iter().flatten() {
                events += 1.0;
                // Each event fires at most the whole mass; at most one per sub-step and
                // the kick's are merged into a step's two.
                let most = f64::from(step.substeps) + 1.0;
                prop_assert!(event.fraction > 0.0 && event.fraction <= most * (1.0 + 1e-12));
            }
            prop_assert!(step.rate >= 0.0 && step.rate.is_finite());
            prop_assert!(solver.solver().density().iter().all(|&p| p >= 0.0));
        }
        let kappa_dt = params.a0 / (dv * dv) * config.dt;
        let n = grid.len() as f64;
        // An event per step at most besides the kick's (the counted ones are a lower
        // bound on the events: count one per sub-step to be safe).
        let bound = 32.0 * f64::EPSILON * (1.0 + 4.0 * kappa_dt) * solves
            + 4.0 * n * f64::EPSILON * (events + solves + 1.0);
        let error = (grid.mass(solver.solver().density()) - 1.0).abs();
        prop_assert!(error <= bound, "mass error {:e} > {:e}", error, bound);
        prop_assert!((solver.mass() - 1.0).abs() <= bound + 2.0 * n * f64::EPSILON);
    }
}

fn model(b: f64) -> ModelParams {
    ModelParams {
        b,
        ..ModelParams::default()
    }
}

/// Oracle: the same arithmetic. While `(1 + N) dt <= ds` every physical step is one
/// sub-step of length `dt` with the coefficients `N^m`, `a(N^m)`, `I(t^m)` — the density
/// step itself — so the densities agree bit for bit (no event: `b = 0`).
#[test]
fn a_step_of_one_substep_is_the_density_step_bit_for_bit() {
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let input = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let mut plain = MacroSolver::from_initial(model(0.0), input, config, &initial).unwrap();
    let mut dilated = plain
        .clone()
        .dilated(DilatedConfig {
            ds: 0.1,
            ..DilatedConfig::default()
        })
        .unwrap();
    for _ in 0..2000 {
        assert!(matches!(
            plain.step(f64::INFINITY),
            StepOutcome::Advanced { .. }
        ));
        let step = dilated.step().unwrap();
        assert_eq!(step.substeps, 1);
        assert_eq!(step.rate.to_bits(), plain.rate().to_bits());
        assert_eq!(dilated.solver().density(), plain.density());
        assert_eq!(dilated.time().to_bits(), plain.time().to_bits());
    }
}

/// Oracle: the exact solution up to discretisation. With `b = 0` the dilation is only a
/// change of clock, so the dilated solver and the density step solve the same equation at
/// the same physical times; both are first order in their (physical) step. Against a
/// reference density step at `dt / 64`, the plain step at `dt` has an error `E`; the
/// dilated solver with `ds = dt / 2` takes sub-steps `dt / (2 (1 + N)) <= dt / 2`, so its
/// error is at most about `E / 2`: the bound `0.6 E` leaves 20 % for the higher-order
/// terms. A kick and a pulse of input are on the way.
#[test]
fn without_coupling_the_dilation_is_a_change_of_clock() {
    let dt = 2e-3;
    let input = Input::Pulse {
        t0: 0.2,
        duration: 0.3,
        amplitude: 2.0,
    };
    let initial = InitialDensity::Gaussian {
        mean: 1.0,
        var: 0.1,
    };
    let run_plain = |dt: f64| {
        let config = MacroConfig {
            dt,
            ..MacroConfig::default()
        };
        let mut solver = MacroSolver::from_initial(model(0.0), input, config, &initial).unwrap();
        while solver.time() < 1.0 - dt / 2.0 {
            assert!(solver.step(f64::INFINITY).rate().is_some());
        }
        solver.density().to_vec()
    };
    let reference = run_plain(dt / 64.0);
    let plain = run_plain(dt);
    let config = MacroConfig {
        dt,
        ..MacroConfig::default()
    };
    let settings = DilatedConfig {
        ds: dt / 2.0,
        ..DilatedConfig::default()
    };
    let mut dilated = MacroSolver::from_initial(model(0.0), input, config, &initial)
        .unwrap()
        .dilated(settings)
        .unwrap();
    let mut substeps = 0;
    while dilated.time() < 1.0 - dt / 2.0 {
        substeps += dilated.step().unwrap().substeps;
    }
    assert!(substeps >= 1000, "{substeps}");
    let h = dilated.solver().grid().spacing();
    let l1 = |p: &[f64]| -> f64 {
        p.iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs() * h)
            .sum()
    };
    let (e_plain, e_dilated) = (l1(&plain), l1(dilated.solver().density()));
    println!("L1 error at t = 1: plain {e_plain:.3e}, dilated {e_dilated:.3e}");
    assert!(
        e_plain > 1e-5,
        "the plain error must be measurable: {e_plain:e}"
    );
    assert!(e_dilated <= 0.6 * e_plain, "{e_dilated:e} vs {e_plain:e}");
}

/// Oracle: the exact stationary rate (Siegert fixed point, docs/model.md §6). The
/// stationary state of a semi-implicit step does not depend on its length, so sub-steps
/// (`ds = dt / 5`) reach the density step's stationary state, within `2e-4` of the exact
/// rate on `dv = 0.005` (the density step's measured bound, tests/steady_state.rs).
#[test]
fn the_stationary_rate_is_reached() {
    for b in [0.5, 1.5] {
        let exact = stationary_rates(&model(b), 0.0).unwrap()[0];
        let config = MacroConfig {
            dv: 0.005,
            dt: 0.01,
            v_min: -6.0,
            ..MacroConfig::default()
        };
        let initial = InitialDensity::Gaussian {
            mean: 0.0,
            var: 0.5,
        };
        let settings = DilatedConfig {
            ds: 0.002,
            ..DilatedConfig::default()
        };
        let mut solver = MacroSolver::from_initial(model(b), Input::None, config, &initial)
            .unwrap()
            .dilated(settings)
            .unwrap();
        let mut last = 0.0;
        while solver.time() < 40.0 {
            let step = solver.step().unwrap();
            assert!(step.substeps >= 5);
            assert!(step.events.iter().all(Option::is_none));
            last = step.rate;
        }
        assert!((last - exact).abs() < 2e-4, "b = {b}: {last} vs {exact}");
    }
}

/// Blow-up A (docs/model.md §7): the density step's rate blows up near `t = 3.41` and
/// then saturates at a mesh level; the dilated solver passes through an event there and
/// returns to finite rates. Oracles: the conservation law (mass within `1e-10`), the
/// total synchronization the particles show (every later event fires nearly the whole
/// network, `>= 0.99`: after a total event everything sits at `V_R`, and `b = 3 > V_F -
/// V_R` makes the next event total again), the first event within the particles' first
/// burst times `3.413–3.513` (docs/multiscale.md, six seeds at `N_p = 2e4`), and a rate
/// between the events below the density step's saturation `a / h² = 2500`.
#[test]
fn blow_up_a_passes_through_events() {
    let config = MacroConfig {
        dt: 1e-4,
        ..MacroConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -1.0,
        var: 0.5,
    };
    let mut solver = MacroSolver::from_initial(model(3.0), Input::None, config, &initial)
        .unwrap()
        .dilated(DilatedConfig::default())
        .unwrap();
    let mut events = Vec::new();
    let mut quiet_max: f64 = 0.0;
    while solver.time() < 4.5 {
        let step = solver.step().unwrap();
        let fired: Vec<_> = step.events.iter().flatten().copied().collect();
        if fired.is_empty() {
            quiet_max = quiet_max.max(step.rate);
        }
        events.extend(fired);
        assert!((solver.mass() - 1.0).abs() < 1e-10);
    }
    println!("{events:?}");
    assert!(events.len() >= 3, "{events:?}");
    assert!((3.413..=3.513).contains(&events[0].t), "{events:?}");
    assert!(events[0].fraction > 0.9, "{events:?}");
    assert!(events[1..].iter().all(|e| e.fraction >= 0.99), "{events:?}");
    assert!(quiet_max < 2500.0, "{quiet_max}");
}

/// Oracle: the refusals name the field (nothing silent).
#[test]
fn what_the_dilated_solver_does_not_simulate_is_refused() {
    let config = MacroConfig::default();
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let solver = |params: ModelParams, config: MacroConfig| {
        MacroSolver::from_initial(params, Input::None, config, &initial).unwrap()
    };
    let a1 = ModelParams {
        a1: 0.1,
        ..model(1.0)
    };
    let refused = |s: MacroSolver, settings| s.dilated(settings).unwrap_err().field();
    assert_eq!(refused(solver(a1, config), DilatedConfig::default()), "a1");
    let zero = DilatedConfig {
        ds: 0.0,
        ..DilatedConfig::default()
    };
    assert_eq!(refused(solver(model(1.0), config), zero), "ds");
    let refractory = solver(model(1.0), config)
        .with_refractory(nlif_model::Refractory::Exponential { tau: 0.01 })
        .unwrap();
    assert_eq!(
        refused(refractory, DilatedConfig::default()),
        "refractory.tau"
    );
}
