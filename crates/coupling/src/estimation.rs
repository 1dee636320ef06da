//! Particles → density on the grid.
//!
//! | [`Estimator`] | method | bias | statistical error |
//! |---|---|---|---|
//! | `Histogram` | particle counts of the control volumes `[v_i - h/2, v_i + h/2]` | `O(h²)` (cell average vs node value) | `O(N^-1/2)` |
//! | `Kernel` | Gaussian kernel, anti-reflected at `V_F`, kink-corrected at `V_R`, binned on the grid | `O(σ²)` | `O((N σ)^-1/2)` |
//!
//! Both return a density of discrete mass exactly 1 (up to round-off) and zero at `V_F`.
//!
//! Particles at or above `V_F` have fired and carry no density; with no particle below
//! `V_F` there is nothing to estimate ([`CouplingError::NoMass`]). Any non-empty sample
//! below `V_F` gives a finite, non-negative density, however degenerate (one particle, all
//! at one voltage, on nodes, at `v_0` or an ulp below `V_F`).
//!
//! **Histogram.** Particles below the grid are counted in cell 0. The half cell
//! `[V_F - h/2, V_F)` belongs to the Dirichlet node `V_F`; its particles (a fraction
//! `O(N h² / a)`, about to fire) are spread over all cells by the normalisation, so that no
//! mass piles up next to the threshold — unless no particle lies below it, when they are
//! counted in the last cell `n - 1`.
//!
//! **Kernel.** `p̂(v) = (1/N) Σ_k [K_σ(v - V_k) - K_σ(v - (2 V_F - V_k))]`: the image
//! (odd reflection) of each particle across `V_F` makes `p̂(V_F) = 0`, the method of images
//! for an absorbing boundary; every term is non-negative below `V_F`. The density has a kink
//! at `V_R`, where the re-injected flux makes `p'` jump by `-N/a`; smoothing it lowers the
//! peak by `(N/2a)(E|x + σZ| - |x|)`, `x = v - V_R`, which is added back with the particle
//! rate `N`. Particles are first binned linearly on the nodes (`O(N)`; particles below `v_0`
//! on node 0), then convolved on the grid (`O(n σ/h)`). Bandwidth: Silverman's rule
//! `0.9 min(sd, IQR/1.34) N^-1/5` of the binned voltages, at least `h` (so a sample without
//! spread — one particle, identical particles — gets `σ = h`), or fixed. Any bandwidth is
//! clamped to `[1e-6 h, 1e6 (V_F - v_0)]`, which keeps the arithmetic finite: below, the
//! kernel already has no weight on neighbouring nodes; above, it is flat on the grid.
//!
//! Both kernel terms are evaluated in forms that are non-negative by construction, with no
//! cancellation: the image difference as `K(v - V) (1 - e^{-2 (V_F - V)(V_F - v)/σ²})`
//! (`expm1`), the kink term as `2σ φ(t) (1 - t sqrt(π/2) erfcx(t/√2))`, `t = |x|/σ`.

use nlif_model::special::erfcx;
use serde::{Deserialize, Serialize};

use crate::grid::Clean;
use crate::{CouplingError, Grid, Tally};

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

impl Bandwidth {
    /// Checks the setting: a [`Bandwidth::Fixed`] standard deviation must be finite and
    /// positive.
    ///
    /// # Errors
    ///
    /// [`CouplingError::Invalid`] with field `"bandwidth"`.
    pub fn validate(&self) -> Result<(), CouplingError> {
        match *self {
            Bandwidth::Fixed(s) if !(s.is_finite() && s > 0.0) => Err(CouplingError::Invalid {
                field: "bandwidth",
                value: s,
                reason: "a fixed kernel bandwidth must be finite and positive",
            }),
            _ => Ok(()),
        }
    }
}

