//! Drawing one panel: axes, shaded intervals, lines clipped to the axes and stroked
//! pixel by pixel, event markers.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::{
    Panel, PixelRect, Style, bounds, drawable, err, hline_style, series_style, shade_style,
};

use nlif_experiment::plot::clip::{Axis, clip_polyline};

/// Draws `panel` on `area` over the axes `x`, `y` (linear or log); returns the plotting
/// area in pixels. `joined` strokes each line as one path (SVG), else segment by segment.
pub(super) fn chart<DB, X, Y>(
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

#[cfg(test)]
mod tests {
    use super::*;

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
