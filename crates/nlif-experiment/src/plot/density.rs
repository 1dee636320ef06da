//! `density.png`: the density snapshots as a heat map, a panel per population for a
//! network of several.

use std::path::Path;

use super::Result;
use multiscale::Trace;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{err, font};

/// The colour of a density value at `x` in `[0, 1]` of the colour scale.
fn heat(x: f64) -> HSLColor {
    HSLColor(0.66 * (1.0 - x), 0.85, 0.15 + 0.45 * x)
}

/// A round tick spacing: about a fifth of `span`, of the form 1, 2 or 5 times a power of ten.
fn tick_step(span: f64) -> f64 {
    let raw = span / 5.0;
    let unit = 10f64.powf(raw.log10().floor());
    let m = raw / unit;
    unit * if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    }
}

/// `density.png`: a heat map of the density snapshots `p(v, t)` (square-root colour scale,
/// so the thin layer next to the threshold stays visible), with its colour bar. Each
/// snapshot fills the time from half-way to the one before to half-way to the one after,
/// so the time axis runs from the first snapshot to the last. For a network of several
/// populations, a panel per population (its density on its grid, `grids[α]`, its own
/// colour scale), one above the other.
pub fn density(dir: &Path, trace: &Trace, grids: &[Vec<f64>]) -> Result<()> {
    let Some(panels) = panels(trace, grids) else {
        return Ok(());
    };
    font();
    let path = dir.join("density.png");
    let height = if panels.len() == 1 {
        600
    } else {
        PANEL_HEIGHT * panels.len() as u32
    };
    draw_density(
        BitMapBackend::new(&path, (1200, height)).into_drawing_area(),
        &panels,
    )?;
    Ok(())
}

/// Height of each panel of a network of several populations.
const PANEL_HEIGHT: u32 = 450;

/// One heat map: its caption, the snapshot times, each snapshot's values on `grid`.
struct Panel<'a> {
    caption: String,
    times: Vec<f64>,
    values: Vec<&'a [f64]>,
    grid: &'a [f64],
}

/// The panels of `trace`'s snapshots: one for one population, one per population of a
/// network of several; `None` if there is nothing to draw (fewer than two snapshots, a
/// grid of fewer than two nodes, or a snapshot that does not fit its grid).
fn panels<'a>(trace: &'a Trace, grids: &'a [Vec<f64>]) -> Option<Vec<Panel<'a>>> {
    let snapshots = &trace.densities;
    let times: Vec<f64> = snapshots.iter().map(|s| s.t).collect();
    let panels: Vec<Panel<'a>> = if trace.populations.is_empty() {
        vec![Panel {
            caption: "density p(v, t)".into(),
            times,
            values: snapshots.iter().map(|s| &s.values[..]).collect(),
            grid: grids.first()?,
        }]
    } else {
        let mut panels = Vec::new();
        for (alpha, name) in trace.populations.iter().enumerate() {
            let values = snapshots
                .iter()
                .map(|s| trace.population_density(s, alpha))
                .collect::<Option<Vec<_>>>()?;
            panels.push(Panel {
                caption: format!("density of {name}, p_{name}(v, t)"),
                times: times.clone(),
                values,
                grid: grids.get(alpha)?,
            });
        }
        panels
    };
    let drawable = snapshots.len() >= 2
        && panels
            .iter()
            .all(|p| p.grid.len() >= 2 && p.values.iter().all(|v| v.len() == p.grid.len()));
    drawable.then_some(panels)
}

/// Width of the colour bar's strip at the right of `density.png`.
const BAR_STRIP: u32 = 130;

/// Draws the panels, one above the other; returns each heat map's time axis.
fn draw_density<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    panels: &[Panel<'_>],
) -> Result<Vec<(f64, f64)>> {
    let axes = if let [panel] = panels {
        vec![draw_panel(&area, panel)?]
    } else {
        let areas = area.split_evenly((panels.len(), 1));
        areas
            .iter()
            .zip(panels)
            .map(|(area, panel)| draw_panel(area, panel))
            .collect::<Result<_>>()?
    };
    area.present().map_err(err)?;
    Ok(axes)
}

