//! Line charts for the figures: PNG and SVG, linear or log axes, shaded intervals, each
//! panel's legend in a strip below it.

mod chart;
mod legend;

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use chart::chart;
use legend::{Align, LegendEntry, LegendLayout, draw_legend, legend_entries, legend_layout};

/// One curve.
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) color: RGBColor,
    pub(crate) style: Style,
}

/// How a curve is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Line,
    Thin,
    Dashed,
    Steps,
}

/// One chart.
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) x_log: bool,
    pub(crate) y_log: bool,
    pub(crate) series: Vec<Series>,
    /// Shaded x-intervals (micro phases) with their legend label.
    pub(crate) shade: Vec<(f64, f64)>,
    pub(crate) shade_label: String,
    /// Markers along the top (multiple firing events).
    pub(crate) events: Vec<f64>,
    /// Horizontal reference lines.
    pub(crate) hlines: Vec<(f64, String)>,
    /// Explicit y range, if the data's is not wanted.
    pub(crate) y_range: Option<(f64, f64)>,
    /// Where the legend goes: it is drawn below the panel, outside the data, aligned to
    /// this position's side (left, middle or right).
    pub(crate) legend: SeriesLabelPosition,
}

impl Panel {
    pub(crate) fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Panel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_log: false,
            y_log: false,
            series: Vec::new(),
            shade: Vec::new(),
            shade_label: "micro phase".into(),
            events: Vec::new(),
            hlines: Vec::new(),
            y_range: None,
            legend: SeriesLabelPosition::UpperRight,
        }
    }

    pub(crate) fn line(
        mut self,
        label: &str,
        points: Vec<(f64, f64)>,
        color: RGBColor,
        style: Style,
    ) -> Self {
        self.series.push(Series {
            label: label.into(),
            points,
            color,
            style,
        });
        self
    }
}

pub(crate) const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("drawing: {e}")
}

/// A plotting area's pixels: columns and rows.
type PixelRect = (Range<i32>, Range<i32>);

/// Size of one panel, without the legend strip below it.
const PANEL: (u32, u32) = (700, 520);

/// Writes `stem.png` and `stem.svg` with the panels side by side, each legend in a strip
/// below its panel.
pub(crate) fn save(stem: &Path, panels: &[Panel]) -> Result<(), String> {
    // The embedded font of the `nlif` plots.
    nlif_experiment::plot::font();
    let legends = legends(panels);
    let size = figure_size(panels.len(), &legends);
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    draw_all(
        BitMapBackend::new(&png, size).into_drawing_area(),
        panels,
        &legends,
        false,
    )?;
    draw_all(
        SVGBackend::new(&svg, size).into_drawing_area(),
        panels,
        &legends,
        true,
    )?;
    Ok(())
}

/// Each panel's legend entries and their layout.
fn legends(panels: &[Panel]) -> Vec<(Vec<LegendEntry>, LegendLayout)> {
    panels
        .iter()
        .map(|p| {
            let entries = legend_entries(p);
            let layout = legend_layout(&entries, PANEL.0 as i32 - 40);
            (entries, layout)
        })
        .collect()
}

/// The figure's size: the panels side by side and the tallest legend strip below them.
fn figure_size(panels: usize, legends: &[(Vec<LegendEntry>, LegendLayout)]) -> (u32, u32) {
    let strip = legends.iter().map(|l| l.1.height()).max().unwrap_or(0);
    (PANEL.0 * panels as u32, PANEL.1 + strip)
}

/// Draws the panels; returns each one's plotting area (pixel rectangle).
fn draw_all<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    panels: &[Panel],
    legends: &[(Vec<LegendEntry>, LegendLayout)],
    joined: bool,
) -> Result<Vec<PixelRect>, String> {
    area.fill(&WHITE).map_err(err)?;
    let areas = area.split_evenly((1, panels.len()));
    let mut plots = Vec::new();
    for ((sub, panel), (entries, layout)) in areas.into_iter().zip(panels).zip(legends) {
        let (chart_area, strip) = sub.split_vertically(PANEL.1);
        let plot = draw_panel(chart_area, panel, joined)?;
        let align = match panel.legend {
            SeriesLabelPosition::UpperLeft
            | SeriesLabelPosition::MiddleLeft
            | SeriesLabelPosition::LowerLeft => Align::Left,
            SeriesLabelPosition::UpperRight
            | SeriesLabelPosition::MiddleRight
            | SeriesLabelPosition::LowerRight => Align::Right,
            _ => Align::Center,
        };
        draw_legend(&strip, entries, layout, (plot.0.start, plot.0.end), align)?;
        plots.push(plot);
    }
    area.present().map_err(err)?;
    Ok(plots)
}