impl Estimator {
    /// Checks the setting (for a config check before a run): the kernel's fixed bandwidth
    /// must be finite and positive ([`Bandwidth::validate`]); [`estimate`] checks the same.
    ///
    /// # Errors
    ///
    /// [`CouplingError::Invalid`] naming the field relative to the estimator
    /// (`"bandwidth"`; in a config `solver.switching.estimator.bandwidth`).
    ///
    /// ```
    /// use coupling::{Bandwidth, Estimator};
    /// assert!(Estimator::Histogram.validate().is_ok());
    /// let bad = Estimator::Kernel { bandwidth: Bandwidth::Fixed(f64::NAN) };
    /// assert_eq!(bad.validate().unwrap_err().field(), "bandwidth");
    /// ```
    pub fn validate(&self) -> Result<(), CouplingError> {
        match self {
            Estimator::Histogram => Ok(()),
            Estimator::Kernel { bandwidth } => bandwidth.validate(),
        }
    }
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
    /// Voltages, finite; those at or above `V_F` have fired and carry no density.
    pub voltages: &'a [f64],
    /// The particle firing rate (smoothed), for the kink at `V_R` (kernel estimate only:
    /// finite and non-negative; with a positive rate `a` must then be finite and positive,
    /// and `v_r` the grid's reset).
    pub rate: f64,
    /// The diffusion coefficient `a(N)`.
    pub a: f64,
    /// The reset potential `V_R`: the `v_r` the grid was built with
    /// ([`Grid::is_reset`]). Used, and checked, only by the kernel estimate with a
    /// positive rate (the histogram has no kink).
    pub v_r: f64,
}

/// Diagnostics of one estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateReport {
    /// Kernel standard deviation used (0 for the histogram).
    pub bandwidth: f64,
    /// Particles not counted in any control volume (histogram): those at or above
    /// `V_F - h/2`, spread by the normalisation (at or above `V_F` only, if no particle
    /// lies below `V_F - h/2`).
    pub spread: usize,
}

/// Estimates the density of `particles` at the nodes of `grid` into `out`.
///
/// The result is finite, non-negative, of discrete mass 1 (to round-off) and vanishes at
/// `V_F`, for any sample with a particle below `V_F`.
///
/// # Errors
///
/// [`CouplingError::Length`] (`out`), [`CouplingError::Voltage`] (a non-finite voltage),
/// [`CouplingError::NoMass`] (no particle below `V_F`), [`CouplingError::Invalid`] (a
/// fixed bandwidth that is not finite and positive; for the kernel estimate, a rate that is
/// not finite and non-negative, or with a positive rate a non-positive `a` or a `v_r`
/// that is not the grid's reset, [`Grid::is_reset`]).
///
/// ```
/// use coupling::{Estimator, Particles, Grid, estimate};
/// let grid = Grid::new(-1.0, 2.0, 0.5, 0.5)?; // nodes -1, -0.5, …, 1.5
/// let voltages = [-0.9, 0.1, 0.2, 0.6, 1.1, 1.4];
/// let mut p = vec![0.0; 6];
/// let particles = Particles { voltages: &voltages, rate: 0.1, a: 1.0, v_r: 0.5 };
/// estimate(Estimator::Histogram, &grid, &particles, &mut p)?;
/// assert!((grid.mass(&p) - 1.0).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate(
    estimator: Estimator,
    grid: &Grid,
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
        return Err(CouplingError::Voltage { index, value });
    }
    let mut tally = Tally::new(estimator, grid)?;
    if let Estimator::Kernel { .. } = estimator {
        check_kink(grid, particles.rate, particles.a, particles.v_r)?;
    }
    tally.add(particles.voltages);
    tally.estimate(particles.rate, particles.a, particles.v_r, out)
}

/// The kink correction's inputs (checked only where the correction is made: the kernel
/// estimate with a positive rate).
pub(crate) fn check_kink(grid: &Grid, rate: f64, a: f64, v_r: f64) -> Result<(), CouplingError> {
    let invalid = |field, value, reason| {
        Err(CouplingError::Invalid {
            field,
            value,
            reason,
        })
    };
    if !(rate.is_finite() && rate >= 0.0) {
        return invalid(
            "rate",
            rate,
            "a firing rate must be finite and non-negative",
        );
    }
    if rate > 0.0 {
        if !(a.is_finite() && a > 0.0) {
            return invalid(
                "a",
                a,
                "the diffusion coefficient must be finite and positive",
            );
        }
        if !v_r.is_finite() {
            return invalid("v_r", v_r, "the reset potential must be finite");
        }
        // The kink sits at `v_r` on the grid's nodes: a reset other than the grid's (of
        // another model, or off the node) would put it where no density has one.
        if !grid.is_reset(v_r) {
            return invalid(
                "v_r",
                v_r,
                "the reset potential is not the grid's reset node (Grid::is_reset)",
            );
        }
    }
    Ok(())
}

pub(crate) fn normalise(grid: &Grid, out: &mut [f64]) -> Result<(), CouplingError> {
    let mass = grid.mass(out);
    if !(mass > 0.0 && mass.is_finite()) {
        return Err(CouplingError::NoMass);
    }
    out.iter_mut().for_each(|p| *p /= mass);
    Ok(())
}

