//! The time step of a particle system: an input kick, the sub-threshold pass over the
//! blocks, and the cascade resolved over the whole network.

use super::{Mfe, ParticleSystem, StepReport};
use crate::BLOCK_SIZE;
use crate::cascade::{CascadeOutcome, Reduction, SingleProcess};
use crate::raster::SpikeRaster;
use crate::stepper::SubthresholdStepper;

impl<S: SubthresholdStepper> ParticleSystem<S> {
    /// Advances one step of length `dt` (see [`ParticleSystem::step_with`]).
    ///
    /// # Panics
    ///
    /// If the system is only a part of the network: a part needs the sums over all parts,
    /// [`ParticleSystem::step_with`].
    pub fn step(&mut self) -> StepReport {
        assert!(
            self.partition.is_whole(self.len()),
            "a part of a network must be stepped with `step_with` and a reduction over the parts"
        );
        self.step_with(&mut SingleProcess)
    }

    /// Advances one step, summing spike counts over the parts with `reduction`.
    ///
    /// 1. If an input kick falls into this step (`nlif_model::time::in_step`, the step from
    ///    `t` to the clock's next time): every voltage moves by `dv`, those at or
    ///    over `V_F` fire, with their cascade.
    /// 2. Sub-threshold update with `I(t)` and `a(N)` frozen at `t`, `N` the empirical rate of
    ///    the previous step; neurons crossing `V_F` fire and are reset to `V_R`.
    /// 3. The cascade they start is resolved exactly (module [`crate::cascade`]); fired
    ///    neurons are reset, the others kicked by `k* b / N`.
    ///
    /// Every part of a partitioned network calls it once per step, with a reduction over
    /// the parts; the reports are those of the whole network.
    pub fn step_with<R: Reduction>(&mut self, reduction: &mut R) -> StepReport {
        self.step_inner(reduction, None)
    }

    /// [`step_with`](Self::step_with), recording into `raster` the spikes of its sampled
    /// neurons (population 0's ids of the whole network; module [`crate::raster`]).
    /// Everything else is computed exactly as by `step_with`; a non-empty raster adds one
    /// reduction of its bitmask per event, which every part makes alike.
    pub fn step_recording<R: Reduction>(
        &mut self,
        reduction: &mut R,
        raster: &mut SpikeRaster,
    ) -> StepReport {
        self.step_inner(reduction, Some(raster))
    }

    fn step_inner<R: Reduction>(
        &mut self,
        reduction: &mut R,
        mut raster: Option<&mut SpikeRaster>,
    ) -> StepReport {
        let t = self.time();
        let dt = self.config.dt;
        let mut mfes = [None, None];
        let mut spikes = 0;
        // The next step's start as the clock computes it: consecutive windows share their
        // end points, so a kick falls into exactly one step (nlif_model::time).
        let t_next = self.t_start + (self.steps + 1) as f64 * dt;
        if let Some(dv) = self.input.kick_within(t, t_next) {
            // Its non-finite count is superseded by the sub-threshold pass, which writes
            // every voltage again.
            let (outcome, _) = self.kick_event(dv, reduction);
            if let Some(raster) = raster.as_deref_mut() {
                self.record_spikes(raster, t, reduction);
            }
            spikes += outcome.fired;
            mfes[0] = self.as_mfe(t, outcome, true);
        }
        let current = self.input.current(t);
        let a = self.params.diffusion(self.rate);
        let kernel = self.stepper.kernel(dt, current, a, self.params.v_f);
        let (outcome, non_finite) = self.subthreshold_event(kernel, reduction);
        if let Some(raster) = raster {
            self.record_spikes(raster, t + dt, reduction);
        }
        spikes += outcome.fired;
        mfes[1] = self.as_mfe(t + dt, outcome, false);
        self.steps += 1;
        self.rate = spikes as f64 / (self.global_len() as f64 * dt);
        StepReport {
            spikes,
            rate: self.rate,
            mfes,
            non_finite,
        }
    }

    /// Records the sampled neurons the last event fired (marked until the next pass) at
    /// `t`.
    fn record_spikes<R: Reduction>(&self, raster: &mut SpikeRaster, t: f64, reduction: &mut R) {
        raster.clear();
        let first = self.partition.first_block * BLOCK_SIZE;
        raster.mark(0, first, self.len(), |i| self.fired_last(i));
        raster.record(t, reduction);
    }

    fn as_mfe(&self, t: f64, outcome: CascadeOutcome, kick: bool) -> Option<Mfe> {
        let fraction = outcome.fired as f64 / self.global_len() as f64;
        let cascaded = kick || outcome.rounds > 0;
        (cascaded && outcome.fired > 0 && fraction >= self.config.mfe_min_fraction).then_some(Mfe {
            t,
            fired: outcome.fired,
            fraction,
            rounds: outcome.rounds,
        })
    }

    /// The window of voltages below `V_F` gathered for the cascade, as a voltage offset.
    fn window(&self) -> f64 {
        if self.params.b > 0.0 {
            let w = (4 * self.last_initiators + 64).min(self.global_len() as u64);
            w as f64 * self.kick()
        } else {
            f64::NEG_INFINITY
        }
    }

    fn kick(&self) -> f64 {
        self.params.b / self.global_len() as f64
    }

    pub(super) fn kick_event<R: Reduction>(
        &mut self,
        dv: f64,
        reduction: &mut R,
    ) -> (CascadeOutcome, u64) {
        let theta = self.window();
        self.kick_pass(dv, theta);
        self.resolve(theta, reduction)
    }

    fn subthreshold_event<R: Reduction>(
        &mut self,
        kernel: S::Kernel,
        reduction: &mut R,
    ) -> (CascadeOutcome, u64) {
        let theta = self.window();
        self.subthreshold_pass(kernel, theta);
        self.resolve(theta, reduction)
    }

    /// Sums the initiators and the non-finite voltages over the network (one reduction,
    /// of both counts), resolves the cascade, resets the fired and owes the kick; returns
    /// the cascade and the network's count of non-finite voltages.
    fn resolve<R: Reduction>(&mut self, theta: f64, reduction: &mut R) -> (CascadeOutcome, u64) {
        let mut counts = self.event_counts();
        reduction.sum_u64_slice(&mut counts);
        let [s0, non_finite] = counts;
        let global = self.partition.global_particles as u64;
        // Each neuron fires at most once per event, and holds one voltage.
        debug_assert!(
            s0 + non_finite <= global,
            "{s0} initiators and {non_finite} non-finite voltages in a network of {global}"
        );
        self.last_initiators = s0;
        let kick = self.kick();
        if s0 == 0 {
            let outcome = CascadeOutcome {
                fired: 0,
                rounds: 0,
            };
            return (outcome, non_finite);
        }
        if kick <= 0.0 {
            self.pending = s0 as f64 * kick;
            let outcome = CascadeOutcome {
                fired: s0,
                rounds: 0,
            };
            return (outcome, non_finite);
        }
        self.gather_window();
        let outcome = self.cascade.resolve(
            &self.voltages,
            global,
            s0,
            kick,
            self.params.v_f,
            theta,
            reduction,
        );
        self.reset_fired(outcome.fired as f64 * kick);
        debug_assert!(
            outcome.fired <= global,
            "a cascade of {} in a network of {global}",
            outcome.fired
        );
        self.pending = outcome.fired as f64 * kick;
        (outcome, non_finite)
    }
}
