//! Density → particles: sampling the piecewise-linear reconstruction.
//!
//! The nodal values define the piecewise-linear function through
//! `(v_{-1} = v_0 - h, 0), (v_0, p_0), …, (v_{n-1}, p_{n-1}), (v_n = V_F, 0)`: a sum of hat
//! functions, hat `i` carrying exactly the nodal mass `h p_i`, so the reconstruction has the
//! discrete mass and vanishes at `V_F`. On the interval `[v_{j-1}, v_j]` it is linear from
//! `y0` to `y1`, its distribution function quadratic, and the inverse is closed-form:
//! the distance from `v_{j-1}` at which the interval has accumulated mass `m` is
//! `x = 2m / (y0 + sqrt(y0² + 2 (y1 - y0) m / h))` (no cancellation).
//!
//! | [`Sampler`] | uniforms `u_k` | error of the empirical CDF |
//! |---|---|---|
//! | `InverseCdf` | independent | `O(N^-1/2)` |
//! | `Stratified` | `(k + U_k) / N` | at most `1/N` |
//! | `Quantile` | `(k + 1/2) / N` | exactly `1/(2N)` |
//!
//! The low-variance samplers return the voltages in increasing order (the particles are
//! exchangeable, so order does not matter to the dynamics).

use std::borrow::Cow;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use crate::grid::Clean;
use crate::{CouplingError, Grid};

/// How to draw particles from a density, as written in a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Sampler {
    /// Independent draws by the inverse CDF.
    InverseCdf,
    /// One draw in each of `N` equal-mass strata.
    #[default]
    Stratified,
    /// The midpoints of the `N` equal-mass strata (deterministic).
    Quantile,
}

/// The distribution function of the reconstruction: interval masses, cumulated.
struct Cdf<'a> {
    grid: Grid,
    density: &'a [f64],
    /// `cumulative[j]` = mass of intervals `0..j` (length `n + 2`).
    cumulative: Cow<'a, [f64]>,
}

impl<'a> Cdf<'a> {
    fn new(grid: Grid, density: &'a [f64]) -> Self {
        let h = grid.spacing();
        let n = grid.len();
        let mut cumulative = Vec::with_capacity(n + 2);
        cumulative.push(0.0);
        let mut total = 0.0;
        for j in 0..=n {
            total += 0.5 * h * (value(density, j as isize - 1) + value(density, j as isize));
            cumulative.push(total);
        }
        Cdf {
            grid,
            density,
            cumulative: Cow::Owned(cumulative),
        }
    }

    fn total(&self) -> f64 {
        *self.cumulative.last().unwrap_or(&0.0)
    }

    /// The voltage at which interval `j` has accumulated `target - cumulative[j]`.
    fn invert_in(&self, j: usize, target: f64) -> f64 {
        let h = self.grid.spacing();
        let y0 = value(self.density, j as isize - 1);
        let y1 = value(self.density, j as isize);
        let m =
            (target - self.cumulative[j]).clamp(0.0, self.cumulative[j + 1] - self.cumulative[j]);
        let root = (y0 * y0 + 2.0 * (y1 - y0) * m / h).max(0.0).sqrt();
        let x = if y0 + root > 0.0 {
            2.0 * m / (y0 + root)
        } else {
            0.0
        };
        let left = self.grid.node_from_v_min(j) - h; // v_{j-1}
        let v = left + x.min(h);
        let v_f = self.grid.v_f_from_v_min();
        if v >= v_f { v_f.next_down() } else { v }
    }

    /// The interval holding mass `target`: the last `j` with `cumulative[j] <= target` and
    /// positive mass.
    fn interval(&self, target: f64) -> usize {
        let j = self.cumulative.partition_point(|&c| c <= target);
        j.saturating_sub(1).min(self.cumulative.len() - 2)
    }
}

/// `p_i` with the zeros at `i = -1` and `i = n`.
#[inline]
fn value(density: &[f64], i: isize) -> f64 {
    if i < 0 || i as usize >= density.len() {
        0.0
    } else {
        density[i as usize]
    }
}

/// Fills `voltages` with particles drawn from the nodal `density` on `grid` (normalised by
/// its discrete mass). All voltages lie in the support of the reconstruction,
/// `[v_0 - h, V_F)`, strictly below `V_F`.
///
/// Negative values within [`ROUND_OFF`](crate::ROUND_OFF) of the largest value are
/// round-off and sampled as 0; a density concentrated on a single node is sampled from its
/// hat `[v_{i-1}, v_{i+1}]`.
///
/// # Errors
///
/// [`CouplingError::Length`], [`CouplingError::Value`] (a non-finite value or a negative
/// beyond round-off), [`CouplingError::NoMass`].
///
/// ```
/// use coupling::{Sampler, Grid, sample};
/// use rand::SeedableRng;
/// // V_min = -1, V_F = 2, V_R = 0.5, h = 0.5: nodes -1, -0.5, …, 1.5
/// let grid = Grid::new(-1.0, 2.0, 0.5, 0.5)?;
/// let density = [0.0, 0.2, 0.4, 0.4, 0.2, 0.2];
/// let mut v = vec![0.0; 1000];
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
/// sample(Sampler::Quantile, &grid, &density, &mut v, &mut rng)?;
/// assert!(v.windows(2).all(|w| w[0] <= w[1]) && v[999] < 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sample<R: Rng>(
    sampler: Sampler,
    grid: &Grid,
    density: &[f64],
    voltages: &mut [f64],
    rng: &mut R,
) -> Result<(), CouplingError> {
    let total = voltages.len() as u64;
    Reconstruction::new(grid, density)?.sample_strata(sampler, 0, total, voltages, rng);
    Ok(())
}