/// The smallest and largest kernel bandwidth, relative to the spacing and the grid's extent
/// (and never below the smallest normal number).
const MIN_BANDWIDTH: f64 = 1e-6;
const MAX_BANDWIDTH: f64 = 1e6;

/// The reset's share of the kernel estimate: the kink correction's inputs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kink {
    pub(crate) rate: f64,
    pub(crate) a: f64,
    pub(crate) v_r: f64,
}

/// The kernel estimate from the linear-binning weights `bins` (nodes `0..=n`) of the
/// `below` particles below `V_F`, out of `total` particles.
pub(crate) fn kernel(
    grid: &Grid,
    bins: &[f64],
    below: u64,
    total: u64,
    kink: Kink,
    bandwidth: Bandwidth,
    out: &mut [f64],
) -> EstimateReport {
    let h = grid.spacing();
    let n = grid.len();
    let v_0 = grid.node_from_v_min(0);
    let v_f = grid.v_f_from_v_min();
    let count = below as f64;
    let sigma = match bandwidth {
        Bandwidth::Fixed(s) => s,
        Bandwidth::Silverman => {
            // Two-pass variance of the binned distribution: linear binning keeps the
            // mean of the voltages (clamped to [v_0, V_F)) and adds at most h²/4 to their
            // variance; no cancellation, no overflow from particles far below the grid.
            let node = |j: usize| if j == n { v_f } else { grid.node_from_v_min(j) };
            let mean = bins
                .iter()
                .enumerate()
                .map(|(j, &c)| c * node(j))
                .sum::<f64>()
                / count;
            let var = bins
                .iter()
                .enumerate()
                .map(|(j, &c)| c * (node(j) - mean).powi(2))
                .sum::<f64>()
                / count;
            let sd = var.max(0.0).sqrt();
            let iqr = quantile(grid, bins, 0.75) - quantile(grid, bins, 0.25);
            let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
            // Zero spread (one particle, identical particles) falls back to h.
            (0.9 * spread * count.powf(-0.2)).max(h)
        }
    };
    let sigma = sigma
        .min(MAX_BANDWIDTH * (v_f - v_0))
        .max((MIN_BANDWIDTH * h).max(f64::MIN_POSITIVE));
    let reach = (5.0 * sigma / h).ceil() as usize;
    // The kernel part carries the absorbed particles' share too (they count in N).
    let total = total as f64;
    let norm = 1.0 / (total * sigma * (2.0 * std::f64::consts::PI).sqrt());
    for (i, p) in out.iter_mut().enumerate() {
        let v = grid.node_from_v_min(i);
        let to_threshold = (v_f - v) / sigma;
        let lo = i.saturating_sub(reach);
        // Node n (V_F) is its own image: its weight contributes nothing.
        let hi = i.saturating_add(reach).min(n - 1);
        let mut acc = 0.0;
        for (j, &c) in bins.iter().enumerate().take(hi + 1).skip(lo) {
            if c != 0.0 {
                let vj = grid.node_from_v_min(j);
                // K(v - vj) - K(v - (2 V_F - vj)), as a product of non-negative factors.
                let image = -(-2.0 * ((v_f - vj) / sigma) * to_threshold).exp_m1();
                acc += c * (-0.5 * ((v - vj) / sigma).powi(2)).exp() * image;
            }
        }
        *p = acc * norm;
        // Add back what smoothing removed from the kink at V_R.
        if kink.rate > 0.0 {
            let t = (v - kink.v_r).abs() / sigma;
            *p += kink.rate * sigma / kink.a * kink_loss(t);
        }
    }
    EstimateReport {
        bandwidth: sigma,
        spread: 0,
    }
}

