//! Building a network of populations: the builder and the checks of its settings
//! (shared with the restore of a saved state).

use nlif_model::InitialDensity;
use nlif_model::network::Network;

use super::delay::SpikeHistory;
use super::{Member, NetworkPart, ParticleNetwork, own_params, population_seed};
use crate::stepper::{Stepper, SubthresholdStepper};
use crate::{MicroConfig, MicroError, Parallelism, ParticleSystem, Partition};

/// Builds a [`ParticleNetwork`]: start with [`ParticleNetwork::builder`], choose what
/// differs from the defaults, finish with [`voltages`](Self::voltages) or
/// [`sample`](Self::sample).
///
/// Defaults: the stepper `config.stepper`, the whole network ([`NetworkPart::WHOLE`]),
/// `t_start = 0`, every rate 0, [`Parallelism::Rayon`].
///
/// ```
/// use nlif_micro::{MicroConfig, Parallelism, ParticleNetwork};
/// use nlif_model::network::{Network, Population};
/// use nlif_model::{InitialDensity, Input};
///
/// let population = |name: &str, share, a0| Population {
///     name: name.into(), share, a0, v_f: 2.0, v_r: 1.0, input: Input::None, initial: None,
///     refractory: Default::default(),
///     prior_rate: 0.0,
/// };
/// let network = Network {
///     populations: vec![population("E", 0.8, 1.0), population("I", 0.2, 0.5)],
///     coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
///     a1: Vec::new(),
///     delay: Vec::new(),
/// };
/// let config = MicroConfig { particles: 5000, dt: 1e-3, ..MicroConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut net = ParticleNetwork::builder(network, config, 7)
///     .parallelism(Parallelism::Sequential)
///     .sample(&[initial, initial], -4.0)?;
/// assert_eq!(net.neurons().collect::<Vec<_>>(), [4000, 1000]);
/// for _ in 0..100 {
///     let _ = net.step();
/// }
/// assert!(net.voltages(1).all(|v| v < 2.0));
/// # Ok::<(), nlif_micro::MicroError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ParticleNetworkBuilder<S = Stepper> {
    network: Network,
    config: MicroConfig,
    stepper: S,
    seed: u64,
    part: NetworkPart,
    t_start: f64,
    rates: Option<Vec<f64>>,
    parallelism: Parallelism,
    away: Option<Vec<Vec<u32>>>,
    spikes: Option<Vec<u64>>,
}

impl ParticleNetwork<Stepper> {
    /// A builder for the network `network` of `config.particles` neurons in all (split
    /// over the populations by `network.neurons`), whose random streams derive from
    /// `seed` ([`population_seed`]).
    pub fn builder(
        network: Network,
        config: MicroConfig,
        seed: u64,
    ) -> ParticleNetworkBuilder<Stepper> {
        ParticleNetworkBuilder {
            network,
            config,
            stepper: config.stepper,
            seed,
            part: NetworkPart::WHOLE,
            t_start: 0.0,
            rates: None,
            parallelism: Parallelism::default(),
            away: None,
            spikes: None,
        }
    }
}

impl<S> ParticleNetworkBuilder<S> {
    /// Uses `stepper` instead of `config.stepper`.
    pub fn stepper<T: SubthresholdStepper + Clone>(self, stepper: T) -> ParticleNetworkBuilder<T> {
        ParticleNetworkBuilder {
            network: self.network,
            config: self.config,
            stepper,
            seed: self.seed,
            part: self.part,
            t_start: self.t_start,
            rates: self.rates,
            parallelism: self.parallelism,
            away: self.away,
            spikes: self.spikes,
        }
    }

    /// Holds only the part `part` of the network (a contiguous range of blocks of every
    /// population).
    pub fn partition(mut self, part: NetworkPart) -> Self {
        self.part = part;
        self
    }

    /// Starts the clock at `t_start` (default 0).
    pub fn t_start(mut self, t_start: f64) -> Self {
        self.t_start = t_start;
        self
    }

    /// The rates, one per population, that set the noise of the first step (default 0).
    pub fn rates(mut self, rates: Vec<f64>) -> Self {
        self.rates = Some(rates);
        self
    }

