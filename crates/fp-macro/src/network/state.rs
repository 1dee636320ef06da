//! The saved state of a [`DensityNetwork`]: plain data, `serde`, versioned.

use nlif_model::network::Network;
use serde::{Deserialize, Serialize};

use super::{DensityNetwork, check_rates, per_population};
use crate::error::{MacroError, invalid};
use crate::scheme::FluxScheme;
use crate::state::RefractoryState;
use crate::{MacroConfig, MacroSolver};

/// The version of [`NetworkState`] this build writes and reads.
///
/// Version 2 added [`NetworkState::refractory`], version 3 [`NetworkState::histories`],
/// version 4 the populations' `prior_rate` (in the network); a version-1 to -3 state
/// (without them: no refractory periods, no delays, nothing fired before the start) is
/// still read from text, where the missing fields take their defaults.
pub const NETWORK_STATE_VERSION: u32 = 4;

/// The oldest version of [`NetworkState`] this build reads.
const NETWORK_STATE_OLDEST: u32 = 1;

/// Everything a [`DensityNetwork`] needs to continue bit for bit, as plain `serde` data:
/// the network, the settings, and per population (index `α` of each list) the density,
/// the rate and the rate before it, and the refractory compartment; the clock as `(t_start, steps)`, shared by every
/// population. As for [`MacroState`](crate::MacroState), a custom scheme is not recorded
/// (restore with [`DensityNetwork::from_state_with`] and the same scheme), and bit-for-bit
/// continuation needs a format that round-trips `f64` exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NetworkState {
    /// [`NETWORK_STATE_VERSION`] when written.
    pub version: u32,
    /// The network (populations with their inputs, coupling, `a1`).
    pub network: Network,
    /// The solver settings.
    pub config: MacroConfig,
    /// Nodal values of each population's density on its grid.
    pub densities: Vec<Vec<f64>>,
    /// Each population's current rate `N_α^m`.
    pub rates: Vec<f64>,
    /// Each population's rate before it, `N_α^{m-1}` (read by
    /// [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd)).
    pub previous_rates: Vec<f64>,
    /// The time the clock started from.
    pub t_start: f64,
    /// Steps taken since `t_start`: the time is `t_start + steps · dt`.
    pub steps: u64,
    /// Each population's refractory compartment (docs/model.md §11; `None` for one
    /// without a period); empty when no population has one (and in a version-1 state).
    #[serde(default)]
    pub refractory: Vec<Option<RefractoryState>>,
    /// Each population's rate history that the network's delays read (docs/model.md §12;
    /// [`DensityNetwork::rate_history`], oldest first; empty for a population no delayed
    /// connection leaves); empty when the network has no delays (and in a state older
    /// than version 3).
    #[serde(default)]
    pub histories: Vec<Vec<f64>>,
}

impl<S: FluxScheme + Clone> DensityNetwork<S> {
    /// Everything needed to continue this run bit for bit (see [`NetworkState`]); not the
    /// scheme. Allocates copies of the densities.
    #[must_use]
    pub fn state(&self) -> NetworkState {
        NetworkState {
            version: NETWORK_STATE_VERSION,
            network: self.network.clone(),
            config: *self.config(),
            densities: self
                .populations
                .iter()
                .map(|s| s.density().to_vec())
                .collect(),
            rates: self.rates.clone(),
            previous_rates: self.populations.iter().map(|s| s.previous_rate()).collect(),
            t_start: self.t_start(),
            steps: self.steps(),
            refractory: if self
                .populations
                .iter()
                .all(|s| s.refractory_state().is_none())
            {
                Vec::new()
            } else {
                self.populations
                    .iter()
                    .map(MacroSolver::refractory_state)
                    .collect()
            },
            histories: if self.delay_steps.is_empty() {
                Vec::new()
            } else {
                self.populations
                    .iter()
                    .map(MacroSolver::rate_history)
                    .collect()
            },
        }
    }

    /// The network saved in `state`, every population with the flux scheme `scheme` (the
    /// one it was saved with); it continues bit for bit where the saved one stood.
    ///
    /// # Errors
    ///
    /// [`MacroError::StateVersion`] if `state.version` is not one of 1 to
    /// [`NETWORK_STATE_VERSION`] (versions 1 to 3 read as without refractory compartments,
    /// delays or a rate before the start, as far as they lack them); otherwise as
    /// [`DensityNetwork::with_scheme`] for every field (`populations[α].rate`,
    /// `populations[α].previous_rate`), [`MacroError::Invalid`] naming `steps` if the
    /// time `t_start + steps · dt` is not finite, [`MacroError::Populations`] if
    /// `refractory` is neither empty nor one entry per population, and
    /// [`MacroError::Population`] naming `populations[α].refractory.tau` if a saved
    /// compartment is not of the population's period (or missing), or as
    /// [`MacroSolver::from_state_with`] for the compartment (`populations[α].refractory.mass`,
    /// `populations[α].refractory.history`), [`MacroError::Populations`] if `histories`
    /// is not one entry per population with delays (none without), and
    /// [`DensityNetwork::set_rate_history`]'s for each history.
    pub fn from_state_with(scheme: S, state: NetworkState) -> Result<Self, MacroError> {
        let NetworkState {
            version,
            network,
            config,
            densities,
            rates,
            previous_rates,
            t_start,
            steps,
            refractory,
            histories,
        } = state;
        if !(NETWORK_STATE_OLDEST..=NETWORK_STATE_VERSION).contains(&version) {
            return Err(MacroError::StateVersion {
                found: version,
                supported: NETWORK_STATE_VERSION,
            });
        }
        let p = network.len();
        let mut restored =
            Self::with_scheme(scheme, network, config, densities, t_start, Some(rates))?;
        check_rates("previous_rate", &previous_rates, p)?;
        for (solver, &previous) in restored.populations.iter_mut().zip(&previous_rates) {
            let rate = solver.rate();
            solver.set_dynamics(rate, previous, steps);
        }
        if !refractory.is_empty() {
            per_population("refractory", refractory.len(), p)?;
        }
        let mut saved = refractory.into_iter();
        for (alpha, solver) in restored.populations.iter_mut().enumerate() {
            let compartment = saved.next().flatten();
            let period = compartment.as_ref().map(|c| c.period);
            if period.map_or(0.0, |p| p.mean_time()) != solver.refractory().mean_time()
                || period.is_some_and(|p| p != solver.refractory())
            {
                return Err(invalid(
                    "refractory.tau",
                    period.map_or(0.0, |p| p.mean_time()),
                    "the saved refractory compartment is not of the population's period",
                )
                .in_population(alpha));
            }
            solver
                .restore_refractory(compartment)
                .map_err(|e| e.in_population(alpha))?;
        }
        if !(histories.is_empty() && restored.delay_steps.is_empty()) {
            per_population("histories", histories.len(), p)?;
        }
        for (beta, history) in histories.iter().enumerate() {
            restored.set_rate_history(beta, history)?;
        }
        if !restored.time().is_finite() {
            return Err(invalid(
                "steps",
                steps as f64,
                "the time t_start + steps * dt is not finite",
            ));
        }
        Ok(restored)
    }
}
