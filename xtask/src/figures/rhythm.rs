//! What the refractory and delay figures measure on rates over time: the mean and the
//! spread of several particle runs sample by sample, how far a density's rate lies from
//! them in units of that spread (and what to expect of it), the bursts of a rate seen as
//! excursions above a level, and the period of an oscillating rate.
//!
//! Every measure takes rates as `(t, rate)` samples on a common grid (the runs' sampling
//! interval), so that the density and the particles are measured alike.

/// Sample by sample over the runs `rates` (each `(t, rate)` on the same times):
/// `(t, mean, sd)`, `sd` the sample standard deviation over the runs (the spread of one
/// run).
pub(crate) fn mean_sd_series(rates: &[Vec<(f64, f64)>]) -> Vec<(f64, f64, f64)> {
    let Some(first) = rates.first() else {
        return Vec::new();
    };
    let n = rates.len() as f64;
    (0..first.len())
        .map(|k| {
            let values: Vec<f64> = rates.iter().filter_map(|r| r.get(k).map(|p| p.1)).collect();
            let mean = values.iter().sum::<f64>() / n;
            let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
            (first[k].0, mean, var.sqrt())
        })
        .collect()
}

/// How far a density's rate lies from the particles' mean, in their spread over seeds:
/// `z(t) = |density(t) - mean(t)| / sd(t)` at each sample of a window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Agreement {
    /// The median of `z` over the window.
    pub(crate) median: f64,
    /// Its 95th percentile.
    pub(crate) p95: f64,
    /// The fraction of the window's samples with `z <= 2`.
    pub(crate) within_2: f64,
}

