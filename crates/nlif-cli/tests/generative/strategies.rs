//! What the generative tests run: configs built field by field from typical,
//! borderline and invalid values, and `--set` overrides of a valid run.

use proptest::prelude::*;

/// One of a few typical values, or a borderline or invalid one.
fn float(typical: &'static [f64]) -> impl Strategy<Value = f64> {
    let odd: &'static [f64] = &[
        0.0,
        -0.0,
        -1.0,
        1e-300,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    prop_oneof![
        40 => prop::sample::select(typical),
        1 => prop::sample::select(odd),
    ]
}

/// A RON float: `inf`, `-inf`, `NaN`, or the shortest round-trip decimal.
fn ron(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:?}")
    }
}

fn input() -> impl Strategy<Value = String> {
    let t = || float(&[0.0, 0.02, 0.05, 0.2]);
    prop_oneof![
        3 => Just("None".to_owned()),
        1 => float(&[0.5, 2.0, -1.0]).prop_map(|i| format!("Constant(i0: {})", ron(i))),
        // Kick times on and between the grid times of the drawn steps (0.03 = 3 · 0.01,
        // 0.0105 = 21 · 5e-4, 3 · 0.1 ≠ 0.3 in binary) and past the end.
        1 => (float(&[0.0, 0.02, 0.05, 0.03, 0.0105, 0.0123, 0.3, 0.1 + 0.2, 1.0]), float(&[0.3, 1.0, 3.0, -0.5])).prop_map(|(t0, dv)| format!("Kick(t0: {}, dv: {})", ron(t0), ron(dv))),
        1 => (t(), t(), float(&[1.0, 5.0])).prop_map(|(t0, d, a)| format!("Pulse(t0: {}, duration: {}, amplitude: {})", ron(t0), ron(d), ron(a))),
        1 => (float(&[0.0, 0.5]), float(&[3.0, 1.0]), float(&[0.02, 2.0]), t()).prop_map(|(i0, a, p, ph)| format!("Periodic(i0: {}, amplitude: {}, period: {}, phase: {})", ron(i0), ron(a), ron(p), ron(ph))),
    ]
}

fn model() -> impl Strategy<Value = String> {
    (
        float(&[1.0, 0.5, 2.0]),
        float(&[0.0, 0.0, 0.5]),
        float(&[0.0, 0.5, 1.5, 3.0, -2.0]),
        float(&[2.0, 2.0, 1.5]),
        float(&[1.0, 1.0, 0.0]),
        input(),
    )
        .prop_map(|(a0, a1, b, v_f, v_r, input)| {
            format!(
                "(a0: {}, a1: {}, b: {}, v_f: {}, v_r: {}, input: {input})",
                ron(a0),
                ron(a1),
                ron(b),
                ron(v_f),
                ron(v_r)
            )
        })
}

