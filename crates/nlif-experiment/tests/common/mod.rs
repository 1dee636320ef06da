//! What the tests of this crate share: a valid config, as a file would hold it.

/// A valid config; each line is one field, so a test can say where a field is written.
pub(crate) const VALID: &str = r#"(
    name: "t",
    model: (a0: 1.0, a1: 0.0, b: 1.5, v_f: 2.0, v_r: 1.0, input: None),
    initial: Gaussian(mean: 1.5, var: 0.005),
    solver: (
        kind: Multiscale,
        macro: (dv: 0.02, dt: 1e-3),
        micro: (particles: 20000, dt: 1e-3),
    ),
    t_end: 0.6,
    seed: 7,
    output: (interval: 1e-2, density_interval: Some(0.1)),
)
"#;

/// [`VALID`], parsed.
pub(crate) fn valid() -> nlif_experiment::Config {
    nlif_experiment::config::parse(VALID).expect("VALID is a config")
}
