//! The saved state of a [`DensityNetwork`]: plain data, `serde`, versioned.

use nlif_model::network::Network;
use serde::{Deserialize, Serialize};

use super::{DensityNetwork, check_rates};
use crate::MacroConfig;
use crate::error::{MacroError, invalid};
use crate::scheme::FluxScheme;

/// The version of [`NetworkState`] this build writes and reads.
pub const NETWORK_STATE_VERSION: u32 = 1;

/// Everything a [`DensityNetwork`] needs to continue bit for bit, as plain `serde` data:
/// the network, the settings, and per population (index `α` of each list) the density,
/// the rate and the rate before it; the clock as `(t_start, steps)`, shared by every
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
        }
    }

    /// The network saved in `state`, every population with the flux scheme `scheme` (the
    /// one it was saved with); it continues bit for bit where the saved one stood.
    ///
    /// # Errors
    ///
    /// [`MacroError::StateVersion`] if `state.version` is not [`NETWORK_STATE_VERSION`];
    /// otherwise as [`DensityNetwork::with_scheme`] for every field (`populations[α].rate`,
    /// `populations[α].previous_rate`), and [`MacroError::Invalid`] naming `steps` if the
    /// time `t_start + steps · dt` is not finite.
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
        } = state;
        if version != NETWORK_STATE_VERSION {
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