    /// How blocks are processed (default [`Parallelism::Rayon`]); the results do not
    /// depend on it.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// The neurons away at the start, one vector per population (this part's neurons of
    /// it; empty for a population without a refractory period): as
    /// [`ParticleSystemBuilder::away`](crate::ParticleSystemBuilder::away), with
    /// [`voltages`](Self::voltages) `-inf` for each neuron away.
    pub fn away(mut self, away: Vec<Vec<u32>>) -> Self {
        self.away = Some(away);
        self
    }

    /// The spikes the delays still deliver (default: those of each population's
    /// `prior_rate`, none at its default 0; module `delay`; what arrives at the start is
    /// owed to the first pass), in the saved form of [`ParticleNetworkState::delay_history`](
    /// crate::ParticleNetworkState::delay_history): the counts of each population at the
    /// last `d_max` step points, newest first, then at the start itself. A hand-over
    /// from a density with delays starts the particles with the spikes its rate history
    /// implies.
    pub fn spike_history(mut self, counts: Vec<u64>) -> Self {
        self.spikes = Some(counts);
        self
    }
}

impl<S: SubthresholdStepper + Clone> ParticleNetworkBuilder<S> {
    /// The network with the given voltages, one vector per population (this part's own
    /// neurons of it), all finite and below the population's `V_F` (or `-inf` for a
    /// neuron away, with [`away`](Self::away)).
    ///
    /// # Errors
    ///
    /// [`MicroError::At`] naming the network's entry (`populations[1].share` for a
    /// population left without neurons, `coupling[0][1]`, …), `part`, `rates` or
    /// `rates[α]`, `voltages` (not one vector per population), `voltages[α]` (not the
    /// part's count of the population) or `voltages[α][i]` (not finite and below
    /// `V_F,α`), `away` (not one vector per population), `delay_history` (spike counts
    /// that are not the delays' saved form); [`MicroError::Invalid`] for the config and
    /// `t_start`, and the population's errors under `populations[α].` (times away:
    /// `populations[α].away`).
    pub fn voltages(mut self, voltages: Vec<Vec<f64>>) -> Result<ParticleNetwork<S>, MicroError> {
        let layout = self.layout()?;
        if voltages.len() != layout.len() {
            return Err(MicroError::At {
                path: "voltages".into(),
                reason: format!(
                    "{} vectors for {} populations",
                    voltages.len(),
                    layout.len()
                ),
            });
        }
        for (alpha, (v, part)) in voltages.iter().zip(&layout).enumerate() {
            let v_f = self.network.populations[alpha].v_f;
            let local = part.map_or(0, |(_, local)| local);
            if v.len() != local {
                return Err(MicroError::At {
                    path: format!("voltages[{alpha}]"),
                    reason: format!(
                        "{} voltages; this part holds {local} of the population",
                        v.len()
                    ),
                });
            }
            let away = (self.away.as_ref())
                .is_some_and(|away| away.get(alpha).is_some_and(|a| !a.is_empty()));
            let allowed = |x: f64| (x.is_finite() && x < v_f) || (away && x == f64::NEG_INFINITY);
            if let Some(i) = v.iter().position(|&x| !allowed(x)) {
                return Err(MicroError::At {
                    path: format!("voltages[{alpha}][{i}]"),
                    reason: format!("{:?} is not finite and below v_f = {v_f:?}", v[i]),
                });
            }
        }
        let mut away = self.away.take();
        if away.as_ref().is_some_and(|away| away.len() != layout.len()) {
            return Err(MicroError::At {
                path: "away".into(),
                reason: format!("not one vector per population ({})", layout.len()),
            });
        }
        let mut voltages = voltages;
        self.build(&layout, |alpha, builder| {
            let v = std::mem::take(&mut voltages[alpha]);
            let builder = match away.as_mut().map(|away| std::mem::take(&mut away[alpha])) {
                Some(away) if !away.is_empty() => builder.away(away),
                _ => builder,
            };
            builder
                .voltages(v)
                .map_err(|e| e.under(&format!("populations[{alpha}].")))
        })
    }

