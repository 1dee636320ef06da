//! The axes of the sweep plot: the parameter axes ([`AxisInfo`]) and the points' positions
//! along them, tick labels (parameter values, decades of the rate), and the class markers.

use crate::plot::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Class, PlotPoint, err};

/// One parameter axis: where each point sits, the range, the label.
#[derive(Debug, Clone)]
pub(super) struct AxisInfo {
    /// The plotted position of each point.
    pub(super) pos: Vec<f64>,
    /// The distinct positions, ascending.
    pub(super) values: Vec<f64>,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) label: String,
    /// Positions are value numbers, not values.
    pub(super) categorical: bool,
}

/// The distinct finite values, ascending.
fn distinct(values: &[f64]) -> Vec<f64> {
    let mut d: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    d.sort_by(f64::total_cmp);
    d.dedup();
    d
}

/// The positions of the points along both axes of a phase diagram. Points come in
/// row-major order of the varied parameters (the first varies slowest), so a non-numeric
/// parameter's value number follows from the other's: with `ny` distinct values of `y`,
/// point `i` has value number `i / ny` of `x`, and value number `i % ny` of `y`.
pub(super) fn grid_positions(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let numeric = |v: &[f64]| v.iter().all(|v| v.is_finite());
    let index: Vec<f64> = (0..n).map(|i| i as f64).collect();
    match (numeric(x), numeric(y)) {
        (true, true) => (x.to_vec(), y.to_vec()),
        (false, true) => {
            let ny = distinct(y).len().max(1);
            let row_major = n.is_multiple_of(ny) && (0..n).all(|i| y[i] == y[i % ny]);
            if row_major {
                ((0..n).map(|i| (i / ny) as f64).collect(), y.to_vec())
            } else {
                (index, y.to_vec())
            }
        }
        (true, false) => {
            let nx = distinct(x).len().max(1);
            let ny = n / nx;
            let row_major = n.is_multiple_of(nx) && (0..n).all(|i| x[i] == x[(i / ny) * ny]);
            if row_major {
                (x.to_vec(), (0..n).map(|i| (i % ny) as f64).collect())
            } else {
                (x.to_vec(), index)
            }
        }
        (false, false) => (index, vec![0.0; n]),
    }
}

impl AxisInfo {
    /// A parameter axis; `cells`: the range ends half-way past the outer values (a phase
    /// diagram's cells), otherwise a small margin.
    pub(super) fn new(pos: Vec<f64>, categorical: bool, path: &str, cells: bool) -> AxisInfo {
        let values = distinct(&pos);
        let (first, last) = match (values.first(), values.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0.0, 0.0),
        };
        let (lo, hi) = if last > first {
            let pad = if cells {
                // Half the outer gaps.
                let n = values.len();
                (
                    0.5 * (values[1] - values[0]),
                    0.5 * (values[n - 1] - values[n - 2]),
                )
            } else if categorical {
                (0.5, 0.5)
            } else {
                let p = 0.04 * (last - first);
                (p, p)
            };
            (first - pad.0, last + pad.1)
        } else {
            let pad = if categorical || first == 0.0 {
                0.5
            } else {
                0.1 * first.abs()
            };
            (first - pad, last + pad)
        };
        let label = if !categorical {
            path.to_owned()
        } else if cells {
            format!("{path} (value number)")
        } else {
            "point".to_owned()
        };
        AxisInfo {
            pos,
            values,
            lo,
            hi,
            label,
            categorical,
        }
    }

    /// The cell of value number `k` of a phase diagram: half-way to its neighbours.
    pub(super) fn cell(&self, k: usize) -> (f64, f64) {
        let v = &self.values;
        let a = if k == 0 {
            self.lo
        } else {
            0.5 * (v[k - 1] + v[k])
        };
        let b = if k + 1 == v.len() {
            self.hi
        } else {
            0.5 * (v[k] + v[k + 1])
        };
        (a, b)
    }

    /// The value number of a position.
    pub(super) fn number(&self, p: f64) -> Option<usize> {
        self.values.binary_search_by(|v| v.total_cmp(&p)).ok()
    }

    /// Tick labels: integers only on a categorical axis.
    pub(super) fn tick(&self, v: f64) -> String {
        if self.categorical {
            if (v - v.round()).abs() < 1e-9 && v >= -0.0 {
                format!("{}", v.round() as i64)
            } else {
                String::new()
            }
        } else {
            tick_label(v)
        }
    }
}

