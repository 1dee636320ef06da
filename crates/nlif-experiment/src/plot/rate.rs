//! `rate.png` and `rate.svg`: the firing rate over time, with a line per population
//! beside the network's for a network of several.

use std::path::Path;

use super::Result;
use multiscale::Trace;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::clip::{Axis, clip_polyline};
use super::legend::{self, LegendLayout, LegendStyle};
use super::{PixelRect, err, font};
use crate::config::Config;

/// The colour of the micro-phase shading.
fn micro_shade() -> ShapeStyle {
    RGBColor(255, 170, 60).mix(0.25).filled()
}

/// The colours of the populations' lines, in turn (none blue like the network's line or
/// red like the event markers).
const POPULATION_COLOURS: [RGBColor; 6] = [
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

/// One line of the rate plot: its label, its style and its points `(t, rate)`.
struct Line {
    label: String,
    style: ShapeStyle,
    points: Vec<(f64, f64)>,
}

/// The lines of the rate plot, in drawing order: each population's (a network of
/// several), then the network's (on top).
fn lines(trace: &Trace) -> Vec<Line> {
    let times = || trace.samples.iter().map(|s| s.t);
    let mut lines: Vec<Line> = trace
        .populations
        .iter()
        .enumerate()
        .map(|(alpha, name)| Line {
            label: format!("population {name}"),
            style: POPULATION_COLOURS[alpha % POPULATION_COLOURS.len()].stroke_width(2),
            points: times().zip(trace.population_rates(alpha)).collect(),
        })
        .collect();
    lines.push(Line {
        label: if trace.populations.is_empty() {
            "rate".into()
        } else {
            "network".into()
        },
        style: BLUE.stroke_width(2),
        points: trace.samples.iter().map(|s| (s.t, s.rate)).collect(),
    });
    lines
}

/// `rate.png` and `rate.svg`: the firing rate over time (log scale), micro phases
/// shaded, multiple firing events marked; for a network of several populations, each
/// population's rate beside the network's, the legend naming them.
pub fn rate(dir: &Path, config: &Config, trace: &Trace) -> Result<()> {
    font();
    let kind = config.solver.kind.as_str();
    let title = if trace.populations.is_empty() {
        format!(
            "{} — {kind}, b = {}, seed {}",
            config.name, config.model.b, config.seed
        )
    } else {
        format!(
            "{} — {kind}, populations {}, seed {}",
            config.name,
            trace.populations.join(", "),
            config.seed
        )
    };
    let legend = rate_legend(trace);
    let strip = legend_layout(&legend, RATE_SIZE.0 as i32 - 40);
    let size = (RATE_SIZE.0, RATE_SIZE.1 + strip.height());
    let png = dir.join("rate.png");
    let svg = dir.join("rate.svg");
    let draw = |joined| RatePlot {
        title: &title,
        t_end: config.t_end,
        trace,
        legend: &legend,
        strip: &strip,
        joined,
    };
    draw(false).draw(BitMapBackend::new(&png, size).into_drawing_area())?;
    draw(true).draw(SVGBackend::new(&svg, size).into_drawing_area())?;
    Ok(())
}

/// Size of the rate chart, without the legend strip below it.
const RATE_SIZE: (u32, u32) = (1200, 600);

/// One rate figure.
struct RatePlot<'a> {
    title: &'a str,
    t_end: f64,
    trace: &'a Trace,
    legend: &'a [LegendEntry],
    strip: &'a LegendLayout,
    /// Draw each line as one path (SVG) rather than segment by segment (bitmap).
    joined: bool,
}

impl RatePlot<'_> {
    /// Draws the figure; returns the plotting area's pixel rectangle.
    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<PixelRect> {
        area.fill(&WHITE).map_err(err)?;
        let (chart_area, strip_area) = area.split_vertically(RATE_SIZE.1);
        let trace = self.trace;
        let t_end = trace.samples.last().map_or(self.t_end, |s| s.t).max(1e-9);
        let floor = 1e-3;
        let lines = lines(trace);
        let top = lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .filter(|r| r.is_finite())
            .fold(1.0f64, f64::max)
            * 2.0;
        let mut chart = ChartBuilder::on(&chart_area)
            .caption(self.title, ("sans-serif", 24))
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
        let plot = chart.plotting_area().get_pixel_range();
        // Micro phases, kept inside the time axis.
        let phases = trace.micro_phases();
        let shade = micro_shade();
        chart
            .draw_series(phases.iter().filter_map(|&(a, b)| {
                let (a, b) = (a.max(0.0), b.min(t_end));
                (b > a).then(|| Rectangle::new([(a, floor), (b, top)], shade))
            }))
            .map_err(err)?;
        // The rates, clipped to the axes (a zero rate has no place on a log axis).
        let x = Axis::new(0.0, t_end, false, plot.0.end - plot.0.start);
        let y = Axis::new(floor, top, true, plot.1.end - plot.1.start);
        let pixels = chart.plotting_area().strip_coord_spec();
        let base = chart.plotting_area().get_base_pixel();
        let spec = chart.as_coord_spec();
        for line in &lines {
            for piece in clip_polyline(&line.points, x, y) {
                let path: Vec<(i32, i32)> = piece
                    .iter()
                    .map(|p| {
                        let (px, py) = spec.translate(p);
                        (px - base.0, py - base.1)
                    })
                    .collect();
                stroke(&pixels, &path, line.style, self.joined)?;
            }
        }
        let marker = top / 1.6;
        chart
            .draw_series(
                trace
                    .mfes
                    .iter()
                    .filter(|m| (0.0..=t_end).contains(&m.t))
                    .map(|m| TriangleMarker::new((m.t, marker), 6, RED.filled())),
            )
            .map_err(err)?;
        // The legend, below the chart, centred under the plotting area.
        let span = (plot.0.start, plot.0.end);
        draw_legend(&strip_area, self.legend, self.strip, span)?;
        area.present().map_err(err)?;
        Ok(plot)
    }
}

