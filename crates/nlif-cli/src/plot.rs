//! Plots with plotters, pure Rust: PNG through the bitmap backend, SVG, and the embedded
//! DejaVu Sans font (no system libraries).

use std::path::Path;
use std::sync::Once;

use anyhow::{Result, anyhow};
use multiscale::{Mode, Trace};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::config::Config;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn font() {
    REGISTER.call_once(|| {
        // The font is a fixed, valid TrueType file: registration cannot fail at run time.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a plot: {e}")
}

/// `rate.png` and `rate.svg`: the firing rate over time (log scale), micro phases
/// shaded, multiple firing events marked.
pub(crate) fn rate(dir: &Path, config: &Config, trace: &Trace) -> Result<()> {
    font();
    let png = dir.join("rate.png");
    let svg = dir.join("rate.svg");
    draw_rate(
        BitMapBackend::new(&png, (1200, 600)).into_drawing_area(),
        config,
        trace,
    )?;
    draw_rate(
        SVGBackend::new(&svg, (1200, 600)).into_drawing_area(),
        config,
        trace,
    )?;
    Ok(())
}

fn draw_rate<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    config: &Config,
    trace: &Trace,
) -> Result<()> {
    area.fill(&WHITE).map_err(err)?;
    let t_end = trace.samples.last().map_or(config.t_end, |s| s.t).max(1e-9);
    let floor = 1e-3;
    let top = trace.samples.iter().map(|s| s.rate).fold(1.0f64, f64::max) * 2.0;
    let kind = config.solver.kind.as_str();
    let title = format!(
        "{} — {kind}, b = {}, seed {}",
        config.name, config.model.b, config.seed
    );
    let mut chart = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..t_end, (floor..top).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("time t (membrane time constants)")
        .y_desc("firing rate N(t)")
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(err)?;
    // Micro phases.
    let dt = config.output.interval;
    let mut phases: Vec<(f64, f64)> = Vec::new();
    for s in trace.samples.iter().filter(|s| s.mode == Mode::Micro) {
        match phases.last_mut() {
            Some(last) if (s.t - dt - last.1).abs() < 0.5 * dt => last.1 = s.t,
            _ => phases.push((s.t - dt, s.t)),
        }
    }
    let shade = RGBColor(255, 170, 60).mix(0.25).filled();
    chart
        .draw_series(
            phases
                .iter()
                .map(|&(a, b)| Rectangle::new([(a, floor), (b, top)], shade)),
        )
        .map_err(err)?
        .label("micro phase")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], shade));
    chart
        .draw_series(LineSeries::new(
            trace.samples.iter().map(|s| (s.t, s.rate.max(floor))),
            BLUE.stroke_width(2),
        ))
        .map_err(err)?
        .label("rate")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE.stroke_width(2)));
    let marker = top / 1.6;
    chart
        .draw_series(
            trace
                .mfes
                .iter()
                .map(|m| TriangleMarker::new((m.t, marker), 6, RED.filled())),
        )
        .map_err(err)?
        .label("multiple firing event")
        .legend(|(x, y)| TriangleMarker::new((x + 9, y), 6, RED.filled()));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// `density.png`: a heat map of the density snapshots `p(v, t)` (square-root colour scale,
/// so the thin layer next to the threshold stays visible).
pub(crate) fn density(dir: &Path, trace: &Trace, grid: &[f64]) -> Result<()> {
    let snapshots = &trace.densities;
    if snapshots.len() < 2 || grid.len() < 2 {
        return Ok(());
    }
    font();
    let path = dir.join("density.png");
    let area = BitMapBackend::new(&path, (1200, 600)).into_drawing_area();
    area.fill(&WHITE).map_err(err)?;
    let h = grid[1] - grid[0];
    let (v0, v1) = (grid[0] - 0.5 * h, grid[grid.len() - 1] + 0.5 * h);
    let dt = snapshots[1].t - snapshots[0].t;
    let t1 = snapshots[snapshots.len() - 1].t + dt;
    let peak = snapshots
        .iter()
        .flat_map(|s| s.values.iter())
        .fold(0.0f64, |m, &p| m.max(p))
        .max(1e-300);
    let mut chart = ChartBuilder::on(&area)
        .caption("density p(v, t)", ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(snapshots[0].t..t1, v0..v1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("time t")
        .y_desc("voltage v")
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(snapshots.iter().flat_map(|s| {
            s.values.iter().enumerate().map(move |(i, &p)| {
                let x = (p / peak).clamp(0.0, 1.0).sqrt();
                let color = HSLColor(0.66 * (1.0 - x), 0.85, 0.15 + 0.45 * x);
                let v = grid[i];
                Rectangle::new(
                    [(s.t, v - 0.5 * h), (s.t + dt, v + 0.5 * h)],
                    color.filled(),
                )
            })
        }))
        .map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}
