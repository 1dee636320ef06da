//! What the figures measure on a trace or a particle cloud beyond what `multiscale::Trace`
//! offers itself: bursts, histograms, fitted orders.

use coupling::{Estimator, Grid, Particles, estimate};
use multiscale::Trace;

/// An MFE is a burst when it fires at least this fraction of the network.
pub(crate) const BURST_FRACTION: f64 = 0.5;

/// `(t, rate)` of the samples.
pub(crate) fn rates(trace: &Trace) -> Vec<(f64, f64)> {
    trace.samples.iter().map(|s| (s.t, s.rate)).collect()
}

/// The rates of the samples.
pub(crate) fn rate_values(trace: &Trace) -> Vec<f64> {
    trace.samples.iter().map(|s| s.rate).collect()
}

/// The first burst: time and fraction fired (NaN without one).
pub(crate) fn first_burst(trace: &Trace) -> (f64, f64) {
    trace
        .mfes
        .iter()
        .find(|m| m.fraction >= BURST_FRACTION)
        .map_or((f64::NAN, f64::NAN), |m| (m.t, m.fraction))
}

/// Times of the bursts.
pub(crate) fn bursts(trace: &Trace) -> Vec<f64> {
    trace
        .mfes
        .iter()
        .filter(|m| m.fraction >= BURST_FRACTION)
        .map(|m| m.t)
        .collect()
}

/// A histogram of particle voltages on the grid.
pub(crate) fn histogram(grid: &Grid, voltages: &[f64]) -> Result<Vec<f64>, String> {
    let mut p = vec![0.0; grid.len()];
    let particles = Particles {
        voltages,
        rate: 0.0,
        a: 1.0,
        v_r: 1.0,
    };
    estimate(Estimator::Histogram, grid, &particles, &mut p).map_err(|e| e.to_string())?;
    Ok(p)
}

/// `∫ |p - exact| dv` on the grid (midpoint sum over the nodes, counted up from `v_min`
/// as the histograms count them).
pub(crate) fn l1(grid: &Grid, p: &[f64], exact: impl Fn(f64) -> f64) -> f64 {
    (0..grid.len())
        .map(|i| (p[i] - exact(grid.node_from_v_min(i))).abs() * grid.spacing())
        .sum()
}

/// Least-squares slope of log y against log x: the order of a convergence.
pub(crate) fn slope(points: &[(f64, f64)]) -> f64 {
    let l: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let n = l.len() as f64;
    let mx = l.iter().map(|p| p.0).sum::<f64>() / n;
    let my = l.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = l.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = l.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_recovers_a_power_law() {
        let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(-0.5)))
            .collect();
        assert!((slope(&points) + 0.5).abs() < 1e-12);
    }
}
