//! One population of a network: its parameters, its text form (`prior_rate` left out at
//! 0) and its checks.

use serde::{Deserialize, Serialize};

use super::{NetworkError, admissible_name};
use crate::error::require;
use crate::{InitialDensity, Input, ModelParams, Refractory};

/// One population of a network.
///
/// In text (JSON, RON) `prior_rate` is left out at 0, so a population without one is
/// written as before it existed; a binary format (postcard) always holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// The name (`E`, `I`, …): non-empty, of letters, digits, `_` and `-`, used once in the
    /// network (it names the population's columns and summary entries).
    pub name: String,
    /// The fraction of the network's neurons in this population, `0 < share <= 1`.
    pub share: f64,
    /// Constant part of the diffusion coefficient, `a0 > 0`.
    pub a0: f64,
    /// Firing threshold `V_F`.
    pub v_f: f64,
    /// Reset potential `V_R < V_F`.
    pub v_r: f64,
    /// The external input `I_α(t)` (default none).
    #[serde(default)]
    pub input: Input,
    /// The population's own initial density; `None` (the default): the run's `initial`,
    /// which applies to every population that does not carry one.
    #[serde(default)]
    pub initial: Option<InitialDensity>,
    /// The refractory period after a spike (docs/model.md §11; default none).
    #[serde(default)]
    pub refractory: Refractory,
    /// The population's firing rate before `t = 0`, `>= 0`, which the synaptic delays
    /// deliver until the run's own spikes arrive (docs/model.md §12); default 0: nobody
    /// fired before the start. Without a delay leaving the population it changes nothing.
    #[serde(default)]
    pub prior_rate: f64,
}

impl Serialize for Population {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let omit = serializer.is_human_readable() && self.prior_rate == 0.0;
        let mut s = serializer.serialize_struct("Population", 9 - usize::from(omit))?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("share", &self.share)?;
        s.serialize_field("a0", &self.a0)?;
        s.serialize_field("v_f", &self.v_f)?;
        s.serialize_field("v_r", &self.v_r)?;
        s.serialize_field("input", &self.input)?;
        s.serialize_field("initial", &self.initial)?;
        s.serialize_field("refractory", &self.refractory)?;
        if omit {
            s.skip_field("prior_rate")?;
        } else {
            s.serialize_field("prior_rate", &self.prior_rate)?;
        }
        s.end()
    }
}

impl Population {
    /// A population of `share` of the network's neurons with noise `a0` and the other
    /// fields at their defaults: `V_F = 2`, `V_R = 1`, no input, the run's initial density,
    /// no refractory period and no firing before the start.
    ///
    /// ```
    /// use nlif_model::network::Population;
    /// use nlif_model::{Input, Refractory};
    /// let excitatory = Population::new("E", 0.8, 1.0);
    /// assert_eq!((excitatory.name.as_str(), excitatory.share, excitatory.a0), ("E", 0.8, 1.0));
    /// assert_eq!((excitatory.v_f, excitatory.v_r), (2.0, 1.0));
    /// assert_eq!(excitatory.input, Input::None);
    /// assert_eq!((excitatory.initial, excitatory.refractory), (None, Refractory::None));
    /// // Other fields by struct update:
    /// let driven = Population { input: Input::Constant { i0: 0.5 }, ..Population::new("I", 0.2, 0.5) };
    /// assert_eq!(driven.v_f, 2.0);
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, share: f64, a0: f64) -> Population {
        Population {
            name: name.into(),
            share,
            a0,
            v_f: 2.0,
            v_r: 1.0,
            input: Input::None,
            initial: None,
            refractory: Refractory::default(),
            prior_rate: 0.0,
        }
    }

    /// The single-population parameters of this population without coupling
    /// (`b = a1 = 0`), whose validation covers `a0`, `v_f`, `v_r`.
    pub(super) fn uncoupled(&self) -> ModelParams {
        ModelParams {
            a0: self.a0,
            a1: 0.0,
            b: 0.0,
            v_f: self.v_f,
            v_r: self.v_r,
        }
    }

    /// Checks the fields of population `alpha` but its name's uniqueness.
    pub(super) fn validate(&self, alpha: usize) -> Result<(), NetworkError> {
        let at = |field: &str| format!("populations[{alpha}].{field}");
        if !admissible_name(&self.name) {
            return Err(NetworkError::invalid(
                at("name"),
                format!(
                    "{:?}: a name must be non-empty and of letters, digits, `_` and `-`",
                    self.name
                ),
            ));
        }
        require(
            "share",
            self.share,
            self.share > 0.0 && self.share <= 1.0,
            "a population's share of the neurons must lie in (0, 1]",
        )
        .map_err(|e| NetworkError::in_population(alpha, e))?;
        self.uncoupled()
            .validate()
            .map_err(|e| NetworkError::in_population(alpha, e))?;
        self.input
            .validate()
            .map_err(|e| NetworkError::in_population(alpha, e))?;
        if let Some(initial) = &self.initial {
            // Its fields are named `initial.mean`, `initial.var`.
            initial
                .validate()
                .map_err(|e| NetworkError::in_population(alpha, e))?;
        }
        // Named `refractory.tau`.
        self.refractory
            .validate()
            .map_err(|e| NetworkError::in_population(alpha, e))?;
        require(
            "prior_rate",
            self.prior_rate,
            self.prior_rate.is_finite() && self.prior_rate >= 0.0,
            "a firing rate before the start must be finite and non-negative",
        )
        .map(|_| ())
        .map_err(|e| NetworkError::in_population(alpha, e))
    }

    /// The initial density of this population: its own, or `common` (the run's).
    pub fn initial_or<'a>(&'a self, common: &'a InitialDensity) -> &'a InitialDensity {
        self.initial.as_ref().unwrap_or(common)
    }
}
