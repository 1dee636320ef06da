//! An input kick's firing event on the piecewise-linear density (docs/model.md §13).
//!
//! **The reconstruction.** The nodal values define the piecewise-linear function through
//! `(v_{-1}, 0), (v_0, p_0), …, (v_{n-1}, p_{n-1}), (V_F, 0)`: a sum of hat functions,
//! hat `i` of half-width `h` centred on `v_i` carrying exactly the nodal mass `h p_i` —
//! the reconstruction from which the multi-scale solver samples its particles. Moved by
//! `x`, the part of hat `i` beyond `V_F` is `h p_i T(n - i - x/h)` with the tail of a unit
//! hat whose centre lies `d` cells below the threshold
//!
//! ```text
//! T(d) = 0 (d >= 1),  (1 - d)²/2 (0 <= d < 1),  1 - (1 + d)²/2 (-1 < d < 0),  1 (d <= -1),
//! ```
//!
//! so the mass within `x = (j + φ) h` below `V_F` (`0 <= φ < 1`) is, with `p_n = p_{-1} = 0`,
//!
//! ```text
//! G(x) = h [ Σ_{i > n-j} p_i + p_{n-j} (1 - (1 - φ)²/2) + p_{n-1-j} φ²/2 ],
//! ```
//!
//! continuous with its slope (the reconstruction's value at `V_F - x`), quadratic on every
//! piece `[j h, (j+1) h]`.
//!
//! **The event.** A kick `dv` moves every neuron; those past `V_F` fire, and each fired
//! one kicks the others by `b / N`: with `k` the mass fired, the not-fired mass has moved
//! by `dv + b k`, and the event stops at the smallest `k >= 0` with `G(dv + b k) = k`
//! (for `b > 0`; for `b <= 0` the kick's own `G(dv)`, the others then moved down). On
//! each piece `H = G - k` is a quadratic in `φ`; its first root is bracketed exactly
//! (the piece's end, or the vertex of a convex piece) and found by bisection to the last
//! bit.
//!
//! **The remap.** The reconstruction moved by `x`: a hat entirely below `V_F` is split
//! linearly between the two nodes around its new centre (the conservative remap of a kick,
//! docs/model.md §3, bit for bit); a hat cut by `V_F` loses its tail `T`, and the rest is
//! split linearly at the rest's centroid (at most node `n - 1`). Every share is
//! non-negative and every hat's pieces sum to its mass, so the remap conserves the mass
//! to round-off and keeps the density non-negative.

/// The fraction of a unit hat beyond the threshold when its centre lies `d` cells below.
fn tail(d: f64) -> f64 {
    if d >= 1.0 {
        0.0
    } else if d >= 0.0 {
        0.5 * (1.0 - d) * (1.0 - d)
    } else if d > -1.0 {
        1.0 - 0.5 * (1.0 + d) * (1.0 + d)
    } else {
        1.0
    }
}

/// `G(x)`: the mass of the reconstruction of the nodal values `p` (spacing `h`) within
/// `x` below `V_F` (0 for `x <= 0`, the whole mass `h Σ p_i` from `x >= (n + 1) h`).
pub(crate) fn mass_within(p: &[f64], h: f64, x: f64) -> f64 {
    let n = p.len();
    if !(x > 0.0) {
        return 0.0;
    }
    let cells = x / h;
    if cells >= (n + 1) as f64 {
        return h * p.iter().sum::<f64>();
    }
    let j = cells.floor() as usize;
    let phi = cells - j as f64;
    let value = |i: usize| if i < n { p[i] } else { 0.0 };
    let beyond: f64 = p[(n + 1).saturating_sub(j).min(n)..].iter().sum();
    let cut = if j <= n { value(n - j) } else { 0.0 };
    let next = if j < n { value(n - 1 - j) } else { 0.0 };
    h * (beyond + cut * (1.0 - 0.5 * (1.0 - phi) * (1.0 - phi)) + next * 0.5 * phi * phi)
}

