//! Exactly summable statistics of particles: what a distributed estimate exchanges.
//!
//! An estimate from particles needs sums over all of them: histogram counts, and for the
//! kernel estimate the linear-binning weights. When the particles are split across
//! processes (or blocks, or threads) those sums are formed part by part and added up; in
//! floating point the result would depend on how the network is split and in which order
//! the parts are added. A [`Tally`] keeps every sum as unsigned integers instead — counts,
//! and binning weights in fixed point with 52 fractional bits, each split into two limbs
//! of 26 bits so that no limb overflows below `2^38` particles — whose element-wise sum
//! over the parts ([`Tally::words_mut`], reduced with any integer sum) is exact and
//! associative. The estimate from the summed tally ([`Tally::estimate`]) is then the same
//! bits for any split, any number of parts and any order of reduction.
//!
//! Fixed point rounds each binning weight `w ∈ [0, 1]` to a multiple of `2^-52` (the two
//! weights of a particle still add up to exactly 1): an absolute error below `1.2e-16`
//! per particle, far below the estimate's statistical error `O(N^-1/2)`.

use crate::estimation::{self, EstimateReport, Estimator};
use crate::{CouplingError, Grid};

/// Fractional bits of the fixed-point binning weights.
const FRACTION_BITS: u32 = 52;
/// Bits of the low limb.
const LIMB_BITS: u32 = 26;
const LIMB_MASK: u64 = (1 << LIMB_BITS) - 1;

/// Words before the per-node sums: all particles, non-finite ones, those below `V_F`,
/// those away from the voltage line (`-inf`: refractory).
const TOTAL: usize = 0;
const NON_FINITE: usize = 1;
const BELOW: usize = 2;
const AWAY: usize = 3;
const HEADER: usize = 4;

/// `y.round() as u64` for `0 <= y <= 2^53`, without the call to `round` that the baseline
/// x86-64 target makes (no SSE4.1): `t = trunc(y)` and `y - t` are exact there, and a tie
/// rounds up, away from zero, as `round` does.
#[inline]
fn round_non_negative(y: f64) -> u64 {
    let t = y as u64;
    t + u64::from(y - t as f64 >= 0.5)
}

/// The summable statistics of a set of particles for one [`Estimator`] on one grid.
///
/// ```
/// use coupling::{Estimator, Particles, Tally, Grid, estimate};
/// let grid = Grid::new(-1.0, 2.0, 1.0, 0.25)?; // nodes -1, -0.75, …, 1.75
/// let v = [-0.9, 0.1, 0.2, 0.6, 1.1, 1.4, 1.9, 0.33];
/// let estimator = Estimator::default();
/// // Two parts, tallied separately and summed word by word …
/// let (mut a, mut b) = (Tally::new(estimator, &grid)?, Tally::new(estimator, &grid)?);
/// a.add(&v[..3]);
/// b.add(&v[3..]);
/// for (x, y) in a.words_mut().iter_mut().zip(b.words()) {
///     *x += y;
/// }
/// let mut split = vec![0.0; 12];
/// a.estimate(0.1, 1.0, 1.0, &mut split)?;
/// // … give the estimate of the whole sample, bit for bit.
/// let mut whole = vec![0.0; 12];
/// estimate(estimator, &grid, &Particles { voltages: &v, rate: 0.1, a: 1.0, v_r: 1.0 }, &mut whole)?;
/// assert_eq!(split, whole);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    estimator: Estimator,
    grid: Grid,
    words: Vec<u64>,
}

impl Tally {
    /// An empty tally (no particles).
    ///
    /// # Errors
    ///
    /// [`CouplingError::Invalid`] for an invalid estimator setting
    /// ([`Estimator::validate`]).
    pub fn new(estimator: Estimator, grid: &Grid) -> Result<Tally, CouplingError> {
        estimator.validate()?;
        let n = grid.len();
        let len = HEADER
            + match estimator {
                // Cells, then those at or above V_F - h/2, then those of them below V_F.
                Estimator::Histogram => n + 2,
                // Two limbs for each node 0..=n.
                Estimator::Kernel { .. } => 2 * (n + 1),
            };
        Ok(Tally {
            estimator,
            grid: *grid,
            words: vec![0; len],
        })
    }

