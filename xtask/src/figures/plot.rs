//! Line charts for the figures: PNG and SVG, linear or log axes, shaded intervals.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

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
    /// Where the legend goes.
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

/// Writes `stem.png` and `stem.svg` with the panels side by side.
pub(crate) fn save(stem: &Path, panels: &[Panel]) -> Result<(), String> {
    REGISTER.call_once(|| {
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
    let width = 700 * panels.len() as u32;
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    draw_all(
        BitMapBackend::new(&png, (width, 520)).into_drawing_area(),
        panels,
    )?;
    draw_all(
        SVGBackend::new(&svg, (width, 520)).into_drawing_area(),
        panels,
    )?;
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    panels: &[Panel],
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let areas = area.split_evenly((1, panels.len()));
    for (sub, panel) in areas.into_iter().zip(panels) {
        draw_panel(sub, panel)?;
    }
    area.present().map_err(err)
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
) -> Result<(), String> {
    let ((x0, x1), (y0, y1)) = bounds(panel);
    match (panel.x_log, panel.y_log) {
        (false, false) => chart(area, panel, x0..x1, y0..y1),
        (false, true) => chart(area, panel, x0..x1, (y0..y1).log_scale()),
        (true, false) => chart(area, panel, (x0..x1).log_scale(), y0..y1),
        (true, true) => chart(area, panel, (x0..x1).log_scale(), (y0..y1).log_scale()),
    }
}

fn chart<DB, X, Y>(area: DrawingArea<DB, Shift>, panel: &Panel, x: X, y: Y) -> Result<(), String>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let ((_, _), (y0, y1)) = bounds(panel);
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
    if !panel.shade.is_empty() {
        let shade = RGBColor(255, 170, 60).mix(0.25).filled();
        chart
            .draw_series(
                panel
                    .shade
                    .iter()
                    .map(|&(a, b)| Rectangle::new([(a, y0), (b, y1)], shade)),
            )
            .map_err(err)?
            .label(panel.shade_label.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], shade));
    }
    for (value, label) in &panel.hlines {
        let style = BLACK.mix(0.6).stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                [(f64_min(panel), *value), (f64_max(panel), *value)],
                6,
                4,
                style,
            ))
            .map_err(err)?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    }
    for s in &panel.series {
        let color = s.color;
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|&(a, b)| {
                a.is_finite()
                    && b.is_finite()
                    && (!panel.y_log || b > 0.0)
                    && (!panel.x_log || a > 0.0)
            })
            .collect();
        let drawn = match s.style {
            Style::Line => chart.draw_series(LineSeries::new(pts, color.stroke_width(2))),
            Style::Thin => chart.draw_series(LineSeries::new(pts, color.stroke_width(1))),
            Style::Dashed => {
                chart.draw_series(DashedLineSeries::new(pts, 8, 5, color.stroke_width(2)))
            }
            Style::Steps => {
                let mut steps = Vec::with_capacity(2 * pts.len());
                for w in pts.windows(2) {
                    steps.push(w[0]);
                    steps.push((w[1].0, w[0].1));
                }
                chart.draw_series(LineSeries::new(steps, color.stroke_width(1)))
            }
        }
        .map_err(err)?;
        drawn.label(s.label.as_str()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
        });
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
                    .map(|&t| TriangleMarker::new((t, top), 5, RED.filled())),
            )
            .map_err(err)?
            .label("multiple firing event")
            .legend(|(x, y)| TriangleMarker::new((x + 9, y), 5, RED.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .position(panel.legend.clone())
        .draw()
        .map_err(err)?;
    Ok(())
}

fn f64_min(panel: &Panel) -> f64 {
    bounds(panel).0.0
}

fn f64_max(panel: &Panel) -> f64 {
    bounds(panel).0.1
}
