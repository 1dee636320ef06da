//! The grid the conversions work on, and the checks of a density on it.

use std::borrow::Cow;

use nlif_model::Grid;

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

/// The conversions work on the grid of the mean-field solver, [`nlif_model::Grid`]
/// (re-exported as [`Grid`](crate::Grid)): unknowns at `v_0 .. v_{n-1}`, an absorbing
/// threshold `V_F = v_n` where the density is zero, node `i < n` carrying the mass
/// `h p_i` (control volume `[v_i - h/2, v_i + h/2]`).
///
/// They count the nodes up from the lower end, `v_i = v_0 + i h` and `V_F = v_0 + n h`
/// ([`Grid::node_from_v_min`], [`Grid::v_f_from_v_min`]), as they always have: the
/// results are bit-identical to those on the former `coupling::UniformGrid`.
pub(crate) trait Clean {
    /// Checks `density` and clamps its round-off negatives to zero: a value `p_i < 0`
    /// with `|p_i| <= ROUND_OFF · max_j p_j` is round-off (see [`ROUND_OFF`]) and becomes
    /// 0; any other negative, NaN or infinite value is a [`CouplingError::Value`]. Also
    /// rejects a wrong length and a density without mass (after the clamp).
    fn cleaned<'d>(&self, density: &'d [f64]) -> Result<Cow<'d, [f64]>, CouplingError>;

    /// [`cleaned`](Self::cleaned) in place.
    fn clean(&self, density: &mut [f64]) -> Result<(), CouplingError>;

    /// Length, finiteness and sign of `density`; whether it has round-off negatives.
    fn check_values(&self, density: &[f64]) -> Result<bool, CouplingError>;
}

impl Clean for Grid {
    fn cleaned<'d>(&self, density: &'d [f64]) -> Result<Cow<'d, [f64]>, CouplingError> {
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

    fn clean(&self, density: &mut [f64]) -> Result<(), CouplingError> {
        if self.check_values(density)? {
            density.iter_mut().for_each(|p| *p = p.max(0.0));
        }
        if !(self.mass(density) > 0.0) {
            return Err(CouplingError::NoMass);
        }
        Ok(())
    }

    fn check_values(&self, density: &[f64]) -> Result<bool, CouplingError> {
        if density.len() != self.len() {
            return Err(CouplingError::Length {
                expected: self.len(),
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
