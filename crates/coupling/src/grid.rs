//! The uniform grid the conversions work on.

use std::borrow::Cow;

use crate::CouplingError;

/// The relative size of negative density values that the conversions take for round-off
/// and clamp to zero: `p_i < 0` with `|p_i| <= ROUND_OFF · max_j p_j`.
///
/// A nodal value assembled from `m` floating-point operations on values up to `max p` is off
/// by about `m · 2^-53 · max p`; `1e-10` covers `m` up to about `10^6` (a mean-field step
/// or a kernel sum on a fine grid), and is far below any genuine negative of a scheme
/// that does not preserve positivity. Larger negatives are a
/// [`CouplingError::Value`].
pub const ROUND_OFF: f64 = 1e-10;

/// Nodes `v_i = first + i h`, `i = 0..=len`, of a density with unknowns at `v_0..v_{len-1}`
/// and an absorbing threshold `V_F = v_len` where the density is zero.
///
/// Node `i < len` carries the mass `h p_i` (control volume `[v_i - h/2, v_i + h/2]`), the
/// convention of `fp-macro`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UniformGrid {
    first: f64,
    spacing: f64,
    len: usize,
}

impl UniformGrid {
    /// A grid with first node `first`, spacing `spacing > 0` and `len >= 2` unknowns, whose
    /// nodes are distinct floating-point numbers and whose threshold is finite.
    pub fn new(first: f64, spacing: f64, len: usize) -> Result<Self, CouplingError> {
        let grid = UniformGrid {
            first,
            spacing,
            len,
        };
        // Distinct nodes: the spacing is resolved at both ends (where the nodes are
        // largest in magnitude), and the threshold is finite.
        let resolved = len >= 2
            && grid.node(1) > grid.node(0)
            && grid.threshold() > grid.node(len - 1)
            && grid.threshold().is_finite();
        if !(first.is_finite() && spacing.is_finite() && spacing > 0.0 && resolved) {
            return Err(CouplingError::Grid {
                first,
                spacing,
                len,
            });
        }
        Ok(grid)
    }

    /// Number of unknowns.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (at least two unknowns).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The spacing `h`.
    pub fn spacing(&self) -> f64 {
        self.spacing
    }

    /// Node `v_i`, `i <= len`.
    #[inline]
    pub fn node(&self, i: usize) -> f64 {
        self.first + i as f64 * self.spacing
    }

    /// The threshold `V_F = v_len`.
    pub fn threshold(&self) -> f64 {
        self.node(self.len)
    }

    /// Mass `h Σ p_i`.
    pub fn mass(&self, density: &[f64]) -> f64 {
        self.spacing * density.iter().sum::<f64>()
    }

    /// Checks `density` and clamps its round-off negatives to zero: a value `p_i < 0`
    /// with `|p_i| <= ROUND_OFF · max_j p_j` is round-off (see [`ROUND_OFF`]) and becomes
    /// 0; any other negative, NaN or infinite value is a [`CouplingError::Value`]. Also
    /// rejects a wrong length and a density without mass (after the clamp).
    pub(crate) fn cleaned<'d>(&self, density: &'d [f64]) -> Result<Cow<'d, [f64]>, CouplingError> {
        let needs_clamp = self.check_values(density)?;
        let density = if needs_clamp {
            Cow::Owned(density.iter().map(|&p| p.max(0.0)).collect())
        } else {
            Cow::Borrowed(density)
        };
        if !(self.mass(&density) > 0.0) {
            return Err(CouplingError::NoMass);
        }
        Ok(density)
    }

    /// [`cleaned`](Self::cleaned) in place.
    pub(crate) fn clean(&self, density: &mut [f64]) -> Result<(), CouplingError> {
        if self.check_values(density)? {
            density.iter_mut().for_each(|p| *p = p.max(0.0));
        }
        if !(self.mass(density) > 0.0) {
            return Err(CouplingError::NoMass);
        }
        Ok(())
    }

    /// Length, finiteness and sign of `density`; whether it has round-off negatives.
    fn check_values(&self, density: &[f64]) -> Result<bool, CouplingError> {
        if density.len() != self.len {
            return Err(CouplingError::Length {
                expected: self.len,
                got: density.len(),
            });
        }
        if let Some((index, &value)) = density.iter().enumerate().find(|&(_, p)| !p.is_finite()) {
            return Err(CouplingError::Value { index, value });
        }
        let largest = density.iter().copied().fold(0.0, f64::max);
        let mut round_off = false;
        for (index, &value) in density.iter().enumerate() {
            if value < 0.0 {
                if -value <= ROUND_OFF * largest {
                    round_off = true;
                } else {
                    return Err(CouplingError::Value { index, value });
                }
            }
        }
        Ok(round_off)
    }
}
