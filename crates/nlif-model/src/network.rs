//! Networks of `P` populations (docs/model.md §10).
//!
//! Population `α = 1..P` holds the fraction `share_α` of the network's neurons, each a
//! noisy leaky integrate-and-fire neuron with its own noise `a0_α`, threshold `V_F,α`,
//! reset `V_R,α` and input `I_α(t)`. A spike of a neuron of population `β` moves every
//! neuron of `α` by `coupling[α][β] / N_β` (`N_β` the neurons of `β`), so the mean-field
//! drift and diffusion of `α` are
//!
//! ```text
//! -v + Σ_β coupling[α][β] N_β(t) + I_α(t),        a_α = a0_α + Σ_β a1[α][β] N_β(t),
//! ```
//!
//! `N_β(t)` the firing rate per neuron of `β` (read at `t - delay[α][β]` with synaptic
//! delays, docs/model.md §12; module `delay`). One population with `coupling = [[b]]`,
//! `a1 = [[a1]]` is the model of [`ModelParams`] exactly ([`Network::single`],
//! [`Network::as_single`]).
//!
//! The exact stationary states, with their stability, are
//! [`network_stationary_states`]. The excitatory–inhibitory example of docs/model.md §10:
//!
//! ```
//! use nlif_model::network::{Network, Population, network_stationary_states};
//!
//! let network = Network {
//!     populations: vec![Population::new("E", 0.8, 1.0), Population::new("I", 0.2, 0.5)],
//!     coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
//!     a1: Vec::new(),
//!     delay: Vec::new(),
//! };
//! network.validate()?;
//! let states = network_stationary_states(&network)?;
//! assert_eq!(states.len(), 1);
//! let (n_e, n_i) = (states[0].rates[0], states[0].rates[1]);
//! assert!((n_e / 0.149338643 - 1.0).abs() < 1e-8 && (n_i / 0.041215056 - 1.0).abs() < 1e-8);
//! assert!(states[0].stable);
//! # Ok::<(), nlif_model::network::NetworkError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{finite, require};
use crate::{Input, ModelParams, Refractory};

mod delay;
mod error;
mod linear;
mod newton;
mod population;
mod rate_map;
mod reduction;
mod refractory;
mod search;

pub use delay::DELAY_REL_TOL;
pub use error::NetworkError;
pub use population::Population;
pub use search::{NETWORK_RESIDUAL_TOL, NetworkState, network_stationary_states};

/// The name [`Network::single`] gives the one population of today's model.
pub const SINGLE_POPULATION_NAME: &str = "all";

/// Largest deviation of `Σ_α share_α` from 1 that [`Network::validate`] accepts: the shares
/// then fix the neurons of every population of a network of up to `1e9` neurons to within
/// one neuron, and the tolerance is far above the rounding of a sum of decimal shares
/// (`P ε`, `ε = 2.2e-16`), so that `0.8 + 0.2` and ten shares `0.1` pass.
pub const SHARE_SUM_TOL: f64 = 1e-9;

/// A network of `P >= 1` populations, in the form of a config's `model`.
///
/// In text (JSON, RON) `delay` is left out while empty, so a network without delays is
/// written as before delays existed; a binary format (postcard) always holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The populations `α = 0..P` (0-based in code, as in config paths).
    pub populations: Vec<Population>,
    /// The signed `P×P` connectivity: `coupling[α][β]` is what a spike of `β` does to `α`
    /// (each neuron of `α` moves by `coupling[α][β] / N_β`).
    pub coupling: Vec<Vec<f64>>,
    /// The `P×P` rate dependence of the noise, `a_α = a0_α + Σ_β a1[α][β] N_β`, entries
    /// `>= 0`; empty (the default) means zeros.
    #[serde(default)]
    pub a1: Vec<Vec<f64>>,
    /// The `P×P` synaptic delays (docs/model.md §12): a spike of `β` reaches `α` after
    /// `delay[α][β] >= 0`, so the drift of `α` reads `N_β(t - delay[α][β])`; empty (the
    /// default) means zeros. Checked against a time step by [`Network::delay_steps`].
    #[serde(default)]
    pub delay: Vec<Vec<f64>>,
}

