//! A firing event of the density: the `M → 1` limit of the dilated equation, solved
//! exactly (docs/model.md §13).
//!
//! While physical time is frozen (`M = 1`) the dilated equation is pure transport at the
//! speed `b` of the mass that has not fired, `∂_s p + b ∂_v p = 0`, with the mass crossing
//! `V_F` leaving the grid. The mass fired after the event's own time `s` is `k(s)`, the
//! not-fired mass has moved by `b k`, and the event stops at the smallest `k` at which
//! no more mass reaches `V_F`:
//!
//! ```text
//! k* = min { k >= s0 : s0 + G(b k) = k },   G(x) = mass within x below V_F,
//! ```
//!
//! `s0` the mass fired at the event's start (an input kick's, or 0 for a cascade that
//! starts by itself). This is the particles' cascade (docs/model.md §2) with the
//! empirical distribution replaced by the density: each neuron fires at most once, and a
//! fired neuron gets no kick of the same event.
//!
//! `G` is the mass that the conservative linear remap of `shift_density` moves to or
//! past node `n` (`V_F`) for a shift `x`: with `x = (j + φ) h`, `0 <= φ < 1`,
//! `G(x) = h Σ_{i >= n-j} p_i + φ h p_{n-1-j}`, continuous, non-decreasing and linear on
//! every `[j h, (j+1) h]`. The fixed point is found exactly, piece by piece.

/// The total mass fired by an event on the nodal values `p` (spacing `h`, `p_n = 0` at
/// `V_F` not stored), coupling `b`, seeded by the mass `seed >= 0` already fired (and no
/// longer in `p`): `k*` of the module's equation, `seed` itself for `b <= 0`, at most
/// `seed + h Σ p_i`.
///
/// With `seed = 0` it is the first `k > 0` at which `G(b k) - k` becomes negative: 0
/// unless `b p_{n-1} > 1`, the slope of `G(b k)` at `k = 0` — the density next to the
/// threshold must exceed `1 / b` for an event to start by itself.
pub(crate) fn event_size(p: &[f64], h: f64, b: f64, seed: f64) -> f64 {
    if !(b > 0.0) {
        return seed;
    }
    let n = p.len();
    // `H(k) = seed + G(b k) - k` on the piece `b k ∈ [j h, (j+1) h]` is
    // `seed + below + (b k / h - j) h p_{n-1-j} - k`, `below` the mass of the nodes
    // `n-j .. n-1`.
    let start = (b * seed / h).floor();
    let mut j = if start < n as f64 { start as usize } else { n };
    let mut below: f64 = p[n - j.min(n)..].iter().sum::<f64>() * h;
    loop {
        if j >= n {
            // Every node has fired: `H(k) = seed + mass - k`.
            return seed + below;
        }
        let q = p[n - 1 - j] * h;
        let k_hi = (j + 1) as f64 * h / b;
        let h_hi = seed + below + q - k_hi;
        if h_hi < 0.0 {
            // The root of `H(k) = seed + below - j q + (b q / h - 1) k` in this piece
            // (`H` is >= 0 at the piece's start and < 0 at its end, so the slope is
            // negative).
            let slope = b * q / h - 1.0;
            let k = (seed + below - j as f64 * q) / -slope;
            return k.max(seed);
        }
        below += q;
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::event_size;

    /// Oracle: a slow fixed-point iteration `k ← seed + G(b k)` with `G` computed
    /// directly from the remap's definition, from `k = seed` (monotone, converges to the
    /// smallest fixed point).
    fn iterate(p: &[f64], h: f64, b: f64, seed: f64) -> f64 {
        let n = p.len();
        let g = |x: f64| {
            let cells = x / h;
            let (whole, frac) = (cells.floor() as usize, cells - cells.floor());
            let mut fired = 0.0;
            for (i, &v) in p.iter().enumerate() {
                if i + whole >= n {
                    fired += v * h * (1.0 - frac);
                }
                if i + whole + 1 >= n {
                    fired += v * h * frac;
                }
            }
            fired
        };
        let mut k = seed;
        for _ in 0..200_000 {
            let next = seed + g(b * k);
            if (next - k).abs() < 1e-15 {
                return next;
            }
            k = next;
        }
        k
    }

    #[test]
    fn the_piecewise_root_is_the_iterated_fixed_point() {
        let h = 0.1;
        let p: Vec<f64> = (0..30).map(|i| 0.2 + 0.1 * ((i * 7 % 11) as f64)).collect();
        for (b, seed) in [
            (0.5, 0.01),
            (3.0, 0.01),
            (3.0, 0.2),
            (1.0, 0.0),
            (10.0, 0.05),
        ] {
            let exact = event_size(&p, h, b, seed);
            let slow = iterate(&p, h, b, seed);
            assert!(
                (exact - slow).abs() < 1e-9,
                "b {b} seed {seed}: {exact} vs {slow}"
            );
        }
    }

    /// Oracle: the slope of `G(b k)` at 0 is `b p_{n-1}`; below 1 no event starts by
    /// itself (`k* = 0`); with `b` so large that `b k` crosses the grid before `G(b k)`
    /// falls below `k`, everything fires (the total mass, 1).
    #[test]
    fn thresholds_of_an_event() {
        let h = 0.5;
        let p = vec![0.4, 0.6, 0.6, 0.4];
        assert_eq!(event_size(&p, h, 2.0, 0.0), 0.0);
        assert!((event_size(&p, h, 100.0, 0.0) - 1.0).abs() < 1e-15);
        assert_eq!(event_size(&p, h, -1.0, 0.3), 0.3);
    }
}
