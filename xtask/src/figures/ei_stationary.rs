//! The stationary rates of an excitatory–inhibitory network over a sweep of the
//! excitatory self-coupling: the exact fixed points of the rate map (docs/model.md §10),
//! the densities relaxed to their stationary state, and particle means over a window.
//!
//! Setup ([`EiStationary`]): issue 26's network (`a_E = 1`, `a_I = 0.5`, `coupling =
//! [[w, -0.5], [2, -1.5]]`), `w` from 0 to 1.5; the densities (`h = 0.01`, `dt = 0.01`)
//! relaxed to `t = 20`; 2·10⁴ (quick) or 10⁵ neurons from `N(0, 0.25)`, mean rates over
//! `t ∈ [4, 8]`.
//!
//! Checks: the exact fixed point at `w = 1` against the digits; the densities'
//! largest relative error over the sweep (their discretisation error, bounded); the
//! particles' largest deviation in units of its standard deviation over seeds (4 at most).

use multiscale::SolverKind;
use nlif_model::network::network_stationary_states;

use super::network_runs::{NetworkRun, describe, ei};
use super::plot::{COLORS, Panel, Style, save};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "ei-stationary";

/// The excitatory self-couplings of the runs.
const SWEEP: [f64; 7] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5];
/// Spacing of the exact curves (half the sweep's: a search for every state costs about
/// 0.3 s).
const FINE: f64 = 0.125;
/// The window of the particle means.
const WINDOW: (f64, f64) = (4.0, 8.0);

/// The standard deviation over seeds of a population's mean rate over the window, in
/// units of the Poisson standard deviation of its spike count `sqrt(N_α / (n_α T))`,
/// measured over 12 seeds of 2·10⁴ neurons: E 1.34, I 1.19 at `w = 0`; 1.25 and 0.65 at
/// `w = 1`; 2.06 and 0.98 at `w = 1.5` (slower fluctuations near the fold where a second
/// state appears). The largest serves the whole sweep.
const OVERDISPERSION: f64 = 2.1;

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EiStationary {
    density: NetworkRun,
    particles: NetworkRun,
}

impl EiStationary {
    const QUICK: EiStationary = EiStationary {
        density: NetworkRun {
            kind: SolverKind::Macro,
            particles: 0,
            dt: 0.01,
            macro_dt: 0.01,
            dv: 0.01,
            t_end: 20.0,
            interval: 0.1,
            seed: 1,
        },
        particles: NetworkRun {
            kind: SolverKind::Micro,
            particles: 20_000,
            dt: 1e-3,
            macro_dt: 1e-3,
            dv: 0.02,
            t_end: WINDOW.1,
            interval: 0.1,
            seed: 1,
        },
    };
    const FULL: EiStationary = EiStationary {
        particles: NetworkRun {
            particles: 100_000,
            ..Self::QUICK.particles
        },
        ..Self::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{}, w = coupling[E][E] in {SWEEP:?}; densities h = {}, dt = {} relaxed to t = {}; {} neurons (dt = {}) from N(0, 0.25), mean rates over t in [{}, {}].",
            describe(&ei([1.0, 0.5], [[0.0, -0.5], [2.0, -1.5]]))
                .replace("[[0.0, -0.5]", "[[w, -0.5]"),
            self.density.dv,
            self.density.dt,
            self.density.t_end,
            self.particles.particles,
            self.particles.dt,
            WINDOW.0,
            WINDOW.1,
        )
    }
}

/// The exact stationary rates `(N_E, N_I)` of every state at `w`, with their stability.
fn exact(w: f64) -> Result<Vec<([f64; 2], bool)>, String> {
    let states = network_stationary_states(&ei([1.0, 0.5], [[w, -0.5], [2.0, -1.5]]))
        .map_err(|e| e.to_string())?;
    Ok(states
        .iter()
        .map(|s| ([s.rates[0], s.rates[1]], s.stable))
        .collect())
}

