//! Instants on the time grid: the one rule by which every solver places an event time.
//!
//! A solver's clock is `t^m = t_start + m · dt`, computed from the step count; a phase that
//! takes over from another starts at the time the other reached. Neither `t^m` nor an
//! event time written in a config (`4.1`, `3.0`) is exact in binary, so comparing them
//! exactly lets rounding decide whether an event at a grid time falls into the step that
//! starts there or the one before (the cause of kicks applied a step early, twice, or
//! never). The rule:
//!
//! * A grid time `t` and an instant `τ` are equal when they differ by at most the
//!   **rounding allowance** `η(t) = 2^-36 · max(1, |t|)` (about `1.5e-11` relative: far
//!   above the rounding of the clock, a few units in the last place per phase, and below
//!   the step of any run of fewer than `2^36` steps; beyond that the windows below still
//!   tile, but an instant may be placed a step or more from its grid time).
//! * An instant `τ` falls into **step `m`**, the step `[t^m, t^{m+1})`, when
//!   `t^m − η(t^m) ≤ τ < t^{m+1} − η(t^{m+1})` ([`in_step`]): the step that starts at `τ`
//!   up to rounding, or, for `τ` between grid times, the step whose interval contains it.
//!   An input kick is applied at the start of that step. Consecutive steps, of one phase or
//!   of a phase and the next (which starts where the other stopped), share their end
//!   points, so these windows tile the time axis: every instant falls into exactly one
//!   step of a run.
//! * A grid time `t` has **reached** `τ` when `t + η(t) ≥ τ` ([`reached`]): a pulse is on
//!   at the grid times that have reached its start and not its end; a sample, a
//!   checkpoint or the end of a run at `τ` is taken after the first step whose end has
//!   reached `τ`.
//!
//! For an instant on the grid the two rules agree: the kick at `τ = t^m` is applied at the
//! start of step `m`, a pulse starting at `t^m` is on from step `m`, a sample at `t^m` is
//! taken after step `m − 1`.
//!
//! ```
//! use nlif_model::time::{in_step, reached};
//!
//! // 41 · 0.1 rounds to 4.1000000000000005 and 40 · 0.1 + 0.1 to 4.1: either way the kick
//! // at 4.1 falls into the step that starts at the 41st grid time.
//! let dt = 0.1;
//! let t = |m: u64| m as f64 * dt;
//! assert!(in_step(4.1, t(41), t(42)));
//! assert!(!in_step(4.1, t(40), t(41)));
//! assert!(reached(t(41), 4.1) && !reached(t(40), 4.1));
//! ```

/// The rounding allowance `η(t) = 2^-36 · max(1, |t|)` of a grid time `t`.
#[inline]
pub fn allowance(t: f64) -> f64 {
    // 2^-36, exact.
    const RELATIVE: f64 = 1.0 / 68_719_476_736.0;
    RELATIVE * t.abs().max(1.0)
}

/// Whether the instant `tau` falls into the step from grid time `t` to grid time `t_next`:
/// `t − η(t) ≤ τ < t_next − η(t_next)` (module docs). Give `t_next` as the clock computes
/// the next step's start (`t_start + (m + 1) · dt`), not as `t + dt`, so that consecutive
/// windows share their end points.
///
/// ```
/// use nlif_model::time::in_step;
/// assert!(in_step(1.05, 1.0, 1.1));   // inside
/// assert!(in_step(1.0, 1.0, 1.1));    // at the start
/// assert!(!in_step(1.1, 1.0, 1.1));   // the next step's
/// ```
#[inline]
pub fn in_step(tau: f64, t: f64, t_next: f64) -> bool {
    t - allowance(t) <= tau && tau < t_next - allowance(t_next)
}

/// Whether grid time `t` has reached the instant `tau`: `t + η(t) ≥ τ` (module docs).
///
/// ```
/// use nlif_model::time::reached;
/// assert!(reached(3.0000000000000004, 3.0));
/// assert!(reached(2.9999999999999996, 3.0));
/// assert!(!reached(2.999, 3.0));
/// ```
#[inline]
pub fn reached(t: f64, tau: f64) -> bool {
    t + allowance(t) >= tau
}

