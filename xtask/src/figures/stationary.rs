//! The stationary state as the solvers reach it, for the steady and convergence figures:
//! the mean-field solver relaxed to its fixed point, and particle histograms averaged over
//! a window after a relaxation.

use coupling::Grid;
use fp_macro::{MacroConfig, MacroSolver, Scheme};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem};
use nlif_model::{Input, stationary_density, stationary_rates};

use super::measure::histogram;
use super::runs::{RELAXED, params};

/// The macro time step of the relaxation: the scheme's stationary state does not depend
/// on dt, so large steps reach it cheaply.
pub(crate) const MACRO_DT: f64 = 0.01;
/// How long the macro solver relaxes.
pub(crate) const MACRO_T_END: f64 = 40.0;

/// The lower end of the particles' initial voltages (and of the histograms).
pub(crate) const V_MIN: f64 = -4.0;
/// The particles' time step.
pub(crate) const PARTICLE_DT: f64 = 1e-3;
/// The particles relax until the window's start, then histograms are averaged over it.
pub(crate) const WINDOW: (f64, f64) = (4.0, 6.0);
/// Histograms (evenly spaced) averaged over the window.
const SNAPSHOTS: usize = 20;

/// The mesh of a mean-field relaxation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mesh {
    pub(crate) scheme: Scheme,
    /// Spacing `h`.
    pub(crate) dv: f64,
    /// Lower end of the domain.
    pub(crate) v_min: f64,
}

/// The schemes the figures compare: the scheme, its name in the figures, its key in the
/// numbers.
const SCHEMES: [(Scheme, &str, &str); 3] = [
    (Scheme::ScharfetterGummel, "Scharfetter–Gummel", "sg"),
    (Scheme::ChangCooper, "Chang–Cooper", "cc"),
    (Scheme::Upwind, "upwind (unfitted)", "upwind"),
];

/// The name of a scheme as the figures write it.
pub(crate) fn scheme_name(scheme: Scheme) -> &'static str {
    SCHEMES
        .iter()
        .find(|s| s.0 == scheme)
        .map_or("another scheme", |s| s.1)
}

/// The key of a scheme in the numbers.
pub(crate) fn scheme_key(scheme: Scheme) -> &'static str {
    SCHEMES
        .iter()
        .find(|s| s.0 == scheme)
        .map_or("other", |s| s.2)
}

/// The exact stationary rate (Siegert fixed point) without input, and the stationary
/// density at that rate.
pub(crate) fn exact(b: f64) -> Result<(f64, impl Fn(f64) -> f64), String> {
    let model = params(b);
    let rate = stationary_rates(&model, 0.0).map_err(|e| e.to_string())?[0];
    let density = move |v: f64| stationary_density(&model, 0.0, rate, v).unwrap_or(f64::NAN);
    Ok((rate, density))
}

/// Relaxes the macro solver from [`RELAXED`] to `t = MACRO_T_END` on `mesh`.
pub(crate) fn macro_steady(b: f64, mesh: Mesh) -> Result<MacroSolver, String> {
    let config = MacroConfig {
        scheme: mesh.scheme,
        dv: mesh.dv,
        dt: MACRO_DT,
        v_min: mesh.v_min,
        ..MacroConfig::default()
    };
    let mut s = MacroSolver::from_initial(params(b), Input::None, config, &RELAXED)
        .map_err(|e| e.to_string())?;
    while s.time() < MACRO_T_END {
        let outcome = s.step(f64::INFINITY);
        if outcome.rate().is_none() {
            return Err(format!(
                "macro relaxation stopped at t = {}: {outcome:?}",
                s.time()
            ));
        }
    }
    Ok(s)
}

/// `particles` neurons drawn from [`RELAXED`] on `[V_MIN, V_F)`, relaxed to the start of [`WINDOW`], then the mean
/// of [`SNAPSHOTS`] histograms on `grid` over the window, and the mean rate over it.
pub(crate) fn particle_steady(
    b: f64,
    particles: usize,
    grid: &Grid,
    seed: u64,
) -> Result<(Vec<f64>, f64), String> {
    let config = MicroConfig {
        particles,
        dt: PARTICLE_DT,
        ..MicroConfig::default()
    };
    let mut net = ParticleSystem::from_initial(
        params(b),
        Input::None,
        config,
        &RELAXED,
        V_MIN,
        seed,
        Parallelism::Rayon,
    )
    .map_err(|e| e.to_string())?;
    let (from, to) = WINDOW;
    while net.time() < from - 1e-9 {
        let _ = net.step();
    }
    let steps_between = ((to - from) / SNAPSHOTS as f64 / PARTICLE_DT).round() as usize;
    let mut mean = vec![0.0; grid.len()];
    let mut spikes = 0u64;
    for _ in 0..SNAPSHOTS {
        for _ in 0..steps_between {
            spikes += net.step().spikes;
        }
        let h = histogram(grid, net.settle())?;
        mean.iter_mut()
            .zip(&h)
            .for_each(|(m, x)| *m += x / SNAPSHOTS as f64);
    }
    Ok((mean, spikes as f64 / (particles as f64 * (to - from))))
}
