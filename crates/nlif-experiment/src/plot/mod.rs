//! Plots with plotters, pure Rust: PNG through the bitmap backend, SVG, and the embedded
//! DejaVu Sans font (no system libraries): the rate, density and spike raster of a run
//! ([`rate`], [`density`], [`raster`]); the phase diagram of a sweep is
//! [`crate::sweep::plot`]. [`clip`] and [`legend`] are the clipping and legend layout
//! every plot of the project shares.

pub mod clip;
mod density;
pub mod legend;
mod raster;
mod rate;

use std::ops::Range;
use std::sync::Once;

use plotters::style::{FontStyle, register_font};

pub use density::density;
pub use raster::raster;
pub use rate::rate;

/// DejaVu Sans (licence: `assets/DejaVuSans-LICENSE.txt`), embedded.
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font as plotters' `sans-serif` (once per process; every plot
/// calls it). Front ends drawing their own plots with plotters call it first.
pub fn font() {
    REGISTER.call_once(|| {
        // The font is a fixed, valid TrueType file: registration cannot fail at run time.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Why a plot could not be drawn or written (the drawing library's message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// A plot of a run.
    #[error("drawing a plot: {0}")]
    Run(String),
    /// The plot of a sweep.
    #[error("drawing the sweep plot: {0}")]
    Sweep(String),
}

/// The result of drawing.
pub(crate) type Result<T, E = PlotError> = std::result::Result<T, E>;

fn err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Run(e.to_string())
}

/// A plotting area's pixels: columns and rows.
type PixelRect = (Range<i32>, Range<i32>);