fn solver() -> impl Strategy<Value = String> {
    let macro_ = (
        prop::sample::select(&["ChangCooper", "ScharfetterGummel", "Upwind"][..]),
        float(&[-4.0, -2.0, 0.9]),
        float(&[0.02, 0.05, 0.1, 0.03]),
        float(&[1e-3, 5e-4, 1e-2]),
        prop::sample::select(&["Implicit", "Implicit", "Explicit"][..]),
    )
        .prop_map(|(scheme, v_min, dv, dt, re)| {
            format!(
                "(scheme: {scheme}, v_min: {}, dv: {}, dt: {}, reinjection: {re})",
                ron(v_min),
                ron(dv),
                ron(dt)
            )
        });
    let micro = (
        prop::sample::select(&[1usize, 2, 5, 50, 500, 2000, 0, 4_294_967_295, 1 << 40][..]),
        float(&[1e-3, 5e-4, 1e-2]),
        prop::sample::select(&["EulerMaruyama", "BrownianBridge", "ExactOu"][..]),
        float(&[0.01, 0.0, 0.5]),
    )
        .prop_map(|(n, dt, stepper, fraction)| {
            format!(
                "(particles: {n}, dt: {}, stepper: {stepper}, mfe_min_fraction: {})",
                ron(dt),
                ron(fraction)
            )
        });
    let estimator = prop_oneof![
        Just("Histogram".to_owned()),
        Just("Kernel(bandwidth: Silverman)".to_owned()),
        float(&[0.05, 0.2]).prop_map(|h| format!("Kernel(bandwidth: Fixed({}))", ron(h))),
    ];
    let switching = (
        prop_oneof![
            3 => Just("RateHysteresis".to_owned()),
            1 => float(&[0.01, 0.5]).prop_map(|f| format!("FiringFraction(fraction: {})", ron(f))),
        ],
        float(&[5.0, 2.0, 0.5]),
        float(&[1.0, 0.2, 0.0]),
        float(&[0.02, 0.0, 0.1]),
        float(&[0.02, 0.005]),
        float(&[0.02, 0.0]),
        prop::sample::select(&["InverseCdf", "Stratified", "Quantile"][..]),
        estimator,
        any::<bool>(),
    )
        .prop_map(
            |(policy, up, down, dwell, smoothing, rollback, sampler, estimator, match_rate)| {
                format!(
                    "(policy: {policy}, rate_up: {}, rate_down: {}, dwell: {}, smoothing: {}, rollback: {}, sampler: {sampler}, estimator: {estimator}, match_rate: {match_rate})",
                    ron(up),
                    ron(down),
                    ron(dwell),
                    ron(smoothing),
                    ron(rollback)
                )
            },
        );
    let blow_up = (float(&[5.0, 1.0]), any::<bool>())
        .prop_map(|(rate, stop)| format!("(rate: {}, stop: {stop})", ron(rate)));
    (
        prop::sample::select(&["Macro", "Micro", "Multiscale"][..]),
        macro_,
        micro,
        switching,
        blow_up,
    )
        .prop_map(|(kind, m, p, s, b)| {
            format!("(kind: {kind}, macro: {m}, micro: {p}, switching: {s}, blow_up: {b})")
        })
}

pub(super) fn config() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            20 => Just("case"),
            1 => prop::sample::select(&[".", "..", "a/b", ""][..]),
        ],
        model(),
        (float(&[-1.0, 0.5, 1.5]), float(&[0.5, 0.05, 1e-3])),
        solver(),
        float(&[0.05, 0.02, 0.1, 0.05, 0.02, 0.1, 0.0105]),
        any::<u64>(),
        (
            float(&[1e-2, 2e-2, 0.03, 1e-2, 2e-2, 0.03, 10.0, 1.5e-3]),
            prop_oneof![
                Just("None".to_owned()),
                float(&[0.06, 0.12, 0.06, 0.12, 1e-3]).prop_map(|d| format!("Some({})", ron(d))),
            ],
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |(name, model, (mean, var), solver, t_end, seed, (interval, density, plots))| {
                format!(
                    "(\n name: {name:?},\n model: {model},\n initial: Gaussian(mean: {}, var: {}),\n solver: {solver},\n t_end: {},\n seed: {seed},\n output: (interval: {}, density_interval: {density}, plots: {plots}),\n)\n",
                    ron(mean),
                    ron(var),
                    ron(t_end),
                    ron(interval)
                )
            },
        )
}

/// A valid short run of each solver kind, to be perturbed by `--set`.
pub(super) const BASE: &str = r#"(
    name: "base",
    model: (b: 1.5, input: Kick(t0: 0.02, dv: 0.6)),
    initial: Gaussian(mean: 1.2, var: 0.05),
    solver: (
        kind: Multiscale,
        macro: (dv: 0.02, dt: 1e-3),
        micro: (particles: 300, dt: 5e-4),
        switching: (dwell: 0.01),
    ),
    t_end: 0.06,
    seed: 5,
    output: (interval: 1e-2, density_interval: Some(0.02), plots: false),
)
"#;