/// The low (stable) state of `states`.
fn low(w: f64, states: &[([f64; 2], bool)]) -> Result<[f64; 2], String> {
    states
        .first()
        .filter(|s| s.1)
        .map(|s| s.0)
        .ok_or_else(|| format!("no stable state at w = {w}"))
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: EiStationary) -> Result<Figure, String> {
    // Every state on the fine grid, which holds the sweep's couplings.
    let steps = (SWEEP[SWEEP.len() - 1] / FINE).round() as usize;
    let mut states = Vec::with_capacity(steps + 1);
    for k in 0..=steps {
        let w = k as f64 * FINE;
        states.push((w, exact(w)?));
    }
    let at = |w: f64| {
        states
            .iter()
            .find(|(x, _)| (x - w).abs() < 1e-12)
            .map(|(_, s)| s.as_slice())
            .ok_or_else(|| format!("w = {w} is not on the grid of the exact states"))
    };
    let mut exact_lines = [Vec::new(), Vec::new()];
    for (w, s) in &states {
        let rates = low(*w, s)?;
        for alpha in 0..2 {
            exact_lines[alpha].push((*w, rates[alpha]));
        }
    }
    let (mut density, mut particles) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    let (mut density_error, mut particle_z) = (0.0_f64, 0.0_f64);
    for w in SWEEP {
        let network = ei([1.0, 0.5], [[w, -0.5], [2.0, -1.5]]);
        let exact = low(w, at(w)?)?;
        let (relaxed, _) = setup.density.run(ctx, &network)?;
        let (sampled, _) = setup.particles.run(ctx, &network)?;
        let neurons = network
            .neurons(setup.particles.particles)
            .map_err(|e| e.to_string())?;
        for alpha in 0..2 {
            let last = relaxed.population_rates(alpha).last().ok_or("no sample")?;
            density[alpha].push((w, last));
            density_error = density_error.max((last / exact[alpha] - 1.0).abs());
            let mean = sampled
                .mean_population_rate(alpha, WINDOW.0, WINDOW.1)
                .ok_or("no particle sample in the window")?;
            particles[alpha].push((w, mean));
            let poisson = (exact[alpha] / (neurons[alpha] as f64 * (WINDOW.1 - WINDOW.0))).sqrt();
            particle_z = particle_z.max((mean - exact[alpha]).abs() / (OVERDISPERSION * poisson));
        }
    }
    let names = ["excitatory N_E", "inhibitory N_I"];
    let panels: Vec<Panel> = (0..2)
        .map(|alpha| {
            Panel::new(
                &format!("stationary rate, {}", names[alpha]),
                "excitatory self-coupling w",
                "firing rate",
            )
            .line(
                "exact (stable fixed point)",
                exact_lines[alpha].clone(),
                COLORS[0],
                Style::Line,
            )
            .line(
                "densities relaxed",
                density[alpha].clone(),
                COLORS[1],
                Style::Dashed,
            )
            .line(
                "particles, mean over the window",
                particles[alpha].clone(),
                COLORS[4],
                Style::Thin,
            )
        })
        .collect();
    save(&ctx.stem(NAME), &panels)?;
    let at_one = low(1.0, at(1.0)?)?;
    let at_fold = at(1.5)?;
    Ok(Figure {
        name: NAME,
        title: "Stationary rates of an excitatory–inhibitory network",
        claim: "The density and the particles of a network of populations reach the exact stationary state of the network's rate map.",
        setup: setup.describe(),
        look: "Both rates rise with the excitatory self-coupling w; the relaxed densities lie on the exact curve, the particle means scatter around it within their noise. At w = 1.5 a second, unstable state at high rates has appeared (not drawn).".to_owned(),
        numbers: vec![
            Number::new(
                "exact_e_at_1",
                at_one[0],
                Tol::Around { center: 0.149338643, within: 1e-9 },
                "exact N_E at w = 1 (issue 26's value 0.149338643)",
            ),
            Number::new(
                "exact_i_at_1",
                at_one[1],
                Tol::Around { center: 0.041215056, within: 1e-9 },
                "exact N_I at w = 1 (issue 26's value 0.041215056)",
            ),
            Number::new(
                "states_at_1_5",
                at_fold.len() as f64,
                Tol::Around { center: 2.0, within: 0.0 },
                "stationary states at w = 1.5 (a stable low one and an unstable high one)",
            ),
            Number::new(
                "density_max_rel_error",
                density_error,
                Tol::AtMost(2e-3),
                "largest relative error of the relaxed densities' rates over the sweep (the grid's discretisation error: 2.5e-3 at h = 0.02, 6.9e-4 at h = 0.01 at w = 1)",
            ),
            Number::new(
                "particle_max_z",
                particle_z,
                Tol::AtMost(4.0),
                "largest |particle mean - exact| over the sweep and the populations, in standard deviations over seeds (the Poisson SD of the spike count times 2.1, the largest overdispersion measured)",
            ),
        ],
    })
}
