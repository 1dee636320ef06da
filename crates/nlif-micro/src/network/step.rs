//! The time step of a network of populations: the input kicks, each population's
//! sub-threshold pass, and the cascade across populations (module documentation of
//! [`crate::network`]; docs/model.md §10).

use serde::{Deserialize, Serialize};

use super::{Member, ParticleNetwork};
use crate::BLOCK_SIZE;
use crate::Mfe;
use crate::cascade::{CascadeOutcome, Reduction, SingleProcess};
use crate::raster::SpikeRaster;
use crate::stepper::SubthresholdStepper;

/// The neurons of one population fired in a multiple firing event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PopulationFired {
    /// Neurons of the population fired in the instant (the whole network's).
    pub fired: u64,
    /// `fired / N_α`.
    pub fraction: f64,
}

/// A multiple firing event of a network: the event as for one population ([`Mfe`]:
/// the network's fired count and `fraction` of `N`, which decides, with
/// `mfe_min_fraction`, whether the event is recorded) and what fired in each population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkMfe {
    /// The event over the whole network.
    pub network: Mfe,
    /// What fired in each population, in population order (allocated only when an event
    /// is recorded: events are rare).
    pub populations: Vec<PopulationFired>,
}

/// What one step of a network did, over the whole network (the same on every part).
/// Per-population spikes and rates are the network's
/// ([`last_spikes`](ParticleNetwork::last_spikes), [`rates`](ParticleNetwork::rates)).
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a step that left non-finite voltages says so only in its report: check `is_valid` (or `non_finite`)"]
pub struct NetworkStepReport {
    /// Spikes in the step over every population, cascades and kicks included.
    pub spikes: u64,
    /// The network's empirical rate `spikes / (N dt)`.
    pub rate: f64,
    /// At most one event from the input kicks and one from the cascade of the step.
    pub mfes: [Option<NetworkMfe>; 2],
    /// Neurons whose new voltage is not finite (as [`crate::StepReport::non_finite`]).
    pub non_finite: u64,
}

impl NetworkStepReport {
    /// Whether every voltage stayed finite.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.non_finite == 0
    }

    /// The multiple firing events of the step.
    pub fn mfes(&self) -> impl Iterator<Item = &NetworkMfe> {
        self.mfes.iter().flatten()
    }
}

impl<S: SubthresholdStepper> Member<S> {
    /// `L_α = Σ_β fl(k_β · kick[α][β])`, summed in `β` order.
    fn level(&self, k: &[u64]) -> f64 {
        let mut level = k[0] as f64 * self.kicks[0];
        for (&k, &kick) in k.iter().zip(&self.kicks).skip(1) {
            level += k as f64 * kick;
        }
        level
    }
}

impl<S: SubthresholdStepper> ParticleNetwork<S> {
    /// Advances one step of the whole network (see [`step_with`](Self::step_with)).
    ///
    /// # Panics
    ///
    /// If the network is only a part: a part needs the sums over all parts.
    pub fn step(&mut self) -> NetworkStepReport {
        assert!(
            self.part.parts == 1,
            "a part of a network must be stepped with `step_with` and a reduction over the parts"
        );
        self.step_with(&mut SingleProcess)
    }

    /// Advances one step, summing counts over the parts with `reduction` (every part
    /// calls it once per step): the input kicks of the step as one event, each
    /// population's sub-threshold pass with `I_α(t)` and `a_α` of the last step's rates,
    /// and the cascade across populations (module documentation).
    pub fn step_with<R: Reduction>(&mut self, reduction: &mut R) -> NetworkStepReport {
        self.step_inner(reduction, None)
    }

    /// [`step_with`](Self::step_with), recording into `raster` the spikes of its sampled
    /// neurons (population `α`'s ids among its `N_α`; made with
    /// `SpikeRaster::new(seed, &neurons, size)`, `neurons` of [`neurons`](Self::neurons);
    /// module [`crate::raster`]). Everything else is computed exactly as by `step_with`;
    /// a non-empty raster adds one reduction of its bitmask per event, which every part
    /// makes alike.
    pub fn step_recording<R: Reduction>(
        &mut self,
        reduction: &mut R,
        raster: &mut SpikeRaster,
    ) -> NetworkStepReport {
        self.step_inner(reduction, Some(raster))
    }

