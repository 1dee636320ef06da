//! Laying out a legend in rows below a chart: entries side by side, wrapped to the
//! chart's width. Shared by the plots of this crate (rate, sweep) and those of
//! `cargo xtask figures`; each draws its own swatches.

use plotters::prelude::*;

/// The sizes of a legend, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct LegendStyle {
    /// Height of a row.
    pub row: i32,
    /// Margin above and below the rows.
    pub pad: i32,
    /// Width of a swatch.
    pub swatch: i32,
    /// Gap between a swatch and its label.
    pub swatch_gap: i32,
    /// Gap between entries.
    pub entry_gap: i32,
    /// Font size of the labels.
    pub font_size: u32,
    /// Width of a character when the font cannot measure a label.
    pub char_width: i32,
}

impl LegendStyle {
    /// The labels' font.
    pub fn font(&self) -> FontDesc<'static> {
        ("sans-serif", self.font_size).into_font()
    }
}

/// Legend entries laid out in rows: each row's entries (index, x offset) and its width.
#[derive(Debug, Default)]
pub struct LegendLayout {
    /// The rows, top to bottom: each entry's index and x offset in pixels, and the row's
    /// width.
    pub rows: Vec<(Vec<(usize, i32)>, i32)>,
    row: i32,
    pad: i32,
}

impl LegendLayout {
    /// Lays out entries with these labels in rows no wider than `width` pixels.
    pub fn new<'a>(
        labels: impl Iterator<Item = &'a str>,
        style: &LegendStyle,
        width: i32,
    ) -> LegendLayout {
        let font = style.font();
        let mut layout = LegendLayout {
            rows: Vec::new(),
            row: style.row,
            pad: style.pad,
        };
        let mut row = Vec::new();
        let mut x = 0;
        for (i, label) in labels.enumerate() {
            let text = font
                .box_size(label)
                .map_or(style.char_width * label.len() as i32, |(w, _)| w as i32);
            let w = style.swatch + style.swatch_gap + text;
            if !row.is_empty() && x + w > width {
                layout
                    .rows
                    .push((std::mem::take(&mut row), x - style.entry_gap));
                x = 0;
            }
            row.push((i, x));
            x += w + style.entry_gap;
        }
        if !row.is_empty() {
            layout.rows.push((row, x - style.entry_gap));
        }
        layout
    }

    /// Height of the strip the legend needs (nothing without entries).
    pub fn height(&self) -> u32 {
        if self.rows.is_empty() {
            0
        } else {
            (self.rows.len() as i32 * self.row + 2 * self.pad) as u32
        }
    }
}