/// `(E|x + σZ| - |x|) / (2σ)` at `t = |x|/σ`: `φ(t) - t Q(t) = φ(t) (1 - t R(t))` with the
/// Mills ratio `R(t) = Q(t)/φ(t) = sqrt(π/2) erfcx(t/√2)`. Non-negative (Jensen); the
/// product form has no cancellation between `φ` and `t Q` (the bracket is `≈ 1/t²`, to
/// relative accuracy `t² 2^-53`), the clamp only guards the last bit.
fn kink_loss(t: f64) -> f64 {
    let phi = (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    if phi == 0.0 {
        return 0.0;
    }
    let mills = (std::f64::consts::PI / 2.0).sqrt() * erfcx(t / std::f64::consts::SQRT_2);
    phi * (1.0 - t * mills).max(0.0)
}

/// The node where the binned distribution reaches `q`.
fn quantile(grid: &Grid, bins: &[f64], q: f64) -> f64 {
    let total: f64 = bins.iter().sum();
    let mut acc = 0.0;
    for (j, &c) in bins.iter().enumerate() {
        acc += c;
        if acc >= q * total {
            return grid.node_from_v_min(j);
        }
    }
    grid.v_f_from_v_min()
}

/// Makes the density next to the threshold carry the firing rate `rate`.
///
/// Near `V_F` the density vanishes linearly with slope `-N/a` (the outflow is `-a ∂v p`).
/// The nodes within `width` of `V_F` (at least one) are set to `N (V_F - v_i) / a`, the
/// others scaled to restore unit mass. Afterwards the rate read off the last node,
/// `a p_{n-1} / h`, equals `rate`: a hand-over from particles to the density keeps the rate
/// continuous up to the noise of `rate` itself.
///
/// The layer is narrowed (down to the last node) when the density has no mass below it
/// (a sample concentrated next to `V_F`) or when the profile would carry more than the
/// unit mass. Negative input values within [`ROUND_OFF`](crate::ROUND_OFF) of the largest
/// are round-off and taken as 0; the result is non-negative, of unit mass to round-off.
///
/// # Errors
///
/// [`CouplingError::Length`], [`CouplingError::Value`], [`CouplingError::NoMass`] for the
/// density; [`CouplingError::Invalid`] naming `rate` (not finite and non-negative, more
/// than even the last node can carry, `rate > a / h²`, or different from `a / h²` for a
/// density with all its mass on the last node), `a` (not finite and positive) or
/// `width` (not finite and non-negative).
pub fn impose_rate(
    grid: &Grid,
    density: &mut [f64],
    rate: f64,
    a: f64,
    width: f64,
) -> Result<(), CouplingError> {
    grid.clean(density)?;
    let invalid = |field, value, reason| {
        Err(CouplingError::Invalid {
            field,
            value,
            reason,
        })
    };
    if !(rate.is_finite() && rate >= 0.0) {
        return invalid(
            "rate",
            rate,
            "a firing rate must be finite and non-negative",
        );
    }
    if !(a.is_finite() && a > 0.0) {
        return invalid(
            "a",
            a,
            "the diffusion coefficient must be finite and positive",
        );
    }
    if !(width.is_finite() && width >= 0.0) {
        return invalid(
            "width",
            width,
            "the layer width must be finite and non-negative",
        );
    }
    let h = grid.spacing();
    let n = grid.len();
    let v_f = grid.v_f_from_v_min();
    let profile = |i: usize| rate * (v_f - grid.node_from_v_min(i)) / a;
    let positions = (v_f.abs() + grid.node_from_v_min(0).abs()) / h;
    let mut layer = ((width / h).round() as usize).clamp(1, n - 1);
    let mut rest: f64 = density[..n - layer].iter().sum();
    loop {
        let layer_sum: f64 = (n - layer..n).map(profile).sum();
        // What the rest must carry, as a sum of nodal values. A deficit within the
        // round-off of the layer's mass (a few ulps per node, and the round-off of the node
        // positions, `2^-53 |v|`, relative to the distances `V_F - v_i >= h`) is zero: the
        // profile carries all the mass.
        let mut deficit = 1.0 / h - layer_sum;
        if (deficit * h).abs() <= 4.0 * f64::EPSILON * (layer as f64 + 2.0 + positions) {
            deficit = 0.0;
        }
        let scale = if deficit == 0.0 { 0.0 } else { deficit / rest };
        if deficit >= 0.0 && scale.is_finite() {
            for (i, p) in density.iter_mut().enumerate() {
                *p = if i < n - layer {
                    *p * scale
                } else {
                    profile(i)
                };
            }
            // Unit mass to the last bit.
            let mass = grid.mass(density);
            density.iter_mut().for_each(|p| *p /= mass);
            return Ok(());
        }
        if layer == 1 {
            let reason = if deficit < 0.0 {
                "the rate needs more mass next to the threshold than the unit mass (rate > a / h²)"
            } else {
                "the density has all its mass on the last node (rate a / h²) and cannot carry another rate"
            };
            return invalid("rate", rate, reason);
        }
        // Narrow the layer: its lowest node joins the rest.
        layer -= 1;
        rest += density[n - layer - 1];
    }
}
