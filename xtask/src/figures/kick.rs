//! Figure 6, instantaneous input: a network relaxed to its stable state gets every voltage
//! raised at once. The density cannot represent the part pushed over the threshold, so
//! the multi-scale solver hands over to particles, which fire it as a synchronous burst,
//! and takes the density back once the network is quiet. The particles alone run
//! alongside.
//!
//! Setup ([`Kick`]): `b = 1.5` from `N(0, 0.5)`, a kick of 1 at `t = 3`, dt = 1e-3,
//! 2·10⁴ particles to `t = 5` (quick) or 10⁵ to `t = 6`.
//!
//! Checks: the mass the kick pushes over `V_F` in the density (deterministic) and the
//! fraction the particles fire at the kick in both runs.

use multiscale::{SwitchReason, Trace};
use nlif_model::Input;

use super::plot::save;
use super::runs::{RELAXED, Setup, Versus, gaussian};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "kick";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kick {
    t_end: f64,
    particles: usize,
    /// When every voltage jumps.
    t0: f64,
    /// By how much.
    dv: f64,
}

impl Kick {
    const B: f64 = 1.5;
    const QUICK: Kick = Kick {
        t_end: 5.0,
        particles: 20_000,
        t0: 3.0,
        dv: 1.0,
    };
    const FULL: Kick = Kick {
        t_end: 6.0,
        particles: 100_000,
        ..Kick::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The run (multi-scale; the particles alone change only the solver).
    fn setup(&self) -> Setup {
        Setup::new(Self::B, RELAXED, self.t_end).with(|s| {
            s.particles = self.particles;
            s.input = Input::Kick {
                t0: self.t0,
                dv: self.dv,
            };
        })
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let s = self.setup();
        format!(
            "b = {} from {}, relaxed to its stable state; every voltage jumps by {} at t = {}. dt = {:e}, N_p = {}.",
            s.b,
            gaussian(&s.initial),
            self.dv,
            self.t0,
            s.dt,
            s.particles
        )
    }
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: Kick) -> Result<Figure, String> {
    let versus = Versus::run(ctx, &setup.setup())?;
    let panel = versus.panel(&format!(
        "instantaneous input: kick dv = {} at t = {} (b = {})",
        setup.dv,
        setup.t0,
        Kick::B
    ));
    save(&ctx.stem(NAME), &[panel])?;
    let (micro, multi) = (&versus.micro.trace, &versus.multi.trace);
    let fired_at_kick = |trace: &Trace| {
        trace
            .mfes
            .iter()
            .find(|m| (m.t - setup.t0).abs() < 1e-6)
            .map_or(f64::NAN, |m| m.fraction)
    };
    let density_fraction = match multi.switches.first().map(|s| s.reason) {
        Some(SwitchReason::SynchronousKick { fraction }) => fraction,
        _ => f64::NAN,
    };
    Ok(Figure {
        name: NAME,
        title: "Instantaneous input",
        claim: "Claim 5: an instantaneous input that triggers a synchronous burst is simulated correctly and fast.",
        setup: setup.describe(),
        look: format!(
            "The density reports the kick as an event it cannot represent; the particles fire it at t = {} and run until the network is quiet again, then the density takes over.",
            setup.t0
        ),
        numbers: vec![
            Number::new(
                "density_fraction_over_threshold",
                density_fraction,
                Tol::Rel(1e-6),
                "mass the kick pushes over V_F in the density (deterministic)",
            ),
            Number::new(
                "multiscale_kick_fraction",
                fired_at_kick(multi),
                Tol::seeds(0.000039),
                "fraction fired at the kick, multi-scale (seed SD 3.9e-5 quick over 40 seeds, 1.0e-5 full over 20)",
            ),
            Number::new(
                "micro_kick_fraction",
                fired_at_kick(micro),
                Tol::seeds(0.015),
                "fraction fired at the kick, particles alone (seed SD 0.015 quick, 0.0057 full)",
            ),
            Number::new(
                "speedup",
                versus.speedup(),
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}
