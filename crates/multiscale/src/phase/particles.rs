//! The particles as a phase.

use coupling::{Estimator, Tally};
use fp_macro::Grid;
use nlif_micro::{Parallelism, ParticleSystem, Reduction, SubthresholdStepper};
use rayon::prelude::*;

use super::PhaseState;
use super::{Env, Phase, Stepped};
use crate::Components;
use crate::config::RunError;
use crate::trace::Mode;

/// `N` particles (this part's share of them), advanced by [`ParticleSystem`] with the
/// run's stepper, exact cascades included (docs/nlif-micro.md).
#[derive(Debug)]
pub struct ParticlePhase<T: SubthresholdStepper>(pub ParticleSystem<T>);

impl<T: SubthresholdStepper + Send, C: Components<Stepper = T>> Phase<C> for ParticlePhase<T> {
    fn mode(&self) -> Mode {
        Mode::Micro
    }
    fn time(&self) -> f64 {
        self.0.time()
    }
    fn dt(&self) -> f64 {
        self.0.config().dt
    }
    fn steps(&self) -> u64 {
        self.0.steps()
    }
    fn rate(&self) -> f64 {
        self.0.rate()
    }

    /// A particle step; the counts summed over every part, so a stepper's non-finite
    /// voltages end every part's run alike. The spikes of the sampled neurons go into
    /// `env.raster`, if any.
    fn step(&mut self, env: &mut Env<'_, C>) -> Stepped {
        let report = match env.raster.as_deref_mut() {
            Some(raster) => self.0.step_recording(env.reduction, raster),
            None => self.0.step_with(env.reduction),
        };
        if report.is_valid() {
            Stepped::Advanced {
                rate: report.rate,
                mass: None,
                mfes: report.mfes,
            }
        } else {
            Stepped::Invalid { rate: report.rate }
        }
    }

    fn voltages(&mut self) -> Option<&[f64]> {
        Some(self.0.settle())
    }

    /// The tally of every part's voltages (integer sums: the same for any split), turned
    /// into a density by `estimator` with the kink of the reset set by `rate`.
    fn estimate(
        &mut self,
        env: &mut Env<'_, C>,
        estimator: Estimator,
        rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        let mut tally = tally(estimator, env.grid, self.0.settle(), env.parallelism)?;
        env.reduction.sum_u64_slice(tally.words_mut());
        let a = env.params.diffusion(rate);
        let report = tally.estimate(rate, a, env.params.v_r, out)?;
        Ok(report.bandwidth)
    }

    fn state(&self) -> Option<PhaseState> {
        Some(PhaseState::Micro(self.0.state().into_dynamics()))
    }

    fn into_buffer(self: Box<Self>) -> Vec<f64> {
        self.0.into_voltages()
    }
}

/// The tally of `voltages` for `estimator` on `grid`, formed in parts on the rayon pool
/// (`parallelism` permitting) and summed word by word: integer sums, so the same words
/// for any split (module `coupling::tally`).
pub(super) fn tally(
    estimator: Estimator,
    grid: &Grid,
    voltages: &[f64],
    parallelism: Parallelism,
) -> Result<Tally, RunError> {
    let mut whole = Tally::new(estimator, grid)?;
    // Parts of 8192: 13 for 1e5 particles, even shares on a few threads.
    const PART: usize = 1 << 13;
    if parallelism == Parallelism::Sequential || voltages.len() <= PART {
        whole.add(voltages);
        return Ok(whole);
    }
    // One tally per worker (fold), summed pairwise (reduce): memory for a few tallies,
    // whatever the number of particles.
    let sum = |mut a: Tally, b: Tally| {
        for (w, x) in a.words_mut().iter_mut().zip(b.words()) {
            *w += x;
        }
        a
    };
    Ok(voltages
        .par_chunks(PART)
        .fold(
            || whole.clone(),
            |mut part, chunk| {
                part.add(chunk);
                part
            },
        )
        .reduce(|| whole.clone(), sum))
}
