//! `sweep.png` and `sweep.svg` of `nlif sweep`.
//!
//! Over one varied parameter: two panels sharing the parameter axis, the mean rate (log
//! scale) and the number of multiple firing events, a marker per outcome class. Over two:
//! a phase diagram, each point a square coloured by its mean rate (log scale, with a
//! colour bar) and the marker of its class on top.
//!
//! Where the varied parameters are model parameters (and the input is constant), the
//! number of stationary states of the mean field (docs/model.md §6) shades the
//! background; where they include the initial data, so does the region where the blow-up
//! criterion of §6 guarantees a blow-up (hatched). Parameter values the model rejects are
//! left blank.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::config::Config;
use crate::plot::{PlotError, Result, font};

use axes::{AxisInfo, grid_positions};
use legend::layout as legend_layout;
use legend::{LegendEntry, LegendLayout, Swatch, draw_legend};
use theory::{Theory, count_tint};

mod axes;
mod legend;
mod one;
#[cfg(test)]
mod tests;
mod theory;
mod two;

/// The outcome class of a sweep point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// No multiple firing event.
    Asynchronous,
    /// Multiple firing events, the last in the first three quarters of the run.
    MfesThenRelaxation,
    /// Multiple firing events until the end of the run.
    SustainedMfes,
    /// A blow-up of the rate (a Macro run), or a run that ended early.
    BlowUp,
    /// The point failed: an invalid config or an error of the run.
    Error,
}

impl Class {
    /// Every class, in legend order.
    const ALL: [Class; 5] = [
        Class::Asynchronous,
        Class::MfesThenRelaxation,
        Class::SustainedMfes,
        Class::BlowUp,
        Class::Error,
    ];

    /// The name in `sweep.csv` and `sweep.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Asynchronous => "asynchronous",
            Class::MfesThenRelaxation => "mfes_then_relaxation",
            Class::SustainedMfes => "sustained_mfes",
            Class::BlowUp => "blow_up",
            Class::Error => "error",
        }
    }

    /// The legend text.
    pub fn label(self) -> &'static str {
        match self {
            Class::Asynchronous => "asynchronous",
            Class::MfesThenRelaxation => "MFEs then relaxation",
            Class::SustainedMfes => "sustained MFEs",
            Class::BlowUp => "blow-up (Macro)",
            Class::Error => "error",
        }
    }

    /// The colour of the class's marker in the one-parameter plot.
    fn colour(self) -> RGBColor {
        match self {
            Class::Asynchronous => RGBColor(31, 119, 180),
            Class::MfesThenRelaxation => RGBColor(255, 127, 14),
            Class::SustainedMfes => RGBColor(214, 39, 40),
            Class::BlowUp => RGBColor(0, 0, 0),
            Class::Error => RGBColor(120, 120, 120),
        }
    }
}

/// One point of the sweep as the plot sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotPoint {
    /// Value of the first varied parameter (NaN if not numeric).
    pub x: f64,
    /// Value of the second, for two varied parameters (NaN if not numeric).
    pub y: Option<f64>,
    /// The run's mean firing rate, if it has one.
    pub mean_rate: Option<f64>,
    /// Number of multiple firing events.
    pub mfes: usize,
    /// The outcome class.
    pub class: Class,
}

/// Writes `sweep.png` and `sweep.svg` into `dir`.
///
/// `base` is the base config of the sweep, `x_path` / `y_path` the dotted config paths of
/// the varied parameters (e.g. `model.b`, `initial.mean`): the axis labels, and what
/// decides the theory overlay. With `y_path` the plot is a phase diagram; then every
/// point should have a `y`.
pub fn draw(
    dir: &Path,
    title: &str,
    base: &Config,
    x_path: &str,
    y_path: Option<&str>,
    points: &[PlotPoint],
) -> Result<()> {
    font();
    let figure = Figure::new(title, base, x_path, y_path, points);
    let png = dir.join("sweep.png");
    let svg = dir.join("sweep.svg");
    figure.draw(BitMapBackend::new(&png, figure.size).into_drawing_area())?;
    figure.draw(SVGBackend::new(&svg, figure.size).into_drawing_area())?;
    Ok(())
}

fn err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Sweep(e.to_string())
}

/// Width of the figure.
const WIDTH: u32 = 1200;
/// Height of the figure without the legend strip.
const HEIGHT: u32 = 700;
/// Colour of a phase-diagram cell without a mean rate.
const NO_RATE: RGBColor = RGBColor(205, 205, 205);

/// Everything the figure shows, computed once for both files.
struct Figure<'a> {
    title: &'a str,
    points: &'a [PlotPoint],
    x: AxisInfo,
    y: Option<AxisInfo>,
    theory: Theory,
    legend: Vec<LegendEntry>,
    strip: LegendLayout,
    size: (u32, u32),
}

impl<'a> Figure<'a> {
    fn new(
        title: &'a str,
        base: &Config,
        x_path: &str,
        y_path: Option<&str>,
        points: &'a [PlotPoint],
    ) -> Figure<'a> {
        let xs: Vec<f64> = points.iter().map(|p| p.x).collect();
        let (x, y) = match y_path {
            None => {
                let categorical = !xs.iter().all(|v| v.is_finite());
                let pos = if categorical {
                    (0..xs.len()).map(|i| i as f64).collect()
                } else {
                    xs
                };
                (AxisInfo::new(pos, categorical, x_path, false), None)
            }
            Some(y_path) => {
                let ys: Vec<f64> = points.iter().map(|p| p.y.unwrap_or(f64::NAN)).collect();
                let (xp, yp) = grid_positions(&xs, &ys);
                let x_cat = !xs.iter().all(|v| v.is_finite());
                let y_cat = !ys.iter().all(|v| v.is_finite());
                (
                    AxisInfo::new(xp, x_cat, x_path, true),
                    Some(AxisInfo::new(yp, y_cat, y_path, true)),
                )
            }
        };
        let theory = Theory::new(base, (x_path, &x), y_path.zip(y.as_ref()));
        let two_d = y.is_some();
        let mut legend: Vec<LegendEntry> = Class::ALL
            .into_iter()
            .filter(|c| points.iter().any(|p| p.class == *c))
            .map(|c| LegendEntry {
                label: c.label().into(),
                swatch: Swatch::Marker(c, two_d),
            })
            .collect();
        if two_d && points.iter().any(|p| p.mean_rate.is_none()) {
            legend.push(LegendEntry {
                label: "no mean rate".into(),
                swatch: Swatch::Shade(NO_RATE),
            });
        }
        for count in theory.counts() {
            let plural = if count == 1 { "state" } else { "states" };
            legend.push(LegendEntry {
                label: format!("theory: {count} stationary {plural}"),
                swatch: Swatch::Shade(count_tint(count)),
            });
        }
        if theory.any_blowup() {
            legend.push(LegendEntry {
                label: "theory: blow-up guaranteed".into(),
                swatch: Swatch::Hatch,
            });
        }
        let strip = legend_layout(&legend, WIDTH as i32 - 60);
        let size = (WIDTH, HEIGHT + strip.height());
        Figure {
            title,
            points,
            x,
            y,
            theory,
            legend,
            strip,
            size,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE).map_err(err)?;
        let (chart, strip) = area.split_vertically(HEIGHT);
        let span = match &self.y {
            None => self.draw_panels(&chart)?,
            Some(y) => self.draw_phase(&chart, y)?,
        };
        draw_legend(&strip, &self.legend, &self.strip, span)?;
        area.present().map_err(err)?;
        Ok(())
    }
}