/// A tick label without trailing float noise.
fn tick_label(v: f64) -> String {
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// `10^k` with a superscript exponent.
pub(super) fn decade(k: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::from("10");
    if k < 0 {
        s.push('⁻');
    }
    for d in k.unsigned_abs().to_string().bytes() {
        s.push(SUP[usize::from(d - b'0')]);
    }
    s
}

/// The label of a tick at `v` of a log rate axis: whole decades, and with `minor` 2 and 5
/// times them; `plain`: as decimal numbers.
pub(super) fn rate_tick(v: f64, minor: bool, plain: bool) -> String {
    let l = v.log10();
    let k = if (l - l.round()).abs() < 1e-6 {
        l.round()
    } else {
        l.floor()
    };
    let m = v / 10f64.powf(k);
    let near = |x: f64| (m - x).abs() < 1e-6 * x;
    let k = k as i32;
    if !(near(1.0) || (minor && (near(2.0) || near(5.0)))) {
        String::new()
    } else if plain {
        let decimals = (-k).max(0) as usize;
        format!("{:.decimals$}", m.round() * 10f64.powi(k))
    } else if near(1.0) {
        decade(k)
    } else {
        format!("{}·{}", m.round(), decade(k))
    }
}

/// The decades `[lo, hi]` (`log10`) spanned by the positive finite mean rates.
pub(super) fn rate_decades(points: &[PlotPoint]) -> (i32, i32) {
    let rates = points
        .iter()
        .filter_map(|p| p.mean_rate)
        .filter(|r| r.is_finite() && *r > 0.0);
    let (min, max) = rates.fold((f64::INFINITY, 0.0f64), |(a, b), r| (a.min(r), b.max(r)));
    if !(max > 0.0) {
        return (-2, 1);
    }
    // Whole decades, and no rate right on the edge of the scale.
    let lo = (min.log10() - 0.1).floor() as i32;
    let hi = ((max.log10() + 0.1).ceil() as i32).max(lo + 1);
    (lo, hi)
}

/// Draws the marker of `class` centred at pixel `c`, of radius `r`. `on_colour`: on a
/// coloured cell of the phase diagram, white with a black outline; otherwise in the class
/// colour.
pub(super) fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    class: Class,
    (cx, cy): (i32, i32),
    r: i32,
    on_colour: bool,
) -> Result<()> {
    let r = r.max(2);
    let rf = f64::from(r);
    let fill = if on_colour { WHITE } else { class.colour() };
    // Small markers (a dense phase diagram) get thin lines.
    let heavy = on_colour && r >= 5;
    let outline = BLACK.stroke_width(if heavy { 2 } else { 1 });
    let at = |dx: f64, dy: f64| (cx + dx.round() as i32, cy + dy.round() as i32);
    let polygon = |pts: Vec<(i32, i32)>| -> Result<()> {
        area.draw(&Polygon::new(pts.clone(), fill.filled()))
            .map_err(err)?;
        let mut closed = pts;
        closed.push(closed[0]);
        area.draw(&PathElement::new(closed, outline)).map_err(err)
    };
    match class {
        Class::Asynchronous => {
            let r = if on_colour {
                (rf * 0.3).round().max(1.0) as i32
            } else {
                (rf * 0.8).round() as i32
            };
            area.draw(&Circle::new((cx, cy), r, fill.filled()))
                .map_err(err)?;
            area.draw(&Circle::new((cx, cy), r, outline)).map_err(err)
        }
        Class::MfesThenRelaxation => polygon(vec![
            at(0.0, -1.1 * rf),
            at(-0.95 * rf, 0.6 * rf),
            at(0.95 * rf, 0.6 * rf),
        ]),
        Class::SustainedMfes => polygon(
            (0..10)
                .map(|k| {
                    let angle = std::f64::consts::PI * f64::from(k) / 5.0;
                    let radius = if k % 2 == 0 { 1.25 * rf } else { 0.5 * rf };
                    at(radius * angle.sin(), -radius * angle.cos())
                })
                .collect(),
        ),
        Class::BlowUp => {
            let d = 0.8 * rf;
            let arms = [vec![at(-d, -d), at(d, d)], vec![at(-d, d), at(d, -d)]];
            if on_colour {
                for arm in &arms {
                    let halo = WHITE.stroke_width(if heavy { 6 } else { 4 });
                    area.draw(&PathElement::new(arm.clone(), halo))
                        .map_err(err)?;
                }
            }
            for arm in arms {
                let width = if heavy || !on_colour { 3 } else { 2 };
                area.draw(&PathElement::new(arm, BLACK.stroke_width(width)))
                    .map_err(err)?;
            }
            Ok(())
        }
        Class::Error => {
            let d = (0.75 * rf).round() as i32;
            let corners = [(cx - d, cy - d), (cx + d, cy + d)];
            if on_colour {
                let halo = WHITE.stroke_width(if heavy { 5 } else { 3 });
                area.draw(&Rectangle::new(corners, halo)).map_err(err)?;
            }
            let width = if heavy || !on_colour { 2 } else { 1 };
            area.draw(&Rectangle::new(corners, class.colour().stroke_width(width)))
                .map_err(err)
        }
    }
}
