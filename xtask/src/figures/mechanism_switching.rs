//! The switching solver on a run with a refractory period or a delay (docs/model.md §12,
//! "Hand-overs with periods and delays"), for the refractory and delay figures: one seed
//! of `Multiscale` with the default switching rule, its first hand-over to the particles,
//! its bursts after it, and its rate drawn beside the particles' and the density's.
//!
//! It is set against the particles alone by [`fraction_z`]: a two-sample comparison of
//! the fraction fired in a burst, in units of the spread of the particles' bursts.

use multiscale::{Mode, SolverKind, Switch, Trace};

use super::Ctx;
use super::measure::{BURST_FRACTION, rates};
use super::mechanism_runs::{Mechanisms, run};
use super::plot::{COLORS, Panel, Style};
use super::runs::Setup;

/// The seed of the switching run (the particle runs take `1..=seeds`: it shares its
/// stream with the first, but its particles are sampled at the hand-over from the
/// density, so the two realizations differ from there on).
pub(crate) const SEED: u64 = 1;

/// One switching run and what the figures take from it.
pub(crate) struct Switching {
    pub(crate) trace: Trace,
    pub(crate) seconds: f64,
    /// The first hand-over from the density to the particles.
    pub(crate) handover: Switch,
}

impl Switching {
    /// Runs `setup` with `mechanisms` by the switching solver (its switching rule as
    /// `setup` says, by default the rate bound 5 with a rollback of 0.02), seed [`SEED`].
    /// A run that never hands over to the particles is an error: the figures draw it
    /// where it switches.
    pub(crate) fn run(ctx: &Ctx, setup: &Setup, mechanisms: Mechanisms) -> Result<Self, String> {
        let (trace, seconds) = run(ctx, setup, mechanisms, SolverKind::Multiscale, SEED)?;
        let handover = *trace
            .switches
            .iter()
            .find(|s| s.to == Mode::Micro)
            .ok_or_else(|| {
                format!(
                    "the switching run with {} never hands over to the particles",
                    mechanisms.describe()
                )
            })?;
        Ok(Switching {
            trace,
            seconds,
            handover,
        })
    }

    /// The bursts (MFEs firing at least [`BURST_FRACTION`]) after the first hand-over:
    /// `(t, fraction)`.
    pub(crate) fn bursts(&self) -> Vec<(f64, f64)> {
        self.trace
            .mfes
            .iter()
            .filter(|m| m.fraction >= BURST_FRACTION && m.t >= self.handover.t)
            .map(|m| (m.t, m.fraction))
            .collect()
    }

    /// Switches back to the density.
    pub(crate) fn back_to_density(&self) -> usize {
        self.trace
            .switches
            .iter()
            .filter(|s| s.to == Mode::Macro)
            .count()
    }

    /// `panel` with the switching run's rate (a line of its own) and its particle phases
    /// shaded.
    pub(crate) fn draw(&self, mut panel: Panel) -> Panel {
        panel = panel.line(
            &format!("multi-scale (seed {SEED})"),
            rates(&self.trace),
            COLORS[1],
            Style::Line,
        );
        panel.shade = self.trace.micro_phases();
        panel.shade_label = "multi-scale: particle phase".into();
        panel
    }
}

/// Mean and sample standard deviation of `x` (NaN SD for fewer than two values).
fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// How far the mean of the `switching` run's burst fractions lies from the mean of the
/// `particles`' (every burst of every seed), in units of its standard error were both
/// drawn from the particles' law: `|m_s - m_p| / (s_p √(1/k + 1/n))` with `s_p` the
/// particles' SD over their `n` bursts and `k` the switching run's bursts. For
/// independent bursts of one law it is the absolute value of a Student t with `n - 1`
/// degrees of freedom (about a standard normal for `n ≥ 15`): above 4 about once in
/// 10^3 to 10^4 runs. NaN without bursts.
pub(crate) fn fraction_z(switching: &[f64], particles: &[f64]) -> f64 {
    let (k, n) = (switching.len() as f64, particles.len() as f64);
    let (m_s, _) = mean_sd(switching);
    let (m_p, s_p) = mean_sd(particles);
    (m_s - m_p).abs() / (s_p * (1.0 / k + 1.0 / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the formula by hand: particles 0.8, 0.9 (mean 0.85, SD √0.005), one
    /// switching burst 0.95: z = 0.1 / (√0.005 · √1.5).
    #[test]
    fn fraction_z_is_the_two_sample_distance() {
        let z = fraction_z(&[0.95], &[0.8, 0.9]);
        let expected = 0.1 / (0.005_f64.sqrt() * 1.5_f64.sqrt());
        assert!((z - expected).abs() < 1e-12, "{z} vs {expected}");
        assert!(fraction_z(&[], &[0.8, 0.9]).is_nan());
    }
}