    fn step_inner<R: Reduction>(
        &mut self,
        reduction: &mut R,
        mut raster: Option<&mut SpikeRaster>,
    ) -> NetworkStepReport {
        let t = self.time();
        let dt = self.config.dt;
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        let mut mfes = [None, None];
        self.last_spikes.fill(0);
        let kicked = (self.network.populations.iter())
            .any(|population| population.input.kick_within(t, t_next).is_some());
        if kicked {
            // Its non-finite count is superseded by the sub-threshold pass.
            let (outcome, _) = self.kick_event(t, t_next, reduction);
            if let Some(history) = &mut self.history {
                history.add(&self.fired);
            }
            if let Some(raster) = raster.as_deref_mut() {
                self.record_spikes(raster, t, reduction);
            }
            mfes[0] = self.as_mfe(t, outcome, true);
        }
        self.set_windows();
        for alpha in 0..self.members.len() {
            let a = self.noise(alpha);
            let population = &self.network.populations[alpha];
            let current = population.input.current(t);
            let member = &mut self.members[alpha];
            if let Some(system) = &mut member.system {
                let kernel = self.stepper.kernel(dt, current, a, population.v_f);
                system.subthreshold_pass(kernel, member.theta);
            }
        }
        let (outcome, non_finite) = self.resolve(reduction);
        if let Some(raster) = raster {
            self.record_spikes(raster, t + dt, reduction);
        }
        mfes[1] = self.as_mfe(t + dt, outcome, false);
        self.steps += 1;
        for ((rate, &spikes), member) in self
            .rates
            .iter_mut()
            .zip(&self.last_spikes)
            .zip(&mut self.members)
        {
            *rate = spikes as f64 / (member.neurons as f64 * dt);
            if let Some(system) = &mut member.system {
                system.finish_step(*rate);
            }
        }
        if let Some(history) = &mut self.history {
            history.close(&self.fired);
            deliver(history, &mut self.members);
        }
        NetworkStepReport {
            spikes: self.last_spikes.iter().sum(),
            rate: self.rate(),
            mfes,
            non_finite,
        }
    }

    /// `a_α` of the next pass: `network.diffusion` of the last step's rates, or, with
    /// delays, of the rates `N_β(t - D[α][β])` (module `delay`).
    fn noise(&mut self, alpha: usize) -> f64 {
        let Some(history) = &self.history else {
            return self.network.diffusion(alpha, &self.rates);
        };
        if self.network.a1.is_empty() {
            return self.network.diffusion(alpha, &self.rates);
        }
        self.delayed_rates.clear();
        for (beta, &rate) in self.rates.iter().enumerate() {
            let d = history.delay(alpha, beta);
            self.delayed_rates.push(if d == 0 {
                rate
            } else {
                history.count(d - 1, beta) as f64 / (self.sizes[beta] as f64 * self.config.dt)
            });
        }
        self.network.diffusion(alpha, &self.delayed_rates)
    }

    /// Records the sampled neurons the last event fired (marked until the next pass) in
    /// every population this part owns, at `t`.
    fn record_spikes<R: Reduction>(&self, raster: &mut SpikeRaster, t: f64, reduction: &mut R) {
        raster.clear();
        for (alpha, member) in self.members.iter().enumerate() {
            if let Some(system) = &member.system {
                let first = system.partition().first_block * BLOCK_SIZE;
                raster.mark(alpha, first, system.len(), |i| system.fired_last(i));
            }
        }
        raster.record(t, reduction);
    }

    /// The input kicks falling into `[t, t_next)` as one event (a population without one
    /// moves by 0), with its cascade.
    pub(super) fn kick_event<R: Reduction>(
        &mut self,
        t: f64,
        t_next: f64,
        reduction: &mut R,
    ) -> (CascadeOutcome, u64) {
        self.set_windows();
        for (alpha, member) in self.members.iter_mut().enumerate() {
            let input = &self.network.populations[alpha].input;
            let dv = input.kick_within(t, t_next).unwrap_or(0.0);
            if let Some(system) = &mut member.system {
                system.kick_pass(dv, member.theta);
            }
        }
        self.resolve(reduction)
    }

    /// Sets each population's window `θ_α` from the last cascade's initiators.
    fn set_windows(&mut self) {
        let initiators = &self.last_initiators;
        let neurons = &self.sizes;
        for member in &mut self.members {
            member.theta = if member.excited {
                let mut theta: Option<f64> = None;
                for ((&kick, &s), &n) in member.kicks.iter().zip(initiators).zip(neurons) {
                    if kick > 0.0 {
                        let w = (4 * s + 64).min(n as u64) as f64 * kick;
                        theta = Some(theta.map_or(w, |sum| sum + w));
                    }
                }
                theta.unwrap_or(f64::NEG_INFINITY)
            } else {
                f64::NEG_INFINITY
            };
        }
    }