    /// Adds the particles `voltages` (non-finite ones are counted, and make
    /// [`Tally::estimate`] fail).
    ///
    /// `-inf` is a neuron away from the voltage line (refractory): it counts among all
    /// the particles, and the estimate's mass is the share of those on the line, `1 - R`
    /// (1 when none is away).
    pub fn add(&mut self, voltages: &[f64]) {
        let grid = self.grid;
        let h = grid.spacing();
        let n = grid.len();
        let v_f = grid.v_f_from_v_min();
        let (header, body) = self.words.split_at_mut(HEADER);
        header[TOTAL] += voltages.len() as u64;
        match self.estimator {
            Estimator::Histogram => {
                let lower = grid.node_from_v_min(0) - 0.5 * h;
                for &v in voltages {
                    if !v.is_finite() {
                        let away = v == f64::NEG_INFINITY;
                        header[AWAY] += u64::from(away);
                        header[NON_FINITE] += u64::from(!away);
                        continue;
                    }
                    header[BELOW] += u64::from(v < v_f);
                    // Cell floor(x), clamped at 0: `x >= n` iff `floor(x) >= n`, and below
                    // that `as usize` truncates (floor for x >= 0, 0 for x < 0) — no call
                    // to `floor`, which the baseline x86-64 target does not inline.
                    let x = (v - lower) / h;
                    if x >= n as f64 {
                        body[n] += 1;
                        body[n + 1] += u64::from(v < v_f);
                    } else {
                        body[x as usize] += 1;
                    }
                }
            }
            Estimator::Kernel { .. } => {
                // Linear binning on nodes 0..=n (node n is V_F) of the particles below
                // V_F (those above are absorbed: their image cancels them). The weight of
                // the lower node is the distance to the upper one, so that a particle an
                // ulp below V_F keeps a positive weight on node n - 1.
                let v_0 = grid.node_from_v_min(0);
                let one = 1u64 << FRACTION_BITS;
                let mut put = |node: usize, weight: u64| {
                    body[2 * node] += weight >> LIMB_BITS;
                    body[2 * node + 1] += weight & LIMB_MASK;
                };
                for &v in voltages {
                    if !v.is_finite() {
                        let away = v == f64::NEG_INFINITY;
                        header[AWAY] += u64::from(away);
                        header[NON_FINITE] += u64::from(!away);
                        continue;
                    }
                    if v >= v_f {
                        continue;
                    }
                    header[BELOW] += 1;
                    let v = v.max(v_0);
                    // floor of a non-negative value: the truncation of `as usize`.
                    let i = (((v - v_0) / h) as usize).min(n - 1);
                    let lower = ((grid.node_from_v_min(i + 1) - v) / h).clamp(0.0, 1.0);
                    let fixed = round_non_negative(lower * one as f64);
                    put(i, fixed);
                    put(i + 1, one - fixed);
                }
            }
        }
    }

    /// The words to sum over the parts (element-wise, as unsigned integers).
    pub fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    /// The words.
    #[must_use]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Particles tallied (all of them, fired or not).
    #[must_use]
    pub fn particles(&self) -> u64 {
        self.words[TOTAL]
    }

