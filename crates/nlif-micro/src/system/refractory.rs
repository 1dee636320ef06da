//! The refractory period of a particle system (docs/model.md §11): a neuron that fires
//! leaves the voltage line, neither moves nor receives kicks nor fires while it is away,
//! and comes back at `V_R`.
//!
//! # Representation
//!
//! A fired neuron is stored as `-inf` (as without a period); with a period it stays `-inf`
//! while it is away, and `away[i]` (one `u32` per neuron, in its block) counts the passes
//! it still has to sit out, plus one:
//!
//! - `-inf` with `away = 0`: fired in the last event, its time away not yet drawn;
//! - **start** (the first pass, kick or sub-threshold, that meets it): `away = m + 1`,
//!   `m` the whole number of steps it stays away ([`Away::steps`]);
//! - **tick** (every sub-threshold pass, after the start): `away -= 1`; at 0 it is back,
//!   settled at `V_R` and stepped from there in the same pass; otherwise it is *parked*:
//!   its normal deviate is drawn (the streams do not depend on who is away), it goes
//!   through the pass at `V_R` like the others but its result is dropped, it stays `-inf`
//!   and its flags are cleared, so it neither fires nor joins a cascade.
//!
//! A neuron that fires at the end of step `n` (time `t_{n+1}`) therefore sits out the
//! passes of steps `n+1, …, n+m` and is at `V_R` at `t_{n+1+m}`: away for exactly
//! `m dt`. A neuron fired by an input kick at `t_n` starts in the same step's pass and is
//! back at `t_{n+m}`.
//!
//! # The time away
//!
//! - `Fixed(tau)`: `m = tau / dt`, which must be a whole number of steps (checked).
//! - `Exponential(tau)`: the continuous time away `T = -tau ln U` (`U` uniform on `(0, 1]`,
//!   one draw from the block's stream at the start, in index order) rounded to the
//!   nearest step, `m = floor(T / dt + 1/2)`. Then `P(m >= k) = exp(-(k - 1/2) h)` for
//!   `k >= 1`, `h = dt / tau`, and the mean time away is
//!   `dt / (2 sinh(h / 2)) = tau (1 - h²/24 + O(h⁴))`: second order in `dt`, as the
//!   density's compartment `dR/dt = N - R/tau` (whose mean time is exactly `tau`).
//!
//! A neuron back at `V_R` at the instant of a spike does not receive that spike's kick
//! (it was away when the spike was emitted); a neuron that is away at an input kick misses
//! it, also when its time is up in that step (it comes back in the pass after the kick).

use nlif_model::Refractory;
use rand::Rng;

use super::pass::compact;
use crate::MicroError;
use crate::normal::CHUNK;
use crate::stepper::uniform;

/// The time away of a fired neuron, in whole steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Away {
    /// Exactly `steps` steps.
    Fixed { steps: u32 },
    /// `floor(-ln U · tau / dt + 1/2)` steps.
    Exponential { steps_per_tau: f64 },
}

impl Away {
    /// The time away for `refractory` at the step `dt`; `None` without a period
    /// (`tau = 0` included: today's model, bit for bit).
    ///
    /// # Errors
    ///
    /// [`MicroError::Model`] naming `refractory.tau` for a negative or non-finite period;
    /// [`MicroError::Invalid`] naming `refractory.tau` for a `Fixed` period that is not a
    /// whole number of steps (or more than `u32::MAX` of them).
    pub(crate) fn new(refractory: Refractory, dt: f64) -> Result<Option<Away>, MicroError> {
        refractory.validate()?;
        let tau = refractory.mean_time();
        if tau == 0.0 {
            return Ok(None);
        }
        let ratio = tau / dt;
        match refractory {
            Refractory::None => Ok(None),
            Refractory::Fixed { .. } => {
                let steps = ratio.round();
                if (ratio - steps).abs() > 1e-9 * steps.max(1.0) || steps > f64::from(u32::MAX) {
                    return Err(MicroError::Invalid {
                        field: "refractory.tau",
                        value: tau,
                        reason: "a `Fixed` refractory period must be a whole number of steps `dt` (at most 2^32 - 1 of them)",
                    });
                }
                Ok(Some(Away::Fixed {
                    steps: steps as u32,
                }))
            }
            Refractory::Exponential { .. } => Ok(Some(Away::Exponential {
                steps_per_tau: ratio,
            })),
        }
    }

    /// The steps a neuron that just fired stays away (one uniform from `rng` for
    /// `Exponential`, nothing for `Fixed`).
    #[inline]
    pub(crate) fn steps<R: Rng>(self, rng: &mut R) -> u32 {
        match self {
            Away::Fixed { steps } => steps,
            Away::Exponential { steps_per_tau } => {
                // `1 - U` is uniform on (0, 1]: the logarithm is finite.
                let u = 1.0 - uniform(rng);
                // `as` saturates: an (astronomically) long time away is `u32::MAX` steps.
                (-u.ln() * steps_per_tau + 0.5).floor() as u32
            }
        }
    }
}

