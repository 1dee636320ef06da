//! Laying out a legend in rows below a chart: entries side by side, wrapped to the
//! chart's width. Shared by the plots of this crate (rate, sweep) and those of
//! `cargo xtask figures`; each draws its own swatches.

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One legend entry: its label, and what is drawn beside it (`S`: each plot's own kinds
/// of swatch).
#[derive(Clone, Debug)]
pub struct LegendEntry<S> {
    /// The label.
    pub label: String,
    /// What is drawn beside it.
    pub swatch: S,
}

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

    /// Lays `entries` out in rows no wider than `width` pixels.
    pub fn layout<S>(&self, entries: &[LegendEntry<S>], width: i32) -> LegendLayout {
        LegendLayout::new(entries.iter().map(|e| e.label.as_str()), self, width)
    }

    /// Draws the legend laid out as `layout` into its strip `area`, each row centred in the
    /// pixel span `span` (of the whole drawing). `swatch` draws an entry's swatch with its
    /// left end at `(x, y)`, `y` the row's centre line; `err` says what failed in drawing
    /// a label.
    ///
    /// # Errors
    ///
    /// What `swatch` or drawing a label returns.
    pub fn draw<DB: DrawingBackend, S, E>(
        &self,
        area: &DrawingArea<DB, Shift>,
        entries: &[LegendEntry<S>],
        layout: &LegendLayout,
        span: (i32, i32),
        swatch: impl FnMut(&S, i32, i32) -> Result<(), E>,
        err: impl Fn(DrawingAreaErrorKind<DB::ErrorType>) -> E,
    ) -> Result<(), E> {
        let rows = Rows {
            layout,
            span,
            align: Align::Center,
        };
        self.draw_rows(area, entries, rows, swatch, err)
    }

    /// [`LegendStyle::draw`] with each row aligned as `align` says within `span`.
    ///
    /// # Errors
    ///
    /// As [`LegendStyle::draw`].
    pub fn draw_rows<DB: DrawingBackend, S, E>(
        &self,
        area: &DrawingArea<DB, Shift>,
        entries: &[LegendEntry<S>],
        Rows {
            layout,
            span,
            align,
        }: Rows<'_>,
        mut swatch: impl FnMut(&S, i32, i32) -> Result<(), E>,
        err: impl Fn(DrawingAreaErrorKind<DB::ErrorType>) -> E,
    ) -> Result<(), E> {
        let base = area.get_base_pixel().0;
        let (s0, s1) = (span.0 - base, span.1 - base);
        let text = TextStyle::from(self.font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (r, (row, row_width)) in layout.rows.iter().enumerate() {
            let left = match align {
                Align::Left => s0,
                Align::Center => (s0 + s1 - row_width) / 2,
                Align::Right => s1 - row_width,
            }
            .max(0);
            let y = self.pad + r as i32 * self.row + self.row / 2;
            for &(i, dx) in row {
                let entry = &entries[i];
                let x = left + dx;
                swatch(&entry.swatch, x, y)?;
                area.draw(&Text::new(
                    entry.label.clone(),
                    (x + self.swatch + self.swatch_gap, y),
                    text.clone(),
                ))
                .map_err(&err)?;
            }
        }
        Ok(())
    }
}

/// Where the rows of a legend go: the layout, the pixel span (of the whole drawing) they
/// are aligned in, and how.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    /// The rows.
    pub layout: &'a LegendLayout,
    /// The span, in pixels of the whole drawing.
    pub span: (i32, i32),
    /// How each row sits in it.
    pub align: Align,
}

/// Where a legend row sits in its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// At the left end.
    Left,
    /// Centred.
    Center,
    /// At the right end.
    Right,
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
