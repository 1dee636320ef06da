//! Laying out a legend in rows below a chart: entries side by side, wrapped to the
//! chart's width. Shared by the `nlif` plots, the sweep plot and `cargo xtask figures`
//! (which includes this file by path); each draws its own swatches.

use plotters::prelude::*;

/// The sizes of a legend, in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LegendStyle {
    /// Height of a row.
    pub(crate) row: i32,
    /// Margin above and below the rows.
    pub(crate) pad: i32,
    /// Width of a swatch.
    pub(crate) swatch: i32,
    /// Gap between a swatch and its label.
    pub(crate) swatch_gap: i32,
    /// Gap between entries.
    pub(crate) entry_gap: i32,
    /// Font size of the labels.
    pub(crate) font_size: u32,
    /// Width of a character when the font cannot measure a label.
    pub(crate) char_width: i32,
}

impl LegendStyle {
    /// The labels' font.
    pub(crate) fn font(&self) -> FontDesc<'static> {
        ("sans-serif", self.font_size).into_font()
    }
}

/// Legend entries laid out in rows: each row's entries (index, x offset) and its width.
#[derive(Debug, Default)]
pub(crate) struct LegendLayout {
    pub(crate) rows: Vec<(Vec<(usize, i32)>, i32)>,
    row: i32,
    pad: i32,
}

impl LegendLayout {
    /// Lays out entries with these labels in rows no wider than `width` pixels.
    pub(crate) fn new<'a>(
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
    pub(crate) fn height(&self) -> u32 {
        if self.rows.is_empty() {
            0
        } else {
            (self.rows.len() as i32 * self.row + 2 * self.pad) as u32
        }
    }
}