/// The legend of the rate plot: only what the run has.
fn rate_legend(trace: &Trace) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    if !trace.micro_phases().is_empty() {
        entries.push(LegendEntry {
            label: "micro phase".into(),
            swatch: Swatch::Shade(micro_shade()),
        });
    }
    // The network's line first (it is drawn last, on top), then the populations'.
    let mut lines = lines(trace);
    lines.rotate_right(1);
    for line in lines {
        if line.points.iter().any(|p| p.1 > 0.0) {
            entries.push(LegendEntry {
                label: line.label,
                swatch: Swatch::Line(line.style),
            });
        }
    }
    if !trace.mfes.is_empty() {
        entries.push(LegendEntry {
            label: "multiple firing event".into(),
            swatch: Swatch::Marker(RED.filled()),
        });
    }
    entries
}

/// Strokes a pixel path. plotters turns a thick path into one polygon whose inner mitre at
/// a sharp spike reaches far past the spike (through the axes, out of the chart), so on a
/// bitmap each segment is drawn on its own; an SVG renderer limits its mitres, so there
/// the path stays whole.
fn stroke<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    path: &[(i32, i32)],
    style: ShapeStyle,
    joined: bool,
) -> Result<()> {
    if joined {
        return area
            .draw(&PathElement::new(path.to_vec(), style))
            .map_err(err);
    }
    for w in path.windows(2) {
        if w[0] != w[1] {
            area.draw(&PathElement::new(vec![w[0], w[1]], style))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// What a legend entry shows next to its label.
#[derive(Clone, Copy, Debug)]
enum Swatch {
    Line(ShapeStyle),
    Shade(ShapeStyle),
    Marker(ShapeStyle),
}

/// One legend entry of the rate plot.
type LegendEntry = legend::LegendEntry<Swatch>;

/// The sizes of the rate plot's legend.
const LEGEND: LegendStyle = LegendStyle {
    row: 24,
    pad: 6,
    swatch: 26,
    swatch_gap: 8,
    entry_gap: 30,
    font_size: 16,
    char_width: 9,
};
const SWATCH: i32 = LEGEND.swatch;

/// Lays the entries out in rows no wider than `width` pixels.
fn legend_layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LEGEND.layout(entries, width)
}

/// Draws the legend into its strip, each row centred in the pixel span `span`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    layout: &LegendLayout,
    span: (i32, i32),
) -> Result<()> {
    let swatch = |swatch: &Swatch, x: i32, y: i32| {
        match *swatch {
            Swatch::Line(style) => {
                area.draw(&PathElement::new(vec![(x, y), (x + SWATCH, y)], style))
            }
            Swatch::Shade(style) => {
                area.draw(&Rectangle::new([(x, y - 7), (x + SWATCH, y + 7)], style))
            }
            Swatch::Marker(style) => area.draw(&TriangleMarker::new((x + SWATCH / 2, y), 6, style)),
        }
        .map_err(err)
    };
    LEGEND.draw(area, entries, layout, span, swatch, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use multiscale::{Mode, Sample};
    use nlif_micro::Mfe;

    /// A spiky trace: bursts far above the rest, silences (zero and tiny rates) far below
    /// the floor, micro phases, one non-finite sample.
    fn spiky(micro: bool, mfes: bool) -> Trace {
        let mut trace = Trace::default();
        for k in 1..=3000 {
            let rate = match k % 40 {
                0 => 5e3,
                1 => 0.0,
                2 => 1e-9,
                3 => 1e-30,
                _ if k == 1234 => f64::NAN,
                r => 0.05 * f64::from(r),
            };
            let mode = if micro && k > 1000 {
                Mode::Micro
            } else {
                Mode::Macro
            };
            trace.samples.push(Sample {
                t: f64::from(k) * 1e-3,
                rate,
                mode,
            });
        }
        if mfes {
            trace.mfes.push(Mfe {
                t: 1.2,
                fired: 10,
                fraction: 0.5,
                rounds: 1,
            });
        }
        trace
    }

    fn labels(entries: &[LegendEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.label.as_str()).collect()
    }

    #[test]
    fn the_rate_line_stays_inside_the_axes() {
        font();
        let trace = spiky(true, true);
        let legend = rate_legend(&trace);
        let strip = legend_layout(&legend, 1160);
        let (w, h) = (RATE_SIZE.0, RATE_SIZE.1 + strip.height());
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        let plot = RatePlot {
            title: "test",
            t_end: 3.0,
            trace: &trace,
            legend: &legend,
            strip: &strip,
            joined: false,
        }
        .draw(BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area())
        .unwrap();
        // The rate's blue, anywhere in the chart (above the legend strip) outside the
        // plotting area.
        let mut outside = 0;
        let mut inside = 0;
        for y in 0..RATE_SIZE.1 as i32 {
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
        assert!(inside > 1000, "the line is drawn ({inside} pixels)");
        assert_eq!(outside, 0, "pixels of the line outside the axes");
    }

    #[test]
    fn the_legend_lists_only_what_the_run_has() {
        let quiet = spiky(false, false);
        assert_eq!(labels(&rate_legend(&quiet)), ["rate"]);
        let busy = spiky(true, true);
        assert_eq!(
            labels(&rate_legend(&busy)),
            ["micro phase", "rate", "multiple firing event"]
        );
        assert!(rate_legend(&Trace::default()).is_empty());
    }

    /// Two populations, E at 2 and I at 8 (the network at 0.8 · 2 + 0.2 · 8), over 100
    /// samples.
    fn two_populations() -> Trace {
        let mut trace = Trace {
            populations: vec!["E".into(), "I".into()],
            ..Trace::default()
        };
        for k in 1..=100 {
            trace.samples.push(Sample {
                t: f64::from(k) * 1e-2,
                rate: 0.8 * 2.0 + 0.2 * 8.0,
                mode: Mode::Macro,
            });
            trace.population_rates.extend([2.0, 8.0]);
        }
        trace
    }

    // Oracle: the labels and colours the plot is documented to use, and the rates put in.
    #[test]
    fn a_network_gets_a_line_per_population_and_a_legend_naming_them() {
        let trace = two_populations();
        assert_eq!(
            labels(&rate_legend(&trace)),
            ["network", "population E", "population I"]
        );
        let drawn = lines(&trace);
        assert_eq!(drawn.len(), 3);
        assert_eq!(drawn[1].points[4], (0.05, 8.0));
        assert_eq!(drawn[2].points[4], (0.05, 3.2));
        font();
        let legend = rate_legend(&trace);
        let strip = legend_layout(&legend, 1160);
        let (w, h) = (RATE_SIZE.0, RATE_SIZE.1 + strip.height());
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        let plot = RatePlot {
            title: "test",
            t_end: 1.0,
            trace: &trace,
            legend: &legend,
            strip: &strip,
            joined: false,
        }
        .draw(BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area())
        .unwrap();
        // Each line's colour, inside the plotting area: three horizontal lines.
        let count = |colour: RGBColor| {
            let mut n = 0;
            for y in plot.1.clone() {
                for x in plot.0.clone() {
                    let i = 3 * (y as usize * w as usize + x as usize);
                    if (buffer[i], buffer[i + 1], buffer[i + 2]) == (colour.0, colour.1, colour.2) {
                        n += 1;
                    }
                }
            }
            n
        };
        for colour in [POPULATION_COLOURS[0], POPULATION_COLOURS[1], BLUE] {
            assert!(count(colour) > 1000, "{colour:?}: {}", count(colour));
        }
    }

    #[test]
    fn clipping_keeps_lines_inside_and_breaks_them_at_gaps() {
        let x = Axis::new(0.0, 10.0, false, 1000);
        let y = Axis::new(1e-3, 1e3, true, 600);
        let points = [
            (1.0, 1.0),
            (2.0, 1e9),
            (3.0, 1.0),
            (4.0, 0.0),
            (5.0, 1.0),
            (6.0, 2.0),
            (7.0, f64::NAN),
            (8.0, 1.0),
            (9.0, 3.0),
            (12.0, 3.0),
        ];
        let pieces = clip_polyline(&points, x, y);
        // Up the spike and out; back in and down to the zero; up from it to the gap; after
        // the gap to the right edge.
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        for piece in &pieces {
            for &(a, b) in piece {
                let (u, v) = (x.plotted(a), y.plotted(b));
                assert!(u >= x.lo - 1e-9 && u <= x.hi + 1e-9, "{a}");
                assert!(v >= y.lo - 1e-9 && v <= y.hi + 1e-9, "{b}");
            }
        }
        // A line to a zero rate drops straight down to the floor.
        let drop = &pieces[1];
        assert_eq!(drop[1], (3.0, 1.0));
        assert!((drop[2].0 - 3.0).abs() < 1e-3, "{drop:?}");
        assert!(pieces[3].last().unwrap().0 < 10.0);
    }
}
