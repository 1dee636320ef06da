//! One step of a [`DensityNetwork`]: every rate frozen, every population's coefficients
//! formed from them, every density advanced; all or none.

use super::DensityNetwork;
use crate::scheme::FluxScheme;
use crate::{Coefficients, StepOutcome};

/// The result of one attempted step of a [`DensityNetwork`]. Anything but `Advanced`
/// leaves every population's state at `t^m`: stop (or change something) on it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
#[must_use = "a step that did not advance leaves the state unchanged: handle every outcome but `Advanced`"]
pub enum NetworkOutcome {
    /// Every population advanced to `t^{m+1}`; the network's new rate `Σ_α share_α N_α`
    /// (each population's in [`DensityNetwork::rates`]).
    Advanced {
        /// The network's rate per neuron.
        rate: f64,
    },
    /// Population `population` refused the step (the first in index order that did), with
    /// the outcome a [`MacroSolver`](crate::MacroSolver) reports: its rate above its bound,
    /// lost positivity, an input kick reaching its threshold, a negative or non-finite
    /// solve. No population advanced.
    Refused {
        /// The index `α` of the population.
        population: usize,
        /// Why it refused (never [`StepOutcome::Advanced`]).
        outcome: StepOutcome,
    },
}

impl NetworkOutcome {
    /// The network's new rate if the state advanced.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        match self {
            NetworkOutcome::Advanced { rate } => Some(*rate),
            NetworkOutcome::Refused { .. } => None,
        }
    }
}

impl<S: FluxScheme + Clone> DensityNetwork<S> {
    /// Attempts one step of length `dt` with the same rate bound for every population:
    /// as [`DensityNetwork::step_with_bounds`] with `|_| rate_bound` (`f64::INFINITY` for
    /// no bound).
    pub fn step(&mut self, rate_bound: f64) -> NetworkOutcome {
        self.step_with_bounds(|_| rate_bound)
    }

    /// Attempts one step of length `dt`; population `α`'s new rate must be at most
    /// `rate_bound(α)`.
    ///
    /// 1. The rates `N*_β` are frozen for every population: `N_β^m`, or with
    ///    [`FrozenAt::StepEnd`](crate::FrozenAt::StepEnd) each population's extrapolation
    ///    `max(0, 2 N_β^m - N_β^{m-1})`.
    /// 2. Population `α`'s coefficients: `a_α = a0_α + Σ_β a1[α][β] N*_β` and the drift
    ///    shift `Σ_β coupling[α][β] N*_β + I_α(t)`, the input at the step's start or end
    ///    (`config.frozen_at`), as one population's (docs/model.md §10); with a delay
    ///    `delay[α][β] = K dt > 0`, `N*_β` is `β`'s rate `K` steps before the step's start
    ///    or end, read off its history (docs/model.md §12).
    /// 3. Every density is advanced as [`MacroSolver::step_with`](crate::MacroSolver::step_with)
    ///    does (its own input's kick first, then the operator and the scheme), into the
    ///    population's buffer; only when every population has advanced are the new
    ///    densities and rates committed. A refusal of any population (in index order, the
    ///    first one's) is [`NetworkOutcome::Refused`] and leaves every population as it was.
    ///
    /// No allocation; cost the sum of the populations' steps plus `O(P²)`.
    pub fn step_with_bounds(&mut self, rate_bound: impl Fn(usize) -> f64) -> NetworkOutcome {
        for (frozen, solver) in self.frozen.iter_mut().zip(&self.populations) {
            *frozen = solver.frozen_rate();
        }
        // Every population's clock is the same: the input time of the first is everyone's.
        let t_input = self.populations[0].input_time(self.dt());
        for alpha in 0..self.populations.len() {
            // With delays, the rate of each `β` as `α` sees it, `delay[α][β]` late.
            let rates = if self.delay_steps.is_empty() {
                &self.frozen
            } else {
                for (beta, seen) in self.seen.iter_mut().enumerate() {
                    let k = self.delay_steps[alpha][beta];
                    *seen = self.populations[beta].delayed_rate(k);
                }
                &self.seen
            };
            let solver = &mut self.populations[alpha];
            let coefficients = Coefficients {
                a: self.network.diffusion(alpha, rates),
                shift: self.network.recurrent_input(alpha, rates) + solver.input().current(t_input),
            };
            match solver.solve(coefficients, rate_bound(alpha)) {
                StepOutcome::Advanced { rate } => self.next_rates[alpha] = rate,
                outcome => {
                    return NetworkOutcome::Refused {
                        population: alpha,
                        outcome,
                    };
                }
            }
        }
        for (solver, &rate) in self.populations.iter_mut().zip(&self.next_rates) {
            solver.commit(rate);
        }
        self.rates.copy_from_slice(&self.next_rates);
        NetworkOutcome::Advanced { rate: self.rate() }
    }
}
