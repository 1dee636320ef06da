//! The legend of a panel: an entry for each thing the panel draws, laid out in rows as
//! the `nlif` plots lay theirs out, drawn in a strip below the panel.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Panel, drawable, err, hline_style, series_style, shade_style};

pub(super) use nlif_experiment::plot::legend::{Align, LegendLayout};
use nlif_experiment::plot::legend::{LegendStyle, Rows};

/// One legend entry: a label and its swatch.
pub(super) type LegendEntry = nlif_experiment::plot::legend::LegendEntry<Swatch>;

/// The legend: an entry for each thing the panel actually draws.
pub(super) fn legend_entries(panel: &Panel) -> Vec<LegendEntry> {
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

/// What a legend entry shows next to its label.
#[derive(Clone, Copy, Debug)]
pub(super) enum Swatch {
    /// A line, dashed or not.
    Line(ShapeStyle, bool),
    Shade(ShapeStyle),
    Marker(ShapeStyle),
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
const SWATCH: i32 = LEGEND.swatch;

/// Lays the entries out in rows no wider than `width` pixels.
pub(super) fn legend_layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LEGEND.layout(entries, width)
}

/// Draws the legend into its strip, each row aligned within the pixel span `span`.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    layout: &LegendLayout,
    span: (i32, i32),
    align: Align,
) -> Result<(), String> {
    let rows = Rows {
        layout,
        span,
        align,
    };
    LEGEND.draw_rows(
        area,
        entries,
        rows,
        |swatch, x, y| {
            match *swatch {
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
            .map_err(err)
        },
        err,
    )
}

#[cfg(test)]
mod tests {
    use super::super::{COLORS, Style};
    use super::*;

    fn labels(panel: &Panel) -> Vec<String> {
        legend_entries(panel).into_iter().map(|e| e.label).collect()
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
}
