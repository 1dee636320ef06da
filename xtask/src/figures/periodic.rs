//! Figure 7, periodic input: a sinusoidal input drives one synchronous burst per period.
//! The multi-scale solver switches to particles for each burst and back to the density for
//! the quiet phase (as `configs/periodic.ron`: back early, after a short dwell below a
//! higher rate); the particles alone run alongside.
//!
//! Setup ([`Periodic`]): `b = 1.5` from `N(0, 0.5)`, `I(t) = 3 sin(πt)`, dt = 1e-3,
//! 2·10⁴ particles to `t = 4` (quick) or 10⁵ to `t = 8`.
//!
//! Checks: the number of bursts of both runs (exactly), the largest shift between matching
//! bursts, and the fraction of the run spent in particles.

use nlif_model::Input;

use super::measure::bursts;
use super::plot::save;
use super::runs::{RELAXED, Setup, Versus, gaussian};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "periodic";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Periodic {
    t_end: f64,
    particles: usize,
    /// The input `amplitude · sin(2π t / period)`.
    amplitude: f64,
    period: f64,
    /// Back to the density once the smoothed particle rate stayed below `rate_down` for
    /// `dwell`.
    rate_down: f64,
    dwell: f64,
}

impl Periodic {
    const B: f64 = 1.5;
    const QUICK: Periodic = Periodic {
        t_end: 4.0,
        particles: 20_000,
        amplitude: 3.0,
        period: 2.0,
        rate_down: 2.0,
        dwell: 0.1,
    };
    const FULL: Periodic = Periodic {
        t_end: 8.0,
        particles: 100_000,
        ..Periodic::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The run (multi-scale; the particles alone change only the solver).
    fn setup(&self) -> Setup {
        Setup::new(Self::B, RELAXED, self.t_end).with(|s| {
            s.particles = self.particles;
            s.input = Input::Periodic {
                i0: 0.0,
                amplitude: self.amplitude,
                period: self.period,
                phase: 0.0,
            };
            s.switching.rate_down = self.rate_down;
            s.switching.dwell = self.dwell;
        })
    }

    /// The input as a formula: `3 sin(πt)`.
    fn input(&self) -> String {
        let frequency = 2.0 / self.period;
        if frequency == 1.0 {
            format!("{} sin(πt)", self.amplitude)
        } else {
            format!("{} sin({frequency}πt)", self.amplitude)
        }
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let s = self.setup();
        format!(
            "b = {} from {}, I(t) = {}, dt = {:e}, N_p = {}, t_end = {}; back to the density below rate {} after a dwell of {} (as `configs/periodic.ron`).",
            s.b,
            gaussian(&s.initial),
            self.input(),
            s.dt,
            s.particles,
            s.t_end,
            s.switching.rate_down,
            s.switching.dwell,
        )
    }
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: Periodic) -> Result<Figure, String> {
    let versus = Versus::run(&setup.setup())?;
    let panel = versus.panel(&format!(
        "periodic input {} (b = {})",
        setup.input(),
        Periodic::B
    ));
    save(&ctx.stem(NAME), &[panel])?;
    let (micro, multi) = (&versus.micro.trace, &versus.multi.trace);
    let (bm, bs) = (bursts(micro), bursts(multi));
    let shift = bm
        .iter()
        .zip(&bs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let in_micro = multi.micro_time() / setup.t_end;
    Ok(Figure {
        name: NAME,
        title: "Periodic input",
        claim: "Claim 5: periodic input driving periodic bursts is simulated correctly and fast.",
        setup: setup.describe(),
        look: "Each period the input drives a synchronous burst; the multi-scale solver switches to particles for it (shaded) and back to the density for the quiet phase; its bursts sit on those of the particles alone.".into(),
        numbers: vec![
            Number::new(
                "micro_bursts",
                bm.len() as f64,
                Tol::Abs(0.0),
                "bursts, particles alone",
            ),
            Number::new(
                "multiscale_bursts",
                bs.len() as f64,
                Tol::Abs(0.0),
                "bursts, multi-scale",
            ),
            Number::new(
                "max_burst_shift",
                shift,
                Tol::Abs(0.03),
                "largest difference of matching burst times",
            ),
            Number::new(
                "time_in_micro",
                in_micro,
                Tol::Abs(0.05),
                "fraction of the run in particles",
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
