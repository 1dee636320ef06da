//! A rate near `1/dt` is reported, not returned silently (issue: `Constant(i0: 1000)` gave
//! 724 (Macro) and 667 (Micro) against 998.5 exact without a word).
//!
//! Oracle: the exact stationary rate (nlif-model's Siegert rate) against `0.05 / dt`: a run
//! whose exact rate is far below it is not flagged, one whose exact rate is far above is,
//! in both solvers; bursts (multiple firing events) alone never flag a run.

use multiscale::{RunConfig, Simulation, SolverKind, UNRESOLVED_FRACTION};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams, siegert_rate};

fn flagged(kind: SolverKind, i0: f64, dt: f64) -> bool {
    let config = RunConfig {
        kind,
        macro_config: fp_macro::MacroConfig {
            dt,
            ..Default::default()
        },
        micro: MicroConfig {
            particles: 2000,
            dt,
            ..MicroConfig::default()
        },
        t_end: 0.5,
        sample_interval: 0.01,
        ..RunConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let input = Input::Constant { i0 };
    let mut run = Simulation::new(
        ModelParams::default(),
        input,
        &initial,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    run.run(&mut ()).unwrap();
    run.trace()
        .unresolved_rate(UNRESOLVED_FRACTION, |m| config.step_of(m))
        .is_some()
}

#[test]
fn rates_near_one_over_dt_are_flagged_in_both_solvers() {
    let dt = 1e-3;
    let limit = UNRESOLVED_FRACTION / dt;
    // Exact rates: ~1.9 (far below 50) and ~1000 (far above).
    let low = siegert_rate(2.5, 1.0, 2.0, 1.0).unwrap();
    let high = siegert_rate(1000.0, 1.0, 2.0, 1.0).unwrap();
    assert!(low < 0.1 * limit && high > 10.0 * limit);
    for kind in [SolverKind::Macro, SolverKind::Micro] {
        assert!(!flagged(kind, 2.5, dt), "{kind:?} at i0 = 2.5");
        assert!(flagged(kind, 1000.0, dt), "{kind:?} at i0 = 1000");
        assert!(flagged(kind, 1e300, dt), "{kind:?} at i0 = 1e300");
    }
}

/// A kick that fires the whole network in one instant is a multiple firing event, not an
/// unresolved rate: not flagged.
#[test]
fn a_synchronous_burst_alone_is_not_flagged() {
    let config = RunConfig {
        kind: SolverKind::Micro,
        micro: MicroConfig {
            particles: 2000,
            dt: 1e-3,
            ..MicroConfig::default()
        },
        t_end: 0.5,
        sample_interval: 1e-3,
        ..RunConfig::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.1,
    };
    let kick = Input::Kick { t0: 0.2, dv: 6.0 };
    let mut run = Simulation::new(
        ModelParams::default(),
        kick,
        &initial,
        config,
        Parallelism::Sequential,
    )
    .unwrap();
    run.run(&mut ()).unwrap();
    assert_eq!(run.trace().mfes.len(), 1);
    assert!(
        run.trace()
            .unresolved_rate(UNRESOLVED_FRACTION, |m| config.step_of(m))
            .is_none()
    );
}
