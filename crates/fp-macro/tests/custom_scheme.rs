//! Schemes defined outside the crate, through the public `FluxScheme` extension point.

use fp_macro::scheme::{ChangCooper, ScharfetterGummel, Upwind};
use fp_macro::{FluxScheme, MacroConfig, MacroSolver, Reinjection, Scheme, StepOutcome};
use nlif_model::{InitialDensity, Input, ModelParams};

/// Scharfetter–Gummel written from its definition `(A, B) = (B(-w), B(w))` with
/// `B(x) = x / (e^x - 1)`, sharing no code with the crate.
#[derive(Debug, Clone, Copy)]
struct SgReplica;

impl FluxScheme for SgReplica {
    fn weights(&self, w: f64) -> (f64, f64) {
        let bernoulli = |x: f64| if x == 0.0 { 1.0 } else { x / x.exp_m1() };
        (bernoulli(-w), bernoulli(w))
    }
}

/// Central differencing of the drift, `(A, B) = (1 + w/2, 1 - w/2)`: consistent, but one
/// weight is negative for `|w| > 2`, which breaks the M-matrix property.
#[derive(Debug, Clone, Copy)]
struct Central;

impl FluxScheme for Central {
    fn weights(&self, w: f64) -> (f64, f64) {
        (1.0 + 0.5 * w, 1.0 - 0.5 * w)
    }
}

/// Breaks the finiteness promise.
#[derive(Debug, Clone, Copy)]
struct NotANumber;

impl FluxScheme for NotANumber {
    fn weights(&self, _w: f64) -> (f64, f64) {
        (f64::NAN, f64::NAN)
    }
}

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

fn periodic() -> Input {
    Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    }
}

/// Oracle: the built-in Scharfetter–Gummel scheme, an independent evaluation of the same
/// weights (series / `B(w) + w` there, `x / expm1(x)` here). After 2000 coupled steps
/// with a time-dependent current the densities agree to 1e-12 relative (round-off
/// amplified by 2000 steps stays far below it), and the rates as well.
#[test]
fn a_replica_of_scharfetter_gummel_matches_the_built_in_scheme_to_round_off() {
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    for reinjection in [Reinjection::Implicit, Reinjection::Explicit] {
        let config = MacroConfig {
            scheme: Scheme::ScharfetterGummel,
            reinjection,
            dt: 1e-4,
            ..MacroConfig::default()
        };
        let mut builtin = MacroSolver::from_initial(params, periodic(), config, &INITIAL).unwrap();
        let mut replica =
            MacroSolver::from_initial_with(SgReplica, params, periodic(), config, &INITIAL)
                .unwrap();
        for _ in 0..2000 {
            let (a, b) = (builtin.step(f64::INFINITY), replica.step(f64::INFINITY));
            assert!(a.rate().is_some() && b.rate().is_some(), "{a:?} {b:?}");
        }
        let peak = builtin.density().iter().fold(0.0f64, |m, &p| m.max(p));
        let diff = builtin
            .density()
            .iter()
            .zip(replica.density())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f64, f64::max);
        assert!(diff <= 1e-12 * peak, "{reinjection:?}: {diff:e}");
        assert!((builtin.rate() - replica.rate()).abs() <= 1e-12 * builtin.rate());
        assert_eq!(builtin.time(), replica.time());
    }
}

/// The enum seen only through the trait (one match per face, the generic path).
#[derive(Debug, Clone, Copy)]
struct PerFace(Scheme);

impl FluxScheme for PerFace {
    fn weights(&self, w: f64) -> (f64, f64) {
        self.0.weights(w)
    }
}

/// A solver with `scheme` from `INITIAL` under the periodic input, after `steps` steps
/// that each advanced.
fn advanced<S: FluxScheme>(scheme: S, config: MacroConfig, steps: usize) -> MacroSolver<S> {
    let mut solver = MacroSolver::from_initial_with(
        scheme,
        ModelParams::default(),
        periodic(),
        config,
        &INITIAL,
    )
    .unwrap();
    for _ in 0..steps {
        assert!(solver.step(f64::INFINITY).rate().is_some());
    }
    solver
}

