//! `density.png`: the density snapshots as a heat map.

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
/// so the time axis runs from the first snapshot to the last.
pub fn density(dir: &Path, trace: &Trace, grid: &[f64]) -> Result<()> {
    let snapshots = &trace.densities;
    if snapshots.len() < 2 || grid.len() < 2 {
        return Ok(());
    }
    font();
    let path = dir.join("density.png");
    draw_density(
        BitMapBackend::new(&path, (1200, 600)).into_drawing_area(),
        trace,
        grid,
    )?;
    Ok(())
}

/// Width of the colour bar's strip at the right of `density.png`.
const BAR_STRIP: u32 = 130;

/// Draws the density heat map; returns the heat map's time axis.
fn draw_density<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    trace: &Trace,
    grid: &[f64],
) -> Result<(f64, f64)> {
    let snapshots = &trace.densities;
    area.fill(&WHITE).map_err(err)?;
    let (main, bar) = area.split_horizontally(area.dim_in_pixel().0 - BAR_STRIP);
    let h = grid[1] - grid[0];
    let (v0, v1) = (grid[0] - 0.5 * h, grid[grid.len() - 1] + 0.5 * h);
    let (t0, t1) = (snapshots[0].t, snapshots[snapshots.len() - 1].t);
    let peak = snapshots
        .iter()
        .flat_map(|s| s.values.iter())
        .filter(|p| p.is_finite())
        .fold(0.0f64, |m, &p| m.max(p))
        .max(1e-300);
    let mut chart = ChartBuilder::on(&main)
        .caption("density p(v, t)", ("sans-serif", 24))
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
        } else if k == snapshots.len() {
            t1
        } else {
            0.5 * (snapshots[k - 1].t + snapshots[k].t)
        }
    };
    chart
        .draw_series(snapshots.iter().enumerate().flat_map(|(k, s)| {
            let (a, b) = (edge(k), edge(k + 1));
            s.values.iter().enumerate().map(move |(i, &p)| {
                let x = (p / peak).clamp(0.0, 1.0).sqrt();
                let v = grid[i];
                Rectangle::new([(a, v - 0.5 * h), (b, v + 0.5 * h)], heat(x).filled())
            })
        }))
        .map_err(err)?;
    // The colour bar, level with the heat map; its ticks are round values of p.
    let (_, rows) = chart.plotting_area().get_pixel_range();
    let (top, bottom) = (rows.start, rows.end - 1);
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
    area.present().map_err(err)?;
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
        let axis = draw_density(
            BitMapBackend::with_buffer(&mut buffer, (w as u32, h as u32)).into_drawing_area(),
            &trace,
            &grid,
        )
        .unwrap();
        assert_eq!(axis, (0.0, 5.0));
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
}
