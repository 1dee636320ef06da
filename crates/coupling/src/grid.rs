//! The uniform grid the conversions work on.

use crate::CouplingError;

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
    /// A grid with first node `first`, spacing `spacing > 0` and `len >= 2` unknowns.
    pub fn new(first: f64, spacing: f64, len: usize) -> Result<Self, CouplingError> {
        if !(first.is_finite() && spacing.is_finite() && spacing > 0.0 && len >= 2) {
            return Err(CouplingError::Grid {
                first,
                spacing,
                len,
            });
        }
        Ok(UniformGrid {
            first,
            spacing,
            len,
        })
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

    pub(crate) fn check(&self, density: &[f64]) -> Result<(), CouplingError> {
        if density.len() != self.len {
            return Err(CouplingError::Length {
                expected: self.len,
                got: density.len(),
            });
        }
        if let Some((index, &value)) = density
            .iter()
            .enumerate()
            .find(|&(_, &p)| !(p.is_finite() && p >= 0.0))
        {
            return Err(CouplingError::Value { index, value });
        }
        if !(self.mass(density) > 0.0) {
            return Err(CouplingError::NoMass);
        }
        Ok(())
    }
}
