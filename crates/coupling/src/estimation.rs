//! Particles → density on the grid.
//!
//! | [`Estimator`] | method | bias | statistical error |
//! |---|---|---|---|
//! | `Histogram` | particle counts of the control volumes `[v_i - h/2, v_i + h/2]` | `O(h²)` (cell average vs node value) | `O(N^-1/2)` |
//! | `Kernel` | Gaussian kernel, anti-reflected at `V_F`, kink-corrected at `V_R`, binned on the grid | `O(σ²)` | `O((N σ)^-1/2)` |
//!
//! Both return a density of discrete mass exactly 1 (up to round-off) and zero at `V_F`.
//!
//! **Histogram.** Particles below the grid are counted in cell 0. The half cell
//! `[V_F - h/2, V_F)` belongs to the Dirichlet node `V_F`; its particles (a fraction
//! `O(N h² / a)`, about to fire) are spread over all cells by the normalisation, so that no
//! mass piles up next to the threshold.
//!
//! **Kernel.** `p̂(v) = (1/N) Σ_k [K_σ(v - V_k) - K_σ(v - (2 V_F - V_k))]`: the image
//! (odd reflection) of each particle across `V_F` makes `p̂(V_F) = 0`, the method of images
//! for an absorbing boundary; every term is non-negative below `V_F`. The density has a kink
//! at `V_R`, where the re-injected flux makes `p'` jump by `-N/a`; smoothing it lowers the
//! peak by `(N/2a)(E|x + σZ| - |x|)`, `x = v - V_R`, which is added back with the particle
//! rate `N`. Particles are first binned linearly on the nodes (`O(N)`), then convolved on
//! the grid (`O(n σ/h)`). Bandwidth: Silverman's rule `0.9 min(sd, IQR/1.34) N^-1/5`, at
//! least `h`, or fixed.

use nlif_model::special::normal_cdf;
use serde::{Deserialize, Serialize};

use crate::{CouplingError, UniformGrid};

/// The bandwidth of the kernel estimate.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum Bandwidth {
    /// Silverman's rule of thumb, `0.9 min(sd, IQR/1.34) N^-1/5`, at least the grid spacing.
    #[default]
    Silverman,
    /// A fixed standard deviation of the Gaussian kernel.
    Fixed(f64),
}

/// How to estimate a density from particles, as written in a config.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    /// Mass-preserving histogram on the grid's control volumes.
    Histogram,
    /// Boundary- and kink-aware Gaussian kernel estimate.
    Kernel {
        /// Its bandwidth.
        bandwidth: Bandwidth,
    },
}

impl Default for Estimator {
    fn default() -> Self {
        Estimator::Kernel {
            bandwidth: Bandwidth::Silverman,
        }
    }
}

/// What the particle system knows besides its voltages.
#[derive(Debug, Clone, Copy)]
pub struct Particles<'a> {
    /// Voltages, all below `V_F`.
    pub voltages: &'a [f64],
    /// The particle firing rate (smoothed), for the kink at `V_R`.
    pub rate: f64,
    /// The diffusion coefficient `a(N)`.
    pub a: f64,
    /// The reset potential `V_R`.
    pub v_r: f64,
}

/// Diagnostics of one estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateReport {
    /// Kernel standard deviation used (0 for the histogram).
    pub bandwidth: f64,
    /// Particles at or above `V_F - h/2` (histogram) spread by the normalisation.
    pub spread: usize,
}

/// Estimates the density of `particles` at the nodes of `grid` into `out`.
///
/// ```
/// use coupling::{Estimator, Particles, UniformGrid, estimate};
/// let grid = UniformGrid::new(-1.0, 0.5, 6)?;
/// let voltages = [-0.9, 0.1, 0.2, 0.6, 1.1, 1.4];
/// let mut p = vec![0.0; 6];
/// let particles = Particles { voltages: &voltages, rate: 0.1, a: 1.0, v_r: 1.0 };
/// estimate(Estimator::Histogram, &grid, &particles, &mut p)?;
/// assert!((grid.mass(&p) - 1.0).abs() < 1e-15);
/// # Ok::<(), coupling::CouplingError>(())
/// ```
pub fn estimate(
    estimator: Estimator,
    grid: &UniformGrid,
    particles: &Particles<'_>,
    out: &mut [f64],
) -> Result<EstimateReport, CouplingError> {
    if out.len() != grid.len() {
        return Err(CouplingError::Length {
            expected: grid.len(),
            got: out.len(),
        });
    }
    if let Some((index, &value)) = particles
        .voltages
        .iter()
        .enumerate()
        .find(|&(_, &v)| !v.is_finite())
    {
        return Err(CouplingError::Value { index, value });
    }
    let report = match estimator {
        Estimator::Histogram => histogram(grid, particles.voltages, out),
        Estimator::Kernel { bandwidth } => kernel(grid, particles, bandwidth, out)?,
    };
    normalise(grid, out)?;
    Ok(report)
}

fn normalise(grid: &UniformGrid, out: &mut [f64]) -> Result<(), CouplingError> {
    let mass = grid.mass(out);
    if !(mass > 0.0 && mass.is_finite()) {
        return Err(CouplingError::NoMass);
    }
    out.iter_mut().for_each(|p| *p /= mass);
    Ok(())
}

