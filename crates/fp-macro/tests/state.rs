//! Saving and restoring a solver: `state()` → JSON → `from_state` continues bit for bit.

use fp_macro::{
    FluxScheme, FrozenAt, MACRO_STATE_VERSION, MacroConfig, MacroError, MacroSolver, MacroState,
    Reinjection, Scheme, StepOutcome,
};
use nlif_model::{InitialDensity, Input, ModelParams};

const SCHEMES: [Scheme; 3] = [
    Scheme::ChangCooper,
    Scheme::ScharfetterGummel,
    Scheme::Upwind,
];
const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};
/// Steps of the straight run; the saved one stops half-way.
const STEPS: u64 = 2000;
/// A clock start that is not a multiple of `dt`, so that re-basing the clock would show.
const T_START: f64 = 0.1;

fn params() -> ModelParams {
    // b and a1 non-zero: the drift and the diffusion both depend on the carried rate.
    ModelParams {
        b: 0.5,
        a1: 0.1,
        ..ModelParams::default()
    }
}

/// A periodic current (time-dependent drift every step) and a kick in the second half
/// (which needs the exact clock to land in the same step).
fn inputs() -> [Input; 2] {
    [
        Input::Periodic {
            i0: 0.5,
            amplitude: 1.0,
            period: 0.037,
            phase: 0.3,
        },
        Input::Kick {
            t0: T_START + 0.1537,
            dv: -0.3,
        },
    ]
}

fn config(scheme: Scheme, reinjection: Reinjection) -> MacroConfig {
    // dt <= h² / a(N) (explicit re-injection) for rates up to ~30. The explicit
    // re-injection freezes at the step start, the implicit one at the step end, so the
    // saved `previous_rate` is exercised.
    MacroConfig {
        scheme,
        reinjection,
        dv: 0.02,
        dt: 1e-4,
        v_min: -4.0,
        frozen_at: match reinjection {
            Reinjection::Explicit => FrozenAt::StepStart,
            _ => FrozenAt::StepEnd,
        },
    }
}

/// A solver at `T_START`, through the constructor the multi-scale solver uses.
fn fresh<S: FluxScheme>(scheme: S, input: Input, config: MacroConfig) -> MacroSolver<S> {
    let probe = MacroSolver::from_initial(params(), input, config, &INITIAL).unwrap();
    let density = probe.density().to_vec();
    MacroSolver::with_scheme(scheme, params(), input, config, density, T_START, None).unwrap()
}

fn advance<S: FluxScheme>(solver: &mut MacroSolver<S>, steps: u64) {
    for _ in 0..steps {
        let outcome = solver.step(f64::INFINITY);
        assert!(
            matches!(outcome, StepOutcome::Advanced { .. }),
            "t = {}: {outcome:?}",
            solver.time()
        );
    }
}

fn assert_bit_identical<S: FluxScheme, T: FluxScheme>(a: &MacroSolver<S>, b: &MacroSolver<T>) {
    assert_eq!(a.density().len(), b.density().len());
    if let Some((i, (x, y))) = a
        .density()
        .iter()
        .zip(b.density())
        .enumerate()
        .find(|(_, (x, y))| x.to_bits() != y.to_bits())
    {
        panic!("density differs first at node {i}: {x:e} vs {y:e}");
    }
    assert_eq!(a.rate().to_bits(), b.rate().to_bits());
    assert_eq!(a.time().to_bits(), b.time().to_bits());
    assert_eq!(a.steps(), b.steps());
}

/// Saves to a JSON string, drops everything else, and restores from the string alone.
fn through_json(state: MacroState) -> MacroState {
    let text = serde_json::to_string(&state).unwrap();
    drop(state);
    serde_json::from_str(&text).unwrap()
}

/// Oracle: the straight run itself. Running STEPS steps equals running STEPS/2, saving the
/// state as JSON, restoring it in a fresh solver and running STEPS/2 more — densities,
/// rate and time bit-identical — for every built-in scheme, both re-injections, both
/// `FrozenAt`, a time-dependent current and a kick.
#[test]
fn a_restored_run_continues_bit_for_bit() {
    for scheme in SCHEMES {
        for reinjection in [Reinjection::Implicit, Reinjection::Explicit] {
            for input in inputs() {
                let config = config(scheme, reinjection);
                let mut straight = fresh(scheme, input, config);
                advance(&mut straight, STEPS);

                let mut first = fresh(scheme, input, config);
                advance(&mut first, STEPS / 2);
                let saved = through_json(first.state());
                drop(first);
                assert_eq!(saved.version, MACRO_STATE_VERSION);
                assert_eq!((saved.t_start, saved.steps), (T_START, STEPS / 2));
                let mut second = MacroSolver::from_state(saved).unwrap();
                advance(&mut second, STEPS / 2);

                assert_bit_identical(&straight, &second);
                assert_eq!(straight.state(), second.state());
            }
        }
    }
}

