//! What a network remembers beyond its densities or voltages, carried across the
//! hand-overs (docs/model.md §11, §12, "Hand-overs"): the neurons away from the voltage
//! line with the time each still stays away (a refractory period), and the recent spikes
//! that delayed connections have still to deliver.
//!
//! The density keeps both as rates on its step `Δt`: a refractory compartment `R` (with,
//! for a `Fixed` period, the outflow of each of its last `K = τ/Δt` steps, oldest first:
//! slot `i` comes back within `(iΔt, (i+1)Δt]`), and the rates `N_β^{m-K_β} .. N_β^{m-1}`
//! the delays read, slot `q` steps back covering `(t - (q+1)Δt, t - qΔt]` (the current
//! rate `N_β^m` is `q = 0`). The particles keep counts on their step `δt`: each neuron
//! away with its passes left plus one (`k + 1`: back at `V_R` in `k` steps; 0: fired in
//! the last event, its time away not yet drawn, a full `m = τ/δt` steps for `Fixed`), and
//! each population's spikes at the last step points, point `j` back counting the spikes
//! in `(t - (j+1)δt, t - jδt]`.
//!
//! - **Away, density → particles**: `n = round(R N)` neurons away, the first `n` of the
//!   population (block order, the same on every split); neuron `k` gets the remaining time
//!   at the quantile `(k + 1/2)/n` of the compartment's law (`Fixed`: uniform within each
//!   slot, the slots weighted by their outflow; `Exponential`: exponential of mean `τ`,
//!   memoryless), as `1 + ceil(r/δt)` passes; the others are sampled from the density,
//!   whose mass is `1 - R`, as strata `k - n` of `N - n`.
//! - **Away, particles → density**: `R = n/N`; a `Fixed` period's slot of a neuron with
//!   remaining time `r` is `ceil(r/Δt) - 1` (at least 0), each neuron adding `1/(NΔt)` to
//!   its slot's rate.
//! - **Delays, density → particles**: the expected count at point `j`, `N_β δt` times the
//!   rate of the density's steps over the point's interval (weighted by overlap; before
//!   the history, 0), made whole by rounding the running sum from the oldest point on:
//!   every window of points holds its expected spikes to within one.
//! - **Delays, particles → density**: the rate of slot `q`, the spikes of the points over
//!   its interval (weighted by overlap) over `N_β` and the time they cover: the history's
//!   oldest slot reaches `Δt - δt` further back than the particles remember, and is the
//!   rate of the part they do.
//!
//! All of it is integer or deterministic arithmetic on data every part of a distributed
//! run holds (the away counts are summed over the parts first): every part hands over the
//! same.

use fp_macro::RefractoryState;
use nlif_model::Refractory;
use serde::{Deserialize, Serialize};

/// What a density network remembers beyond its densities, as it saves it
/// ([`NetworkState`](fp_macro::NetworkState)'s fields of the same names).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DensityMemory {
    /// Each population's refractory compartment (`None` without a period); empty when no
    /// population has one.
    pub refractory: Vec<Option<RefractoryState>>,
    /// Each population's rate history that the delays read, oldest first (empty for a
    /// population no delayed connection leaves); empty without delays.
    pub histories: Vec<Vec<f64>>,
}

impl DensityMemory {
    /// Whether there is nothing to carry (no refractory period, no delay).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.refractory.is_empty() && self.histories.is_empty()
    }
}

/// What particles remember beyond their voltages, summed over the parts of a run.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ParticleMemory {
    /// Each population's neurons away by passes left plus one (`away[α][k]` neurons with
    /// `k`, as [`ParticleSystem::times_away`](nlif_micro::ParticleSystem::times_away)):
    /// `m + 2` counts for a `Fixed` period of `m` steps, one (the number away) for an
    /// `Exponential` one, none without a period.
    pub away: Vec<Vec<u64>>,
    /// The spike history in the particles' saved form
    /// ([`ParticleNetwork::spike_history`](nlif_micro::ParticleNetwork::spike_history);
    /// empty without delays).
    pub spikes: Vec<u64>,
}

impl ParticleMemory {
    /// Whether there is nothing to carry (no refractory period, no delay).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.away.iter().all(Vec::is_empty) && self.spikes.is_empty()
    }
}

/// The steps of the two descriptions: the density's `Δt` and the particles' `δt`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Steps {
    pub(crate) macro_dt: f64,
    pub(crate) micro_dt: f64,
}

impl Steps {
    /// The two steps of a run.
    pub(crate) fn of(config: &crate::config::RunConfig) -> Self {
        Steps {
            macro_dt: config.macro_config.dt,
            micro_dt: config.micro.dt,
        }
    }
}