impl Serialize for Network {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let omit = serializer.is_human_readable() && self.delay.is_empty();
        let mut s = serializer.serialize_struct("Network", 4 - usize::from(omit))?;
        s.serialize_field("populations", &self.populations)?;
        s.serialize_field("coupling", &self.coupling)?;
        s.serialize_field("a1", &self.a1)?;
        if omit {
            s.skip_field("delay")?;
        } else {
            s.serialize_field("delay", &self.delay)?;
        }
        s.end()
    }
}

/// Checks that `matrix` (called `name`) is `p×p`; entries are checked by the caller.
fn check_square(name: &str, matrix: &[Vec<f64>], p: usize) -> Result<(), NetworkError> {
    if matrix.len() != p {
        return Err(NetworkError::invalid(
            name,
            format!(
                "has {} rows; a network of {p} populations needs {p}×{p}",
                matrix.len()
            ),
        ));
    }
    for (alpha, row) in matrix.iter().enumerate() {
        if row.len() != p {
            return Err(NetworkError::invalid(
                format!("{name}[{alpha}]"),
                format!(
                    "has {} entries; a network of {p} populations needs {p}",
                    row.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether `name` may name a population (see [`Population::name`]): non-empty, of ASCII
/// letters, digits, `_` and `-` (so it can be part of a file name on every platform).
///
/// ```
/// use nlif_model::network::admissible_name;
/// assert!(admissible_name("E_exc-1"));
/// assert!(!admissible_name("") && !admissible_name("../E") && !admissible_name("E I"));
/// ```
#[must_use]
pub fn admissible_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Network {
    /// The number `P` of populations.
    pub fn len(&self) -> usize {
        self.populations.len()
    }

    /// Whether the network has no population (never true of a valid network).
    pub fn is_empty(&self) -> bool {
        self.populations.is_empty()
    }

    /// The neurons `N_α` of each population in a network of `total` neurons: the shares'
    /// largest-remainder split (Hamilton's method), so that `Σ_α N_α = total` exactly and
    /// each `N_α` is `share_α · total` rounded down or up. Every `floor(share_α · total)` is
    /// taken first; the neurons left over go one each to the populations with the largest
    /// fractional parts, ties to the lower index. One population holds all of them.
    ///
    /// ```
    /// use nlif_model::network::{Network, Population};
    /// let network = Network {
    ///     populations: vec![Population::new("E", 0.8, 1.0), Population::new("I", 0.2, 1.0)],
    ///     coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
    ///     a1: Vec::new(),
    ///     delay: Vec::new(),
    /// };
    /// assert_eq!(network.neurons(1001)?, vec![801, 200]);
    /// assert_eq!(network.neurons(10)?, vec![8, 2]);
    /// assert_eq!(network.neurons(2).unwrap_err().path(), "populations[1].share");
    /// # Ok::<(), nlif_model::network::NetworkError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetworkError::Invalid`] naming `populations[α].share` for the first population the
    /// split leaves without a neuron.
    pub fn neurons(&self, total: usize) -> Result<Vec<usize>, NetworkError> {
        let exact: Vec<f64> = self
            .populations
            .iter()
            .map(|x| x.share * total as f64)
            .collect();
        let mut neurons: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
        let taken: usize = neurons.iter().sum();
        let mut order: Vec<usize> = (0..neurons.len()).collect();
        // Largest fractional part first; the sort is stable, so ties keep index order.
        order.sort_by(|&i, &j| {
            let (fi, fj) = (exact[i] - exact[i].floor(), exact[j] - exact[j].floor());
            fj.total_cmp(&fi)
        });
        for &alpha in order.iter().cycle().take(total.saturating_sub(taken)) {
            neurons[alpha] += 1;
        }
        // Shares summing to 1 within SHARE_SUM_TOL can floor to a total above `total` only
        // by rounding; take any excess from the largest populations.
        let mut excess = neurons.iter().sum::<usize>().saturating_sub(total);
        while excess > 0 {
            let largest = (0..neurons.len()).max_by_key(|&i| neurons[i]).unwrap_or(0);
            neurons[largest] -= 1;
            excess -= 1;
        }
        if let Some(alpha) = neurons.iter().position(|&n| n == 0) {
            return Err(NetworkError::invalid(
                format!("populations[{alpha}].share"),
                format!(
                    "{:?} of {total} neurons leaves population {:?} without a neuron",
                    self.populations[alpha].share, self.populations[alpha].name
                ),
            ));
        }
        Ok(neurons)
    }

    /// `a1[α][β]`, zero when `a1` is left empty.
    #[inline]
    pub fn a1_entry(&self, alpha: usize, beta: usize) -> f64 {
        if self.a1.is_empty() {
            0.0
        } else {
            self.a1[alpha][beta]
        }
    }

    /// Population `alpha`'s own parameters as a single population: its `a0`, `V_F`, `V_R`
    /// and its coupling to itself, `b = coupling[α][α]` and `a1 = a1[α][α]` (zero when `a1`
    /// is empty). What the checks of one population (its grid, the explicit step, a kick
    /// inside the run) and a population's particles read; the coupling across populations
    /// stays the network's.
    ///
    /// ```
    /// use nlif_model::network::{Network, Population};
    /// use nlif_model::{Input, ModelParams};
    /// let network = Network {
    ///     populations: vec![Population::new("E", 0.8, 1.0), Population::new("I", 0.2, 0.5)],
    ///     coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
    ///     a1: vec![vec![0.1, 0.0], vec![0.0, 0.2]],
    ///     delay: Vec::new(),
    /// };
    /// let inhibitory = network.own_params(1);
    /// assert_eq!(inhibitory, ModelParams { a0: 0.5, a1: 0.2, b: -1.5, v_f: 2.0, v_r: 1.0 });
    /// let single = Network::single(&inhibitory, Input::None);
    /// assert_eq!(single.own_params(0), inhibitory);
    /// ```
    #[must_use]
    pub fn own_params(&self, alpha: usize) -> ModelParams {
        let population = &self.populations[alpha];
        ModelParams {
            a0: population.a0,
            a1: self.a1_entry(alpha, alpha),
            b: self.coupling[alpha][alpha],
            v_f: population.v_f,
            v_r: population.v_r,
        }
    }

    /// The coupling part `Σ_β coupling[α][β] N_β` of the drift of population `alpha` at the
    /// rates `rates` (one per population).
    #[inline]
    pub fn recurrent_input(&self, alpha: usize, rates: &[f64]) -> f64 {
        self.coupling[alpha]
            .iter()
            .zip(rates)
            .fold(0.0, |sum, (b, n)| sum + b * n)
    }

    /// The diffusion coefficient `a_α = a0_α + Σ_β a1[α][β] N_β` of population `alpha`.
    #[inline]
    pub fn diffusion(&self, alpha: usize, rates: &[f64]) -> f64 {
        let a0 = self.populations[alpha].a0;
        if self.a1.is_empty() {
            a0
        } else {
            self.a1[alpha]
                .iter()
                .zip(rates)
                .fold(a0, |sum, (a1, n)| sum + a1 * n)
        }
    }

    /// Checks every entry; the error names the first offending one by its path:
    /// `populations` (none, or shares not summing to 1 within [`SHARE_SUM_TOL`]),
    /// `populations[α].<field>` (as [`ModelParams::validate`] and [`Input::validate`];
    /// `share` in `(0, 1]`; a name empty, of other characters, or used twice), `coupling`
    /// or `a1` (not `P×P`: `coupling[α]` for a row of the wrong length), `coupling[α][β]`
    /// (not finite), `a1[α][β]` (negative or not finite), `delay` (not `P×P`) or
    /// `delay[α][β]` (negative or not finite).
    ///
    /// ```
    /// use nlif_model::network::Network;
    /// use nlif_model::{Input, ModelParams};
    /// let mut network = Network::single(&ModelParams::default(), Input::None);
    /// network.coupling = vec![vec![1.0, 0.0]];
    /// assert_eq!(network.validate().unwrap_err().path(), "coupling[0]");
    /// ```
    ///
    /// # Errors
    ///
    /// [`NetworkError::Invalid`] naming the first offending entry.
    pub fn validate(&self) -> Result<(), NetworkError> {
        let p = self.len();
        if p == 0 {
            return Err(NetworkError::invalid(
                "populations",
                "a network needs at least one population",
            ));
        }
        for (alpha, population) in self.populations.iter().enumerate() {
            population.validate(alpha)?;
            if self.populations[..alpha]
                .iter()
                .any(|other| other.name == population.name)
            {
                return Err(NetworkError::invalid(
                    format!("populations[{alpha}].name"),
                    format!("{:?} names two populations", population.name),
                ));
            }
        }
        let total: f64 = self.populations.iter().map(|x| x.share).sum();
        if (total - 1.0).abs() > SHARE_SUM_TOL {
            return Err(NetworkError::invalid(
                "populations",
                format!("the shares sum to {total:?}, not 1"),
            ));
        }
        check_square("coupling", &self.coupling, p)?;
        for (alpha, row) in self.coupling.iter().enumerate() {
            for (beta, &b) in row.iter().enumerate() {
                finite("coupling", b)
                    .map_err(|e| NetworkError::at(format!("coupling[{alpha}][{beta}]"), e))?;
            }
        }
        if !self.a1.is_empty() {
            check_square("a1", &self.a1, p)?;
            for (alpha, row) in self.a1.iter().enumerate() {
                for (beta, &a1) in row.iter().enumerate() {
                    require("a1", a1, a1 >= 0.0, "`a1` must be non-negative")
                        .map_err(|e| NetworkError::at(format!("a1[{alpha}][{beta}]"), e))?;
                }
            }
        }
        self.validate_delay()
    }

    /// Today's single-population model as a network of one population, exactly: name
    /// [`SINGLE_POPULATION_NAME`], share 1, `coupling = [[b]]` (a spike moves every other
    /// neuron by `b / N_p`), `a1 = [[a1]]`.
    ///
    /// ```
    /// use nlif_model::network::Network;
    /// use nlif_model::{Input, ModelParams};
    /// let params = ModelParams { b: 1.5, a1: 0.1, ..ModelParams::default() };
    /// let input = Input::Constant { i0: 0.2 };
    /// let network = Network::single(&params, input);
    /// assert_eq!(network.coupling, vec![vec![1.5]]);
    /// assert_eq!(network.as_single(), Some((params, input)));
    /// ```
    pub fn single(params: &ModelParams, input: Input) -> Network {
        Network {
            populations: vec![Population {
                name: SINGLE_POPULATION_NAME.to_string(),
                share: 1.0,
                a0: params.a0,
                v_f: params.v_f,
                v_r: params.v_r,
                input,
                initial: None,
                refractory: Refractory::None,
                prior_rate: 0.0,
            }],
            coupling: vec![vec![params.b]],
            a1: vec![vec![params.a1]],
            delay: Vec::new(),
        }
    }

    /// The single-population parameters and input of a network of one population (any
    /// name, share and initial density), the inverse of [`Network::single`]; `None` unless
    /// `P = 1`, the matrices are `1×1` (or `a1` empty) and the population has no
    /// refractory period and no delay (which [`ModelParams`] cannot hold).
    pub fn as_single(&self) -> Option<(ModelParams, Input)> {
        if self.has_delay() {
            return None;
        }
        match (&self.populations[..], &self.coupling[..]) {
            ([population], [row]) if row.len() == 1 && population.refractory.is_none() => {
                let a1 = match &self.a1[..] {
                    [] => 0.0,
                    [row] if row.len() == 1 => row[0],
                    _ => return None,
                };
                let params = ModelParams {
                    a0: population.a0,
                    a1,
                    b: row[0],
                    v_f: population.v_f,
                    v_r: population.v_r,
                };
                Some((params, population.input))
            }
            _ => None,
        }
    }
}