    /// Sums the passes' initiators and non-finite voltages over the parts (one reduction
    /// of `2P` counts), resolves the cascade across populations (one reduction of `P` new
    /// spikes per round), resets the fired and owes each population its final level;
    /// adds the event's spikes to `last_spikes` and returns the event (over the network)
    /// and its count of non-finite voltages.
    fn resolve<R: Reduction>(&mut self, reduction: &mut R) -> (CascadeOutcome, u64) {
        let p = self.members.len();
        for (alpha, member) in self.members.iter().enumerate() {
            let [fired, non_finite] = member
                .system
                .as_ref()
                .map_or([0, 0], |system| system.event_counts());
            self.counts[alpha] = fired;
            self.counts[p + alpha] = non_finite;
        }
        reduction.sum_u64_slice(&mut self.counts);
        let non_finite = self.counts[p..].iter().sum();
        self.fired.copy_from_slice(&self.counts[..p]);
        self.last_initiators.copy_from_slice(&self.counts[..p]);
        for (member, &s0) in self.members.iter_mut().zip(&self.last_initiators) {
            if let Some(system) = &mut member.system {
                system.set_last_initiators(s0);
            }
        }
        let initiators: u64 = self.fired.iter().sum();
        if initiators == 0 {
            // Nobody fired: no kick is owed (the passes left none).
            return (
                CascadeOutcome {
                    fired: 0,
                    rounds: 0,
                },
                non_finite,
            );
        }
        let mut rounds = 0u32;
        if self.members.iter().any(|m| m.excited) {
            for member in &mut self.members {
                member.max = 0.0;
                if let (true, Some(system)) = (member.excited, &mut member.system) {
                    system.start_cascade(member.theta, member.total);
                }
            }
            loop {
                for (member, new) in self.members.iter_mut().zip(&mut self.new) {
                    let level = member.level(&self.fired);
                    *new = 0;
                    if level > member.max {
                        member.max = level;
                        if let Some(system) = &mut member.system {
                            *new = system.fire_to(level);
                        }
                    }
                }
                reduction.sum_u64_slice(&mut self.new);
                if self.new.iter().all(|&n| n == 0) {
                    break;
                }
                for (k, &new) in self.fired.iter_mut().zip(&self.new) {
                    *k += new;
                }
                rounds += 1;
            }
        }
        for member in &mut self.members {
            let level = member.level(&self.fired);
            if let Some(system) = &mut member.system {
                if member.excited {
                    system.reset_fired(member.max);
                }
                system.owe(level);
            }
        }
        for (spikes, &k) in self.last_spikes.iter_mut().zip(&self.fired) {
            *spikes += k;
        }
        let fired = self.fired.iter().sum();
        (CascadeOutcome { fired, rounds }, non_finite)
    }

    /// The event as a multiple firing event, if it is one (as for one population: a kick,
    /// or a cascade of at least one round, firing at least `mfe_min_fraction` of `N`).
    fn as_mfe(&self, t: f64, outcome: CascadeOutcome, kick: bool) -> Option<NetworkMfe> {
        let fraction = outcome.fired as f64 / self.global_len() as f64;
        let cascaded = kick || outcome.rounds > 0;
        (cascaded && outcome.fired > 0 && fraction >= self.config.mfe_min_fraction).then(|| {
            NetworkMfe {
                network: Mfe {
                    t,
                    fired: outcome.fired,
                    fraction,
                    rounds: outcome.rounds,
                },
                populations: self
                    .fired
                    .iter()
                    .zip(&self.members)
                    .map(|(&fired, member)| PopulationFired {
                        fired,
                        fraction: fired as f64 / member.neurons as f64,
                    })
                    .collect(),
            }
        })
    }
}

/// Owes each population the kicks its delayed connections deliver at the point just
/// reached (module `delay`): `Σ_β fl(c_β(t_{n+1-d}) · kick[α][β])` in `β` order, on top
/// of the cascade's level.
pub(super) fn deliver<S: SubthresholdStepper>(
    history: &super::delay::SpikeHistory,
    members: &mut [Member<S>],
) {
    for member in members {
        let Some(system) = &mut member.system else {
            continue;
        };
        let mut delivered: Option<f64> = None;
        for &(beta, d, kick) in &member.delayed {
            let dv = history.count(d - 1, beta) as f64 * kick;
            delivered = Some(delivered.map_or(dv, |sum| sum + dv));
        }
        if let Some(dv) = delivered {
            system.owe_more(dv);
        }
    }
}
