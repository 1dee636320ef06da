//! The pieces of a step, for a caller that composes them: the particle system's own step
//! ([`step`](super::step)) and a network of populations (`crate::ParticleNetwork`), whose
//! cascade runs across several systems between the pass and the reset.
//!
//! A step of one system is: a pass ([`kick_pass`](ParticleSystem::kick_pass) or
//! [`subthreshold_pass`](ParticleSystem::subthreshold_pass), which settle the pending
//! kick and gather the cascade window), the counts of the pass
//! ([`event_counts`](ParticleSystem::event_counts)), the cascade (the window in
//! [`gather_window`](ParticleSystem::gather_window), raised level by level through
//! [`fire_to`](ParticleSystem::fire_to)), and the reset of the fired at the final level
//! ([`reset_fired`](ParticleSystem::reset_fired)) with the kick owed to the others
//! ([`owe`](ParticleSystem::owe)).

use super::ParticleSystem;
use super::pass::{BlockPass, record, settle};
use super::refractory::start;
use crate::stepper::{SubthresholdStep, SubthresholdStepper};

impl<S: SubthresholdStepper> ParticleSystem<S> {
    /// The input kick `dv` as one event: every voltage settled and moved by `dv`; those
    /// at or over `V_F` fire (`-inf`, counted), the others within `theta` below `V_F` are
    /// gathered into the blocks' windows. Leaves no pending kick.
    ///
    /// With a refractory period, the neurons at `-inf` (away, or fired in the last event:
    /// their time away starts here, module [`refractory`](super::refractory)) are left
    /// as they are: they receive no kick.
    pub(crate) fn kick_pass(&mut self, dv: f64, theta: f64) {
        let (pending, v_r, v_f) = (self.pending, self.params.v_r, self.params.v_f);
        let away = self.away;
        self.for_each_block(|offset, v, block| {
            block.fired = 0;
            block.non_finite = 0;
            block.window.clear();
            if let Some(away) = away {
                start(away, v, &mut block.away, &mut block.rng);
            }
            for (i, x) in v.iter_mut().enumerate() {
                if away.is_some() && *x == f64::NEG_INFINITY {
                    continue;
                }
                let next = settle(*x, pending, v_r) + dv;
                record(x, next, next >= v_f, offset + i, theta, v_f, block);
            }
        });
        self.pending = 0.0;
    }

    /// The sub-threshold pass of every block with `kernel` (module
    /// [`pass`](super::pass)), gathering the window `theta`. Leaves no pending kick.
    pub(crate) fn subthreshold_pass(&mut self, kernel: S::Kernel, theta: f64) {
        let (pending, v_r, v_f) = (self.pending, self.params.v_r, self.params.v_f);
        let away = self.away;
        let normals = self.config.normals;
        self.for_each_block(|offset, v, block| {
            kernel.dispatch(BlockPass {
                offset,
                normals,
                v,
                block,
                pending,
                v_r,
                v_f,
                theta,
                away,
            });
        });
        self.pending = 0.0;
    }

    /// This part's counts of the last pass: `[spikes, non-finite voltages]`.
    pub(crate) fn event_counts(&self) -> [u64; 2] {
        let mut counts = [0u64; 2];
        for block in &self.blocks {
            counts[0] += block.fired;
            counts[1] += block.non_finite;
        }
        counts
    }

    /// Puts the blocks' windows (in block order) into the cascade's candidates.
    pub(crate) fn gather_window(&mut self) {
        let items = &mut self.cascade.candidates.items;
        items.clear();
        for block in &self.blocks {
            items.extend_from_slice(&block.window);
        }
    }

    /// Starts a cascade whose level never exceeds `total` on the window gathered with
    /// `theta` ([`gather_window`](Self::gather_window) first).
    pub(crate) fn start_cascade(&mut self, theta: f64, total: f64) {
        self.gather_window();
        self.cascade.start(self.params.v_f, theta, total);
    }

    /// Fires this part's voltages with `v + level >= V_F` that have not fired yet
    /// (`level` never decreasing within a cascade); returns how many.
    pub(crate) fn fire_to(&mut self, level: f64) -> u64 {
        self.cascade.fire_to(&self.voltages, level, self.params.v_f)
    }

    /// Marks fired (`-inf`) the neurons the cascade fired, `level` its final level.
    pub(crate) fn reset_fired(&mut self, level: f64) {
        if self.cascade.fired.len() > self.voltages.len() / 16 {
            // A large cascade: one pass in order instead of scattered writes. The cascade
            // fired exactly the neurons that fire at its final level (every earlier level
            // is lower, and the final one fires nobody new), the same test as written.
            let v_f = self.params.v_f;
            // (`+inf`, a voltage the pass counted as non-finite, is not among them.)
            self.for_each_block(|_, v, _| {
                for x in v.iter_mut() {
                    if (*x + level >= v_f) & (*x < f64::INFINITY) {
                        *x = f64::NEG_INFINITY;
                    }
                }
            });
        } else {
            for &i in &self.cascade.fired {
                self.voltages[i as usize] = f64::NEG_INFINITY;
            }
        }
    }

    /// The voltages as stored: fired neurons `-inf`, the pending kick not applied.
    pub(crate) fn raw_voltages(&self) -> &[f64] {
        &self.voltages
    }

    /// Owes `kick` to every neuron that did not fire (applied at the next pass).
    pub(crate) fn owe(&mut self, kick: f64) {
        self.pending = kick;
    }

    /// Adds `kick` to what every neuron that did not fire is owed (a delayed kick).
    pub(crate) fn owe_more(&mut self, kick: f64) {
        self.pending += kick;
    }

    /// Records the initiators of the last cascade (the next window's width).
    pub(crate) fn set_last_initiators(&mut self, initiators: u64) {
        self.last_initiators = initiators;
    }

    /// Advances the clock by one step and records the step's rate.
    pub(crate) fn finish_step(&mut self, rate: f64) {
        self.steps += 1;
        self.rate = rate;
    }
}