/// The start of every neuron of `x` that fired in the last event (`-inf`, `away = 0`),
/// in index order (module documentation); used by the input kick's pass, which then
/// leaves every `-inf` as it is.
pub(crate) fn start<R: Rng>(away_of: Away, x: &[f64], away: &mut [u32], rng: &mut R) {
    for (x, away) in x.iter().zip(away.iter_mut()) {
        if *x == f64::NEG_INFINITY && *away == 0 {
            *away = away_of.steps(rng).saturating_add(1);
        }
    }
}

/// The start and tick of one chunk of a sub-threshold pass (module documentation): lists
/// the indices of the neurons that stay away this step in `parked` (ascending) and returns
/// how many; the others at `-inf` are back (the pass settles them at `V_R`).
///
/// The chunk is scanned without branches into `flags` (1 at `-inf`) and the few flagged
/// listed with the pass's compaction, so a chunk with nobody away costs a vectorized
/// compare, not a loop over its counts.
#[inline]
pub(crate) fn park<R: Rng>(
    away_of: Away,
    x: &[f64],
    away: &mut [u32],
    rng: &mut R,
    (flags, listed): (&mut [u64], &mut [u16; CHUNK]),
    parked: &mut [u16; CHUNK],
) -> usize {
    let flags = &mut flags[..x.len()];
    for (flag, &x) in flags.iter_mut().zip(x) {
        *flag = u64::from(x == f64::NEG_INFINITY);
    }
    let found = compact(flags, listed, false);
    let mut count = 0;
    for &i in &listed[..found] {
        let away = &mut away[usize::from(i)];
        if *away == 0 {
            *away = away_of.steps(rng).saturating_add(1);
        }
        *away -= 1;
        if *away > 0 {
            parked[count] = i;
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    #[test]
    fn a_fixed_period_must_be_whole_steps() {
        let fixed = |tau| Away::new(Refractory::Fixed { tau }, 1e-3);
        assert_eq!(fixed(0.025).unwrap(), Some(Away::Fixed { steps: 25 }));
        assert_eq!(fixed(0.0).unwrap(), None);
        let error = fixed(0.0255).unwrap_err();
        assert_eq!(error.field(), "refractory.tau");
        assert_eq!(fixed(-1.0).unwrap_err().field(), "refractory.tau");
        assert_eq!(fixed(f64::NAN).unwrap_err().field(), "refractory.tau");
        assert_eq!(Away::new(Refractory::None, 1e-3).unwrap(), None);
    }

    /// Oracle: the law of `m = floor(T/dt + 1/2)`, `T` exponential of mean `tau`:
    /// `P(m >= k) = exp(-(k - 1/2) h)` and `E m = 1 / (2 sinh(h/2))`. With `n = 2e5`
    /// draws the sample mean's standard error is `sd / sqrt(n)`, `sd ≈ 1/h`; the bound is
    /// 5 standard errors.
    #[test]
    fn exponential_steps_have_the_rounded_exponential_law() {
        let (tau, dt) = (0.025, 1e-3);
        let h = dt / tau;
        let away = Away::new(Refractory::Exponential { tau }, dt)
            .unwrap()
            .unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        let draws: Vec<u32> = (0..n).map(|_| away.steps(&mut rng)).collect();
        let mean = draws.iter().map(|&m| f64::from(m)).sum::<f64>() / n as f64;
        let exact = 1.0 / (2.0 * (h / 2.0).sinh());
        let se = (1.0 / h) / (n as f64).sqrt();
        assert!(
            (mean - exact).abs() < 5.0 * se,
            "mean {mean} vs {exact} ± {se}"
        );
        // The tail at k = 10: a binomial proportion, 5 standard errors.
        let p = (-(10.0 - 0.5) * h).exp();
        let share = draws.iter().filter(|&&m| m >= 10).count() as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((share - p).abs() < 5.0 * se, "P(m >= 10) {share} vs {p}");
    }

    /// Oracle: counting by hand. A neuron fired once with `m = 3` sits out exactly three
    /// passes and is listed back on the fourth.
    #[test]
    fn a_fired_neuron_sits_out_m_passes() {
        let away_of = Away::Fixed { steps: 3 };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let x = [0.5, f64::NEG_INFINITY, 1.0];
        let mut away = [0u32; 3];
        let mut parked = [0u16; CHUNK];
        let (mut flags, mut listed) = ([0u64; CHUNK], [0u16; CHUNK]);
        let mut sat_out = 0;
        for pass in 0..10 {
            let scratch = (&mut flags[..], &mut listed);
            let count = park(away_of, &x, &mut away, &mut rng, scratch, &mut parked);
            if count == 0 {
                assert_eq!(pass, 3, "back on the fourth pass");
                break;
            }
            assert_eq!(&parked[..count], &[1]);
            sat_out += 1;
        }
        assert_eq!((sat_out, away[1]), (3, 0));
    }
}
