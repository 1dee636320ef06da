//! The sweep plot over one varied parameter: the mean rate and the number of multiple
//! firing events in two panels over the theory bands.

use crate::plot::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::plot::clip::{Axis, clip_polyline};

use super::axes::{marker, rate_decades, rate_tick};
use super::theory::{count_tint, hatch};
use super::{Class, Figure, PlotPoint, err};

/// A run of the parameter axis with one number of stationary states: from, to, count.
type CountBand = (f64, f64, usize);

impl Figure<'_> {
    /// The theory bands along x (one parameter): runs of equal count, runs of guaranteed
    /// blow-up.
    fn bands(&self) -> (Vec<CountBand>, Vec<(f64, f64)>) {
        let e = &self.theory.x_edges;
        let mut counts: Vec<CountBand> = Vec::new();
        let mut blowups: Vec<(f64, f64)> = Vec::new();
        if let Some(s) = &self.theory.stationary {
            for (k, c) in s.iter().enumerate() {
                let Some(c) = *c else { continue };
                match counts.last_mut() {
                    Some(last) if last.2 == c && last.1 == e[k] => last.1 = e[k + 1],
                    _ => counts.push((e[k], e[k + 1], c)),
                }
            }
        }
        if let Some(b) = &self.theory.blowup {
            for (k, b) in b.iter().enumerate() {
                if *b != Some(true) {
                    continue;
                }
                match blowups.last_mut() {
                    Some(last) if last.1 == e[k] => last.1 = e[k + 1],
                    _ => blowups.push((e[k], e[k + 1])),
                }
            }
        }
        (counts, blowups)
    }

    /// One parameter: the mean rate and the number of MFEs in two panels; returns the
    /// plotting area's columns (for the legend).
    pub(super) fn draw_panels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(i32, i32)> {
        let area = area
            .margin(10, 0, 0, 0)
            .titled(self.title, ("sans-serif", 24))
            .map_err(err)?;
        let height = area.dim_in_pixel().1;
        let (top, bottom) = area.split_vertically((f64::from(height) * 0.58) as u32);
        let x = &self.x;
        let (bands, blowups) = self.bands();
        let order = {
            let mut order: Vec<usize> = (0..self.points.len()).collect();
            order.sort_by(|&a, &b| x.pos[a].total_cmp(&x.pos[b]));
            order
        };
        let x_labels = if x.categorical {
            (x.values.len() + 1).clamp(2, 12)
        } else {
            10
        };
        let tick = |v: &f64| x.tick(*v);

        // The mean rate.
        let (lo, hi) = rate_decades(self.points);
        // A hair beyond the decades, so plotters' log ticks include both ends.
        let (floor, ceiling) = (10f64.powi(lo) * (1.0 - 1e-9), 10f64.powi(hi) * (1.0 + 1e-9));
        let mut chart = ChartBuilder::on(&top)
            .margin_left(15)
            .margin_right(25)
            .margin_top(5)
            .x_label_area_size(8)
            .y_label_area_size(80)
            .build_cartesian_2d(x.lo..x.hi, (floor..ceiling).log_scale())
            .map_err(err)?;
        self.draw_bands(&chart, &bands, &blowups, floor, ceiling)?;
        // Over one or two decades, 2 and 5 times each decade are labelled too.
        let few = hi - lo <= 2;
        let plain = few && lo >= -4 && hi <= 4;
        chart
            .configure_mesh()
            .x_labels(x_labels)
            .x_label_formatter(&|_| String::new())
            .y_labels(if few {
                10 * (hi - lo) as usize
            } else {
                ((hi - lo) as usize + 1).min(12)
            })
            .y_label_formatter(&|v| rate_tick(*v, few, plain))
            .y_desc("mean rate")
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(err)?;
        // A point without a (positive) rate sits just inside the bottom of the scale, a
        // blow-up without one just inside the top.
        let inset = 10f64.powf(0.025 * f64::from(hi - lo));
        let rate_at = |p: &PlotPoint| match p.mean_rate {
            Some(r) if r.is_finite() && r > 0.0 => r,
            _ if p.class == Class::BlowUp => ceiling / inset,
            _ => floor * inset,
        };
        let line: Vec<(f64, f64)> = order
            .iter()
            .map(|&i| (x.pos[i], self.points[i].mean_rate.unwrap_or(f64::NAN)))
            .collect();
        self.draw_line(&chart, &line, true, floor, ceiling)?;
        let markers: Vec<(f64, f64, Class)> = order
            .iter()
            .map(|&i| (x.pos[i], rate_at(&self.points[i]), self.points[i].class))
            .collect();
        self.draw_markers(&chart, &markers)?;

        // The number of MFEs.
        let most = self.points.iter().map(|p| p.mfes).max().unwrap_or(0);
        let m_top = (most as f64 * 1.1).max(most as f64 + 1.0);
        let mut chart = ChartBuilder::on(&bottom)
            .margin_left(15)
            .margin_right(25)
            .margin_top(10)
            .margin_bottom(5)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x.lo..x.hi, -0.04 * m_top..m_top)
            .map_err(err)?;
        self.draw_bands(&chart, &bands, &blowups, -0.04 * m_top, m_top)?;
        chart
            .configure_mesh()
            .x_labels(x_labels)
            .x_label_formatter(&tick)
            .y_labels((most + 2).clamp(2, 6))
            .y_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-9 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .x_desc(x.label.as_str())
            .y_desc("MFEs")
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .draw()
            .map_err(err)?;
        let line: Vec<(f64, f64)> = order
            .iter()
            .map(|&i| {
                let p = &self.points[i];
                let mfes = if p.class == Class::Error {
                    f64::NAN
                } else {
                    p.mfes as f64
                };
                (x.pos[i], mfes)
            })
            .collect();
        self.draw_line(&chart, &line, false, -0.04 * m_top, m_top)?;
        let markers: Vec<(f64, f64, Class)> = order
            .iter()
            .map(|&i| (x.pos[i], self.points[i].mfes as f64, self.points[i].class))
            .collect();
        self.draw_markers(&chart, &markers)?;
        let cols = chart.plotting_area().get_pixel_range().0;
        Ok((cols.start, cols.end))
    }

    /// The theory bands of one panel, from `y0` to `y1`.
    fn draw_bands<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        bands: &[CountBand],
        blowups: &[(f64, f64)],
        y0: f64,
        y1: f64,
    ) -> Result<()> {
        let area = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let px = |x: f64, y: f64| {
            let (a, b) = chart.backend_coord(&(x.clamp(self.x.lo, self.x.hi), y));
            (a - base.0, b - base.1)
        };
        for &(a, b, count) in bands {
            area.draw(&Rectangle::new(
                [px(a, y1), px(b, y0)],
                count_tint(count).filled(),
            ))
            .map_err(err)?;
        }
        for &(a, b) in blowups {
            hatch(&area, px(a, y1), px(b, y0))?;
        }
        Ok(())
    }

    /// A thin line through the points, clipped to the axes.
    fn draw_line<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        line: &[(f64, f64)],
        log: bool,
        y0: f64,
        y1: f64,
    ) -> Result<()> {
        let (cols, rows) = chart.plotting_area().get_pixel_range();
        let ax = Axis::new(self.x.lo, self.x.hi, false, cols.end - cols.start);
        let ay = Axis::new(y0, y1, log, rows.end - rows.start);
        let area = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let style = RGBColor(90, 90, 90).stroke_width(1);
        for piece in clip_polyline(line, ax, ay) {
            let path: Vec<(i32, i32)> = piece
                .iter()
                .map(|p| {
                    let (a, b) = chart.backend_coord(p);
                    (a - base.0, b - base.1)
                })
                .collect();
            area.draw(&PathElement::new(path, style)).map_err(err)?;
        }
        Ok(())
    }

    /// The class markers of one panel.
    fn draw_markers<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        markers: &[(f64, f64, Class)],
    ) -> Result<()> {
        let area = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let cols = chart.plotting_area().get_pixel_range().0;
        // Smaller markers when the points crowd.
        let room = f64::from(cols.end - cols.start) / self.x.values.len().max(1) as f64;
        let r = (room * 0.3).clamp(3.0, 7.0) as i32;
        for &(x, y, class) in markers {
            let (a, b) = chart.backend_coord(&(x, y));
            marker(&area, class, (a - base.0, b - base.1), r, false)?;
        }
        Ok(())
    }
}
