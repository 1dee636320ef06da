//! The legend of a panel: an entry for each thing the panel draws, laid out in rows as
//! the `nlif` plots lay theirs out, drawn in a strip below the panel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Panel, drawable, err, hline_style, series_style, shade_style};

pub(super) use nlif_experiment::plot::legend::LegendLayout;
use nlif_experiment::plot::legend::LegendStyle;

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

/// One legend entry.
#[derive(Clone, Debug)]
pub(super) struct LegendEntry {
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
pub(super) fn legend_layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LegendLayout::new(entries.iter().map(|e| e.label.as_str()), &LEGEND, width)
}

/// Where a legend row sits under the plotting area.
#[derive(Clone, Copy, Debug)]
pub(super) enum Align {
    Left,
    Center,
    Right,
}

/// Draws the legend into its strip, each row aligned within the pixel span `span`.
pub(super) fn draw_legend<DB: DrawingBackend>(
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