    /// The network with voltages drawn from `initials[α]` restricted to `[v_min, V_F,α)`
    /// for each population, each block from its own stream (as
    /// [`ParticleSystemBuilder::sample`](crate::ParticleSystemBuilder::sample)).
    ///
    /// # Errors
    ///
    /// As [`voltages`](Self::voltages) for the settings; [`MicroError::At`] naming
    /// `initials` (not one per population), `v_min`, or the population's initial data
    /// (`populations[α].initial.mean`, …).
    pub fn sample(
        self,
        initials: &[InitialDensity],
        v_min: f64,
    ) -> Result<ParticleNetwork<S>, MicroError> {
        let layout = self.layout()?;
        if self.away.is_some() {
            return Err(MicroError::At {
                path: "away".into(),
                reason: "times away go with given voltages, not with sampled ones".into(),
            });
        }
        if initials.len() != layout.len() {
            return Err(MicroError::At {
                path: "initials".into(),
                reason: format!(
                    "{} initial densities for {} populations",
                    initials.len(),
                    layout.len()
                ),
            });
        }
        self.build(&layout, |alpha, builder| {
            builder
                .sample(&initials[alpha], v_min)
                .map_err(|e| match e {
                    // The interval is the run's; the initial data (`initial.mean`, …) and
                    // the rest the population's.
                    MicroError::Invalid { field: "v_min", .. } => e.under(""),
                    e => e.under(&format!("populations[{alpha}].")),
                })
        })
    }

    /// Checks the settings; each population's part (`None`: the part owns none of it).
    fn layout(&self) -> Result<Vec<Option<(Partition, usize)>>, MicroError> {
        check(&self.network, &self.config, self.part)?;
        let neurons = self.network.neurons(self.config.particles)?;
        if let Some(rates) = &self.rates {
            check_rates(rates, neurons.len())?;
        }
        if !self.t_start.is_finite() {
            return Err(MicroError::Invalid {
                field: "t_start",
                value: self.t_start,
                reason: "the start time must be finite",
            });
        }
        Ok(neurons
            .iter()
            .map(|&n| self.part.of_population(n))
            .collect())
    }

    /// Builds each population's system with `finish` from its builder.
    fn build(
        mut self,
        layout: &[Option<(Partition, usize)>],
        mut finish: impl FnMut(
            usize,
            crate::ParticleSystemBuilder<S>,
        ) -> Result<ParticleSystem<S>, MicroError>,
    ) -> Result<ParticleNetwork<S>, MicroError> {
        let p = layout.len();
        let rates = self.rates.clone().unwrap_or_else(|| vec![0.0; p]);
        // The history, checked before any population is sampled.
        let neurons = self.network.neurons(self.config.particles)?;
        let spikes = match self.spikes.take() {
            Some(counts) => {
                check_spike_history(&self.network, self.config.dt, &counts, &neurons)?;
                Some(counts)
            }
            None => SpikeHistory::prior_counts(&self.network, self.config.dt, &neurons)?,
        };
        let mut systems = Vec::with_capacity(p);
        for (alpha, part) in layout.iter().enumerate() {
            let Some((partition, local)) = *part else {
                systems.push(None);
                continue;
            };
            let (params, input) = own_params(&self.network, alpha);
            let config = MicroConfig {
                particles: local,
                ..self.config
            };
            let seed = population_seed(self.seed, alpha);
            let builder = ParticleSystem::builder(params, input, config, seed)
                .stepper(self.stepper.clone())
                .partition(partition)
                .t_start(self.t_start)
                .rate(rates[alpha])
                .refractory(self.network.populations[alpha].refractory)
                .parallelism(self.parallelism);
            systems.push(Some(finish(alpha, builder)?));
        }
        let last_initiators = vec![0; p];
        let mut network = ParticleNetwork::assemble(
            self.network,
            self.config,
            self.stepper,
            self.part,
            systems,
            (self.t_start, 0),
            rates,
            last_initiators,
        );
        if let (Some(history), Some(counts)) = (&mut network.history, &spikes) {
            history.restore(counts);
            // What arrives at the start (module `delay`), as the end of a step owes it;
            // an empty history owes nothing.
            if counts.iter().any(|&c| c != 0) {
                super::step::deliver(history, &mut network.members);
            }
        }
        Ok(network)
    }
}

