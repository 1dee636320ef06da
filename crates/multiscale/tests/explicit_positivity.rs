//! Explicit re-injection: `check` (preflight) accepts only settings whose run keeps the
//! density non-negative (issue: `dt = dv²/a0` passed the check and the run then ended
//! `positivity_lost`, and `a1 > 0` was not accounted for).
//!
//! Oracle: the run itself. Over random noise, coupling (up to blow-up, which drives the mass
//! into the last cell: the worst case of the bound), grid and time steps around the
//! derived limit, a Macro run that preflight accepted never ends with lost positivity.

use fp_macro::{FrozenAt, MacroConfig, Reinjection};
use multiscale::{Outcome, RunConfig, Simulation, SolverKind, preflight};
use nlif_micro::Parallelism;
use nlif_model::{InitialDensity, Input, ModelParams};
use proptest::prelude::*;

fn config(dv: f64, dt: f64, frozen_at: FrozenAt, steps: u64) -> RunConfig {
    RunConfig {
        kind: SolverKind::Macro,
        macro_config: MacroConfig {
            dv,
            dt,
            v_min: -3.0,
            reinjection: Reinjection::Explicit,
            frozen_at,
            ..MacroConfig::default()
        },
        t_end: steps as f64 * dt,
        sample_interval: dt,
        ..RunConfig::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn an_accepted_explicit_run_never_loses_positivity(
        a0 in 0.2f64..2.0,
        a1_fraction in prop::sample::select(vec![0.0, 0.0, 0.3, 0.8]),
        b in 0.0f64..4.0,
        dv in prop::sample::select(vec![0.02, 0.05, 0.1]),
        dt_fraction in 0.3f64..1.3,
        end_of_step in any::<bool>(),
        mean in -1.0f64..1.8,
    ) {
        let frozen_at = if end_of_step { FrozenAt::StepEnd } else { FrozenAt::StepStart };
        let a1 = a1_fraction * dv * dv;
        let params = ModelParams { a0, a1, b, ..ModelParams::default() };
        // Around the plain bound h²/a0 (the old check): below and above it.
        let dt = dt_fraction * dv * dv / a0;
        let run = config(dv, dt, frozen_at, 400);
        let initial = InitialDensity::Gaussian { mean, var: 0.05 };
        let Ok(_) = preflight(&params, &Input::None, &initial, &run) else {
            return Ok(());
        };
        let mut simulation =
            Simulation::new(params, Input::None, &initial, run, Parallelism::Sequential).unwrap();
        let outcome = simulation.run(&mut ()).unwrap();
        prop_assert!(
            !matches!(outcome, Outcome::PositivityLost { .. }),
            "a0 {} a1 {} b {} dv {} dt {} {:?}: {:?}", a0, a1, b, dv, dt, frozen_at, outcome
        );
    }
}

/// The reported case: `dt = dv²/a0` exactly (dv = 0.01, a0 = 1) passed and lost positivity
/// at t = 0.0012; now it is refused naming `solver.macro.dt`, and half of it runs.
#[test]
fn the_plain_bound_itself_is_refused_naming_dt() {
    let params = ModelParams::default();
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let at_bound = config(0.01, 1e-4, FrozenAt::StepStart, 100);
    let err = preflight(&params, &Input::None, &initial, &at_bound).unwrap_err();
    assert_eq!(err.field(), "solver.macro.dt", "{err}");
    let half = config(0.01, 5e-5, FrozenAt::StepStart, 100);
    let mut run =
        Simulation::new(params, Input::None, &initial, half, Parallelism::Sequential).unwrap();
    assert!(run.run(&mut ()).unwrap().is_completed());
    // a1 >= dv²: no bound on the noise, refused.
    let noisy = ModelParams { a1: 2e-4, ..params };
    let err = preflight(&noisy, &Input::None, &initial, &half).unwrap_err();
    assert_eq!(err.field(), "solver.macro.reinjection", "{err}");
}