/// Oracle: the enum's dispatch is the arithmetic of the scheme it names. For each variant,
/// the solver's once-per-step dispatch (`Scheme` from the config), the unit struct as a
/// custom scheme, and the enum through the trait per face give the same run, bit for bit.
#[test]
fn the_scheme_enum_dispatches_to_the_same_arithmetic() {
    fn run<S: FluxScheme>(scheme: S, config: MacroConfig) -> MacroSolver<S> {
        advanced(scheme, config, 500)
    }
    for scheme in [
        Scheme::ChangCooper,
        Scheme::ScharfetterGummel,
        Scheme::Upwind,
    ] {
        let config = MacroConfig {
            scheme,
            dt: 1e-3,
            ..MacroConfig::default()
        };
        let by_enum = run(scheme, config);
        let by_trait = run(PerFace(scheme), config);
        let bits = |p: &[f64]| p.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(by_enum.density()), bits(by_trait.density()));
        assert_eq!(by_enum.rate().to_bits(), by_trait.rate().to_bits());
        let by_type = match scheme {
            Scheme::ChangCooper => bits(run(ChangCooper, config).density()),
            Scheme::ScharfetterGummel => bits(run(ScharfetterGummel, config).density()),
            _ => bits(run(Upwind, config).density()),
        };
        assert_eq!(bits(by_enum.density()), by_type, "{scheme:?}");
    }
}

/// A run-time choice between two schemes of this file, dispatched like the built-in enum:
/// `dispatch` matches once per step and hands over the chosen scheme. Its own `weights`
/// panics, so a step that fell back to the per-face path would fail.
#[derive(Debug, Clone, Copy)]
enum Choice {
    Replica,
    Upwind,
}

impl FluxScheme for Choice {
    fn weights(&self, _w: f64) -> (f64, f64) {
        panic!("the step must run the scheme `dispatch` hands over, not the enum per face")
    }

    fn dispatch<V: fp_macro::SchemeVisitor>(&self, visitor: V) -> V::Output {
        match self {
            Choice::Replica => visitor.visit(&SgReplica),
            Choice::Upwind => visitor.visit(&Upwind),
        }
    }
}

/// Oracle: the scheme each variant names, run on its own. A scheme of the caller's that
/// chooses at run time gets the built-in enum's once-per-step dispatch through the same
/// trait method (the step never calls the enum's `weights`), and its run is the chosen
/// scheme's, bit for bit.
#[test]
fn a_custom_choice_of_schemes_dispatches_once_per_step() {
    fn run<S: FluxScheme>(scheme: S) -> Vec<u64> {
        let config = MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        };
        let solver = advanced(scheme, config, 200);
        let mut bits: Vec<u64> = solver.density().iter().map(|x| x.to_bits()).collect();
        bits.push(solver.rate().to_bits());
        bits
    }
    assert_eq!(run(Choice::Replica), run(SgReplica));
    assert_eq!(run(Choice::Upwind), run(Upwind));
}

/// Runs `step` on `solver` once and checks that the state did not move.
fn refused<S: FluxScheme>(solver: &mut MacroSolver<S>, bound: f64) -> StepOutcome {
    let (density, rate, steps) = (solver.density().to_vec(), solver.rate(), solver.steps());
    let outcome = solver.step(bound);
    assert_eq!(solver.density(), &density[..], "{outcome:?}");
    assert_eq!((solver.rate(), solver.steps()), (rate, steps));
    outcome
}