/// The piecewise-linear reconstruction of a density, ready to be sampled by parts.
///
/// [`Reconstruction::sample_strata`] fills the particles `first .. first + len` of a
/// sample of `total`: the strata of the low-variance samplers are those of the whole
/// sample, so parts of a network (processes, blocks) sampled separately, each with its own
/// random stream, together hold one stratified sample of the whole — and with
/// [`Sampler::Quantile`] exactly the voltages [`sample`] gives.
///
/// ```
/// use coupling::{Reconstruction, Sampler, Grid, sample};
/// use rand::SeedableRng;
/// let grid = Grid::new(-1.0, 2.0, 0.5, 0.5)?; // nodes -1, -0.5, …, 1.5
/// let density = [0.0, 0.2, 0.4, 0.4, 0.2, 0.2];
/// let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
/// let mut whole = vec![0.0; 10];
/// sample(Sampler::Quantile, &grid, &density, &mut whole, &mut rng)?;
/// let reconstruction = Reconstruction::new(&grid, &density)?;
/// let mut tail = vec![0.0; 4];
/// reconstruction.sample_strata(Sampler::Quantile, 6, 10, &mut tail, &mut rng);
/// assert_eq!(tail, whole[6..]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reconstruction {
    grid: Grid,
    density: Vec<f64>,
    /// `cumulative[j]` = mass of intervals `0..j` (length `n + 2`).
    cumulative: Vec<f64>,
}

impl Reconstruction {
    /// The reconstruction of the nodal `density` on `grid` (normalised by its discrete
    /// mass when sampled).
    ///
    /// # Errors
    ///
    /// As [`sample`].
    pub fn new(grid: &Grid, density: &[f64]) -> Result<Reconstruction, CouplingError> {
        let density = grid.cleaned(density)?.into_owned();
        let cumulative = Cdf::new(*grid, &density).cumulative.into_owned();
        Ok(Reconstruction {
            grid: *grid,
            density,
            cumulative,
        })
    }

    /// Fills `voltages` with the particles `first .. first + voltages.len()` of a sample
    /// of `total` particles (strata `k / total .. (k + 1) / total` of the mass, for the
    /// low-variance samplers), drawing the uniforms from `rng` in order.
    ///
    /// # Panics
    ///
    /// If `first + voltages.len()` exceeds `total`.
    pub fn sample_strata<R: Rng>(
        &self,
        sampler: Sampler,
        first: u64,
        total: u64,
        voltages: &mut [f64],
        rng: &mut R,
    ) {
        assert!(
            first + voltages.len() as u64 <= total,
            "strata {first}..{} of {total}",
            first + voltages.len() as u64
        );
        let cdf = Cdf {
            grid: self.grid,
            density: &self.density,
            cumulative: Cow::Borrowed(&self.cumulative),
        };
        let mass = cdf.total();
        let count = total as f64;
        match sampler {
            Sampler::InverseCdf => {
                for v in voltages.iter_mut() {
                    let target = rng.random::<f64>() * mass;
                    *v = cdf.invert_in(cdf.interval(target), target);
                }
            }
            Sampler::Stratified | Sampler::Quantile => {
                // The sweep over the intervals is monotone in the target: starting it at
                // interval 0 finds the interval the whole sample's sweep would be in.
                let mut j = 0;
                for (k, v) in (first..).zip(voltages.iter_mut()) {
                    let offset = match sampler {
                        Sampler::Stratified => rng.random::<f64>(),
                        _ => 0.5,
                    };
                    let target = (k as f64 + offset) / count * mass;
                    while j + 2 < cdf.cumulative.len() && cdf.cumulative[j + 1] <= target {
                        j += 1;
                    }
                    *v = cdf.invert_in(j, target);
                }
            }
        }
    }
}

/// The distribution function of the reconstruction of `density` at `v` (normalised), for
/// tests and diagnostics.
pub fn reconstruction_cdf(grid: &Grid, density: &[f64], v: f64) -> f64 {
    let cdf = Cdf::new(*grid, density);
    let h = grid.spacing();
    let start = grid.node_from_v_min(0) - h;
    if v <= start {
        return 0.0;
    }
    if v >= grid.v_f_from_v_min() {
        return 1.0;
    }
    let j = (((v - start) / h).floor() as usize).min(grid.len());
    let x = v - (start + j as f64 * h);
    let y0 = value(density, j as isize - 1);
    let y1 = value(density, j as isize);
    let within = y0 * x + (y1 - y0) * x * x / (2.0 * h);
    (cdf.cumulative[j] + within) / cdf.total()
}
