//! Line charts for the figures: PNG and SVG, linear or log axes, shaded intervals.

use std::ops::Range;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

// The clipping of the `nlif` plots, one file for both front ends.
#[path = "../../../crates/nlif-cli/src/clip.rs"]
mod clip;
use clip::{Axis, clip_polyline};
// The legend layout of the `nlif` plots, likewise.
#[path = "../../../crates/nlif-cli/src/legend.rs"]
mod legend;
use legend::{LegendLayout, LegendStyle};

const FONT: &[u8] = include_bytes!("../../../crates/nlif-cli/assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

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

fn register() {
    REGISTER.call_once(|| {
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// A plotting area's pixels: columns and rows.
type PixelRect = (Range<i32>, Range<i32>);

/// Size of one panel, without the legend strip below it.
const PANEL: (u32, u32) = (700, 520);

/// Writes `stem.png` and `stem.svg` with the panels side by side, each legend in a strip
/// below its panel.
pub(crate) fn save(stem: &Path, panels: &[Panel]) -> Result<(), String> {
    register();
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

/// The legend: an entry for each thing the panel actually draws.
fn legend_entries(panel: &Panel) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    let mut push = |label: &str, swatch| {
        if !label.is_empty() {
            entries.push(LegendEntry {
                label: label.to_owned(),
                swatch,
            });
        }
    };
    if panel.shade.iter().any(|&(a, b)| b > a) {
        push(&panel.shade_label, Swatch::Shade(shade_style()));
    }
    for (value, label) in &panel.hlines {
        if value.is_finite() && (!panel.y_log || *value > 0.0) {
            push(label, Swatch::Line(hline_style(), true));
        }
    }
    for s in &panel.series {
        if s.points.iter().any(|&p| drawable(panel, p)) {
            let (style, dash) = series_style(s);
            push(&s.label, Swatch::Line(style, dash.is_some()));
        }
    }
    if !panel.events.is_empty() {
        push("multiple firing event", Swatch::Marker(RED.filled()));
    }
    entries
}

fn chart<DB, X, Y>(
    area: DrawingArea<DB, Shift>,
    panel: &Panel,
    x: X,
    y: Y,
    joined: bool,
) -> Result<PixelRect, String>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let ((x0, x1), (y0, y1)) = bounds(panel);
    let mut chart = ChartBuilder::on(&area)
        .caption(&panel.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    let decades = |v: &f64| {
        let l = v.log10();
        if (l - l.round()).abs() < 1e-6 {
            format!("1e{}", l.round())
        } else {
            String::new()
        }
    };
    let plain = |v: &f64| {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(WHITE.mix(0.0))
        .x_label_formatter(if panel.x_log { &decades } else { &plain })
        .y_label_formatter(if panel.y_log { &decades } else { &plain })
        .draw()
        .map_err(err)?;
    let plot = chart.plotting_area().get_pixel_range();
    let (lo_x, hi_x) = (x0.min(x1), x0.max(x1));
    let shade = shade_style();
    chart
        .draw_series(panel.shade.iter().filter_map(|&(a, b)| {
            let (a, b) = (a.max(lo_x), b.min(hi_x));
            (b > a).then(|| Rectangle::new([(a, y0), (b, y1)], shade))
        }))
        .map_err(err)?;
    // Every line is clipped to the axes, in pixels relative to the plotting area.
    let xa = Axis::new(x0, x1, panel.x_log, plot.0.end - plot.0.start);
    let ya = Axis::new(y0, y1, panel.y_log, plot.1.end - plot.1.start);
    let pixels = chart.plotting_area().strip_coord_spec();
    let base = chart.plotting_area().get_base_pixel();
    let spec = chart.as_coord_spec();
    let draw_line = |points: &[(f64, f64)], style: ShapeStyle, dash: Option<(i32, i32)>| {
        for piece in clip_polyline(points, xa, ya) {
            let path: Vec<(i32, i32)> = piece
                .iter()
                .map(|p| {
                    let (px, py) = spec.translate(p);
                    (px - base.0, py - base.1)
                })
                .collect();
            stroke(&pixels, &path, style, dash, joined)?;
        }
        Ok::<(), String>(())
    };
    for (value, _) in &panel.hlines {
        draw_line(&[(x0, *value), (x1, *value)], hline_style(), Some((6, 4)))?;
    }
    for s in &panel.series {
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|&p| drawable(panel, p))
            .collect();
        let pts = if s.style == Style::Steps {
            let mut steps = Vec::with_capacity(2 * pts.len());
            for w in pts.windows(2) {
                steps.push(w[0]);
                steps.push((w[1].0, w[0].1));
            }
            steps
        } else {
            pts
        };
        let (style, dash) = series_style(s);
        draw_line(&pts, style, dash)?;
    }
    if !panel.events.is_empty() {
        let top = if panel.y_log {
            y1 / 1.6
        } else {
            y1 - 0.05 * (y1 - y0)
        };
        chart
            .draw_series(
                panel
                    .events
                    .iter()
                    .filter(|&&t| (lo_x..=hi_x).contains(&t))
                    .map(|&t| TriangleMarker::new((t, top), 5, RED.filled())),
            )
            .map_err(err)?;
    }
    Ok(plot)
}

/// Cuts a pixel path into dashes of `on` pixels with gaps of `off`.
fn dashes(path: &[(i32, i32)], (on, off): (i32, i32)) -> Vec<Vec<(i32, i32)>> {
    let (on, off) = (f64::from(on.max(1)), f64::from(off.max(0)));
    let mut out = Vec::new();
    let mut current: Vec<(i32, i32)> = path.first().copied().into_iter().collect();
    let (mut drawing, mut left) = (true, on);
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = dx.hypot(dy);
        let mut s = 0.0;
        while len - s > left {
            s += left;
            let f = s / len;
            let p = (a.0 + (f * dx).round() as i32, a.1 + (f * dy).round() as i32);
            if drawing {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            drawing = !drawing;
            left = if drawing { on } else { off };
        }
        left -= len - s;
        if drawing {
            current.push(b);
        }
    }
    if drawing && current.len() >= 2 {
        out.push(current);
    }
    out
}

/// Strokes a pixel path, dashed or not. plotters turns a thick path into one polygon whose
/// inner mitre at a sharp spike reaches far past the spike (through the axes, out of the
/// chart), so on a bitmap each segment is drawn on its own; an SVG renderer limits its
/// mitres, so there the path stays whole.
fn stroke<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    path: &[(i32, i32)],
    style: ShapeStyle,
    dash: Option<(i32, i32)>,
    joined: bool,
) -> Result<(), String> {
    let pieces = match dash {
        Some(pattern) => dashes(path, pattern),
        None => vec![path.to_vec()],
    };
    for piece in pieces {
        if joined {
            area.draw(&PathElement::new(piece, style)).map_err(err)?;
            continue;
        }
        for w in piece.windows(2) {
            if w[0] != w[1] {
                area.draw(&PathElement::new(vec![w[0], w[1]], style))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

/// What a legend entry shows next to its label.
#[derive(Clone, Copy, Debug)]
enum Swatch {
    /// A line, dashed or not.
    Line(ShapeStyle, bool),
    Shade(ShapeStyle),
    Marker(ShapeStyle),
}

/// One legend entry.
#[derive(Clone, Debug)]
struct LegendEntry {
    label: String,
    swatch: Swatch,
}

/// The sizes of a panel's legend.
const LEGEND: LegendStyle = LegendStyle {
    row: 20,
    pad: 4,
    swatch: 24,
    swatch_gap: 6,
    entry_gap: 22,
    font_size: 13,
    char_width: 8,
};
const LEGEND_ROW: i32 = LEGEND.row;
const LEGEND_PAD: i32 = LEGEND.pad;
const SWATCH: i32 = LEGEND.swatch;
const SWATCH_GAP: i32 = LEGEND.swatch_gap;

fn legend_font() -> FontDesc<'static> {
    LEGEND.font()
}

/// Lays the entries out in rows no wider than `width` pixels.
fn legend_layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LegendLayout::new(entries.iter().map(|e| e.label.as_str()), &LEGEND, width)
}

/// Where a legend row sits under the plotting area.
#[derive(Clone, Copy, Debug)]
enum Align {
    Left,
    Center,
    Right,
}

/// Draws the legend into its strip, each row aligned within the pixel span `span`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    layout: &LegendLayout,
    span: (i32, i32),
    align: Align,
) -> Result<(), String> {
    let base = area.get_base_pixel().0;
    let (s0, s1) = (span.0 - base, span.1 - base);
    let text = TextStyle::from(legend_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (r, (row, row_width)) in layout.rows.iter().enumerate() {
        let left = match align {
            Align::Left => s0,
            Align::Center => (s0 + s1 - row_width) / 2,
            Align::Right => s1 - row_width,
        }
        .max(0);
        let y = LEGEND_PAD + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        for &(i, dx) in row {
            let entry = &entries[i];
            let x = left + dx;
            match entry.swatch {
                Swatch::Line(style, false) => {
                    area.draw(&PathElement::new(vec![(x, y), (x + SWATCH, y)], style))
                }
                Swatch::Line(style, true) => area
                    .draw(&PathElement::new(vec![(x, y), (x + 9, y)], style))
                    .and_then(|()| {
                        area.draw(&PathElement::new(vec![(x + 15, y), (x + SWATCH, y)], style))
                    }),
                Swatch::Shade(style) => {
                    area.draw(&Rectangle::new([(x, y - 6), (x + SWATCH, y + 6)], style))
                }
                Swatch::Marker(style) => {
                    area.draw(&TriangleMarker::new((x + SWATCH / 2, y), 5, style))
                }
            }
            .map_err(err)?;
            area.draw(&Text::new(
                entry.label.clone(),
                (x + SWATCH + SWATCH_GAP, y),
                text.clone(),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
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

    fn labels(panel: &Panel) -> Vec<String> {
        legend_entries(panel).into_iter().map(|e| e.label).collect()
    }

    #[test]
    fn lines_stay_inside_the_axes() {
        register();
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

    #[test]
    fn the_legend_lists_only_what_the_panel_draws() {
        let mut panel = Panel::new("test", "t", "N")
            .line("rate", vec![(0.0, 1.0), (1.0, 2.0)], COLORS[0], Style::Line)
            .line("nothing", vec![], COLORS[1], Style::Line)
            .line(
                "only zeros",
                vec![(0.0, 0.0), (1.0, 0.0)],
                COLORS[2],
                Style::Thin,
            );
        panel.y_log = true;
        assert_eq!(labels(&panel), ["rate"]);
        panel.shade = vec![(0.2, 0.4)];
        panel.events = vec![0.3];
        panel.hlines = vec![(1.5, "reference".into())];
        assert_eq!(
            labels(&panel),
            ["micro phase", "reference", "rate", "multiple firing event"]
        );
    }

    #[test]
    fn dashes_alternate_along_the_path() {
        let pieces = dashes(&[(0, 0), (30, 0), (30, 30)], (8, 5));
        let lengths: Vec<i32> = pieces
            .iter()
            .map(|p| {
                p.windows(2)
                    .map(|w| (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs())
                    .sum()
            })
            .collect();
        assert_eq!(lengths, [8, 8, 8, 8, 8]);
    }
}