/// Dotted paths and the values a user might give them, typical and not.
const OVERRIDES: &[(&str, &[&str])] = &[
    ("solver.kind", &["Macro", "Micro", "Multiscale"]),
    ("model.a0", &["0.5", "0", "1e300", "NaN", "1e-300"]),
    ("model.a1", &["0.5", "-1", "1e300", "inf"]),
    ("model.b", &["0", "3", "-2", "1e300", "-1e300", "NaN"]),
    ("model.v_f", &["1.5", "-1", "1e300", "1.02"]),
    ("model.v_r", &["0", "2", "1.96", "-1e300"]),
    (
        "model.input",
        &[
            "None",
            "Kick(t0: 0.0, dv: 5.0)",
            "Kick(t0: 0.03, dv: -3.0)",
            "Constant(i0: 1e300)",
            "Periodic(i0: 0.0, amplitude: 3.0, period: 1e-300, phase: 0.0)",
            "Pulse(t0: 0.0, duration: 1e300, amplitude: 2.0)",
        ],
    ),
    ("initial.mean", &["-1", "1.99", "2", "100", "-1e300"]),
    ("initial.var", &["1e-6", "1e-300", "1e300", "0"]),
    (
        "solver.macro.v_min",
        &["-1", "0.98", "0.9999999999", "-1e300", "-100"],
    ),
    (
        "solver.macro.dv",
        &["0.01", "0.1", "0.25", "1e-12", "1e-300"],
    ),
    ("solver.macro.dt", &["5e-4", "1e-2", "2e-2", "0", "1e-300"]),
    ("solver.macro.scheme", &["ChangCooper", "Upwind"]),
    ("solver.macro.reinjection", &["Explicit"]),
    ("solver.macro.frozen_at", &["StepEnd"]),
    (
        "solver.switching.settle",
        &["Some(0.02)", "Some(0)", "Some(-1)", "Some(1e300)"],
    ),
    (
        "solver.micro.particles",
        &[
            "1",
            "2",
            "4096",
            "4097",
            "0",
            "4294967295",
            "18446744073709551615",
        ],
    ),
    ("solver.micro.dt", &["1e-3", "3e-4", "0.5", "1e-300"]),
    ("solver.micro.stepper", &["EulerMaruyama", "ExactOu"]),
    ("solver.micro.normals", &["Ziggurat", "BoxMuller"]),
    ("solver.micro.mfe_min_fraction", &["0", "1", "2"]),
    ("solver.switching.rate_up", &["0.1", "1e300", "0"]),
    ("solver.switching.rate_down", &["0", "1e300", "-1"]),
    ("solver.switching.dwell", &["0", "1e300"]),
    ("solver.switching.rollback", &["0", "0.05", "1e300"]),
    ("solver.switching.smoothing", &["1e-300", "1e300"]),
    (
        "solver.switching.policy",
        &[
            "FiringFraction(fraction: 1e-9)",
            "FiringFraction(fraction: 1.0)",
        ],
    ),
    ("solver.switching.sampler", &["InverseCdf", "Quantile"]),
    (
        "solver.switching.estimator",
        &[
            "Histogram",
            "Kernel(bandwidth: Fixed(1e-300))",
            "Kernel(bandwidth: Fixed(1e300))",
        ],
    ),
    ("solver.switching.match_rate", &["false"]),
    (
        "solver.blow_up",
        &["(rate: 1e-300, stop: true)", "(rate: 0.5, stop: false)"],
    ),
    ("t_end", &["0.001", "0.0605", "1e-300", "0.2"]),
    ("output.interval", &["1e-3", "0.05", "1e300", "7e-3"]),
    (
        "output.density_interval",
        &["None", "Some(0.01)", "Some(1e-300)"],
    ),
    ("output.plots", &["true"]),
    ("seed", &["0", "18446744073709551615"]),
];

pub(super) fn overrides() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (0..OVERRIDES.len(), any::<prop::sample::Index>()).prop_map(|(k, pick)| {
            let (path, values) = OVERRIDES[k];
            format!("{path}={}", values[pick.index(values.len())])
        }),
        0..4,
    )
}