/// The passes left plus one of the first `n` neurons of a population of `neurons` when
/// the density's compartment is `state` (module documentation): entry `k` for neuron `k`.
pub(crate) fn away_from_compartment(
    state: &RefractoryState,
    neurons: u64,
    steps: Steps,
) -> Vec<u32> {
    let n = away_count(state.mass, neurons);
    let tau = state.period.mean_time();
    let most = match state.period {
        Refractory::Fixed { .. } => (tau / steps.micro_dt).round(),
        _ => f64::from(u32::MAX - 1),
    };
    let total: f64 = state.history.iter().sum();
    (0..n)
        .map(|k| {
            let q = (k as f64 + 0.5) / n as f64;
            let r = match state.period {
                Refractory::Exponential { tau } => -tau * (-q).ln_1p(),
                _ if total > 0.0 => fixed_quantile(&state.history, total, q) * steps.macro_dt,
                // No outflow recorded (a compartment set by hand): uniform over the period.
                _ => q * tau,
            };
            // Back at the first step point at or after `r` (a slot's neurons come back
            // within its interval, the last at its end, as the density re-injects it).
            (1.0 + (r / steps.micro_dt - 1e-9).ceil().clamp(0.0, most)) as u32
        })
        .collect()
}

/// The number of neurons away, `round(R N)` within `[0, N]`.
pub(crate) fn away_count(mass: f64, neurons: u64) -> u64 {
    (mass * neurons as f64).round().clamp(0.0, neurons as f64) as u64
}

/// The remaining time, in steps `Δt`, at quantile `q` of the slots' weights `history`
/// (summing to `total`), uniform within a slot.
fn fixed_quantile(history: &[f64], total: f64, q: f64) -> f64 {
    let target = q * total;
    let mut below = 0.0;
    for (i, &w) in history.iter().enumerate() {
        if w > 0.0 && below + w >= target {
            return i as f64 + ((target - below) / w).clamp(0.0, 1.0);
        }
        below += w;
    }
    history.len() as f64
}

/// The density's compartment of `period` from the particles' away counts `away` (as in
/// [`ParticleMemory::away`]) of a population of `neurons` (module documentation).
pub(crate) fn compartment_from_away(
    period: Refractory,
    away: &[u64],
    neurons: u64,
    steps: Steps,
) -> RefractoryState {
    let n: u64 = away.iter().sum();
    let mass = n as f64 / neurons as f64;
    let history = match period {
        Refractory::Fixed { tau } => {
            let slots = (tau / steps.macro_dt).round() as usize;
            let m = (tau / steps.micro_dt).round();
            let mut history = vec![0.0; slots];
            let per_neuron = 1.0 / (neurons as f64 * steps.macro_dt);
            for (k, &count) in away.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let passes = if k == 0 { m } else { (k - 1) as f64 };
                let r = passes * steps.micro_dt;
                let slot =
                    ((r / steps.macro_dt - 1e-9).ceil() - 1.0).clamp(0.0, (slots - 1) as f64);
                history[slot as usize] += count as f64 * per_neuron;
            }
            history
        }
        _ => Vec::new(),
    };
    RefractoryState::new(period, mass, history)
}

/// The length of `[a0, a1] ∩ [b0, b1]`.
fn overlap((a0, a1): (f64, f64), (b0, b1): (f64, f64)) -> f64 {
    (a1.min(b1) - a0.max(b0)).max(0.0)
}

/// The particles' spike history (saved form: `d_max` points newest first, then the point
/// being filled, `P` counts each) from the density's `histories` and current `rates` of
/// populations of `neurons` (module documentation).
pub(crate) fn spikes_from_rates(
    histories: &[Vec<f64>],
    rates: &[f64],
    neurons: &[u64],
    d_max: usize,
    steps: Steps,
) -> Vec<u64> {
    let p = neurons.len();
    let (big, small) = (steps.macro_dt, steps.micro_dt);
    // expected[j][β]: point j back, j = 0 the point being filled.
    let mut counts = vec![0u64; (d_max + 1) * p];
    for beta in 0..p {
        let history = histories.get(beta).map_or(&[][..], Vec::as_slice);
        let rate_back = |q: usize| match q {
            0 => rates[beta],
            q if q <= history.len() => history[history.len() - q],
            _ => 0.0,
        };
        let mut running = 0.0;
        let mut whole = 0.0_f64;
        // From the oldest point (j = d_max) to the newest (j = 0).
        for j in (0..=d_max).rev() {
            let point = (j as f64 * small, (j + 1) as f64 * small);
            let first = (point.0 / big).floor() as usize;
            let last = (point.1 / big).ceil() as usize;
            let spikes: f64 = (first..last.max(first + 1))
                .map(|q| rate_back(q) * overlap(point, (q as f64 * big, (q + 1) as f64 * big)))
                .sum::<f64>()
                * neurons[beta] as f64;
            running += spikes;
            let next = running.round();
            let count = (next - whole).max(0.0).min(2.0 * neurons[beta] as f64);
            whole = next;
            // Saved form: points 1..=d_max at back = j - 1, the point being filled last.
            let slot = if j == 0 { d_max } else { j - 1 };
            counts[slot * p + beta] = count as u64;
        }
    }
    counts
}

