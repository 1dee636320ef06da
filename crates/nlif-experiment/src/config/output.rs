//! The `output` section: what a run records and writes.
//!
//! In text (the RON of `config.ron` and `nlif check --print`, the compact RON hashed into
//! checkpoints, the JSON of `summary.json` and `sweep.json`) `raster` is written only when
//! it differs from [`DEFAULT_RASTER`], so a config that leaves it at its default is
//! written byte for byte as before the field existed; in a binary format (a checkpoint's
//! postcard) every field is written, as such a format reads fields by position.

use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

/// The default of `output.raster`: 20 neurons of each population, what a raster plot
/// shows row by row at a glance (and what costs nothing measurable per step: one bit per
/// sampled neuron and event).
pub const DEFAULT_RASTER: usize = 20;

/// The `output` section.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSection {
    /// Spacing of the rate samples (a multiple of the solver's time step).
    pub interval: f64,
    /// Spacing of the density snapshots (a multiple of `interval`), or `None`.
    pub density_interval: Option<f64>,
    /// Write `rate.png`, `rate.svg` and `density.png` (and `raster.png`).
    pub plots: bool,
    /// Write a checkpoint every this much model time (`None`: no checkpoints).
    pub checkpoint: Option<f64>,
    /// Neurons of each population whose spikes the particle phases record into
    /// `spikes.csv` (all of a smaller population; `0`: none, and no file), drawn once from
    /// the seed; at most [`multiscale::MAX_RASTER`].
    pub raster: usize,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            interval: 1e-3,
            density_interval: Some(0.05),
            plots: true,
            checkpoint: None,
            raster: DEFAULT_RASTER,
        }
    }
}

impl Serialize for OutputSection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raster = !serializer.is_human_readable() || self.raster != DEFAULT_RASTER;
        let mut s = serializer.serialize_struct("OutputSection", 4 + usize::from(raster))?;
        s.serialize_field("interval", &self.interval)?;
        s.serialize_field("density_interval", &self.density_interval)?;
        s.serialize_field("plots", &self.plots)?;
        s.serialize_field("checkpoint", &self.checkpoint)?;
        if raster {
            s.serialize_field("raster", &self.raster)?;
        } else {
            s.skip_field("raster")?;
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the text as written before the field existed, and the round trips.
    #[test]
    fn raster_is_written_only_off_its_default() {
        let default = OutputSection::default();
        let text = ron::to_string(&default).unwrap();
        assert_eq!(
            text,
            "(interval:0.001,density_interval:Some(0.05),plots:true,checkpoint:None)"
        );
        assert!(!serde_json::to_string(&default).unwrap().contains("raster"));
        let other = OutputSection {
            raster: 0,
            ..default
        };
        let text = ron::to_string(&other).unwrap();
        assert!(text.ends_with(",raster:0)"), "{text}");
        for section in [default, other] {
            let text = ron::to_string(&section).unwrap();
            assert_eq!(ron::from_str::<OutputSection>(&text).unwrap(), section);
            let bits = postcard::to_allocvec(&section).unwrap();
            assert_eq!(
                postcard::from_bytes::<OutputSection>(&bits).unwrap(),
                section
            );
        }
    }
}