/// The first multiple `k · every` (`k >= 1`) of a period that grid time `t` has not
/// [`reached`]: the next time of a periodic event such as a checkpoint, which follows the
/// first step whose end reaches it.
///
/// ```
/// use nlif_model::time::next_multiple;
/// assert_eq!(next_multiple(0.25, 0.1), 0.30000000000000004);
/// // 3 · 0.1 = 0.30000000000000004 has reached 0.3, and so has 0.29999999999999993.
/// assert_eq!(next_multiple(3.0 * 0.1, 0.1), 0.4);
/// assert_eq!(next_multiple(0.29999999999999993, 0.1), 0.4);
/// ```
pub fn next_multiple(t: f64, every: f64) -> f64 {
    let mut k = (t / every).floor().max(0.0) + 1.0;
    while k > 1.0 && !reached(t, (k - 1.0) * every) {
        k -= 1.0;
    }
    while reached(t, k * every) {
        k += 1.0;
    }
    k * every
}

/// `t` rounded to 12 significant digits, for reports: sample times `k · interval` without
/// the float noise of the product (`3002 × 0.001 = 3.0020000000000002` is `3.002`).
/// Never fed back into a clock, so it changes no result.
///
/// ```
/// use nlif_model::time::tidy;
/// assert_eq!(tidy(3002.0 * 0.001), 3.002);
/// assert_eq!(tidy(0.0), 0.0);
/// ```
#[must_use]
pub fn tidy(t: f64) -> f64 {
    if t == 0.0 || !t.is_finite() {
        return t;
    }
    format!("{t:.11e}").parse().unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Oracle: the windows of consecutive steps share their end points, so an instant
        /// in the run falls into exactly one of them — whatever the steps, and across a
        /// change of step (a phase starting where the other stopped).
        #[test]
        fn every_instant_falls_into_exactly_one_step(
            dt1 in 1e-5f64..0.5, dt2 in 1e-5f64..0.5,
            switch_after in 0u64..2000, steps2 in 1u64..2000,
            fraction in 0.0f64..1.0,
        ) {
            let mut windows = Vec::new();
            for m in 0..switch_after {
                windows.push((m as f64 * dt1, (m + 1) as f64 * dt1));
            }
            let t_switch = switch_after as f64 * dt1;
            for m in 0..steps2 {
                windows.push((t_switch + m as f64 * dt2, t_switch + (m + 1) as f64 * dt2));
            }
            let end = windows.last().unwrap().1;
            // Instants inside the run, on grid times (as a user writes them) and between.
            let candidates = [
                fraction * end,
                (fraction * switch_after as f64).floor() * dt1,
                t_switch + (fraction * steps2 as f64).floor() * dt2,
                t_switch,
            ];
            for &tau in &candidates {
                if tau >= end - allowance(end) {
                    continue;
                }
                let hits = windows.iter().filter(|&&(t, n)| in_step(tau, t, n)).count();
                prop_assert_eq!(hits, 1, "tau = {}", tau);
            }
        }

        /// Oracle: the multiples written out: the next one after grid time `t` is the
        /// first that `t` has not reached, also when `t` is a multiple up to rounding.
        #[test]
        fn the_next_multiple_is_the_first_not_reached(k in 0u64..100_000, every_milli in 1u32..5000, f in 0.0f64..1.0) {
            let every = every_milli as f64 * 1e-3;
            let on = k as f64 * every;
            prop_assert_eq!(next_multiple(on, every), (k + 1) as f64 * every);
            let between = (k as f64 + 0.001 + 0.998 * f) * every;
            prop_assert_eq!(next_multiple(between, every), (k + 1) as f64 * every);
            let below = on * (1.0 - 4.0 * f64::EPSILON);
            if k > 0 {
                prop_assert_eq!(next_multiple(below, every), (k + 1) as f64 * every);
            }
        }

        /// Oracle: an instant written as `m · dt` in decimal (the product rounded once, as
        /// a config's `4.1` is) falls into step `m` of a clock counting `t^m = m · dt`.
        #[test]
        fn a_grid_time_falls_into_the_step_that_starts_there(
            m in 1u64..1_000_000, dt_milli in 1u32..2000,
        ) {
            let dt = dt_milli as f64 * 1e-5;
            // The decimal literal of `m · dt`: what a user would write.
            let tau: f64 = format!("{:.12}", m as f64 * dt_milli as f64 / 1e5).parse().unwrap();
            let t = |k: u64| k as f64 * dt;
            prop_assert!(in_step(tau, t(m), t(m + 1)));
            prop_assert!(!in_step(tau, t(m - 1), t(m)));
            prop_assert!(reached(t(m), tau));
            prop_assert!(!reached(t(m - 1), tau));
        }
    }
}