/// Draws one heat map with its colour bar into `area`; returns its time axis.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel<'_>,
) -> Result<(f64, f64)> {
    let (times, grid) = (&panel.times, panel.grid);
    area.fill(&WHITE).map_err(err)?;
    let (main, bar) = area.split_horizontally(area.dim_in_pixel().0 - BAR_STRIP);
    let h = grid[1] - grid[0];
    let (v0, v1) = (grid[0] - 0.5 * h, grid[grid.len() - 1] + 0.5 * h);
    let (t0, t1) = (times[0], times[times.len() - 1]);
    let peak = panel
        .values
        .iter()
        .flat_map(|s| s.iter())
        .filter(|p| p.is_finite())
        .fold(0.0f64, |m, &p| m.max(p))
        .max(1e-300);
    let mut chart = ChartBuilder::on(&main)
        .caption(&panel.caption, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(t0..t1, v0..v1)
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
    let edge = |k: usize| {
        if k == 0 {
            t0
        } else if k == times.len() {
            t1
        } else {
            0.5 * (times[k - 1] + times[k])
        }
    };
    chart
        .draw_series(panel.values.iter().enumerate().flat_map(|(k, s)| {
            let (a, b) = (edge(k), edge(k + 1));
            s.iter().enumerate().map(move |(i, &p)| {
                let x = (p / peak).clamp(0.0, 1.0).sqrt();
                let v = grid[i];
                Rectangle::new([(a, v - 0.5 * h), (b, v + 0.5 * h)], heat(x).filled())
            })
        }))
        .map_err(err)?;
    // The colour bar, level with the heat map; its ticks are round values of p.
    // The chart's rows are the drawing's; the bar draws in its panel's (a lower panel
    // starts below 0).
    let (_, rows) = chart.plotting_area().get_pixel_range();
    let below = area.get_base_pixel().1;
    let (top, bottom) = (rows.start - below, rows.end - 1 - below);
    let (x0, x1) = (18, 40);
    for row in top..=bottom {
        let x = f64::from(bottom - row) / f64::from((bottom - top).max(1));
        bar.draw(&Rectangle::new(
            [(x0, row), (x1, row + 1)],
            heat(x).filled(),
        ))
        .map_err(err)?;
    }
    bar.draw(&Rectangle::new([(x0, top), (x1, bottom)], BLACK))
        .map_err(err)?;
    let label =
        TextStyle::from(("sans-serif", 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let step = tick_step(peak);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let mut k = 0.0;
    while k * step <= peak * (1.0 + 1e-9) {
        let p = k * step;
        let row = bottom - ((p / peak).sqrt() * f64::from(bottom - top)).round() as i32;
        bar.draw(&PathElement::new(vec![(x1, row), (x1 + 5, row)], BLACK))
            .map_err(err)?;
        bar.draw(&Text::new(
            format!("{p:.decimals$}"),
            (x1 + 8, row),
            label.clone(),
        ))
        .map_err(err)?;
        k += 1.0;
    }
    let title =
        TextStyle::from(("sans-serif", 14).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
    bar.draw(&Text::new("p (√ scale)", (x0 - 6, top - 8), title))
        .map_err(err)?;
    Ok((t0, t1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use multiscale::{DensitySnapshot, Mode};

    #[test]
    fn the_density_time_axis_ends_at_the_last_snapshot() {
        font();
        let grid: Vec<f64> = (0..50).map(|i| -1.0 + 0.04 * f64::from(i)).collect();
        let mut trace = Trace::default();
        for k in 0..=10 {
            trace.densities.push(DensitySnapshot {
                t: 0.5 * f64::from(k),
                mode: Mode::Macro,
                values: grid.iter().map(|v| (-v * v).exp()).collect(),
            });
        }
        let (w, h) = (1200, 600);
        let mut buffer = vec![0u8; w * h * 3];
        let grids = [grid];
        let panels = panels(&trace, &grids).unwrap();
        let axes = draw_density(
            BitMapBackend::with_buffer(&mut buffer, (w as u32, h as u32)).into_drawing_area(),
            &panels,
        )
        .unwrap();
        assert_eq!(axes, [(0.0, 5.0)]);
        // The colour bar: its top is the hottest colour, its bottom the coldest.
        let pixel = |x: usize, y: usize| {
            let i = 3 * (y * w + x);
            (buffer[i], buffer[i + 1], buffer[i + 2])
        };
        let x = w - BAR_STRIP as usize + 29;
        let column: Vec<_> = (0..h)
            .map(|y| pixel(x, y))
            .filter(|&(r, g, b)| !(r == g && g == b))
            .collect();
        assert!(column.len() > 300, "a colour bar is drawn");
        let (hot, cold) = (column[0], column[column.len() - 1]);
        assert!(hot.0 > hot.2, "{hot:?}");
        assert!(cold.2 > cold.0, "{cold:?}");
    }

    /// Oracle: the values put into the snapshots, population by population.
    #[test]
    fn a_network_of_two_populations_gets_a_panel_each() {
        font();
        let grids = vec![vec![-1.0, 0.0, 1.0], vec![0.0, 0.5]];
        let mut trace = Trace {
            populations: vec!["E".into(), "I".into()],
            population_cells: vec![3, 2],
            ..Trace::default()
        };
        for k in 0..3 {
            let k = f64::from(k);
            trace.densities.push(DensitySnapshot {
                t: k,
                mode: Mode::Macro,
                values: vec![k, k + 1.0, k + 2.0, 10.0 * k, 10.0 * k + 1.0],
            });
        }
        let drawn = panels(&trace, &grids).unwrap();
        assert_eq!(drawn.len(), 2);
        assert_eq!(drawn[0].caption, "density of E, p_E(v, t)");
        assert_eq!(drawn[1].values[2], [20.0, 21.0]);
        assert_eq!(drawn[0].values[1], [1.0, 2.0, 3.0]);
        assert_eq!(drawn[1].grid, [0.0, 0.5]);
        let (w, h) = (1200usize, 2 * PANEL_HEIGHT as usize);
        let mut buffer = vec![0u8; w * h * 3];
        let axes = draw_density(
            BitMapBackend::with_buffer(&mut buffer, (w as u32, h as u32)).into_drawing_area(),
            &drawn,
        )
        .unwrap();
        assert_eq!(axes, [(0.0, 2.0), (0.0, 2.0)]);
        // A colour bar in each half: coloured pixels in its column above and below the
        // middle.
        let x = w - BAR_STRIP as usize + 29;
        let coloured = |rows: std::ops::Range<usize>| {
            rows.filter(|&y| {
                let i = 3 * (y * w + x);
                !(buffer[i] == buffer[i + 1] && buffer[i + 1] == buffer[i + 2])
            })
            .count()
        };
        assert!(coloured(0..h / 2) > 200, "the first panel's colour bar");
        assert!(coloured(h / 2..h) > 200, "the second panel's colour bar");
        // A snapshot that does not fit its grid is not drawn.
        trace.population_cells = vec![3, 3];
        assert!(panels(&trace, &grids).is_none());
    }
}