fn histogram(grid: &UniformGrid, voltages: &[f64], out: &mut [f64]) -> EstimateReport {
    let h = grid.spacing();
    let lower = grid.node(0) - 0.5 * h;
    let n = grid.len();
    out.iter_mut().for_each(|p| *p = 0.0);
    let mut spread = 0;
    for &v in voltages {
        let cell = ((v - lower) / h).floor();
        if cell >= n as f64 {
            spread += 1;
        } else {
            out[cell.max(0.0) as usize] += 1.0;
        }
    }
    EstimateReport {
        bandwidth: 0.0,
        spread,
    }
}

fn kernel(
    grid: &UniformGrid,
    particles: &Particles<'_>,
    bandwidth: Bandwidth,
    out: &mut [f64],
) -> Result<EstimateReport, CouplingError> {
    let h = grid.spacing();
    let n = grid.len();
    let v_f = grid.threshold();
    // Linear binning on nodes 0..=n (node n is V_F).
    let mut bins = vec![0.0; n + 1];
    let mut sum = 0.0;
    let mut sum_sq = 0.0;
    for &v in particles.voltages {
        let x = ((v - grid.node(0)) / h).clamp(0.0, n as f64);
        let i = (x.floor() as usize).min(n - 1);
        let frac = x - i as f64;
        bins[i] += 1.0 - frac;
        bins[i + 1] += frac;
        sum += v;
        sum_sq += v * v;
    }
    let count = particles.voltages.len() as f64;
    if count == 0.0 {
        return Err(CouplingError::NoMass);
    }
    let sigma = match bandwidth {
        Bandwidth::Fixed(s) if s.is_finite() && s > 0.0 => s,
        Bandwidth::Fixed(s) => {
            return Err(CouplingError::Invalid {
                field: "bandwidth",
                value: s,
                reason: "a kernel bandwidth must be positive",
            });
        }
        Bandwidth::Silverman => {
            let mean = sum / count;
            let sd = (sum_sq / count - mean * mean).max(0.0).sqrt();
            let iqr = quantile(grid, &bins, 0.75) - quantile(grid, &bins, 0.25);
            let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
            (0.9 * spread * count.powf(-0.2)).max(h)
        }
    };
    let reach = (5.0 * sigma / h).ceil() as usize;
    let norm = 1.0 / (count * sigma * (2.0 * std::f64::consts::PI).sqrt());
    let gauss = |d: f64| (-0.5 * (d / sigma).powi(2)).exp();
    for (i, p) in out.iter_mut().enumerate() {
        let v = grid.node(i);
        let lo = i.saturating_sub(reach);
        let hi = (i + reach).min(n);
        let mut acc = 0.0;
        for (j, &c) in bins.iter().enumerate().take(hi + 1).skip(lo) {
            if c != 0.0 {
                let vj = grid.node(j);
                acc += c * (gauss(v - vj) - gauss(v - (2.0 * v_f - vj)));
            }
        }
        *p = acc * norm;
        // Add back what smoothing removed from the kink at V_R.
        if particles.rate > 0.0 {
            let x = v - particles.v_r;
            let smoothed =
                sigma * (2.0 / std::f64::consts::PI).sqrt() * (-0.5 * (x / sigma).powi(2)).exp()
                    + x * (1.0 - 2.0 * normal_cdf(-x / sigma));
            *p += particles.rate / (2.0 * particles.a) * (smoothed - x.abs());
        }
    }
    Ok(EstimateReport {
        bandwidth: sigma,
        spread: 0,
    })
}

/// The node where the binned distribution reaches `q`.
fn quantile(grid: &UniformGrid, bins: &[f64], q: f64) -> f64 {
    let total: f64 = bins.iter().sum();
    let mut acc = 0.0;
    for (j, &c) in bins.iter().enumerate() {
        acc += c;
        if acc >= q * total {
            return grid.node(j);
        }
    }
    grid.threshold()
}

/// Makes the density next to the threshold carry the firing rate `rate`.
///
/// Near `V_F` the density vanishes linearly with slope `-N/a` (the outflow is `-a ∂v p`).
/// The nodes within `width` of `V_F` (at least one) are set to `N (V_F - v_i) / a`, the
/// others scaled to restore unit mass. Afterwards the rate read off the last node,
/// `a p_{n-1} / h`, equals `rate`: a hand-over from particles to the density keeps the rate
/// continuous up to the noise of `rate` itself.
pub fn impose_rate(
    grid: &UniformGrid,
    density: &mut [f64],
    rate: f64,
    a: f64,
    width: f64,
) -> Result<(), CouplingError> {
    grid.check(density)?;
    if !(rate.is_finite() && rate >= 0.0) {
        return Err(CouplingError::Invalid {
            field: "rate",
            value: rate,
            reason: "a firing rate must be finite and non-negative",
        });
    }
    let h = grid.spacing();
    let n = grid.len();
    let v_f = grid.threshold();
    let layer = ((width / h).round() as usize).clamp(1, n - 1);
    let mut layer_sum = 0.0;
    for (i, p) in density.iter_mut().enumerate().skip(n - layer) {
        *p = rate * (v_f - grid.node(i)) / a;
        layer_sum += *p;
    }
    let rest: f64 = density[..n - layer].iter().sum();
    let scale = (1.0 / h - layer_sum) / rest;
    if !(scale.is_finite() && scale >= 0.0) {
        return Err(CouplingError::Invalid {
            field: "rate",
            value: rate,
            reason: "the rate needs more mass next to the threshold than the density has",
        });
    }
    density[..n - layer].iter_mut().for_each(|p| *p *= scale);
    Ok(())
}
