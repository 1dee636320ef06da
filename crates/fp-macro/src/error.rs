//! Errors of the Fokker–Planck solver.

use nlif_model::ModelError;
use nlif_model::network::NetworkError;

/// Why a solver cannot be built (or restored from a [`MacroState`](crate::MacroState)).
///
/// New variants may be added: match with a wildcard arm, or use [`MacroError::field`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MacroError {
    /// The model parameters, input or initial data are invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A solver setting is invalid.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the field: of the `solver.macro` section ([`MacroConfig`](crate::MacroConfig)),
        /// or of a constructor's arguments and [`MacroState`](crate::MacroState)
        /// (`t_start`, `rate`, `steps`, `density`).
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A density handed to the solver has a negative, NaN or infinite value.
    #[error("density value {index} = {value:?} is not a finite non-negative number")]
    Density {
        /// Index of the offending value.
        index: usize,
        /// The value.
        value: f64,
        /// Number of unknowns of the grid.
        len: usize,
    },
    /// A density handed to the solver does not hold one value per unknown of the grid.
    #[error("the density has {found} values, the grid {expected} unknowns")]
    DensityLength {
        /// The number of values given.
        found: usize,
        /// The number of unknowns of the grid.
        expected: usize,
    },
    /// The network handed to a [`DensityNetwork`](crate::DensityNetwork) is not a valid
    /// model (the error names the entry by its path: `populations[1].v_r`, `coupling[0][1]`).
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// One population of a [`DensityNetwork`](crate::DensityNetwork) is refused: its
    /// density, initial density, rate or grid ([`MacroError::path`] names it
    /// `populations[α].<field>`).
    #[error("population {population}: {error}")]
    Population {
        /// The index `α` of the population (0-based, as in config paths).
        population: usize,
        /// What is wrong with it.
        error: Box<MacroError>,
    },
    /// A list with one entry per population (initial densities, densities, rates) has
    /// another length than the network.
    #[error("{found} {field} for a network of {expected} populations")]
    Populations {
        /// What the list holds (`initial`, `density`, `rate`, `previous_rate`).
        field: &'static str,
        /// The number of entries given.
        found: usize,
        /// The number of populations.
        expected: usize,
    },
    /// A saved [`MacroState`](crate::MacroState) has a version this build does not read.
    #[error(
        "unsupported `version` = {found} of a saved macro state (this build reads version {supported})"
    )]
    StateVersion {
        /// The version of the state.
        found: u32,
        /// [`MACRO_STATE_VERSION`](crate::MACRO_STATE_VERSION).
        supported: u32,
    },
}

impl MacroError {
    /// The name of the offending field, for front ends: for [`MacroError::Population`] the
    /// field within the population, for [`MacroError::Network`] `model` (the entry's path,
    /// `coupling[0][1]` say, is [`MacroError::path`]'s).
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            MacroError::Model(e) => e.field(),
            MacroError::Invalid { field, .. } => field,
            MacroError::Density { .. } | MacroError::DensityLength { .. } => "density",
            MacroError::StateVersion { .. } => "version",
            MacroError::Network(_) => "model",
            MacroError::Population { error, .. } => error.field(),
            MacroError::Populations { field, .. } => field,
        }
    }

    /// The path of the offending entry, as a config spells it: [`MacroError::field`] for
    /// one population, the network's path for [`MacroError::Network`] (`coupling[0][1]`),
    /// and `populations[α].<field>` for [`MacroError::Population`] — except the grid's
    /// settings `v_min`, `dv`, `dt`, which are the run's (`solver.macro`), not the
    /// population's: their path stays theirs, and the message names the population.
    ///
    /// ```
    /// use fp_macro::MacroError;
    /// let error = MacroError::Population {
    ///     population: 1,
    ///     error: Box::new(MacroError::DensityLength { found: 3, expected: 301 }),
    /// };
    /// assert_eq!(error.path(), "populations[1].density");
    /// ```
    #[must_use]
    pub fn path(&self) -> String {
        match self {
            MacroError::Network(e) => e.path().to_string(),
            MacroError::Population { population, error } => match error.field() {
                field @ ("v_min" | "dv" | "dt") => field.to_string(),
                _ => format!("populations[{population}].{}", error.path()),
            },
            other => other.field().to_string(),
        }
    }

    /// This error as one of population `population`.
    pub(crate) fn in_population(self, population: usize) -> MacroError {
        MacroError::Population {
            population,
            error: Box::new(self),
        }
    }
}

pub(crate) fn invalid(field: &'static str, value: f64, reason: &'static str) -> MacroError {
    MacroError::Invalid {
        field,
        value,
        reason,
    }
}
