//! What the tests of this crate share: a valid config, as a file would hold it.

/// A valid config (`valid.ron`, which the tests of `nlif` read too); each line is one
/// field, so a test can say where a field is written.
#[allow(dead_code)]
pub(crate) const VALID: &str = include_str!("valid.ron");

/// [`VALID`], parsed.
#[allow(dead_code)]
pub(crate) fn valid() -> nlif_experiment::Config {
    nlif_experiment::config::parse(VALID).expect("VALID is a config")
}

/// A valid excitatory–inhibitory config in the populations form (`ei.ron`: the model of
/// docs/config.md's example), each field on its own line.
#[allow(dead_code)]
pub(crate) const EI: &str = include_str!("ei.ron");

/// [`EI`], parsed.
#[allow(dead_code)]
pub(crate) fn ei() -> nlif_experiment::Config {
    nlif_experiment::config::parse(EI).expect("EI is a config")
}