    /// The estimate of the density of the tallied particles into `out` (see
    /// [`estimate`](crate::estimate)); `rate`, `a` and `v_r` are those of
    /// [`Particles`](crate::Particles) (used by the kernel estimate's kink correction).
    ///
    /// # Errors
    ///
    /// [`CouplingError::Length`] (`out`), [`CouplingError::NonFinite`] (a non-finite
    /// voltage was tallied), [`CouplingError::NoMass`] (no particle below `V_F`),
    /// [`CouplingError::Invalid`] as [`estimate`](crate::estimate).
    pub fn estimate(
        &self,
        rate: f64,
        a: f64,
        v_r: f64,
        out: &mut [f64],
    ) -> Result<EstimateReport, CouplingError> {
        let grid = &self.grid;
        if out.len() != grid.len() {
            return Err(CouplingError::Length {
                expected: grid.len(),
                got: out.len(),
            });
        }
        if self.words[NON_FINITE] > 0 {
            return Err(CouplingError::NonFinite {
                count: self.words[NON_FINITE],
            });
        }
        if let Estimator::Kernel { .. } = self.estimator {
            estimation::check_kink(grid, rate, a, v_r)?;
        }
        if self.words[TOTAL] > 0 && self.words[AWAY] == self.words[TOTAL] {
            // Every neuron is away (refractory, e.g. just after a burst of all of them):
            // the line holds `1 - R = 0` of the mass.
            out.iter_mut().for_each(|p| *p = 0.0);
            return Ok(EstimateReport {
                bandwidth: 0.0,
                spread: 0,
            });
        }
        if self.words[BELOW] == 0 {
            return Err(CouplingError::NoMass);
        }
        let n = grid.len();
        let body = &self.words[HEADER..];
        let report = match self.estimator {
            Estimator::Histogram => {
                let mut spread = body[n];
                if spread == self.words[TOTAL] - self.words[AWAY] {
                    // Nothing below V_F - h/2: the particles about to fire are all there is.
                    out.iter_mut().for_each(|p| *p = 0.0);
                    out[n - 1] = body[n + 1] as f64;
                    spread -= body[n + 1];
                } else {
                    for (p, &c) in out.iter_mut().zip(body) {
                        *p = c as f64;
                    }
                }
                EstimateReport {
                    bandwidth: 0.0,
                    spread: spread as usize,
                }
            }
            Estimator::Kernel { bandwidth } => {
                let scale = (-f64::from(FRACTION_BITS)).exp2();
                let bins: Vec<f64> = body
                    .chunks_exact(2)
                    .map(|l| {
                        let fixed = (u128::from(l[0]) << LIMB_BITS) + u128::from(l[1]);
                        fixed as f64 * scale
                    })
                    .collect();
                estimation::kernel(
                    grid,
                    &bins,
                    self.words[BELOW],
                    self.words[TOTAL] - self.words[AWAY],
                    estimation::Kink { rate, a, v_r },
                    bandwidth,
                    out,
                )
            }
        };
        estimation::normalise(grid, out)?;
        let away = self.words[AWAY];
        if away > 0 {
            // The line holds `1 - R` of the mass, `R` the share away.
            let line = (self.words[TOTAL] - away) as f64 / self.words[TOTAL] as f64;
            out.iter_mut().for_each(|p| *p *= line);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::{Tally, round_non_negative};
    use crate::{Estimator, Grid};
    use proptest::prelude::*;

    /// Oracle: the estimate of the neurons on the line alone, scaled by their share. With
    /// `k` of `n` away (`-inf`), both estimators give that, and nothing is non-finite.
    #[test]
    fn neurons_away_are_the_missing_mass() {
        let grid = Grid::new(-1.0, 2.0, 1.0, 0.25).unwrap();
        let line = [-0.9, 0.1, 0.2, 0.6, 1.1, 1.4, 1.9, 0.33];
        let mut all = line.to_vec();
        all.extend([f64::NEG_INFINITY; 3]);
        for estimator in [Estimator::Histogram, Estimator::default()] {
            let estimate = |voltages: &[f64]| {
                let mut tally = Tally::new(estimator, &grid).unwrap();
                tally.add(voltages);
                let mut out = vec![0.0; grid.len()];
                tally.estimate(0.1, 1.0, 1.0, &mut out).unwrap();
                out
            };
            let (on_line, with_away) = (estimate(&line), estimate(&all));
            for (p, q) in on_line.iter().zip(&with_away) {
                assert!(
                    (p * 8.0 / 11.0 - q).abs() <= 1e-15,
                    "{estimator:?}: {p} vs {q}"
                );
            }
        }
    }

    /// Oracle: the mass on the line, `1 - R`, is 0 when every neuron is away (after a
    /// burst of all of them with a refractory period): a zero density, not an error.
    #[test]
    fn every_neuron_away_is_a_zero_density() {
        let grid = Grid::new(-1.0, 2.0, 1.0, 0.25).unwrap();
        for estimator in [Estimator::Histogram, Estimator::default()] {
            let mut tally = Tally::new(estimator, &grid).unwrap();
            tally.add(&[f64::NEG_INFINITY; 5]);
            let mut out = vec![1.0; grid.len()];
            tally.estimate(0.1, 1.0, 1.0, &mut out).unwrap();
            assert!(out.iter().all(|&p| p == 0.0), "{estimator:?}: {out:?}");
        }
    }

    proptest! {
        /// Oracle: `f64::round`. Any weight of the binning (`[0, 1]` scaled by 2^52), the
        /// ties `k + 1/2` and the whole range up to 2^53.
        #[test]
        fn rounding_is_that_of_round(
            y in prop_oneof![
                (0.0..=1.0f64).prop_map(|w| w * (1u64 << 52) as f64),
                (0u64..1 << 52).prop_map(|k| k as f64 + 0.5),
                0.0..=(1u64 << 53) as f64,
                Just(0.5f64.next_down()), Just(0.5), Just(0.0)],
        ) {
            prop_assert_eq!(round_non_negative(y), y.round() as u64);
        }
    }
}