/// The mass fired by an input kick `dv` on the nodal values `p` (spacing `h`) with
/// coupling `b`: the smallest `k >= 0` with `G(dv + b k) = k` for `b > 0`, `G(dv)` for
/// `b <= 0` (module docs). At most the whole mass.
pub(crate) fn kick_event_size(p: &[f64], h: f64, b: f64, dv: f64) -> f64 {
    let seed = mass_within(p, h, dv);
    if !(b > 0.0) || !(dv > 0.0) {
        return seed;
    }
    let n = p.len();
    let start = dv / h;
    if start >= (n + 1) as f64 {
        return seed;
    }
    let value = |i: usize| if i < n { p[i] } else { 0.0 };
    let mut j = start.floor() as usize;
    let mut phi0 = start - j as f64;
    // `Σ_{i > n-j} p_i`.
    let mut beyond: f64 = p[(n + 1).saturating_sub(j).min(n)..].iter().sum();
    while j <= n {
        let (cut, next) = (value(n - j), if j < n { value(n - 1 - j) } else { 0.0 });
        // `H / h = A + B φ + C φ²` on this piece, `k / h = (j + φ - dv/h) / b`.
        let a = beyond + 0.5 * cut - (j as f64 - start) / b;
        let slope = cut - 1.0 / b;
        let c = 0.5 * (next - cut);
        let q = |phi: f64| a + phi * (slope + c * phi);
        let vertex = if c > 0.0 {
            -slope / (2.0 * c)
        } else {
            f64::NAN
        };
        let end = if q(phi0) <= 0.0 {
            Some(phi0)
        } else if vertex > phi0 && vertex < 1.0 && q(vertex) <= 0.0 {
            Some(vertex)
        } else if q(1.0) <= 0.0 {
            Some(1.0)
        } else {
            None
        };
        if let Some(mut hi) = end {
            // `q(lo) > 0 >= q(hi)`: bisection to the last bit.
            let mut lo = phi0;
            if hi > lo {
                loop {
                    let mid = 0.5 * (lo + hi);
                    if mid <= lo || mid >= hi {
                        break;
                    }
                    if q(mid) > 0.0 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
            }
            let k = ((j as f64 + hi) * h - dv) / b;
            return k.max(seed);
        }
        beyond += cut;
        j += 1;
        phi0 = 0.0;
    }
    // Everything has fired.
    h * p.iter().sum::<f64>()
}

/// Moves the reconstruction of `p` (spacing `h`) by `x` into the nodal values `out`
/// (module docs): returns the mass moved past `V_F` (`h` times the shares that left);
/// mass moved below the lowest node stays on it.
pub(crate) fn shift_reconstruction(p: &[f64], h: f64, x: f64, out: &mut [f64]) -> f64 {
    let n = p.len();
    let bound = n as f64 + 2.0;
    let cells = (x / h).clamp(-bound, bound);
    let whole = cells.floor();
    let frac = cells - whole;
    let whole = whole as i64;
    out.iter_mut().for_each(|v| *v = 0.0);
    let deposit = |position: f64, share: f64, out: &mut [f64]| {
        let below = position.floor();
        let weight = position - below;
        let below = below as i64;
        for (target, part) in [(below, 1.0 - weight), (below + 1, weight)] {
            let amount = share * part;
            if amount != 0.0 {
                out[target.clamp(0, n as i64 - 1) as usize] += amount;
            }
        }
    };
    let mut fired = 0.0;
    for (i, &value) in p.iter().enumerate() {
        if value == 0.0 {
            continue;
        }
        // The hat's centre, `d` cells below `V_F`.
        let d = (n as i64 - i as i64 - whole) as f64 - frac;
        if d >= 1.0 {
            // Entirely below `V_F`: the linear split of the density step's kick remap.
            for (target, weight) in [(i as i64 + whole, 1.0 - frac), (i as i64 + whole + 1, frac)] {
                let share = value * weight;
                if share != 0.0 {
                    out[target.max(0) as usize] += share;
                }
            }
            continue;
        }
        let gone = value * tail(d);
        fired += gone;
        let kept = value - gone;
        if kept <= 0.0 {
            continue;
        }
        // The centroid of the rest, in cells from node 0.
        let centre = n as f64 - d;
        let centroid = if d >= 0.0 {
            let w = 1.0 - d;
            let cut = 0.5 * w * w;
            centre - cut * (d + w / 3.0) / (1.0 - cut)
        } else {
            n as f64 - (1.0 + d) / 3.0
        };
        deposit(centroid.min((n - 1) as f64), kept, out);
    }
    fired * h
}

#[cfg(test)]
mod tests {
    use super::{kick_event_size, mass_within, shift_reconstruction, tail};

    /// Oracle: the integral of a linear function over an interval is its length times the
    /// mean of its end values. `G(x)` is the reconstruction integrated cell by cell over
    /// `[V_F - x, V_F]` (positions in cells from node 0, `V_F` at `n`, `v_{-1}` at `-1`).
    fn integral(p: &[f64], h: f64, x: f64) -> f64 {
        let n = p.len() as i64;
        let value = |i: i64| {
            if i < 0 || i >= n { 0.0 } else { p[i as usize] }
        };
        let at = |y: f64| {
            let i = y.floor();
            let f = y - i;
            value(i as i64) * (1.0 - f) + value(i as i64 + 1) * f
        };
        let from = (n as f64 - x / h).max(-1.0);
        let mut total = 0.0;
        let mut lo = from;
        while lo < n as f64 {
            let hi = (lo.floor() + 1.0).min(n as f64);
            total += (hi - lo) * h * 0.5 * (at(lo) + at(hi));
            lo = hi;
        }
        total
    }

    fn density() -> Vec<f64> {
        (0..30).map(|i| 0.2 + 0.1 * ((i * 7 % 11) as f64)).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Oracles, on random densities, spacings, couplings and kicks: the cell-by-cell
        /// integral (`G`); the fixed point `k* = G(dv + b k*)` the event must stop at, and
        /// no smaller one (`G(dv + b k) > k` just below `k*`, probed at 64 points of
        /// `[0, k*)`); the conservation law (kept + fired = the mass, to `4 n ε`);
        /// positivity.
        #[test]
        fn kick_events_on_random_densities(
            p in proptest::collection::vec(0.0..3.0f64, 4..60),
            h in 1e-3..0.3f64,
            b in -2.0..8.0f64,
            dv_cells in -3.0..20.0f64,
        ) {
            let dv = dv_cells * h;
            let n = p.len() as f64;
            let mass = p.iter().sum::<f64>() * h;
            let scale = mass.max(1e-300);
            for x in [dv, dv.abs() * 0.37, 0.5 * h] {
                let (fast, slow) = (mass_within(&p, h, x), integral(&p, h, x));
                proptest::prop_assert!((fast - slow).abs() <= 8.0 * n * f64::EPSILON * scale);
            }
            let k = kick_event_size(&p, h, b, dv);
            proptest::prop_assert!(k >= 0.0 && k <= mass * (1.0 + 4.0 * n * f64::EPSILON));
            let shift = if b > 0.0 { dv + b * k } else { dv };
            let mut out = vec![0.0; p.len()];
            let fired = shift_reconstruction(&p, h, shift, &mut out);
            // Rounding of the sums, plus the fixed point's resolution: `k` is found as
            // `h (j + φ − dv/h) / b` with `φ` bisected to adjacent doubles and the sum
            // `j + φ − dv/h` rounded, an error of at most `2 ε h (n + |dv|/h + 2) / b` in `k`
            // (and so in `G(dv + b k) − k`, as `b G' < 1` there): large for a weak coupling
            // (b = 4.9e-6, h = 1e-3 gave a residual of 2.2e-13).
            let resolution = if b > 0.0 {
                2.0 * f64::EPSILON * h * (n + dv.abs() / h + 2.0) / b
            } else {
                0.0
            };
            let tolerance = 16.0 * n * f64::EPSILON * scale + resolution;
            proptest::prop_assert!((fired - k).abs() <= tolerance, "fired {} k* {}", fired, k);
            if b > 0.0 {
                for m in 0..64 {
                    let below = k * m as f64 / 64.0;
                    let g = integral(&p, h, dv + b * below);
                    proptest::prop_assert!(g > below - tolerance, "k {} < G = {}", below, g);
                }
            }
            let kept = out.iter().sum::<f64>() * h;
            proptest::prop_assert!((kept + fired - mass).abs() <= 4.0 * n * f64::EPSILON * scale);
            proptest::prop_assert!(out.iter().all(|&v| v >= 0.0));
        }
    }

    #[test]
    fn the_mass_within_is_the_integral_of_the_reconstruction() {
        let (p, h) = (density(), 0.1);
        for x in [0.0, 0.013, 0.1, 0.15, 0.77, 2.95, 3.0, 3.05, 3.1, 4.0] {
            let (fast, slow) = (mass_within(&p, h, x), integral(&p, h, x));
            assert!((fast - slow).abs() < 1e-13, "x {x}: {fast} vs {slow}");
        }
    }

    /// Oracle: a slow monotone fixed-point iteration `k ← G(dv + b k)` from `k = 0` with
    /// `G` the cell-by-cell integral (converges to the smallest fixed point).
    #[test]
    fn the_kick_event_is_the_iterated_fixed_point() {
        let (p, h) = (density(), 0.1);
        for (b, dv) in [
            (0.5, 0.2),
            (3.0, 0.05),
            (3.0, 0.2),
            (1.0, 0.01),
            (10.0, 0.3),
        ] {
            let mut k: f64 = 0.0;
            for _ in 0..400_000 {
                let next = integral(&p, h, dv + b * k);
                if (next - k).abs() < 1e-15 {
                    k = next;
                    break;
                }
                k = next;
            }
            let exact = kick_event_size(&p, h, b, dv);
            assert!((exact - k).abs() < 1e-9, "b {b} dv {dv}: {exact} vs {k}");
        }
    }

    /// Oracles: the remap's fired mass is `G(x)`, mass is conserved, and a shift by whole
    /// cells of a density far from `V_F` is the translation.
    #[test]
    fn the_remap_fires_g_and_keeps_the_mass() {
        let (p, h) = (density(), 0.1);
        let mut out = vec![0.0; p.len()];
        for x in [0.0, 0.03, 0.1, 0.25, 1.0, 3.2] {
            let fired = shift_reconstruction(&p, h, x, &mut out);
            assert!((fired - integral(&p, h, x)).abs() < 1e-13, "x {x}");
            let kept: f64 = out.iter().sum::<f64>() * h;
            assert!((kept + fired - p.iter().sum::<f64>() * h).abs() < 1e-13);
            assert!(out.iter().all(|&v| v >= 0.0));
        }
        let mut far = vec![0.0; 20];
        far[3] = 1.0;
        far[4] = 2.0;
        shift_reconstruction(&far.clone(), h, 2.0 * h, &mut out[..20]);
        assert_eq!((out[5], out[6]), (1.0, 2.0));
        assert_eq!((tail(1.0), tail(0.0), tail(-1.0)), (0.0, 0.5, 1.0));
    }
}
