//! Shared set-up of the state tests of a density with a history (`delay_state.rs`,
//! `refractory_state.rs`): one solver configuration, the digests of the solver before
//! refractory periods and delays existed, and the round trip of a saved state.

use fp_macro::{FrozenAt, MacroConfig, MacroSolver, MacroState, Reinjection, Scheme};
use nlif_model::{InitialDensity, Input, ModelParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The solver's configuration: the given scheme and timings, `h = 0.02` on `[-4, 2]`,
/// `dt = 1e-4`.
pub(crate) fn config(scheme: Scheme, reinjection: Reinjection, frozen_at: FrozenAt) -> MacroConfig {
    MacroConfig {
        scheme,
        reinjection,
        frozen_at,
        dv: 0.02,
        dt: 1e-4,
        v_min: -4.0,
    }
}

pub(crate) const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.1,
};

pub(crate) const INPUT: Input = Input::Periodic {
    i0: 0.5,
    amplitude: 1.0,
    period: 0.3,
    phase: 0.2,
};

pub(crate) fn params() -> ModelParams {
    ModelParams {
        b: 0.5,
        a1: 0.1,
        ..ModelParams::default()
    }
}

/// A fresh solver of [`params`], [`INPUT`] and [`INITIAL`] with [`config`]`(scheme, ...)`.
pub(crate) fn solver(scheme: Scheme, reinjection: Reinjection, frozen_at: FrozenAt) -> MacroSolver {
    let config = config(scheme, reinjection, frozen_at);
    MacroSolver::from_initial(params(), INPUT, config, &INITIAL).unwrap()
}

/// FNV-1a over the bits of the density and the rate after every step.
pub(crate) fn digest(solver: &mut MacroSolver, steps: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: f64| {
        for byte in x.to_bits().to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for _ in 0..steps {
        let rate = solver.step(f64::INFINITY).rate().expect("advances");
        eat(rate);
        for &p in solver.density() {
            eat(p);
        }
    }
    hash
}

/// The schemes and timings of [`BEFORE`].
pub(crate) const CASES: [(Scheme, Reinjection, FrozenAt); 4] = [
    (
        Scheme::ScharfetterGummel,
        Reinjection::Implicit,
        FrozenAt::StepStart,
    ),
    (
        Scheme::ScharfetterGummel,
        Reinjection::Explicit,
        FrozenAt::StepStart,
    ),
    (
        Scheme::ChangCooper,
        Reinjection::Implicit,
        FrozenAt::StepEnd,
    ),
    (Scheme::Upwind, Reinjection::Explicit, FrozenAt::StepEnd),
];

/// The [`digest`]s of 500 steps of the solver before refractory periods and delays existed
/// (commit 303d286), one for each of [`CASES`], written by that commit's solver (every
/// rate and every density value, bit for bit).
pub(crate) const BEFORE: [u64; 4] = [
    0xbb96_91b6_1f85_f97b,
    0x6ea4_7645_ff14_068b,
    0x38a5_88bd_7b6b_c70d,
    0xd181_6fa9_6af4_52d7,
];

/// `state` written as JSON and read back.
pub(crate) fn through_json<T: Serialize + DeserializeOwned>(state: &T) -> T {
    serde_json::from_str(&serde_json::to_string(state).unwrap()).unwrap()
}

/// The state of `solver` as a writer of format `version` wrote it: without the field
/// `field`, which that version did not have.
pub(crate) fn older_state(solver: &MacroSolver, field: &str, version: u32) -> MacroState {
    let mut old = serde_json::to_value(solver.state()).unwrap();
    let object = old.as_object_mut().unwrap();
    object.remove(field);
    object.insert("version".into(), version.into());
    serde_json::from_value(old).unwrap()
}

/// The field a restore of `state`, changed by `edit`, is refused for.
pub(crate) fn refused_field(
    state: &MacroState,
    edit: impl FnOnce(&mut MacroState),
) -> &'static str {
    let mut state = state.clone();
    edit(&mut state);
    MacroSolver::from_state(state).unwrap_err().field()
}
