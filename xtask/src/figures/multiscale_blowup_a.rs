//! Figure 4, multi-scale through blow-up A: the rate of the mean field alone, the
//! particles alone and the multi-scale solver (left), and the density handed over to the
//! particles with their histograms just after the hand-over (right).
//!
//! Setup ([`MultiscaleBlowupA`]): blow-up A ([`BlowupA`]) at the quick or full resolution,
//! default switching (rate bound 5, rollback 0.02), density snapshots every 0.01.
//!
//! Checks: the time of the state handed over and of the trigger (deterministic macro
//! phase), the first burst and its size and the number of bursts of both particle runs
//! (within the seed spread).

use multiscale::{SolverKind, SwitchingConfig};

use super::measure::{bursts, first_burst, rates};
use super::plot::{COLORS, Panel, Style, save};
use super::runs::{BLOWUP_A, BlowupA, gaussian};
use super::{Ctx, Figure, Number, Tol};

pub(crate) const NAME: &str = "multiscale-blowup-a";

/// Everything the figure runs and states.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MultiscaleBlowupA {
    run: BlowupA,
    /// Spacing of the multi-scale run's density snapshots.
    snapshots_every: f64,
    /// The particle histograms drawn: these times after the hand-over.
    after_switch: [f64; 2],
}

impl MultiscaleBlowupA {
    const QUICK: MultiscaleBlowupA = MultiscaleBlowupA {
        run: BlowupA::QUICK,
        snapshots_every: 0.01,
        after_switch: [0.01, 0.05],
    };
    const FULL: MultiscaleBlowupA = MultiscaleBlowupA {
        run: BlowupA::FULL,
        ..MultiscaleBlowupA::QUICK
    };

    /// The quick or the full setup.
    pub(crate) fn of(quick: bool) -> Self {
        if quick { Self::QUICK } else { Self::FULL }
    }

    /// The switching of the multi-scale run.
    fn switching(&self) -> SwitchingConfig {
        self.run.setup(SolverKind::Multiscale).switching
    }

    /// The setup as docs/figures.md states it.
    pub(crate) fn describe(&self) -> String {
        let switching = self.switching();
        format!(
            "b = {}, {}, dt = {}, N_p = {}, rate_up = {}, rollback = {}; density snapshots every {}.",
            BlowupA::B,
            gaussian(&BLOWUP_A),
            self.run.dt,
            self.run.particles,
            switching.rate_up,
            switching.rollback,
            self.snapshots_every,
        )
    }
}

/// Runs the figure as `setup` says, draws it and states it.
pub(crate) fn figure(ctx: &Ctx, setup: MultiscaleBlowupA) -> Result<Figure, String> {
    let macro_trace = setup
        .run
        .setup(SolverKind::Macro)
        .with(|s| s.switching.rate_up = 1e300)
        .run(ctx)?
        .trace;
    let micro_run = setup.run.setup(SolverKind::Micro).run(ctx)?;
    let multi_run = setup
        .run
        .setup(SolverKind::Multiscale)
        .with(|s| s.density_interval = Some(setup.snapshots_every))
        .run(ctx)?;
    let speedup = micro_run.seconds / multi_run.seconds;
    let (micro, multi) = (&micro_run.trace, &multi_run.trace);
    let mut rate_panel = Panel::new(
        "blow-up A: macro, micro and multi-scale",
        "time t",
        "firing rate N(t)",
    )
    .line(
        "mean field alone",
        rates(&macro_trace),
        COLORS[0],
        Style::Dashed,
    )
    .line("particles alone", rates(micro), COLORS[4], Style::Thin)
    .line("multi-scale", rates(multi), COLORS[1], Style::Line);
    rate_panel.y_log = true;
    rate_panel.legend = plotters::chart::SeriesLabelPosition::LowerRight;
    rate_panel.shade = multi.micro_phases();
    rate_panel.events = bursts(multi);
    let switch = *multi.switches.first().ok_or("no switch in blow-up A")?;
    let on_grid = |values: &[f64]| -> Vec<(f64, f64)> {
        multi_run
            .grid_nodes
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect()
    };
    let before = multi
        .densities
        .iter()
        .rev()
        .find(|d| d.t <= switch.t + 1e-9)
        .ok_or("no density before the switch")?;
    let mut density_panel = Panel::new("density around the hand-over", "voltage v", "p(v)").line(
        &format!("macro density handed over, t = {:.3}", before.t),
        on_grid(&before.values),
        COLORS[0],
        Style::Line,
    );
    for (k, offset) in setup.after_switch.into_iter().enumerate() {
        if let Some(d) = multi
            .densities
            .iter()
            .find(|d| d.t >= switch.t + offset - 1e-9)
        {
            density_panel = density_panel.line(
                &format!("particles, t = {:.2}", switch.t + offset),
                on_grid(&d.values),
                COLORS[4 - 3 * k],
                Style::Steps,
            );
        }
    }
    save(&ctx.stem(NAME), &[rate_panel, density_panel])?;
    let (t_mi, f_mi) = first_burst(micro);
    let (t_ms, f_ms) = first_burst(multi);
    Ok(Figure {
        name: NAME,
        title: "Multi-scale through blow-up A",
        claim: "Claims 3 and 4: switching to particles when the rate tends to blow up keeps the micro reliability; the rolled-back hand-over keeps it accurate.",
        setup: setup.describe(),
        look: format!(
            "The multi-scale rate follows the mean field until the hand-over (shaded from there), then the particle bursts; the mean field alone saturates. Right: the density handed over (taken {} before the trigger) and the particle histograms just after it.",
            setup.switching().rollback
        ),
        numbers: vec![
            Number::new(
                "switch_t",
                switch.t,
                Tol::Abs(1e-9),
                "time of the state handed over (deterministic macro phase)",
            ),
            Number::new(
                "trigger_t",
                switch.triggered_at,
                Tol::Abs(1e-9),
                "time the macro step was refused",
            ),
            Number::new(
                "multiscale_first_burst",
                t_ms,
                Tol::seeds(0.00165),
                "first burst, multi-scale (seed SD 0.00165 quick over 40 seeds, 0.00057 full over 20)",
            ),
            Number::new(
                "micro_first_burst",
                t_mi,
                Tol::seeds(0.061),
                "first burst, particles alone (seed SD 0.061 quick, 0.030 full)",
            ),
            Number::new(
                "multiscale_fraction",
                f_ms,
                Tol::seeds(0.00045),
                "fraction fired in it, multi-scale (seed SD 0.00041 quick, 0.00013 full; tolerance from the particles' 0.00045)",
            ),
            Number::new(
                "micro_fraction",
                f_mi,
                Tol::seeds(0.00045),
                "fraction fired in it, particles alone (seed SD 0.00045 quick, 0.00017 full)",
            ),
            Number::new(
                "multiscale_bursts",
                bursts(multi).len() as f64,
                Tol::Abs(1.0),
                "number of bursts, multi-scale (3 in all 40 quick seeds, 7 in all 20 full; one more allowed, as the particles alone fire)",
            ),
            Number::new(
                "micro_bursts",
                bursts(micro).len() as f64,
                Tol::Abs(1.0),
                "number of bursts, particles alone (3 or 4 over 40 quick seeds, 7 or 8 over 20 full)",
            ),
            Number::new(
                "speedup",
                speedup,
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}