/// Every outcome of a step is reported for a scheme defined outside the crate, and every
/// refusal leaves the state at `t^m`. Oracles per outcome: the caller's bound; the
/// explicit positivity condition `dt <= h²/a` (max_dt = h²/a0 exactly as computed); the
/// remap of a kick of 0.8 applied to mass within 0.8 of `V_F`; the sign of the central
/// weights for `|w| > 2` (`w = 40 · 0.1 = 4` here); NaN weights.
#[test]
fn every_outcome_is_reachable_with_a_custom_scheme() {
    let params = ModelParams::default();
    let near_threshold = InitialDensity::Gaussian {
        mean: 1.5,
        var: 0.1,
    };
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };

    // Advanced, then RateAboveBound under a bound below the rate.
    let mut solver =
        MacroSolver::from_initial_with(SgReplica, params, Input::None, config, &near_threshold)
            .unwrap();
    let StepOutcome::Advanced { rate } = solver.step(f64::INFINITY) else {
        panic!("did not advance");
    };
    assert!(rate > 0.0);
    match refused(&mut solver, 0.5 * rate) {
        StepOutcome::RateAboveBound { rate: r, bound } => {
            assert!(r > bound && bound == 0.5 * rate);
        }
        other => panic!("{other:?}"),
    }

    // PositivityLost: explicit re-injection with dt = 5 h²/a.
    let h = config.dv;
    let explicit = MacroConfig {
        reinjection: Reinjection::Explicit,
        dt: 5.0 * h * h / params.a0,
        ..config
    };
    let mut solver =
        MacroSolver::from_initial_with(SgReplica, params, Input::None, explicit, &near_threshold)
            .unwrap();
    match refused(&mut solver, f64::INFINITY) {
        StepOutcome::PositivityLost { max_dt } => {
            assert!((max_dt - h * h / params.a0).abs() <= 1e-15, "{max_dt}");
        }
        other => panic!("{other:?}"),
    }

    // SynchronousKick: a kick of 0.8 at t = 0 pushes the mass above 1.2 over V_F = 2.
    let kick = Input::Kick { t0: 0.0, dv: 0.8 };
    let mut solver =
        MacroSolver::from_initial_with(SgReplica, params, kick, config, &near_threshold).unwrap();
    match refused(&mut solver, f64::INFINITY) {
        StepOutcome::SynchronousKick { t0, dv, fraction } => {
            assert_eq!((t0, dv), (0.0, 0.8));
            assert!(fraction > 0.5 && fraction <= 1.0, "{fraction}");
        }
        other => panic!("{other:?}"),
    }

    // NegativeDensity: central weights at cell Péclet number 4 (strong drift, h = 0.1).
    let coarse = MacroConfig {
        dv: 0.1,
        dt: 1.0,
        ..config
    };
    let strong = Input::Constant { i0: 40.0 };
    let mut solver =
        MacroSolver::from_initial_with(Central, params, strong, coarse, &INITIAL).unwrap();
    match refused(&mut solver, f64::INFINITY) {
        StepOutcome::NegativeDensity { index, value } => {
            assert!(
                value < 0.0 && index < solver.grid().len(),
                "{index} {value}"
            );
        }
        other => panic!("{other:?}"),
    }

    // NonFinite: NaN weights.
    let mut solver =
        MacroSolver::from_initial_with(NotANumber, params, Input::None, config, &INITIAL).unwrap();
    assert_eq!(refused(&mut solver, f64::INFINITY), StepOutcome::NonFinite);
}

/// Upwind with the drift counted twice (`A - B = 2w`): conservative and positive, so no
/// outcome of a step reveals it, but the stationary density is that of twice the drift
/// (the rate 0.042 against the exact 0.120).
#[derive(Debug, Clone, Copy)]
struct DriftTwice;

impl FluxScheme for DriftTwice {
    fn weights(&self, w: f64) -> (f64, f64) {
        (1.0 + 2.0 * w.max(0.0), 1.0 + 2.0 * (-w).max(0.0))
    }
}

/// Oracle: the promises of `FluxScheme` as documented. The replica keeps them all; each
/// scheme of this file that breaks one is named by the promise it breaks.
#[test]
fn check_consistency_names_the_broken_promise() {
    use fp_macro::scheme::{SchemeViolation, check_consistency};
    assert_eq!(check_consistency(&SgReplica), Ok(()));
    assert_eq!(check_consistency(&PerFace(Scheme::ChangCooper)), Ok(()));
    assert!(matches!(
        check_consistency(&Central),
        Err(SchemeViolation::Negative { .. })
    ));
    assert!(matches!(
        check_consistency(&NotANumber),
        Err(SchemeViolation::NonFinite { .. })
    ));
    let twice = check_consistency(&DriftTwice);
    let Err(SchemeViolation::Inconsistent { w, difference, .. }) = twice else {
        panic!("{twice:?}");
    };
    assert_eq!(difference, 2.0 * w);
}

/// Oracle: the consistency promise, checked per face in builds with debug assertions or
/// the feature `check-faces`. A solver stepping the scheme with `A - B = 2w` panics at
/// its first step instead of running to the wrong density. (Release builds without the
/// feature check nothing per face: CI runs this one with
/// `cargo test -p fp-macro --features check-faces --release --test custom_scheme`.)
#[cfg(any(debug_assertions, feature = "check-faces"))]
#[test]
#[should_panic(expected = "breaks its consistency promise")]
fn a_debug_step_panics_on_an_inconsistent_scheme() {
    let config = MacroConfig {
        dt: 1e-3,
        ..MacroConfig::default()
    };
    let mut solver = MacroSolver::from_initial_with(
        DriftTwice,
        ModelParams::default(),
        Input::None,
        config,
        &INITIAL,
    )
    .unwrap();
    let _ = solver.step(f64::INFINITY);
}
