//! Figure 5, blow-up B: a narrow Gaussian just below the threshold fires (almost) the
//! whole network at once; the multi-scale solver runs particles through the burst, hands
//! back to the density once the network is quiet, and the density relaxes to the stable
//! stationary rate (drawn as a reference line). The particles alone run alongside.
//!
//! Setup ([`BlowupB`]): `b = 1.5` from `N(1.5, 0.005)`, dt = 1e-3, 2·10⁴ particles to
//! `t = 5` (quick) or 10⁵ to `t = 10`.
//!
//! Checks: the time and size of the total synchronization, the return to the density, and
//! the mean rate over the last time units of both runs.

use nlif_model::stationary_rates;

use super::measure::first_burst;
use super::plot::save;
use super::runs::{Setup, Versus, blowup_b, gaussian};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "blowup-b";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlowupB {
    t_end: f64,
    particles: usize,
    /// The final rates are the mean over this last part of the run ("the last two time
    /// units" in the numbers' descriptions).
    final_window: f64,
}

impl BlowupB {
    const QUICK: BlowupB = BlowupB {
        t_end: 5.0,
        particles: 20_000,
        final_window: 2.0,
    };
    const FULL: BlowupB = BlowupB {
        t_end: 10.0,
        particles: 100_000,
        ..BlowupB::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The run (multi-scale; the particles alone change only the solver).
    fn setup(&self) -> Setup {
        blowup_b(self.t_end).with(|s| s.particles = self.particles)
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let s = self.setup();
        format!(
            "b = {}, {}, dt = {:e}, N_p = {}, t_end = {}.",
            s.b,
            gaussian(&s.initial),
            s.dt,
            s.particles,
            s.t_end
        )
    }
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: BlowupB) -> Result<Figure, String> {
    let run = setup.setup();
    let versus = Versus::run(ctx, &run)?;
    let mut panel = versus.panel(&format!(
        "blow-up B (b = {}, {})",
        run.b,
        gaussian(&run.initial)
    ));
    let stable = stationary_rates(&run.params(), 0.0).map_err(|e| e.to_string())?[0];
    panel
        .hlines
        .push((stable, format!("stable stationary rate {stable:.5}")));
    save(&ctx.stem(NAME), &[panel])?;
    let (micro, multi) = (&versus.micro.trace, &versus.multi.trace);
    let back = multi
        .switches
        .iter()
        .find(|s| s.to == multiscale::Mode::Macro)
        .map_or(f64::NAN, |s| s.t);
    let final_rate = |trace: &multiscale::Trace| {
        trace
            .mean_rate(run.t_end - setup.final_window, run.t_end)
            .unwrap_or(f64::NAN)
    };
    Ok(Figure {
        name: NAME,
        title: "Blow-up B: one total synchronization, then back to the mean field",
        claim: "Claims 3 and 4: after the burst the solver returns to the density, which converges to the stable state.",
        setup: setup.describe(),
        look: "One synchronous burst fires (almost) the whole network near t = 0.04; the particles run until the rate has stayed low for the dwell time, then the density takes over and relaxes to the stable rate (dashed).".into(),
        numbers: vec![
            Number::new(
                "multiscale_sync_t",
                first_burst(multi).0,
                Tol::seeds(0.00073),
                "total synchronization, multi-scale (seed SD 0.00073 quick over 40 seeds, 0.00031 full over 20)",
            ),
            Number::new(
                "micro_sync_t",
                first_burst(micro).0,
                Tol::seeds(0.0009),
                "total synchronization, particles alone (seed SD 0.0009 quick, 0.0005 full)",
            ),
            Number::new(
                "multiscale_sync_fraction",
                first_burst(multi).1,
                Tol::seeds(0.000034),
                "fraction fired (seed SD 3.4e-5 quick, 2.0e-5 full)",
            ),
            Number::new(
                "back_to_macro_t",
                back,
                Tol::Abs(0.01),
                "return to the density (with the switching on its own cadence: 0.3263 ± 0.0011, 0.324–0.328, over 20 quick seeds; one output interval allowed)",
            ),
            Number::new(
                "multiscale_final_rate",
                final_rate(multi),
                Tol::seeds_rel(0.0011),
                "mean rate over the last two time units, multi-scale (exact stationary 0.192364; seed SD / mean 0.0011 quick over 40 seeds, 5e-6 full over 20)",
            ),
            Number::new(
                "micro_final_rate",
                final_rate(micro),
                Tol::seeds_rel(0.0173),
                "same, particles alone (seed SD / mean 0.0173 quick, 0.0119 full)",
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