/// The [`Agreement`] of `density` (samples at the times of `particles`) with the
/// particles' `(t, mean, sd)` over `t` in `[from, to]`. A sample where every seed gave
/// the same rate (`sd = 0`, e.g. none fired) counts as agreeing when the density is
/// within `floor` of it, else as `z = ∞`.
pub(crate) fn agreement(
    density: &[(f64, f64)],
    particles: &[(f64, f64, f64)],
    (from, to): (f64, f64),
    floor: f64,
) -> Agreement {
    let mut z: Vec<f64> = density
        .iter()
        .zip(particles)
        .filter(|((t, _), _)| *t >= from - 1e-9 && *t <= to + 1e-9)
        .map(|(&(_, d), &(_, mean, sd))| {
            let gap = (d - mean).abs();
            if sd > 0.0 {
                gap / sd
            } else if gap <= floor {
                0.0
            } else {
                f64::INFINITY
            }
        })
        .collect();
    z.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        z.get(((z.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    Agreement {
        median: quantile(0.5).unwrap_or(f64::NAN),
        p95: quantile(0.95).unwrap_or(f64::NAN),
        within_2: z.iter().filter(|&&x| x <= 2.0).count() as f64 / z.len().max(1) as f64,
    }
}

/// The bursts of a rate as its excursions above `level`: the time of each excursion's
/// largest sample.
pub(crate) fn excursions(rates: &[(f64, f64)], level: f64) -> Vec<f64> {
    let mut peaks = Vec::new();
    let mut current: Option<(f64, f64)> = None;
    for &(t, r) in rates {
        if r > level {
            match current {
                Some((_, top)) if top >= r => {}
                _ => current = Some((t, r)),
            }
        } else if let Some((t_peak, _)) = current.take() {
            peaks.push(t_peak);
        }
    }
    peaks.extend(current.map(|c| c.0));
    peaks
}

/// The mean spacing of `times` (`None` for fewer than two).
pub(crate) fn mean_spacing(times: &[f64]) -> Option<f64> {
    match times {
        [first, .., last] => Some((last - first) / (times.len() - 1) as f64),
        _ => None,
    }
}

/// The period of an oscillating rate from `from` on: the mean spacing of its upward
/// crossings of its mean, after a moving average over `smooth` samples (the particles'
/// noise) and with a hysteresis of a quarter of the smoothed rate's standard deviation (a
/// crossing counts once the rate has been below `mean - h` and rises above `mean + h`; its
/// time is where it passes `mean + h`, the same phase in every cycle). `None` with fewer
/// than three crossings (two periods).
pub(crate) fn period(rates: &[(f64, f64)], from: f64, smooth: usize) -> Option<f64> {
    let window: Vec<(f64, f64)> = rates.iter().copied().filter(|p| p.0 >= from).collect();
    let half = smooth / 2;
    if window.len() <= 2 * half + 2 {
        return None;
    }
    let smoothed: Vec<(f64, f64)> = (half..window.len() - half)
        .map(|k| {
            let values = &window[k - half..=k + half];
            let mean = values.iter().map(|p| p.1).sum::<f64>() / values.len() as f64;
            (window[k].0, mean)
        })
        .collect();
    let n = smoothed.len() as f64;
    let mean = smoothed.iter().map(|p| p.1).sum::<f64>() / n;
    let sd = (smoothed.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let h = 0.25 * sd;
    let mut armed = false;
    let mut ups = Vec::new();
    for pair in smoothed.windows(2) {
        let ((t0, r0), (t1, r1)) = (pair[0], pair[1]);
        if r1 < mean - h {
            armed = true;
        } else if armed && r0 <= mean + h && r1 > mean + h {
            ups.push(t0 + (mean + h - r0) / (r1 - r0) * (t1 - t0));
            armed = false;
        }
    }
    if ups.len() < 3 {
        return None;
    }
    mean_spacing(&ups)
}

/// The median of `|m - μ| / s` over samples of `n` seeds (mean `m`, sample SD `s`) about
/// their expectation `μ`: the median of `|t|` for Student's t with `n - 1` degrees of
/// freedom over `√n` (quantiles 0.8165, 0.7649 and 0.7407 for 2, 3 and 4 degrees).
pub(crate) fn expected_median_z(n: u64) -> f64 {
    let t = match n {
        3 => 0.8165,
        4 => 0.7649,
        5 => 0.7407,
        _ => f64::NAN,
    };
    t / (n as f64).sqrt()
}

/// The mean of the rates from `from` on.
pub(crate) fn mean_rate_from(rates: &[(f64, f64)], from: f64) -> f64 {
    let late: Vec<f64> = rates.iter().filter(|p| p.0 >= from).map(|p| p.1).collect();
    late.iter().sum::<f64>() / late.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: a sine of known period, sampled finely, plus a fast wiggle the moving
    /// average removes; the crossing times are exact up to the sampling.
    #[test]
    fn period_of_a_sine() {
        let rates: Vec<(f64, f64)> = (0..4000)
            .map(|k| {
                let t = k as f64 * 0.01;
                let wiggle = 0.3 * (2.0 * std::f64::consts::PI * t / 0.05).sin();
                (
                    t,
                    2.0 + (2.0 * std::f64::consts::PI * t / 2.7).sin() + wiggle,
                )
            })
            .collect();
        let p = period(&rates, 5.0, 5).unwrap();
        assert!((p - 2.7).abs() < 0.01, "{p}");
        // Two periods are not enough.
        assert_eq!(period(&rates[..500], 0.0, 5), None);
    }

    /// Oracle: excursions written out by hand.
    #[test]
    fn excursions_are_the_peaks_above_the_level() {
        let rates = [
            (0.0, 1.0),
            (0.1, 30.0),
            (0.2, 50.0),
            (0.3, 2.0),
            (0.4, 25.0),
        ];
        assert_eq!(excursions(&rates, 20.0), [0.2, 0.4]);
        assert_eq!(mean_spacing(&[0.2, 0.4, 0.9]), Some(0.35));
        assert_eq!(mean_spacing(&[0.2]), None);
    }

    /// Oracle: the mean and sample SD of two runs by hand, and `z` from them.
    #[test]
    fn agreement_in_units_of_the_spread() {
        let runs = vec![vec![(0.0, 1.0), (1.0, 0.0)], vec![(0.0, 3.0), (1.0, 0.0)]];
        let series = mean_sd_series(&runs);
        let sd = 2f64.sqrt();
        assert_eq!(series[0], (0.0, 2.0, sd));
        assert_eq!(series[1], (1.0, 0.0, 0.0));
        let a = agreement(&[(0.0, 2.0 + sd), (1.0, 0.0)], &series, (0.0, 1.0), 1e-9);
        // z = [1, 0] (to rounding): the median of two is the upper one here (rounded
        // index).
        assert!((a.median - 1.0).abs() < 1e-12 && (a.p95 - 1.0).abs() < 1e-12);
        assert_eq!(a.within_2, 1.0);
        let b = agreement(&[(0.0, 2.0), (1.0, 1.0)], &series, (0.0, 1.0), 1e-9);
        assert_eq!(b.within_2, 0.5);
    }
}
