//! Configuration and errors of the particle solver.

use nlif_model::ModelError;
use serde::{Deserialize, Serialize};

use crate::normal::Normals;
use crate::{BLOCK_SIZE, Stepper};

/// The largest network: `2^38` neurons (2.7e11). Sums over the network — counts, and the
/// fixed-point tallies of a hand-over (26-bit limbs) — stay below `2^64`.
pub const MAX_PARTICLES: usize = 1 << 38;

/// The most neurons one [`ParticleSystem`](crate::ParticleSystem) holds: `u32::MAX` (the
/// cascade indexes its voltages with `u32`). Larger networks are split into parts
/// ([`Partition`]), one per process.
pub const MAX_PART_PARTICLES: usize = u32::MAX as usize;

/// Settings of the particle solver, as written in the `solver.micro` section of a config.
///
/// Text (RON, JSON) leaves `normals` out at its default, so configs written before it
/// existed are written the same; binary states (postcard) always hold it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MicroConfig {
    /// Number of neurons `N_p` (at most [`MAX_PARTICLES`]; a single system holds at most
    /// [`MAX_PART_PARTICLES`]): of the whole network, or of the
    /// part a [`ParticleSystem`](crate::ParticleSystem) owns when built with a
    /// [`Partition`].
    pub particles: usize,
    /// Time step.
    pub dt: f64,
    /// Sub-threshold stepper of the systems built from this config (a system built with
    /// [`ParticleSystemBuilder::stepper`](crate::ParticleSystemBuilder::stepper) uses
    /// that one instead).
    pub stepper: Stepper,
    /// Generator of the sub-threshold steps' normal deviates (module
    /// [`normal`](crate::normal)).
    pub normals: Normals,
    /// A cascade (or an input kick) is recorded as a multiple firing event when it fires
    /// at least this fraction of the network in one instant.
    pub mfe_min_fraction: f64,
}

impl Default for MicroConfig {
    fn default() -> Self {
        MicroConfig {
            particles: 100_000,
            dt: 1e-4,
            stepper: Stepper::BrownianBridge,
            normals: Normals::BoxMuller,
            mfe_min_fraction: 0.01,
        }
    }
}

impl Serialize for MicroConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let omit = serializer.is_human_readable() && self.normals == Normals::default();
        let mut s = serializer.serialize_struct("MicroConfig", 5 - usize::from(omit))?;
        s.serialize_field("particles", &self.particles)?;
        s.serialize_field("dt", &self.dt)?;
        s.serialize_field("stepper", &self.stepper)?;
        if omit {
            s.skip_field("normals")?;
        } else {
            s.serialize_field("normals", &self.normals)?;
        }
        s.serialize_field("mfe_min_fraction", &self.mfe_min_fraction)?;
        s.end()
    }
}

impl MicroConfig {
    /// Checks every field; the error names the first offending one.
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `particles`, `dt` or `mfe_min_fraction`.
    pub fn validate(&self) -> Result<(), MicroError> {
        if self.particles == 0 || self.particles > MAX_PARTICLES {
            return Err(MicroError::Invalid {
                field: "particles",
                value: self.particles as f64,
                reason: "the number of particles must lie in 1..=2^38 (274877906944)",
            });
        }
        if !(self.dt.is_finite() && self.dt > 0.0 && self.dt < 1.0) {
            return Err(MicroError::Invalid {
                field: "dt",
                value: self.dt,
                reason: "the time step must be positive and below one membrane time constant",
            });
        }
        if !(0.0..=1.0).contains(&self.mfe_min_fraction) {
            return Err(MicroError::Invalid {
                field: "mfe_min_fraction",
                value: self.mfe_min_fraction,
                reason: "a fraction must lie in [0, 1]",
            });
        }
        Ok(())
    }
}

/// Which part of a network a [`ParticleSystem`](crate::ParticleSystem) owns.
///
/// The network of `global_particles` neurons is cut into blocks of [`BLOCK_SIZE`]; a part
/// owns the `config.particles` neurons from the start of block `first_block` on, so every
/// part but the last holds whole blocks. The kick `b / N`, the rate, the fraction of an
/// MFE and the cascade bounds use the global `N`; block `j` of the part draws from the
/// stream of block `first_block + j` of the network. Parts stepped in lock-step with a
/// [`Reduction`](crate::Reduction) that sums over them reproduce the single system bit
/// for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Neurons in the whole network, `N`.
    pub global_particles: usize,
    /// Index of the first block of the network this part owns.
    pub first_block: usize,
}

impl Partition {
    /// The whole network of `particles` neurons, in one part.
    #[must_use]
    pub const fn whole(particles: usize) -> Self {
        Partition {
            global_particles: particles,
            first_block: 0,
        }
    }

    /// Cuts a network of `global_particles` neurons into `parts` parts of contiguous
    /// blocks, as even as whole blocks allow; returns each part with its number of
    /// neurons (its `config.particles`).
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `parts` if it is zero or exceeds the number of
    /// blocks, or `partition.global_particles` if the network is empty or larger than
    /// [`MAX_PARTICLES`].
    pub fn split(
        global_particles: usize,
        parts: usize,
    ) -> Result<Vec<(Partition, usize)>, MicroError> {
        Partition::whole(global_particles).validate(global_particles)?;
        let blocks = global_particles.div_ceil(BLOCK_SIZE);
        if parts == 0 || parts > blocks {
            return Err(MicroError::Invalid {
                field: "parts",
                value: parts as f64,
                reason: "the number of parts must lie in 1..=blocks of the network",
            });
        }
        Ok((0..parts)
            .map(|p| {
                let (first, end) = (p * blocks / parts, (p + 1) * blocks / parts);
                let len = (end * BLOCK_SIZE).min(global_particles) - first * BLOCK_SIZE;
                (
                    Partition {
                        global_particles,
                        first_block: first,
                    },
                    len,
                )
            })
            .collect())
    }

