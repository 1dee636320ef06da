//! Clipping polylines to a plotting area, in plotted units (`log10` on a log axis).
//!
//! plotters draws what it is given, wherever it falls; on a bitmap a line through a value
//! far outside the axes is drawn outside them. Lines are therefore clipped here first
//! (Liang–Barsky, segment by segment) so nothing reaches past the axes. Shared by the
//! plots of this crate and those of `cargo xtask figures`.

/// Pixels kept free between a clipped line and the edge of the plotting area: half the
/// widest stroke plus rounding, so no stroke reaches past the axes.
const INSET: f64 = 2.0;

/// One axis of the plotting area, in plotted units (`log10` on a log axis), narrowed by
/// `INSET` = 2 pixels at either end (half the widest stroke plus rounding).
#[derive(Clone, Copy, Debug)]
pub struct Axis {
    /// The low end of the narrowed axis, in plotted units.
    pub lo: f64,
    /// The high end of the narrowed axis, in plotted units.
    pub hi: f64,
    log: bool,
}

impl Axis {
    /// The axis from `lo` to `hi` (either order), logarithmic or not, drawn over
    /// `pixels` pixels.
    pub fn new(lo: f64, hi: f64, log: bool, pixels: i32) -> Axis {
        let (a, b) = if log {
            (lo.log10(), hi.log10())
        } else {
            (lo, hi)
        };
        let (a, b) = (a.min(b), a.max(b));
        let pad = (b - a) * INSET / f64::from(pixels.max(1));
        Axis {
            lo: a + pad,
            hi: b - pad,
            log,
        }
    }

    /// A value in plotted units: NaN for a gap; a non-positive value on a log axis, and
    /// an infinite one, far outside the range (so a line to it leaves at the edge).
    pub fn plotted(&self, v: f64) -> f64 {
        let u = if self.log && v <= 0.0 {
            f64::NEG_INFINITY
        } else if self.log {
            v.log10()
        } else {
            v
        };
        let far = 1e3 * (self.hi - self.lo).abs().max(1.0);
        if u.is_nan() {
            u
        } else {
            u.clamp(self.lo - far, self.hi + far)
        }
    }

    fn value(&self, u: f64) -> f64 {
        if self.log { 10f64.powf(u) } else { u }
    }
}

/// Clips a polyline to the rectangle of two axes: the pieces inside, each with at least
/// two points; a line leaving the rectangle ends at its edge, a non-finite point breaks it.
pub fn clip_polyline(points: &[(f64, f64)], x: Axis, y: Axis) -> Vec<Vec<(f64, f64)>> {
    let plotted: Vec<(f64, f64)> = points
        .iter()
        .map(|&(a, b)| (x.plotted(a), y.plotted(b)))
        .collect();
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut flush = |current: &mut Vec<(f64, f64)>| {
        if current.len() >= 2 {
            pieces.push(
                current
                    .iter()
                    .map(|&(a, b)| (x.value(a), y.value(b)))
                    .collect(),
            );
        }
        current.clear();
    };
    for w in plotted.windows(2) {
        let finite = |p: (f64, f64)| p.0.is_finite() && p.1.is_finite();
        let clipped = if finite(w[0]) && finite(w[1]) {
            clip_segment(w[0], w[1], (x.lo, x.hi), (y.lo, y.hi))
        } else {
            None
        };
        match clipped {
            Some(c) => {
                if c.cut_start || current.is_empty() {
                    flush(&mut current);
                    current.push(c.a);
                }
                current.push(c.b);
                if c.cut_end {
                    flush(&mut current);
                }
            }
            None => flush(&mut current),
        }
    }
    flush(&mut current);
    pieces
}

/// The part of a segment inside the clipping rectangle.
#[derive(Clone, Copy, Debug)]
struct Clipped {
    a: (f64, f64),
    b: (f64, f64),
    /// Whether the start, and the end, of the segment were cut off.
    cut_start: bool,
    cut_end: bool,
}

/// Liang–Barsky: the part of the segment `p`–`q` inside the rectangle.
fn clip_segment(p: (f64, f64), q: (f64, f64), x: (f64, f64), y: (f64, f64)) -> Option<Clipped> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (pk, qk) in [
        (-dx, p.0 - x.0),
        (dx, x.1 - p.0),
        (-dy, p.1 - y.0),
        (dy, y.1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| (p.0 + t * dx, p.1 + t * dy);
    Some(Clipped {
        a: if t0 > 0.0 { at(t0) } else { p },
        b: if t1 < 1.0 { at(t1) } else { q },
        cut_start: t0 > 0.0,
        cut_end: t1 < 1.0,
    })
}
