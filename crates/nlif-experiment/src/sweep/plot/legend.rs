//! The legend of the sweep plot: its entries ([`LegendEntry`]), their layout in rows
//! (the shared [`LegendLayout`]) and drawing them into the strip below the chart.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::marker;
use super::theory::hatch;
use super::{Class, err};
pub(super) use crate::plot::legend::LegendLayout;
use crate::plot::legend::LegendStyle;

/// What a legend entry shows next to its label.
#[derive(Clone, Copy, Debug)]
pub(super) enum Swatch {
    /// A class marker (`true`: as on a coloured cell).
    Marker(Class, bool),
    /// A filled box.
    Shade(RGBColor),
    /// A hatched box.
    Hatch,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) swatch: Swatch,
}

/// The sizes of the sweep plot's legend.
const LEGEND: LegendStyle = LegendStyle {
    row: 26,
    pad: 6,
    swatch: 26,
    swatch_gap: 8,
    entry_gap: 30,
    font_size: 16,
    char_width: 9,
};
const LEGEND_ROW: i32 = LEGEND.row;
const LEGEND_PAD: i32 = LEGEND.pad;
const SWATCH: i32 = LEGEND.swatch;
const SWATCH_GAP: i32 = LEGEND.swatch_gap;

fn legend_font() -> FontDesc<'static> {
    LEGEND.font()
}

/// Lays the entries out in rows no wider than `width` pixels.
pub(super) fn layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LegendLayout::new(entries.iter().map(|e| e.label.as_str()), &LEGEND, width)
}

/// Draws the legend into its strip, each row centred in the pixel span `span`.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    layout: &LegendLayout,
    span: (i32, i32),
) -> Result<()> {
    let base = area.get_base_pixel().0;
    let (s0, s1) = (span.0 - base, span.1 - base);
    let text = TextStyle::from(legend_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (r, (row, row_width)) in layout.rows.iter().enumerate() {
        let left = ((s0 + s1 - row_width) / 2).max(0);
        let y = LEGEND_PAD + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        for &(i, dx) in row {
            let entry = &entries[i];
            let x = left + dx;
            let bx = [(x, y - 8), (x + SWATCH, y + 8)];
            match entry.swatch {
                Swatch::Marker(class, on_colour) => {
                    marker(area, class, (x + SWATCH / 2, y), 7, on_colour)?;
                }
                Swatch::Shade(colour) => {
                    area.draw(&Rectangle::new(bx, colour.filled()))
                        .map_err(err)?;
                    area.draw(&Rectangle::new(bx, RGBColor(160, 160, 160)))
                        .map_err(err)?;
                }
                Swatch::Hatch => {
                    hatch(area, bx[0], bx[1])?;
                    area.draw(&Rectangle::new(bx, RGBColor(160, 160, 160)))
                        .map_err(err)?;
                }
            }
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
