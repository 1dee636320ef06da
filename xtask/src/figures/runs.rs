//! Running the solvers for the figures.

use std::time::Instant;

use coupling::{Estimator, Particles, UniformGrid, estimate};
use fp_macro::MacroConfig;
use multiscale::{RunConfig, Simulation, SolverKind, SwitchingConfig, Trace};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};

/// The settings shared by the figures' runs.
#[derive(Clone, Copy)]
pub(crate) struct Setup {
    pub(crate) b: f64,
    pub(crate) input: Input,
    pub(crate) initial: InitialDensity,
    pub(crate) kind: SolverKind,
    pub(crate) particles: usize,
    pub(crate) dt: f64,
    pub(crate) t_end: f64,
    pub(crate) seed: u64,
    pub(crate) interval: f64,
    pub(crate) density_interval: Option<f64>,
    pub(crate) switching: SwitchingConfig,
    pub(crate) macro_config: MacroConfig,
}

impl Setup {
    pub(crate) fn new(b: f64, initial: InitialDensity, t_end: f64) -> Self {
        Setup {
            b,
            input: Input::None,
            initial,
            kind: SolverKind::Multiscale,
            particles: 100_000,
            dt: 1e-3,
            t_end,
            seed: 1,
            interval: 1e-2,
            density_interval: None,
            switching: SwitchingConfig::default(),
            macro_config: MacroConfig::default(),
        }
    }

    pub(crate) fn params(&self) -> ModelParams {
        ModelParams {
            b: self.b,
            ..ModelParams::default()
        }
    }

    pub(crate) fn with(mut self, f: impl FnOnce(&mut Setup)) -> Self {
        f(&mut self);
        self
    }

    /// Runs and returns the trace and the wall time.
    pub(crate) fn run(&self) -> Result<(Trace, f64), String> {
        let config = RunConfig {
            kind: self.kind,
            macro_config: MacroConfig {
                dt: self.dt,
                ..self.macro_config
            },
            micro: MicroConfig {
                particles: self.particles,
                dt: self.dt,
                ..MicroConfig::default()
            },
            switching: self.switching,
            t_end: self.t_end,
            seed: self.seed,
            sample_interval: self.interval,
            density_interval: self.density_interval,
            ..RunConfig::default()
        };
        let clock = Instant::now();
        let mut simulation = Simulation::new(
            self.params(),
            self.input,
            &self.initial,
            config,
            Parallelism::Rayon,
        )
        .map_err(|e| e.to_string())?;
        simulation.run(&mut ()).map_err(|e| e.to_string())?;
        Ok((simulation.into_trace(), clock.elapsed().as_secs_f64()))
    }
}

/// `(t, rate)` of the samples.
pub(crate) fn rates(trace: &Trace) -> Vec<(f64, f64)> {
    trace.samples.iter().map(|s| (s.t, s.rate)).collect()
}

/// The first burst (an MFE firing at least half the network): time and fraction.
pub(crate) fn first_burst(trace: &Trace) -> (f64, f64) {
    trace
        .mfes
        .iter()
        .find(|m| m.fraction >= 0.5)
        .map_or((f64::NAN, f64::NAN), |m| (m.t, m.fraction))
}

/// Times of the bursts (MFEs firing at least half the network).
pub(crate) fn bursts(trace: &Trace) -> Vec<f64> {
    trace
        .mfes
        .iter()
        .filter(|m| m.fraction >= 0.5)
        .map(|m| m.t)
        .collect()
}

/// Mean of the sampled rate over `[from, to]`.
pub(crate) fn mean_rate(trace: &Trace, from: f64, to: f64) -> f64 {
    let v: Vec<f64> = trace
        .samples
        .iter()
        .filter(|s| s.t > from && s.t <= to)
        .map(|s| s.rate)
        .collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Mean |r - r_ref| over the samples, relative to the mean reference rate.
pub(crate) fn distance(rates: &[(f64, f64)], reference: &[f64]) -> f64 {
    let n = rates.len().min(reference.len());
    let diff = rates
        .iter()
        .zip(reference)
        .map(|(a, b)| (a.1 - b).abs())
        .sum::<f64>()
        / n as f64;
    diff / (reference.iter().sum::<f64>() / reference.len() as f64)
}

/// A histogram of particle voltages on the grid.
pub(crate) fn histogram(grid: &UniformGrid, voltages: &[f64]) -> Result<Vec<f64>, String> {
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

/// Least-squares slope of log y against log x.
pub(crate) fn slope(points: &[(f64, f64)]) -> f64 {
    let l: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let n = l.len() as f64;
    let mx = l.iter().map(|p| p.0).sum::<f64>() / n;
    let my = l.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = l.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = l.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}
