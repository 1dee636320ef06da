//! The sweep plot over two varied parameters: the phase diagram over the theory overlay,
//! and its colour bar.

use crate::plot::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{AxisInfo, decade, marker, rate_decades};
use super::theory::{count_tint, hatch};
use super::{Figure, NO_RATE, PlotPoint, err};

/// Width of the colour bar's strip at the right of the phase diagram.
const BAR_STRIP: u32 = 130;

/// The colour of a value at `x` in `[0, 1]` of the colour scale (as `density.png`).
fn heat(x: f64) -> HSLColor {
    HSLColor(0.66 * (1.0 - x), 0.85, 0.15 + 0.45 * x)
}

impl Figure<'_> {
    /// Two parameters: the phase diagram and its colour bar; returns the plotting area's
    /// columns (for the legend).
    pub(super) fn draw_phase<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        y: &AxisInfo,
    ) -> Result<(i32, i32)> {
        let x = &self.x;
        let (main, bar) = area.split_horizontally(area.dim_in_pixel().0 - BAR_STRIP);
        let mut chart = ChartBuilder::on(&main)
            .caption(self.title, ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x.lo..x.hi, y.lo..y.hi)
            .map_err(err)?;
        let x_tick = |v: &f64| x.tick(*v);
        let y_tick = |v: &f64| y.tick(*v);
        let labels = |a: &AxisInfo| {
            if a.categorical {
                (a.values.len() + 1).clamp(2, 12)
            } else {
                10
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(labels(x))
            .y_labels(labels(y))
            .x_label_formatter(&x_tick)
            .y_label_formatter(&y_tick)
            .x_desc(x.label.as_str())
            .y_desc(y.label.as_str())
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .draw()
            .map_err(err)?;
        let plot = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let px = |u: f64, v: f64| {
            let (a, b) = chart.backend_coord(&(u, v));
            (a - base.0, b - base.1)
        };

        // The theory: tinted cells (runs of equal count merged along x), hatching.
        let overlay = self.theory.stationary.is_some() || self.theory.blowup.is_some();
        let (xe, ye) = (&self.theory.x_edges, &self.theory.y_edges);
        let nx = xe.len().saturating_sub(1);
        let xp: Vec<i32> = xe.iter().map(|&u| px(u, y.lo).0).collect();
        let yp: Vec<i32> = ye.iter().map(|&v| px(x.lo, v).1).collect();
        if let Some(s) = &self.theory.stationary {
            for j in 0..ye.len().saturating_sub(1) {
                let mut i = 0;
                while i < nx {
                    let c = s[j * nx + i];
                    let mut k = i + 1;
                    while k < nx && s[j * nx + k] == c {
                        k += 1;
                    }
                    if let Some(c) = c {
                        plot.draw(&Rectangle::new(
                            [(xp[i], yp[j + 1]), (xp[k], yp[j])],
                            count_tint(c).filled(),
                        ))
                        .map_err(err)?;
                    }
                    i = k;
                }
            }
        }
        if let Some(b) = &self.theory.blowup {
            for j in 0..ye.len().saturating_sub(1) {
                let mut i = 0;
                while i < nx {
                    let mut k = i;
                    while k < nx && b[j * nx + k] == Some(true) {
                        k += 1;
                    }
                    if k > i {
                        hatch(&plot, (xp[i], yp[j + 1]), (xp[k], yp[j]))?;
                        i = k;
                    } else {
                        i += 1;
                    }
                }
            }
        }

        // The points: a square per point (the whole cell without an overlay), coloured
        // by the mean rate, the class marker on top.
        let (lo, hi) = rate_decades(self.points);
        let colour = |p: &PlotPoint| -> RGBColor {
            match p.mean_rate {
                Some(r) if r.is_finite() => {
                    let t = if r > 0.0 {
                        (r.log10() - f64::from(lo)) / f64::from(hi - lo)
                    } else {
                        0.0
                    };
                    let (r, g, b) = heat(t.clamp(0.0, 1.0)).to_rgba().rgb();
                    RGBColor(r, g, b)
                }
                _ => NO_RATE,
            }
        };
        let mut cells = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            let (Some(kx), Some(ky)) = (x.number(x.pos[i]), y.number(y.pos[i])) else {
                continue;
            };
            let (x0, x1) = x.cell(kx);
            let (y0, y1) = y.cell(ky);
            let (a, b) = (px(x0, y1), px(x1, y0));
            let centre = px(x.pos[i], y.pos[i]);
            let (w, h) = (b.0 - a.0, b.1 - a.1);
            cells.push((a, b, centre, w.min(h), p));
        }
        for &(a, b, centre, side, p) in &cells {
            let rect = if overlay {
                let d = ((f64::from(side) * 0.33).round() as i32).clamp(2, 36);
                [(centre.0 - d, centre.1 - d), (centre.0 + d, centre.1 + d)]
            } else {
                [(a.0 + 1, a.1 + 1), (b.0 - 1, b.1 - 1)]
            };
            plot.draw(&Rectangle::new(rect, colour(p).filled()))
                .map_err(err)?;
            if overlay {
                plot.draw(&Rectangle::new(rect, RGBColor(90, 90, 90)))
                    .map_err(err)?;
            }
        }
        for &(_, _, centre, side, p) in &cells {
            let r = ((f64::from(side) * 0.2).round() as i32).clamp(2, 9);
            marker(&plot, p.class, centre, r, true)?;
        }

        // The colour bar, level with the diagram; ticks at whole decades.
        let rows = chart.plotting_area().get_pixel_range().1;
        let (top, bottom) = (rows.start, rows.end - 1);
        let (x0, x1) = (18, 40);
        for row in top..=bottom {
            let t = f64::from(bottom - row) / f64::from((bottom - top).max(1));
            bar.draw(&Rectangle::new(
                [(x0, row), (x1, row + 1)],
                heat(t).filled(),
            ))
            .map_err(err)?;
        }
        bar.draw(&Rectangle::new([(x0, top), (x1, bottom)], BLACK))
            .map_err(err)?;
        let label =
            TextStyle::from(("sans-serif", 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let step = ((hi - lo) as usize).div_ceil(8).max(1);
        for k in (lo..=hi).step_by(step) {
            let t = f64::from(k - lo) / f64::from(hi - lo);
            let row = bottom - (t * f64::from(bottom - top)).round() as i32;
            bar.draw(&PathElement::new(vec![(x1, row), (x1 + 5, row)], BLACK))
                .map_err(err)?;
            bar.draw(&Text::new(decade(k), (x1 + 8, row), label.clone()))
                .map_err(err)?;
        }
        let title =
            TextStyle::from(("sans-serif", 15).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
        bar.draw(&Text::new("mean rate", (x0 - 6, top - 8), title))
            .map_err(err)?;
        let cols = chart.plotting_area().get_pixel_range().0;
        Ok((cols.start, cols.end))
    }
}