/// The density's rate histories of lengths `lengths[β]` from the particles' spike
/// history `spikes` (saved form) of populations of `neurons` (module documentation).
pub(crate) fn rates_from_spikes(
    spikes: &[u64],
    neurons: &[u64],
    lengths: &[usize],
    steps: Steps,
) -> Vec<Vec<f64>> {
    let p = neurons.len();
    let d_max = (spikes.len() / p.max(1)).saturating_sub(1);
    let (big, small) = (steps.macro_dt, steps.micro_dt);
    let count = |j: usize, beta: usize| {
        let slot = if j == 0 { d_max } else { j - 1 };
        spikes[slot * p + beta] as f64
    };
    (0..p)
        .map(|beta| {
            let k = lengths.get(beta).copied().unwrap_or(0);
            (0..k)
                .map(|i| {
                    // Oldest first: slot i is q = k - i steps back.
                    let q = k - i;
                    let slot = (q as f64 * big, (q + 1) as f64 * big);
                    let first = (slot.0 / small).floor() as usize;
                    let last = ((slot.1 / small).ceil() as usize).min(d_max + 1);
                    let (mut spikes, mut covered) = (0.0, 0.0);
                    for j in first..last {
                        let part = overlap(slot, (j as f64 * small, (j + 1) as f64 * small));
                        spikes += count(j, beta) * part / small;
                        covered += part;
                    }
                    if covered > 0.0 {
                        spikes / (neurons[beta] as f64 * covered)
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: Steps = Steps {
        macro_dt: 1e-3,
        micro_dt: 2.5e-4,
    };

    fn fixed(tau: f64, history: Vec<f64>) -> RefractoryState {
        let mass = STEPS.macro_dt * history.iter().sum::<f64>();
        RefractoryState::new(Refractory::Fixed { tau }, mass, history)
    }

    /// Oracle: the quantile construction. `n = round(R N)` neurons are away, and slot `i`
    /// of the compartment holds `n w_i / Σw` of them to within one (its quantiles
    /// `(k + 1/2)/n` are those in an interval of length `w_i / Σw`); each neuron comes
    /// back within its slot's interval `(iΔt, (i+1)Δt]`, in steps `δt`.
    #[test]
    fn the_neurons_away_follow_the_fixed_compartments_slots() {
        let history = vec![3.0, 0.0, 1.0, 7.5, 2.0];
        let state = fixed(5e-3, history.clone());
        let neurons = 40_000;
        let passes = away_from_compartment(&state, neurons, STEPS);
        let n = (state.mass * neurons as f64).round() as usize;
        assert_eq!(passes.len(), n);
        let per_slot = 4; // Δt / δt
        let total: f64 = history.iter().sum();
        for (i, &w) in history.iter().enumerate() {
            // Back at t + k δt with k = passes - 1 in (i per_slot, (i + 1) per_slot].
            let lo = i * per_slot + 1;
            let hi = (i + 1) * per_slot;
            let count = passes
                .iter()
                .filter(|&&a| (lo..=hi).contains(&(a as usize - 1)))
                .count();
            let expected = n as f64 * w / total;
            assert!(
                (count as f64 - expected).abs() <= 1.0,
                "slot {i}: {count} vs {expected}"
            );
        }
    }

    /// Oracle: the exact inverse. Counting the neurons of
    /// [`away_from_compartment`] back gives the compartment again: the mass to `1/(2N)`
    /// (the rounding of `R N`), each slot's rate to `1/(N Δt)` (one neuron).
    #[test]
    fn a_fixed_compartment_survives_the_round_trip() {
        let state = fixed(5e-3, vec![0.5, 2.0, 0.0, 4.25, 1.0]);
        let neurons = 10_000_u64;
        let passes = away_from_compartment(&state, neurons, STEPS);
        let m = 20; // τ / δt
        let mut away = vec![0u64; m + 2];
        for a in passes {
            away[a as usize] += 1;
        }
        let back = compartment_from_away(state.period, &away, neurons, STEPS);
        assert!((back.mass - state.mass).abs() <= 0.5 / neurons as f64);
        let one = 1.0 / (neurons as f64 * STEPS.macro_dt);
        for (i, (b, s)) in back.history.iter().zip(&state.history).enumerate() {
            assert!((b - s).abs() <= one, "slot {i}: {b} vs {s}");
        }
    }

    /// Oracle: by hand. A neuron that fired in the last event (0) is away a whole period
    /// and belongs to the newest slot; one with `k + 1` is back in `k` steps `δt`.
    #[test]
    fn particles_away_land_in_the_slot_they_come_back_in() {
        let mut away = vec![0u64; 22];
        away[0] = 2; // fired in the last event: away 20 δt = 5 Δt, the newest slot
        away[1] = 1; // back now: slot 0
        away[5] = 3; // back in 4 δt = Δt: slot 0
        away[6] = 1; // back in 5 δt: slot 1
        let state = compartment_from_away(Refractory::Fixed { tau: 5e-3 }, &away, 100, STEPS);
        let one = 1.0 / (100.0 * STEPS.macro_dt);
        assert_eq!(state.history, vec![4.0 * one, one, 0.0, 0.0, 2.0 * one]);
        assert_eq!(state.mass, 0.07);
        let exponential = Refractory::Exponential { tau: 0.5 };
        let state = compartment_from_away(exponential, &[30], 100, STEPS);
        assert_eq!((state.mass, state.history.len()), (0.3, 0));
    }

    /// Oracle: the exponential law. The remaining times of an `Exponential` compartment
    /// are its quantiles: the share back within `s` is `1 - exp(-s/τ)` to within the
    /// `δt` of a step and one neuron.
    #[test]
    fn exponential_times_away_are_memoryless_quantiles() {
        let tau = 0.05;
        let state = RefractoryState::new(Refractory::Exponential { tau }, 0.25, Vec::new());
        let neurons = 20_000;
        let passes = away_from_compartment(&state, neurons, STEPS);
        assert_eq!(passes.len(), 5000);
        for s in [0.01, 0.05, 0.1] {
            let within = |s: f64| {
                passes
                    .iter()
                    .filter(|&&a| f64::from(a - 1) * STEPS.micro_dt <= s)
                    .count() as f64
                    / 5000.0
            };
            let law = |s: f64| 1.0 - (-s / tau).exp();
            let (lo, hi) = (law(s - STEPS.micro_dt), law(s));
            let share = within(s);
            assert!(
                share >= lo - 2e-4 && share <= hi + 2e-4,
                "{s}: {share} not in [{lo}, {hi}]"
            );
        }
    }

    /// Oracle: the running-sum rounding. For a rate history, every window of points holds
    /// its expected spikes `N δt Σ ν` to within one, and the counts read back as rates
    /// give each density step its rate to within `1/(N Δt)`, but the oldest, of which the
    /// particles remember `d δt` only.
    #[test]
    fn rate_histories_and_spike_counts_convert_both_ways() {
        let rates = [2.5, 0.0];
        let histories = vec![vec![1.0, 3.7, 0.2, 12.5], Vec::new()];
        let neurons = [30_000_u64, 500];
        let d_max = 16; // 4 Δt in δt
        let spikes = spikes_from_rates(&histories, &rates, &neurons, d_max, STEPS);
        assert_eq!(spikes.len(), (d_max + 1) * 2);
        // Point j back (0: being filled) of population 0; its rate is the density's
        // step q = floor(j δt / Δt) back.
        let point = |j: usize| spikes[if j == 0 { d_max } else { j - 1 } * 2] as f64;
        let rate_of = |j: usize| match j / 4 {
            0 => 2.5,
            q => histories[0][4 - q],
        };
        let mut expected = 0.0;
        let mut counted = 0.0;
        for j in (0..=d_max).rev() {
            expected += rate_of(j) * neurons[0] as f64 * STEPS.micro_dt;
            counted += point(j);
            assert!((counted - expected).abs() <= 0.5 + 1e-9, "point {j}");
        }
        assert!((0..=d_max).all(|j| spikes[if j == 0 { d_max } else { j - 1 } * 2 + 1] == 0));
        let back = rates_from_spikes(&spikes, &neurons, &[4, 0], STEPS);
        let one = 1.0 / (neurons[0] as f64 * STEPS.macro_dt);
        assert!(back[1].is_empty());
        for (i, (b, h)) in back[0].iter().zip(&histories[0]).enumerate() {
            // The oldest slot (q = 4) is covered by the point j = 16 only: its rate is that
            // point's, to within one spike in δt.
            let bound = if i == 0 { 4.0 * one } else { one };
            assert!((b - h).abs() <= bound, "slot {i}: {b} vs {h}");
        }
    }
}