/// A custom scheme (Patankar's power law, defined here) is restored with
/// `from_state_with`. Oracle: the straight run, bit for bit.
#[test]
fn a_custom_scheme_is_restored_with_the_scheme_given_again() {
    #[derive(Debug, Clone, Copy)]
    struct PowerLaw;
    impl FluxScheme for PowerLaw {
        fn weights(&self, w: f64) -> (f64, f64) {
            let d = (1.0 - 0.1 * w.abs()).max(0.0).powi(5);
            (d + w.max(0.0), d + (-w).max(0.0))
        }
    }
    let input = inputs()[0];
    let config = config(Scheme::Upwind, Reinjection::Implicit); // config.scheme unused
    let mut straight = fresh(PowerLaw, input, config);
    advance(&mut straight, STEPS);
    let mut first = fresh(PowerLaw, input, config);
    advance(&mut first, STEPS / 2);
    let saved = through_json(first.state());
    let mut second = MacroSolver::from_state_with(PowerLaw, saved).unwrap();
    advance(&mut second, STEPS / 2);
    assert_bit_identical(&straight, &second);
}

/// Why the clock is saved as (t_start, steps). Oracle: the clock's definition
/// `t_start + steps · dt`. Restarting through `new` at the current time re-bases the clock
/// at `time()`, and its times differ from the straight run's in the last bits for some of
/// the next steps (so a periodic input would not be reproduced); the restored state's are
/// identical for all of them.
#[test]
fn restarting_from_the_time_alone_would_shift_the_clock() {
    let input = inputs()[0];
    let config = config(Scheme::ScharfetterGummel, Reinjection::Implicit);
    let mut straight = fresh(Scheme::ScharfetterGummel, input, config);
    advance(&mut straight, STEPS / 2);
    let state = straight.state();
    let mut restored = MacroSolver::from_state(state.clone()).unwrap();
    let mut rebased = MacroSolver::new(
        state.params,
        state.input,
        state.config,
        state.density.clone(),
        straight.time(),
        Some(state.rate),
    )
    .unwrap();
    let mut differ = 0;
    for _ in 0..STEPS / 2 {
        assert_eq!(restored.time().to_bits(), straight.time().to_bits());
        differ += usize::from(rebased.time().to_bits() != straight.time().to_bits());
        for solver in [&mut straight, &mut restored, &mut rebased] {
            assert!(solver.step(f64::INFINITY).rate().is_some());
        }
    }
    assert!(differ > 0, "the re-based clock happened to agree");
}

/// Oracle: the validation rules of `from_state`, each refusal naming its field.
#[test]
fn invalid_states_are_refused_naming_the_field() {
    let config = config(Scheme::ScharfetterGummel, Reinjection::Implicit);
    let solver = fresh(Scheme::ScharfetterGummel, inputs()[0], config);
    let good = solver.state();
    assert!(MacroSolver::from_state(good.clone()).is_ok());

    let mut state = good.clone();
    state.version = MACRO_STATE_VERSION + 1;
    let err = MacroSolver::from_state(state).unwrap_err();
    assert_eq!(
        err,
        MacroError::StateVersion {
            found: MACRO_STATE_VERSION + 1,
            supported: MACRO_STATE_VERSION
        }
    );
    assert_eq!(err.field(), "version");

    type Spoil = fn(&mut MacroState);
    let cases: [(&str, Spoil); 9] = [
        ("density", |s| {
            s.density.pop();
        }),
        ("density", |s| s.density[3] = f64::NAN),
        ("density", |s| s.density[3] = -1e-300),
        ("rate", |s| s.rate = f64::NAN),
        ("rate", |s| s.rate = -1.0),
        ("t_start", |s| s.t_start = f64::INFINITY),
        ("dt", |s| s.config.dt = 0.0),
        ("input.period", |s| {
            s.input = Input::Periodic {
                i0: 0.0,
                amplitude: 1.0,
                period: -1.0,
                phase: 0.0,
            };
        }),
        // t_start + steps · dt overflows.
        ("steps", |s| {
            s.config.dt = 1e300;
            s.steps = u64::MAX;
        }),
    ];
    for (field, spoil) in cases {
        let mut state = good.clone();
        spoil(&mut state);
        let err = MacroSolver::from_state(state).unwrap_err();
        assert_eq!(err.field(), field, "{err}");
    }

    // An unknown field (a newer writer) is refused by the reader.
    let mut value: serde_json::Value = serde_json::to_value(&good).unwrap();
    value["extra"] = serde_json::json!(1.0);
    assert!(serde_json::from_value::<MacroState>(value).is_err());
}