    /// Whether this is the whole network of `particles` neurons.
    #[must_use]
    pub fn is_whole(&self, particles: usize) -> bool {
        self.first_block == 0 && self.global_particles == particles
    }

    /// Checks the partition against the part's number of neurons `particles`.
    ///
    /// # Errors
    ///
    /// [`MicroError::Invalid`] naming `partition.global_particles` (not in
    /// `1..=MAX_PARTICLES`), `partition.first_block` (starts beyond the network) or
    /// `particles` (more than [`MAX_PART_PARTICLES`], the part reaches past the end of the
    /// network, or does not end it and does not hold whole blocks).
    pub fn validate(&self, particles: usize) -> Result<(), MicroError> {
        if self.global_particles == 0 || self.global_particles > MAX_PARTICLES {
            return Err(MicroError::Invalid {
                field: "partition.global_particles",
                value: self.global_particles as f64,
                reason: "the number of particles must lie in 1..=2^38 (274877906944)",
            });
        }
        if particles > MAX_PART_PARTICLES {
            return Err(MicroError::Invalid {
                field: "particles",
                value: particles as f64,
                reason: "one process holds at most 4294967295 particles: split the network across processes (MPI, docs/scaling.md)",
            });
        }
        let start = self
            .first_block
            .checked_mul(BLOCK_SIZE)
            .filter(|&s| s < self.global_particles)
            .ok_or(MicroError::Invalid {
                field: "partition.first_block",
                value: self.first_block as f64,
                reason: "the first block must start inside the network",
            })?;
        let end = start.saturating_add(particles);
        if end > self.global_particles {
            return Err(MicroError::Invalid {
                field: "particles",
                value: particles as f64,
                reason: "the part reaches past the end of the network (partition.global_particles)",
            });
        }
        if end < self.global_particles && !particles.is_multiple_of(BLOCK_SIZE) {
            return Err(MicroError::Invalid {
                field: "particles",
                value: particles as f64,
                reason: "a part that does not end the network must hold whole blocks of BLOCK_SIZE",
            });
        }
        Ok(())
    }
}

/// Why a particle system cannot be built or continued.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MicroError {
    /// The model parameters, input or initial data are invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A solver setting is invalid.
    #[error("invalid `{field}` = {value:?}: {reason}")]
    Invalid {
        /// Name of the field in the `solver.micro` section.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A voltage handed to the solver is NaN, infinite or not below the threshold.
    #[error("voltage {index} = {value:?} is not finite and below the threshold v_f")]
    Voltage {
        /// Index of the particle.
        index: usize,
        /// Its voltage.
        value: f64,
    },
    /// An entry of a network of populations (`crate::ParticleNetwork`), named by its
    /// path as a config spells it: `populations[1].share`, `coupling[0][1]`,
    /// `voltages[1]` (the count of a population's voltages), `voltages[1][7]`, `rates[0]`.
    #[error("invalid `{path}`: {reason}")]
    At {
        /// Path of the entry.
        path: String,
        /// Why it is rejected, with the rejected value where there is one.
        reason: String,
    },
    /// The number of voltages does not match `particles`.
    #[error("expected {expected} voltages (`particles`), got {got}")]
    Count {
        /// `particles` of the config.
        expected: usize,
        /// Voltages given.
        got: usize,
    },
}

impl MicroError {
    /// The name of the offending field, for front ends.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            MicroError::Model(e) => e.field(),
            MicroError::Invalid { field, .. } => field,
            MicroError::Voltage { .. } | MicroError::Count { .. } => "particles",
            MicroError::At { .. } => "network",
        }
    }

    /// The path of the offending entry: the field name ([`field`](Self::field)), or for an
    /// entry of a network of populations its whole path (`populations[1].v_r`).
    #[must_use]
    pub fn path(&self) -> std::borrow::Cow<'_, str> {
        match self {
            MicroError::At { path, .. } => std::borrow::Cow::Borrowed(path),
            other => std::borrow::Cow::Borrowed(other.field()),
        }
    }

    /// This error with its field put under `prefix` (`populations[1].`), as an
    /// [`At`](MicroError::At) error.
    pub(crate) fn under(self, prefix: &str) -> MicroError {
        let path = format!("{prefix}{}", self.path());
        let reason = match &self {
            MicroError::At { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        MicroError::At { path, reason }
    }
}

impl From<nlif_model::network::NetworkError> for MicroError {
    fn from(error: nlif_model::network::NetworkError) -> Self {
        MicroError::At {
            path: error.path().to_string(),
            reason: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the config written before `normals` existed (its JSON spelled out) and the
    /// reader's defaults. Text leaves the default generator out and writes another;
    /// postcard always holds the field, so both configs round-trip exactly either way.
    #[test]
    fn text_leaves_the_default_generator_out_and_binary_keeps_it() {
        let default = MicroConfig::default();
        let json = serde_json::to_string(&default).unwrap();
        assert_eq!(
            json,
            r#"{"particles":100000,"dt":0.0001,"stepper":"BrownianBridge","mfe_min_fraction":0.01}"#
        );
        let ziggurat = MicroConfig {
            normals: Normals::Ziggurat,
            ..default
        };
        let json = serde_json::to_string(&ziggurat).unwrap();
        assert!(json.contains(r#""normals":"Ziggurat""#), "{json}");
        for config in [default, ziggurat] {
            let text: MicroConfig =
                serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
            let binary: MicroConfig =
                postcard::from_bytes(&postcard::to_allocvec(&config).unwrap()).unwrap();
            assert_eq!((text, binary), (config, config));
        }
    }
}