/// Checks the network, the config (`particles` the whole network's) and the part.
pub(super) fn check(
    network: &Network,
    config: &MicroConfig,
    part: NetworkPart,
) -> Result<(), MicroError> {
    network.validate()?;
    config.validate()?;
    // Every delay a whole number of steps (module `delay`).
    network.delay_steps(config.dt)?;
    part.validate()
}

/// Checks spike counts in the saved form of a history ([`SpikeHistory::to_counts`]): as
/// long as the network's delays at the step `dt` need (none without delays), every
/// count at most `2 N_β` (an input-kick event and a cascade at one point).
pub(super) fn check_spike_history(
    network: &Network,
    dt: f64,
    counts: &[u64],
    neurons: &[usize],
) -> Result<(), MicroError> {
    let expected = SpikeHistory::new(network, dt).map_or(0, |h| h.saved_len());
    let p = neurons.len();
    let fits = counts.len() == expected
        && (counts.iter().enumerate()).all(|(i, &c)| c <= 2 * neurons[i % p] as u64);
    if fits {
        Ok(())
    } else {
        Err(MicroError::At {
            path: "delay_history".into(),
            reason: format!(
                "{} counts where the delays need {expected} (`(d_max + 1) P`, each at most 2 N_β)",
                counts.len()
            ),
        })
    }
}

pub(super) fn check_rates(rates: &[f64], p: usize) -> Result<(), MicroError> {
    if rates.len() != p {
        return Err(MicroError::At {
            path: "rates".into(),
            reason: format!("{} rates for {p} populations", rates.len()),
        });
    }
    if let Some(alpha) = rates.iter().position(|r| !r.is_finite()) {
        return Err(MicroError::At {
            path: format!("rates[{alpha}]"),
            reason: format!("{:?}: a rate must be finite", rates[alpha]),
        });
    }
    Ok(())
}

impl<S: SubthresholdStepper> ParticleNetwork<S> {
    /// The network from its populations' systems (checked by the caller).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assemble(
        network: Network,
        config: MicroConfig,
        stepper: S,
        part: NetworkPart,
        systems: Vec<Option<ParticleSystem<S>>>,
        (t_start, steps): (f64, u64),
        rates: Vec<f64>,
        last_initiators: Vec<u64>,
    ) -> Self {
        let p = systems.len();
        let mut config = config;
        if let Some(builtin) = stepper.builtin() {
            // As a particle system's: the config names the stepper run.
            config.stepper = builtin;
        }
        // Checked: `network.neurons` succeeded on `config.particles`.
        let sizes = network.neurons(config.particles).unwrap_or_default();
        let history = SpikeHistory::new(&network, config.dt);
        let members = systems
            .into_iter()
            .enumerate()
            .map(|(alpha, system)| {
                let mut kicks: Vec<f64> = (network.coupling[alpha].iter())
                    .zip(&sizes)
                    .map(|(&b, &n)| b / n as f64)
                    .collect();
                // A delayed connection acts through the history, not in cascades.
                let mut delayed = Vec::new();
                if let Some(history) = &history {
                    for (beta, kick) in kicks.iter_mut().enumerate() {
                        let d = history.delay(alpha, beta);
                        if d > 0 {
                            delayed.push((beta, d, *kick));
                            *kick = 0.0;
                        }
                    }
                }
                let mut total: Option<f64> = None;
                for (&kick, &n) in kicks.iter().zip(&sizes) {
                    if kick > 0.0 {
                        let most = n as f64 * kick;
                        total = Some(total.map_or(most, |sum| sum + most));
                    }
                }
                Member {
                    system,
                    neurons: sizes[alpha],
                    excited: total.is_some(),
                    total: total.unwrap_or(0.0),
                    kicks,
                    delayed,
                    theta: f64::NEG_INFINITY,
                    max: 0.0,
                }
            })
            .collect();
        ParticleNetwork {
            network,
            config,
            stepper,
            part,
            members,
            sizes,
            t_start,
            steps,
            rates,
            last_spikes: vec![0; p],
            last_initiators,
            counts: vec![0; 2 * p],
            fired: vec![0; p],
            new: vec![0; p],
            history,
            delayed_rates: Vec::new(),
        }
    }
}
