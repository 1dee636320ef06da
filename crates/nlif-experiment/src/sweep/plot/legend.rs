//! The legend of the sweep plot: its entries ([`LegendEntry`]), their layout in rows
//! (the shared [`LegendLayout`]) and drawing them into the strip below the chart.

use crate::plot::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

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

/// One legend entry of the sweep plot.
pub(super) type LegendEntry = crate::plot::legend::LegendEntry<Swatch>;

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
const SWATCH: i32 = LEGEND.swatch;

/// Lays the entries out in rows no wider than `width` pixels.
pub(super) fn layout(entries: &[LegendEntry], width: i32) -> LegendLayout {
    LEGEND.layout(entries, width)
}

/// Draws the legend into its strip, each row centred in the pixel span `span`.
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    layout: &LegendLayout,
    span: (i32, i32),
) -> Result<()> {
    let swatch = |swatch: &Swatch, x: i32, y: i32| -> Result<()> {
        let bx = [(x, y - 8), (x + SWATCH, y + 8)];
        match *swatch {
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
        Ok(())
    };
    LEGEND.draw(area, entries, layout, span, swatch, err)
}
