//! Figure 8, cost: the wall time of blow-up B by the particles alone and by the
//! multi-scale solver against the number of particles. The multi-scale solver pays for
//! particles only during the burst.
//!
//! Setup ([`Cost`]): blow-up B to `t = 4`, dt = 1e-3, `N_p` from 10⁴ to 10⁵ (quick) or
//! 10⁶, all threads.
//!
//! Checks: nothing (wall times depend on the machine); the speed-ups are listed.

use super::plot::{COLORS, Panel, Style, save};
use super::runs::{Setup, Versus, blowup_b};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "cost";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cost {
    t_end: f64,
    /// The numbers of particles, smallest first.
    sizes: &'static [usize],
}

impl Cost {
    const QUICK: Cost = Cost {
        t_end: 4.0,
        sizes: &[10_000, 30_000, 100_000],
    };
    const FULL: Cost = Cost {
        sizes: &[10_000, 30_000, 100_000, 300_000, 1_000_000],
        ..Cost::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The run with `particles` (multi-scale; the particles alone change only the solver).
    fn setup(&self, particles: usize) -> Setup {
        blowup_b(self.t_end).with(|s| s.particles = particles)
    }

    /// The time step of both solvers.
    fn dt(&self) -> f64 {
        blowup_b(self.t_end).dt
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        format!(
            "Blow-up B to t = {}, dt = {:e}, N_p = {:?}, all threads.",
            self.t_end,
            self.dt(),
            self.sizes
        )
    }
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: Cost) -> Result<Figure, String> {
    let mut micro_pts = vec![];
    let mut multi_pts = vec![];
    let mut numbers = vec![];
    for &n in setup.sizes {
        let versus = Versus::run(ctx, &setup.setup(n))?;
        micro_pts.push((n as f64, versus.micro.seconds));
        multi_pts.push((n as f64, versus.multi.seconds));
        numbers.push(Number::new(
            format!("speedup_{n}"),
            versus.speedup(),
            Tol::Info,
            &format!("micro / multi-scale wall time at N_p = {n}"),
        ));
    }
    let mut panel = Panel::new(
        &format!(
            "cost of blow-up B to t = {} (dt = {:e})",
            setup.t_end,
            setup.dt()
        ),
        "N_p",
        "wall time (s)",
    )
    .line("particles alone", micro_pts, COLORS[4], Style::Line)
    .line("multi-scale", multi_pts, COLORS[1], Style::Line);
    panel.x_log = true;
    panel.y_log = true;
    save(&ctx.stem(NAME), &[panel])?;
    Ok(Figure {
        name: NAME,
        title: "Cost",
        claim: "Claim 3: the multi-scale solver keeps (close to) the macro cost.",
        setup: setup.describe(),
        look: "Both costs grow linearly in N_p once the particles dominate; the multi-scale run pays for particles only during the burst (about 0.3 of 4 time units), so the gap is about an order of magnitude.".into(),
        numbers,
    })
}
