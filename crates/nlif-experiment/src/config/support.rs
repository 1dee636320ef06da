//! What this build can run: the one place that says which configs the solvers take.

use super::Config;

/// A config that is valid but that this build cannot run: a model in the populations
/// form (the solvers run one population, written in the single-population form).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "runs of several populations are not available yet in this build: `{field}` gives the model in the populations form ({populations} population{plural}), and the solvers run one population, written in the single-population form (a0, a1, b, v_f, v_r, input)",
    plural = if *populations == 1 { "" } else { "s" }
)]
pub struct NotYetSupported {
    /// The field at fault: `model.populations`.
    pub field: &'static str,
    /// The populations the model has.
    pub populations: usize,
}

/// Whether this build's solvers run `config`'s model: every single-population model does;
/// the populations form does not yet.
///
/// # Errors
///
/// [`NotYetSupported`] naming `model.populations`.
pub fn run_support(config: &Config) -> Result<(), NotYetSupported> {
    match &config.model.populations {
        None => Ok(()),
        Some(populations) => Err(NotYetSupported {
            field: "model.populations",
            populations: populations.len(),
        }),
    }
}
