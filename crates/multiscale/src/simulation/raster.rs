//! The spike raster of a run: which neurons the particle phases record, and their
//! spikes moved into the trace after each step.
//!
//! The sample is drawn once from the run's seed (`nlif_micro::raster::sample_ids`):
//! `config.raster` neuron ids of each population (all of a smaller one), the same ids in
//! every particle phase, on every part of a distributed run and after a restore (the
//! sample is the problem's, the recorded spikes are the trace's). A particle phase starts
//! from particles sampled anew from the density, so an id names a neuron only within one
//! particle phase.

use nlif_micro::SpikeRaster;

use super::{Problem, Simulation};
use crate::components::Components;

/// The raster of a run of `problem`: `None` when it records nothing (`raster = 0`, or a
/// solver without particles).
pub(super) fn raster_of(problem: &Problem) -> Option<SpikeRaster> {
    let config = &problem.config;
    if config.raster == 0 || !config.kind.uses_micro() {
        return None;
    }
    let particles = config.micro.particles;
    let neurons = if problem.network.len() > 1 {
        // Checked by the run's validation before a phase is made.
        problem.network.neurons(particles).unwrap_or_default()
    } else {
        vec![particles]
    };
    Some(SpikeRaster::new(config.seed, &neurons, config.raster))
}

impl<C: Components> Simulation<C> {
    /// Moves the spikes the last step recorded into the trace.
    pub(super) fn take_spikes(&mut self) {
        if let Some(raster) = &mut self.raster {
            raster.take(&mut self.trace.spikes);
        }
    }
}