fn bounds(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let positive = |v: f64, log: bool| !log || v > 0.0;
    let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
    let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
    for s in &panel.series {
        for &(x, y) in &s.points {
            if x.is_finite() && positive(x, panel.x_log) {
                xs = (xs.0.min(x), xs.1.max(x));
            }
            if y.is_finite() && positive(y, panel.y_log) {
                ys = (ys.0.min(y), ys.1.max(y));
            }
        }
    }
    for (y, _) in &panel.hlines {
        ys = (ys.0.min(*y), ys.1.max(*y));
    }
    if let Some(r) = panel.y_range {
        ys = r;
    } else if panel.y_log {
        ys = (ys.0 / 1.5, ys.1 * 2.5);
    } else {
        let pad = 0.08 * (ys.1 - ys.0).max(1e-12);
        ys = (ys.0 - pad, ys.1 + 2.0 * pad);
    }
    if panel.x_log {
        xs = (xs.0 / 1.3, xs.1 * 1.3);
    }
    (xs, ys)
}

fn draw_panel<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    panel: &Panel,
    joined: bool,
) -> Result<PixelRect, String> {
    let ((x0, x1), (y0, y1)) = bounds(panel);
    match (panel.x_log, panel.y_log) {
        (false, false) => chart(area, panel, x0..x1, y0..y1, joined),
        (false, true) => chart(area, panel, x0..x1, (y0..y1).log_scale(), joined),
        (true, false) => chart(area, panel, (x0..x1).log_scale(), y0..y1, joined),
        (true, true) => chart(
            area,
            panel,
            (x0..x1).log_scale(),
            (y0..y1).log_scale(),
            joined,
        ),
    }
}

/// The stroke of a series.
fn series_style(s: &Series) -> (ShapeStyle, Option<(i32, i32)>) {
    match s.style {
        Style::Line => (s.color.stroke_width(2), None),
        Style::Thin | Style::Steps => (s.color.stroke_width(1), None),
        Style::Dashed => (s.color.stroke_width(2), Some((8, 5))),
    }
}

fn hline_style() -> ShapeStyle {
    BLACK.mix(0.6).stroke_width(1)
}

fn shade_style() -> ShapeStyle {
    RGBColor(255, 170, 60).mix(0.25).filled()
}

/// Whether a point can be drawn on the panel's axes.
fn drawable(panel: &Panel, (a, b): (f64, f64)) -> bool {
    a.is_finite() && b.is_finite() && (!panel.y_log || b > 0.0) && (!panel.x_log || a > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spiky series: bursts up to near the top of the axis and far above it, silences
    /// (zero and tiny values) far below it.
    fn spiky() -> Vec<(f64, f64)> {
        (1..=3000)
            .map(|k| {
                let y = match k % 40 {
                    0 if k % 80 == 0 => 1e6,
                    0 => 5e2,
                    1 => 0.0,
                    2 => 1e-9,
                    r => 0.05 * f64::from(r),
                };
                (f64::from(k) * 1e-3, y)
            })
            .collect()
    }

    #[test]
    fn lines_stay_inside_the_axes() {
        // The embedded font of the `nlif` plots.
        nlif_experiment::plot::font();
        let blue = RGBColor(0, 0, 255);
        let mut panel = Panel::new("test", "t", "N")
            .line("solid", spiky(), blue, Style::Line)
            .line("dashed", spiky(), blue, Style::Dashed)
            .line("steps", spiky(), blue, Style::Steps);
        panel.y_log = true;
        panel.y_range = Some((1e-3, 1e3));
        let panels = [panel];
        let legends = legends(&panels);
        let (w, h) = figure_size(1, &legends);
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        let plots = draw_all(
            BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area(),
            &panels,
            &legends,
            false,
        )
        .unwrap();
        let plot = &plots[0];
        let (mut inside, mut outside) = (0, 0);
        // Above the legend strip (whose swatches are blue too).
        for y in 0..PANEL.1 as i32 {
            for x in 0..w as i32 {
                let i = 3 * (y as usize * w as usize + x as usize);
                let (r, g, b) = (buffer[i], buffer[i + 1], buffer[i + 2]);
                if b > 150 && r < 110 && g < 110 {
                    if plot.0.contains(&x) && plot.1.contains(&y) {
                        inside += 1;
                    } else {
                        outside += 1;
                    }
                }
            }
        }
        assert!(inside > 1000, "the lines are drawn ({inside} pixels)");
        assert_eq!(outside, 0, "pixels of the lines outside the axes");
    }
}
