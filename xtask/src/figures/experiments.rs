//! The nine experiments behind the figures. Each computes, draws `NAME.png`/`NAME.svg`,
//! and returns the numbers quoted in `docs/figures.md`.

use coupling::{Bandwidth, Estimator, Sampler, UniformGrid};
use fp_macro::{MacroConfig, MacroSolver, Scheme};
use multiscale::{Mode, SolverKind, Trace};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_density, stationary_rates};

use super::plot::{COLORS, Panel, Style, save};
use super::runs::{Setup, bursts, distance, first_burst, histogram, mean_rate, rates, slope};
use super::{Ctx, Figure, Number, Tol};

const BLOWUP_A: InitialDensity = InitialDensity::Gaussian {
    mean: -1.0,
    var: 0.5,
};
const BLOWUP_B: InitialDensity = InitialDensity::Gaussian {
    mean: 1.5,
    var: 0.005,
};
const RELAXED: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};
const BLACK: plotters::style::RGBColor = plotters::style::RGBColor(0, 0, 0);

fn params(b: f64) -> ModelParams {
    ModelParams {
        b,
        ..ModelParams::default()
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Relaxes the macro solver to its stationary state (the scheme's stationary state does
/// not depend on dt, so steps of 0.01 reach it cheaply).
fn macro_steady(b: f64, scheme: Scheme, dv: f64, v_min: f64) -> Result<MacroSolver, String> {
    let config = MacroConfig {
        scheme,
        dv,
        dt: 0.01,
        v_min,
        ..MacroConfig::default()
    };
    let mut s = MacroSolver::from_initial(params(b), Input::None, config, &RELAXED).map_err(err)?;
    while s.time() < 40.0 {
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

/// Particles relaxed from a Gaussian, then histograms on `grid` averaged over 20 snapshots
/// in `[t_relax, t_relax + 2]`, with the mean rate over that window.
fn particle_steady(
    b: f64,
    particles: usize,
    grid: &UniformGrid,
    seed: u64,
) -> Result<(Vec<f64>, f64), String> {
    let config = MicroConfig {
        particles,
        dt: 1e-3,
        ..MicroConfig::default()
    };
    let mut net = ParticleSystem::from_initial(
        params(b),
        Input::None,
        config,
        &RELAXED,
        -4.0,
        seed,
        Parallelism::Rayon,
    )
    .map_err(err)?;
    while net.time() < 4.0 - 1e-9 {
        let _ = net.step();
    }
    let mut mean = vec![0.0; grid.len()];
    let mut spikes = 0u64;
    for _ in 0..20 {
        for _ in 0..100 {
            spikes += net.step().spikes;
        }
        let h = histogram(grid, net.settle())?;
        mean.iter_mut().zip(&h).for_each(|(m, x)| *m += x / 20.0);
    }
    Ok((mean, spikes as f64 / (particles as f64 * 2.0)))
}

fn l1(grid: &UniformGrid, p: &[f64], exact: impl Fn(f64) -> f64) -> f64 {
    (0..grid.len())
        .map(|i| (p[i] - exact(grid.node(i))).abs() * grid.spacing())
        .sum()
}

/// 1. Steady state: exact density, macro solution, particle histogram.
pub(crate) fn steady(ctx: &Ctx) -> Result<Figure, String> {
    let b = 0.5;
    let particles = ctx.pick(20_000, 200_000);
    let exact_rate = stationary_rates(&params(b), 0.0).map_err(err)?[0];
    let exact = |v: f64| stationary_density(&params(b), 0.0, exact_rate, v).unwrap_or(f64::NAN);
    let solver = macro_steady(b, Scheme::ScharfetterGummel, 0.02, -4.0)?;
    let grid = UniformGrid::new(solver.grid().v_min(), 0.02, solver.grid().len()).map_err(err)?;
    let (hist, particle_rate) = particle_steady(b, particles, &grid, 1)?;
    let nodes: Vec<f64> = (0..grid.len()).map(|i| grid.node(i)).collect();
    let fine: Vec<(f64, f64)> = (0..=1200)
        .map(|k| -4.0 + k as f64 * 0.005)
        .map(|v| (v, exact(v)))
        .collect();
    let panel = Panel::new(&format!("stationary density, b = {b}"), "voltage v", "p(v)")
        .line("exact (Siegert)", fine, BLACK, Style::Line)
        .line(
            "macro, Scharfetter–Gummel, h = 0.02",
            nodes
                .iter()
                .zip(solver.density())
                .map(|(&v, &p)| (v, p))
                .collect(),
            COLORS[0],
            Style::Dashed,
        )
        .line(
            &format!("particles, N_p = {particles} (histogram, t ∈ [4, 6])"),
            nodes.iter().zip(&hist).map(|(&v, &p)| (v, p)).collect(),
            COLORS[4],
            Style::Steps,
        );
    save(&ctx.stem("steady"), &[panel])?;
    Ok(Figure {
        name: "steady",
        title: "Steady state",
        claim: "Claim 1: the mean-field solver is accurate while the network fires asynchronously.",
        setup: format!(
            "b = {b}, a = 1, V_F = 2, V_R = 1. Macro: Scharfetter–Gummel, h = 0.02 on [-4, 2], run to t = 40. Particles: {particles} neurons, Brownian bridge, dt = 1e-3, from N(0, 0.5), histograms averaged over t ∈ [4, 6]."
        ),
        look: "The three densities coincide, including the kink at V_R = 1 and the linear vanishing at V_F = 2; the particle histogram scatters around them by its sampling noise.",
        numbers: vec![
            Number::new(
                "exact_rate",
                exact_rate,
                Tol::Rel(1e-9),
                "stationary rate, Siegert fixed point",
            ),
            Number::new(
                "macro_rate",
                solver.rate(),
                Tol::Rel(1e-9),
                "long-time macro rate (deterministic)",
            ),
            Number::new(
                "particle_rate",
                particle_rate,
                Tol::Rel(0.03),
                "particle rate over t ∈ [4, 6] (sampling noise about 1 %)",
            ),
            Number::new(
                "macro_l1",
                l1(&grid, solver.density(), exact),
                Tol::Rel(1e-6),
                "L1 distance, macro vs exact",
            ),
            Number::new(
                "particle_l1",
                l1(&grid, &hist, exact),
                Tol::Rel(0.3),
                "L1 distance, particle histogram vs exact (statistical)",
            ),
        ],
    })
}

/// 2. Convergence: macro error against h, particle error against N_p.
pub(crate) fn convergence(ctx: &Ctx) -> Result<Figure, String> {
    let b = 0.5;
    let exact_rate = stationary_rates(&params(b), 0.0).map_err(err)?[0];
    let meshes = [0.04, 0.02, 0.01, 0.005];
    let mut macro_panel = Panel::new("mean-field: rate error vs mesh", "h", "|N_h - N|");
    macro_panel.x_log = true;
    macro_panel.y_log = true;
    let mut numbers = vec![];
    for (k, (scheme, label)) in [
        (Scheme::ScharfetterGummel, "Scharfetter–Gummel"),
        (Scheme::ChangCooper, "Chang–Cooper"),
        (Scheme::Upwind, "upwind (unfitted)"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut pts = vec![];
        for &dv in &meshes {
            let s = macro_steady(b, scheme, dv, -6.0)?;
            pts.push((dv, (s.rate() - exact_rate).abs()));
        }
        let order = slope(&pts);
        let style = if k == 1 { Style::Dashed } else { Style::Line };
        macro_panel = macro_panel.line(
            &format!("{label}: order {order:.2}"),
            pts.clone(),
            COLORS[k],
            style,
        );
        numbers.push(Number::new(
            match scheme {
                Scheme::ScharfetterGummel => "order_sg",
                Scheme::ChangCooper => "order_cc",
                _ => "order_upwind",
            },
            order,
            Tol::Abs(1e-6),
            &format!("fitted order of the rate error, {label}"),
        ));
        if scheme == Scheme::ScharfetterGummel {
            numbers.push(Number::new(
                "error_sg_h002",
                pts[1].1,
                Tol::Rel(1e-6),
                "rate error of Scharfetter–Gummel at h = 0.02",
            ));
        }
    }
    let grid = UniformGrid::new(-4.0, 0.02, 300).map_err(err)?;
    let exact = |v: f64| stationary_density(&params(b), 0.0, exact_rate, v).unwrap_or(f64::NAN);
    let sizes: Vec<usize> = if ctx.quick {
        vec![1_000, 3_000, 10_000]
    } else {
        vec![1_000, 3_000, 10_000, 30_000, 100_000]
    };
    let mut pts = vec![];
    for &n in &sizes {
        let (hist, _) = particle_steady(b, n, &grid, 7)?;
        pts.push((n as f64, l1(&grid, &hist, exact)));
    }
    let particle_order = slope(&pts);
    let mut particle_panel = Panel::new(
        "particles: density error vs N_p",
        "N_p",
        "L1 error of the histogram",
    )
    .line(
        &format!("Brownian bridge, dt = 1e-3: slope {particle_order:.2}"),
        pts,
        COLORS[4],
        Style::Line,
    );
    particle_panel.x_log = true;
    particle_panel.y_log = true;
    numbers.push(Number::new(
        "particle_slope",
        particle_order,
        Tol::Abs(0.15),
        "fitted slope of the particle L1 error against N_p (theory -1/2)",
    ));
    save(&ctx.stem("convergence"), &[macro_panel, particle_panel])?;
    Ok(Figure {
        name: "convergence",
        title: "Convergence",
        claim: "Claim 1: the mean-field solver is accurate (and cheap); the particles converge only as N_p^-1/2.",
        setup: format!(
            "b = {b}. Left: stationary rate on h = 0.04 … 0.005 ([-6, 2], dt = 0.01 to t = 40) for each scheme. Right: particle histograms (time-averaged over t ∈ [4, 6]) against the exact stationary density, N_p = {sizes:?}."
        ),
        look: "The exponentially fitted schemes (identical here, see docs/fp-macro.md) converge at second order, the unfitted upwind scheme at first; the particle error falls like N_p^-1/2 until the time-averaging and dt floor.",
        numbers,
    })
}

fn blowup_a_setup(ctx: &Ctx, kind: SolverKind) -> Setup {
    Setup::new(3.0, BLOWUP_A, ctx.pickf(4.0, 5.0)).with(|s| {
        s.kind = kind;
        s.dt = ctx.pickf(1e-3, 1e-4);
        s.particles = ctx.pick(20_000, 100_000);
        s.interval = ctx.pickf(1e-2, 1e-3);
    })
}

/// 3. Macro failure: the blow-up on several meshes against particles.
pub(crate) fn macro_failure(ctx: &Ctx) -> Result<Figure, String> {
    let mut panel = Panel::new(
        "blow-up A (b = 3): mean field on three meshes vs particles",
        "time t",
        "firing rate N(t)",
    );
    panel.y_log = true;
    panel.legend = plotters::chart::SeriesLabelPosition::UpperLeft;
    let mut numbers = vec![];
    let micro = blowup_a_setup(ctx, SolverKind::Micro)
        .with(|s| s.t_end = 4.0)
        .run()?
        .0;
    panel = panel.line(
        &format!("particles, N_p = {}", ctx.pick(20_000, 100_000)),
        rates(&micro),
        COLORS[4],
        Style::Thin,
    );
    for (k, dv) in [0.04, 0.02, 0.01].into_iter().enumerate() {
        let setup = blowup_a_setup(ctx, SolverKind::Macro).with(|s| {
            s.t_end = 4.0;
            s.macro_config.dv = dv;
            s.switching.rate_up = 1e300;
        });
        let trace = setup.run()?.0;
        let pass = trace
            .samples
            .iter()
            .find(|s| s.rate > 5.0)
            .map_or(f64::NAN, |s| s.t);
        let level = trace.samples.last().map_or(f64::NAN, |s| s.rate);
        panel = panel.line(
            &format!("mean field, h = {dv}: saturates at {level:.0}"),
            rates(&trace),
            COLORS[k],
            Style::Line,
        );
        numbers.push(Number::new(
            leak(format!("saturation_h{dv}")),
            level,
            Tol::Rel(1e-6),
            &format!("rate at t = 4 on h = {dv} (deterministic)"),
        ));
        numbers.push(Number::new(
            leak(format!("passes_5_h{dv}")),
            pass,
            Tol::Abs(1e-9),
            &format!("first sample time with rate > 5 on h = {dv}"),
        ));
    }
    let (t, f) = first_burst(&micro);
    panel.events = bursts(&micro);
    numbers.push(Number::new(
        "micro_first_burst",
        t,
        Tol::Abs(0.1),
        "first burst of the particles (seed spread about 0.04)",
    ));
    numbers.push(Number::new(
        "micro_first_fraction",
        f,
        Tol::Abs(0.02),
        "fraction fired by it",
    ));
    save(&ctx.stem("macro-failure"), &[panel])?;
    Ok(Figure {
        name: "macro-failure",
        title: "The mean field fails at synchronization",
        claim: "Claim 2: the macro solver fails for strongly synchronous networks (finite-time blow-up of the rate).",
        setup: format!(
            "b = 3, initial N(-1, 0.5) (blow-up A), dt = {}. Mean field on h = 0.04, 0.02, 0.01 with no rate bound; particles: Brownian bridge.",
            ctx.pickf(1e-3, 1e-4)
        ),
        look: "All meshes pass N = 5 near t = 3.41, where the particles fire a synchronous burst; then the discrete rate saturates at a level that grows like 1/h² (an artefact of the mesh), while the particles show a train of bursts.",
        numbers,
    })
}

/// Leaks a formatted key: figure numbers live for the whole process.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// 4. Multi-scale through blow-up A.
pub(crate) fn multiscale_blowup_a(ctx: &Ctx) -> Result<Figure, String> {
    let macro_trace = blowup_a_setup(ctx, SolverKind::Macro)
        .with(|s| s.switching.rate_up = 1e300)
        .run()?
        .0;
    let (micro, micro_wall) = blowup_a_setup(ctx, SolverKind::Micro).run()?;
    let (multi, multi_wall) = blowup_a_setup(ctx, SolverKind::Multiscale)
        .with(|s| s.density_interval = Some(ctx.pickf(1e-2, 1e-2)))
        .run()?;
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
    .line("particles alone", rates(&micro), COLORS[4], Style::Thin)
    .line("multi-scale", rates(&multi), COLORS[1], Style::Line);
    rate_panel.y_log = true;
    rate_panel.legend = plotters::chart::SeriesLabelPosition::LowerRight;
    rate_panel.shade = multi.micro_phases();
    rate_panel.events = bursts(&multi);
    let switch = *multi.switches.first().ok_or("no switch in blow-up A")?;
    let grid_nodes: Vec<f64> = (0..300).map(|i| -4.0 + i as f64 * 0.02).collect();
    let snapshot = |pred: &dyn Fn(f64) -> bool| {
        multi
            .densities
            .iter()
            .find(|d| pred(d.t))
            .map(|d| d.values.clone())
    };
    let before = multi
        .densities
        .iter()
        .rev()
        .find(|d| d.t <= switch.t + 1e-9)
        .map(|d| (d.t, d.values.clone()))
        .ok_or("no density before the switch")?;
    let mut density_panel = Panel::new("density around the hand-over", "voltage v", "p(v)").line(
        &format!("macro density handed over, t = {:.3}", before.0),
        grid_nodes.iter().copied().zip(before.1).collect(),
        COLORS[0],
        Style::Line,
    );
    for (k, offset) in [0.01, 0.05].into_iter().enumerate() {
        if let Some(v) = snapshot(&|t| t >= switch.t + offset - 1e-9) {
            density_panel = density_panel.line(
                &format!("particles, t = {:.2}", switch.t + offset),
                grid_nodes.iter().copied().zip(v).collect(),
                COLORS[4 - 3 * k],
                Style::Steps,
            );
        }
    }
    save(
        &ctx.stem("multiscale-blowup-a"),
        &[rate_panel, density_panel],
    )?;
    let (t_mi, f_mi) = first_burst(&micro);
    let (t_ms, f_ms) = first_burst(&multi);
    Ok(Figure {
        name: "multiscale-blowup-a",
        title: "Multi-scale through blow-up A",
        claim: "Claims 3 and 4: switching to particles when the rate tends to blow up keeps the micro reliability; the rolled-back hand-over keeps it accurate.",
        setup: format!(
            "b = 3, N(-1, 0.5), dt = {}, N_p = {}, rate_up = 5, rollback = 0.02; density snapshots every 0.01.",
            ctx.pickf(1e-3, 1e-4),
            ctx.pick(20_000, 100_000)
        ),
        look: "The multi-scale rate follows the mean field until the hand-over (shaded from there), then the particle bursts; the mean field alone saturates. Right: the density handed over (taken 0.02 before the trigger) and the particle histograms just after it.",
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
                Tol::Abs(0.03),
                "first burst, multi-scale",
            ),
            Number::new(
                "micro_first_burst",
                t_mi,
                Tol::Abs(0.1),
                "first burst, particles alone (seed spread about 0.04)",
            ),
            Number::new(
                "multiscale_fraction",
                f_ms,
                Tol::Abs(0.02),
                "fraction fired in it, multi-scale",
            ),
            Number::new(
                "micro_fraction",
                f_mi,
                Tol::Abs(0.02),
                "fraction fired in it, particles alone",
            ),
            Number::new(
                "multiscale_bursts",
                bursts(&multi).len() as f64,
                Tol::Abs(1.0),
                "number of bursts, multi-scale",
            ),
            Number::new(
                "micro_bursts",
                bursts(&micro).len() as f64,
                Tol::Abs(1.0),
                "number of bursts, particles alone",
            ),
            Number::new(
                "speedup",
                micro_wall / multi_wall,
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}

/// Micro and multi-scale runs of one setup, drawn together.
fn versus(ctx: &Ctx, setup: Setup, title: &str) -> Result<(Trace, Trace, f64, f64, Panel), String> {
    let (micro, mw) = setup.with(|s| s.kind = SolverKind::Micro).run()?;
    let (multi, sw) = setup.with(|s| s.kind = SolverKind::Multiscale).run()?;
    let mut panel = Panel::new(title, "time t", "firing rate N(t)")
        .line("particles alone", rates(&micro), COLORS[4], Style::Thin)
        .line("multi-scale", rates(&multi), COLORS[1], Style::Line);
    panel.y_log = true;
    panel.legend = plotters::chart::SeriesLabelPosition::LowerRight;
    panel.shade = multi.micro_phases();
    panel.events = bursts(&multi);
    let _ = ctx;
    Ok((micro, multi, mw, sw, panel))
}

/// 5. Blow-up B: total synchronization, return to macro, stable rate.
pub(crate) fn blowup_b(ctx: &Ctx) -> Result<Figure, String> {
    let setup = Setup::new(1.5, BLOWUP_B, ctx.pickf(5.0, 10.0))
        .with(|s| s.particles = ctx.pick(20_000, 100_000));
    let (micro, multi, mw, sw, mut panel) =
        versus(ctx, setup, "blow-up B (b = 1.5, N(1.5, 0.005))")?;
    let stable = stationary_rates(&params(1.5), 0.0).map_err(err)?[0];
    panel
        .hlines
        .push((stable, format!("stable stationary rate {stable:.5}")));
    save(&ctx.stem("blowup-b"), &[panel])?;
    let t_end = setup.t_end;
    let back = multi
        .switches
        .iter()
        .find(|s| s.to == Mode::Macro)
        .map_or(f64::NAN, |s| s.t);
    Ok(Figure {
        name: "blowup-b",
        title: "Blow-up B: one total synchronization, then back to the mean field",
        claim: "Claims 3 and 4: after the burst the solver returns to the density, which converges to the stable state.",
        setup: format!(
            "b = 1.5, N(1.5, 0.005), dt = 1e-3, N_p = {}, t_end = {t_end}.",
            setup.particles
        ),
        look: "One synchronous burst fires (almost) the whole network near t = 0.04; the particles run until the rate has stayed low for the dwell time, then the density takes over and relaxes to the stable rate (dashed).",
        numbers: vec![
            Number::new(
                "multiscale_sync_t",
                first_burst(&multi).0,
                Tol::Abs(0.01),
                "total synchronization, multi-scale",
            ),
            Number::new(
                "micro_sync_t",
                first_burst(&micro).0,
                Tol::Abs(0.01),
                "total synchronization, particles alone",
            ),
            Number::new(
                "multiscale_sync_fraction",
                first_burst(&multi).1,
                Tol::Abs(0.01),
                "fraction fired",
            ),
            Number::new(
                "back_to_macro_t",
                back,
                Tol::Abs(0.1),
                "return to the density",
            ),
            Number::new(
                "multiscale_final_rate",
                mean_rate(&multi, t_end - 2.0, t_end),
                Tol::Rel(0.01),
                "mean rate over the last two time units, multi-scale (exact 0.192364; mesh error 2e-4)",
            ),
            Number::new(
                "micro_final_rate",
                mean_rate(&micro, t_end - 2.0, t_end),
                Tol::Rel(0.05),
                "same, particles alone (sampling noise)",
            ),
            Number::new(
                "speedup",
                mw / sw,
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}

/// 6. Instantaneous input.
pub(crate) fn kick(ctx: &Ctx) -> Result<Figure, String> {
    let setup = Setup::new(1.5, RELAXED, ctx.pickf(5.0, 6.0)).with(|s| {
        s.particles = ctx.pick(20_000, 100_000);
        s.input = Input::Kick { t0: 3.0, dv: 1.0 };
    });
    let (micro, multi, mw, sw, panel) = versus(
        ctx,
        setup,
        "instantaneous input: kick dv = 1 at t = 3 (b = 1.5)",
    )?;
    save(&ctx.stem("kick"), &[panel])?;
    let at = |t: &Trace| {
        t.mfes
            .iter()
            .find(|m| (m.t - 3.0).abs() < 1e-6)
            .map_or(f64::NAN, |m| m.fraction)
    };
    let density_fraction = match multi.switches.first().map(|s| s.reason) {
        Some(multiscale::SwitchReason::SynchronousKick { fraction }) => fraction,
        _ => f64::NAN,
    };
    Ok(Figure {
        name: "kick",
        title: "Instantaneous input",
        claim: "Claim 5: an instantaneous input that triggers a synchronous burst is simulated correctly and fast.",
        setup: format!(
            "b = 1.5 from N(0, 0.5), relaxed to its stable state; every voltage jumps by 1 at t = 3. dt = 1e-3, N_p = {}.",
            setup.particles
        ),
        look: "The density reports the kick as an event it cannot represent; the particles fire it at t = 3 and run until the network is quiet again, then the density takes over.",
        numbers: vec![
            Number::new(
                "density_fraction_over_threshold",
                density_fraction,
                Tol::Rel(1e-6),
                "mass the kick pushes over V_F in the density (deterministic)",
            ),
            Number::new(
                "multiscale_kick_fraction",
                at(&multi),
                Tol::Abs(0.02),
                "fraction fired at the kick, multi-scale",
            ),
            Number::new(
                "micro_kick_fraction",
                at(&micro),
                Tol::Abs(0.02),
                "fraction fired at the kick, particles alone",
            ),
            Number::new(
                "speedup",
                mw / sw,
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}

/// 7. Periodic input.
pub(crate) fn periodic(ctx: &Ctx) -> Result<Figure, String> {
    let setup = Setup::new(1.5, RELAXED, ctx.pickf(4.0, 8.0)).with(|s| {
        s.particles = ctx.pick(20_000, 100_000);
        s.input = Input::Periodic {
            i0: 0.0,
            amplitude: 3.0,
            period: 2.0,
            phase: 0.0,
        };
        // As configs/periodic.ron: hand the asynchronous post-burst phase back early.
        s.switching.rate_down = 2.0;
        s.switching.dwell = 0.1;
    });
    let (micro, multi, mw, sw, panel) = versus(ctx, setup, "periodic input 3 sin(πt) (b = 1.5)")?;
    save(&ctx.stem("periodic"), &[panel])?;
    let (bm, bs) = (bursts(&micro), bursts(&multi));
    let shift = bm
        .iter()
        .zip(&bs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let in_micro = multi
        .samples
        .iter()
        .filter(|s| s.mode == Mode::Micro)
        .count() as f64
        / multi.samples.len() as f64;
    Ok(Figure {
        name: "periodic",
        title: "Periodic input",
        claim: "Claim 5: periodic input driving periodic bursts is simulated correctly and fast.",
        setup: format!(
            "b = 1.5 from N(0, 0.5), I(t) = 3 sin(πt), dt = 1e-3, N_p = {}, t_end = {}; back to the density below rate 2 after a dwell of 0.1 (as `configs/periodic.ron`).",
            setup.particles, setup.t_end
        ),
        look: "Each period the input drives a synchronous burst; the multi-scale solver switches to particles for it (shaded) and back to the density for the quiet phase; its bursts sit on those of the particles alone.",
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
                mw / sw,
                Tol::Info,
                "wall time, micro / multi-scale",
            ),
        ],
    })
}

/// 8. Cost against N_p.
pub(crate) fn cost(ctx: &Ctx) -> Result<Figure, String> {
    let sizes: Vec<usize> = if ctx.quick {
        vec![10_000, 30_000, 100_000]
    } else {
        vec![10_000, 30_000, 100_000, 300_000, 1_000_000]
    };
    let mut micro_pts = vec![];
    let mut multi_pts = vec![];
    let mut numbers = vec![];
    for &n in &sizes {
        let setup = Setup::new(1.5, BLOWUP_B, 4.0).with(|s| s.particles = n);
        let mw = setup.with(|s| s.kind = SolverKind::Micro).run()?.1;
        let sw = setup.with(|s| s.kind = SolverKind::Multiscale).run()?.1;
        micro_pts.push((n as f64, mw));
        multi_pts.push((n as f64, sw));
        numbers.push(Number::new(
            leak(format!("speedup_{n}")),
            mw / sw,
            Tol::Info,
            &format!("micro / multi-scale wall time at N_p = {n}"),
        ));
    }
    let mut panel = Panel::new(
        "cost of blow-up B to t = 4 (dt = 1e-3)",
        "N_p",
        "wall time (s)",
    )
    .line("particles alone", micro_pts, COLORS[4], Style::Line)
    .line("multi-scale", multi_pts, COLORS[1], Style::Line);
    panel.x_log = true;
    panel.y_log = true;
    save(&ctx.stem("cost"), &[panel])?;
    Ok(Figure {
        name: "cost",
        title: "Cost",
        claim: "Claim 3: the multi-scale solver keeps (close to) the macro cost.",
        setup: format!("Blow-up B to t = 4, dt = 1e-3, N_p = {sizes:?}, all threads."),
        look: "Both costs grow linearly in N_p once the particles dominate; the multi-scale run pays for particles only during the burst (about 0.3 of 4 time units), so the gap is about an order of magnitude.",
        numbers,
    })
}

/// 9. Switching precision: coupled error against sampler, estimator and N_p.
pub(crate) fn switching_precision(ctx: &Ctx) -> Result<Figure, String> {
    let t_end = 1.5;
    let base = Setup::new(1.5, BLOWUP_B, t_end);
    let reference_size = ctx.pick(50_000, 200_000);
    let ref_seeds: Vec<u64> = (101..=ctx.pick(102, 104) as u64).collect();
    let mut curves = vec![];
    for &seed in &ref_seeds {
        let t = base
            .with(|s| {
                s.kind = SolverKind::Micro;
                s.particles = reference_size;
                s.seed = seed;
            })
            .run()?
            .0;
        curves.push(t.samples.iter().map(|s| s.rate).collect::<Vec<f64>>());
    }
    let n = curves.iter().map(Vec::len).min().unwrap_or(0);
    let reference: Vec<f64> = (0..n)
        .map(|i| curves.iter().map(|c| c[i]).sum::<f64>() / curves.len() as f64)
        .collect();
    let sizes: Vec<usize> = if ctx.quick {
        vec![1_000, 10_000]
    } else {
        vec![1_000, 10_000, 100_000]
    };
    let mut panel = Panel::new(
        "switching precision, blow-up B to t = 1.5",
        "N_p",
        "relative L1 distance of N(t) to the reference",
    );
    panel.x_log = true;
    panel.y_log = true;
    let mut numbers = vec![];
    let micro_pts: Vec<(f64, f64)> = sizes
        .iter()
        .map(|&n| {
            base.with(|s| {
                s.kind = SolverKind::Micro;
                s.particles = n;
            })
            .run()
            .map(|(t, _)| (n as f64, distance(&rates(&t), &reference)))
        })
        .collect::<Result<_, _>>()?;
    numbers.push(Number::new(
        "micro_error",
        micro_pts.last().map_or(f64::NAN, |p| p.1),
        Tol::Rel(0.5),
        "particles alone at the largest N_p",
    ));
    panel = panel.line("particles alone", micro_pts, BLACK, Style::Dashed);
    let methods = [
        (
            Sampler::InverseCdf,
            Estimator::Histogram,
            "inverse CDF + histogram",
        ),
        (
            Sampler::Stratified,
            Estimator::Histogram,
            "stratified + histogram",
        ),
        (
            Sampler::Quantile,
            Estimator::Histogram,
            "quantile + histogram",
        ),
        (
            Sampler::InverseCdf,
            Estimator::Kernel {
                bandwidth: Bandwidth::Silverman,
            },
            "inverse CDF + kernel",
        ),
        (
            Sampler::Stratified,
            Estimator::Kernel {
                bandwidth: Bandwidth::Silverman,
            },
            "stratified + kernel",
        ),
        (
            Sampler::Quantile,
            Estimator::Kernel {
                bandwidth: Bandwidth::Silverman,
            },
            "quantile + kernel",
        ),
    ];
    for (k, (sampler, estimator, label)) in methods.into_iter().enumerate() {
        let pts: Vec<(f64, f64)> = sizes
            .iter()
            .map(|&n| {
                base.with(|s| {
                    s.particles = n;
                    s.switching.sampler = sampler;
                    s.switching.estimator = estimator;
                })
                .run()
                .map(|(t, _)| (n as f64, distance(&rates(&t), &reference)))
            })
            .collect::<Result<_, _>>()?;
        numbers.push(Number::new(
            leak(format!(
                "error_{}",
                label.replace(" + ", "_").replace(' ', "_")
            )),
            pts.last().map_or(f64::NAN, |p| p.1),
            Tol::Rel(0.5),
            &format!("{label} at the largest N_p"),
        ));
        panel = panel.line(
            label,
            pts,
            COLORS[k % COLORS.len()],
            if k < 3 { Style::Line } else { Style::Dashed },
        );
    }
    save(&ctx.stem("switching-precision"), &[panel])?;
    Ok(Figure {
        name: "switching-precision",
        title: "Switching precision",
        claim: "Claim 4: a high-precision switching algorithm keeps the coupled solver accurate.",
        setup: format!(
            "Blow-up B to t = 1.5 (burst, return to the density at t ≈ 0.33, relaxation), dt = 1e-3. Reference: mean of {} particle runs with N_p = {reference_size}. Error: mean |N - N_ref| over the samples (every 0.01) relative to the mean reference rate.",
            ref_seeds.len()
        ),
        look: "Every combination of sampler and estimator stays at or below the error of the particles alone at the same N_p: the hand-overs add no error of their own beyond the particle noise.",
        numbers,
    })
}
