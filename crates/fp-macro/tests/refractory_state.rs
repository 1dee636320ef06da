//! Issue 27, density side: `τ = 0` is today's solver bit for bit, and a run with a
//! refractory period is saved and continued bit for bit. Each test names its oracle.

mod common;

use common::{
    BEFORE, CASES, INITIAL, INPUT, config, digest, older_state, params, refused_field, solver,
    through_json,
};
use fp_macro::{
    DensityDynamics, FrozenAt, MACRO_STATE_VERSION, MacroSolver, MacroState, Reinjection, Scheme,
    StepOutcome,
};
use nlif_model::Refractory;

/// Oracle: the solver before refractory periods existed (commit 303d286). The digests
/// [`common::BEFORE`] of 500 steps (every rate and every density value, bit for bit) were
/// written by that commit's solver, for each scheme and each re-injection and coefficient
/// timing of [`common::CASES`], with the input and the noise `a1` of [`common::params`];
/// today's solver without a period, and with `Refractory::None` or a period `τ = 0` of
/// either form, reproduces them.
#[test]
fn without_a_period_the_steps_are_those_of_the_solver_before_periods() {
    for ((scheme, reinjection, frozen_at), expected) in CASES.into_iter().zip(BEFORE) {
        let fresh = || solver(scheme, reinjection, frozen_at);
        assert_eq!(
            digest(&mut fresh(), 500),
            expected,
            "{scheme:?} {reinjection:?} {frozen_at:?}"
        );
        for none in [
            Refractory::None,
            Refractory::Fixed { tau: 0.0 },
            Refractory::Exponential { tau: 0.0 },
        ] {
            let mut solver = fresh().with_refractory(none).unwrap();
            assert_eq!(digest(&mut solver, 500), expected, "{none:?} {scheme:?}");
            assert_eq!(solver.refractory_mass(), 0.0);
            assert!(solver.state().refractory.is_none());
        }
    }
}

/// Oracle: the uninterrupted run. A run with a refractory period of either form, saved
/// after 330 steps (inside the second pass of a fixed period's ring of 250 steps) through
/// JSON, restored and continued, takes bit for bit the steps of the run that was not
/// interrupted: density, rate, refractory mass, and the history oldest first. The same
/// through [`DensityDynamics`].
#[test]
fn a_run_with_a_period_continues_bit_for_bit() {
    for reinjection in [Reinjection::Implicit, Reinjection::Explicit] {
        for period in [
            Refractory::Exponential { tau: 0.025 },
            Refractory::Fixed { tau: 0.025 },
        ] {
            let config = config(Scheme::ScharfetterGummel, reinjection, FrozenAt::StepEnd);
            let mut straight = MacroSolver::from_initial(params(), INPUT, config, &INITIAL)
                .unwrap()
                .with_refractory(period)
                .unwrap();
            for _ in 0..330 {
                assert!(straight.step(f64::INFINITY).rate().is_some());
            }
            let saved = straight.state();
            assert_eq!(saved.version, MACRO_STATE_VERSION);
            let compartment = saved.refractory.clone().unwrap();
            assert_eq!(compartment.period, period);
            assert_eq!(
                compartment.history.len(),
                if period.mean_time() > 0.0 && matches!(period, Refractory::Fixed { .. }) {
                    250
                } else {
                    0
                }
            );
            let restored = through_json(&saved);
            assert_eq!(restored, saved);
            let mut resumed = MacroSolver::from_state(restored).unwrap();
            let dynamics: DensityDynamics = saved.clone().into_dynamics();
            let mut again = MacroSolver::from_state(MacroState::from_dynamics(
                params(),
                INPUT,
                config,
                dynamics,
            ))
            .unwrap();
            for _ in 0..400 {
                let expected = straight.step(f64::INFINITY);
                assert!(matches!(expected, StepOutcome::Advanced { .. }));
                assert_eq!(resumed.step(f64::INFINITY), expected);
                assert_eq!(again.step(f64::INFINITY), expected);
            }
            for other in [&resumed, &again] {
                assert_eq!(other.density(), straight.density());
                assert_eq!(
                    other.refractory_mass().to_bits(),
                    straight.refractory_mass().to_bits()
                );
                assert_eq!(other.state(), straight.state());
            }
        }
    }
}

/// Oracle: the state's format rules. A version-2 state (before refractory periods: no
/// `refractory` field) is still read, as a state without a period; a saved compartment
/// whose history does not fit its period, with a negative rate, or a non-finite mass is
/// refused naming the field.
#[test]
fn saved_compartments_are_checked() {
    let plain = solver(
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepStart,
    );
    let old = older_state(&plain, "refractory", 2);
    let restored = MacroSolver::from_state(old).unwrap();
    assert_eq!(restored.refractory(), Refractory::None);

    let fixed = plain
        .clone()
        .with_refractory(Refractory::Fixed { tau: 0.01 })
        .unwrap()
        .state();
    let edit = |f: &dyn Fn(&mut fp_macro::RefractoryState)| {
        refused_field(&fixed, |state| f(state.refractory.as_mut().unwrap()))
    };
    assert_eq!(edit(&|c| c.history.push(0.0)), "refractory.history");
    assert_eq!(edit(&|c| c.history[3] = -1.0), "refractory.history");
    assert_eq!(edit(&|c| c.history[3] = f64::NAN), "refractory.history");
    assert_eq!(edit(&|c| c.mass = f64::INFINITY), "refractory.mass");
    assert_eq!(
        edit(&|c| c.period = Refractory::Fixed { tau: 0.01005 }),
        "refractory.tau"
    );
    assert_eq!(
        edit(&|c| c.period = Refractory::Exponential { tau: 0.01 }),
        "refractory.history"
    );
    assert_eq!(edit(&|c| c.period = Refractory::None), "refractory.tau");
}
