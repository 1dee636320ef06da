//! The legend of the sweep plot: its entries ([`LegendEntry`]), their layout in rows
//! ([`LegendLayout`]) and drawing them into the strip below the chart.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::marker;
use super::theory::hatch;
use super::{Class, err};

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

/// Legend entries laid out in rows: each row's entries (index, x offset) and its width.
#[derive(Debug, Default)]
pub(super) struct LegendLayout {
    rows: Vec<(Vec<(usize, i32)>, i32)>,
}

const LEGEND_ROW: i32 = 26;
const LEGEND_PAD: i32 = 6;
const SWATCH: i32 = 26;
const SWATCH_GAP: i32 = 8;
const ENTRY_GAP: i32 = 30;

fn legend_font() -> FontDesc<'static> {
    ("sans-serif", 16).into_font()
}

impl LegendLayout {
    /// Lays the entries out in rows no wider than `width` pixels.
    pub(super) fn new(entries: &[LegendEntry], width: i32) -> LegendLayout {
        let font = legend_font();
        let mut layout = LegendLayout::default();
        let mut row = Vec::new();
        let mut x = 0;
        for (i, entry) in entries.iter().enumerate() {
            let text = font
                .box_size(&entry.label)
                .map_or(9 * entry.label.len() as i32, |(w, _)| w as i32);
            let w = SWATCH + SWATCH_GAP + text;
            if !row.is_empty() && x + w > width {
                layout.rows.push((std::mem::take(&mut row), x - ENTRY_GAP));
                x = 0;
            }
            row.push((i, x));
            x += w + ENTRY_GAP;
        }
        if !row.is_empty() {
            layout.rows.push((row, x - ENTRY_GAP));
        }
        layout
    }

    /// Height of the strip the legend needs (nothing without entries).
    pub(super) fn height(&self) -> u32 {
        if self.rows.is_empty() {
            0
        } else {
            (self.rows.len() as i32 * LEGEND_ROW + 2 * LEGEND_PAD) as u32
        }
    }
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
