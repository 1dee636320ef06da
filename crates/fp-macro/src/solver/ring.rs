//! The last `K` rates of a sequence `x^0, x^1, ...`, in a ring of fixed length: the rate
//! history a synaptic delay reads (module `delay`, the density's own rates `N^m`) and the
//! outflow history a fixed refractory period re-injects (module `refractory`, the outflows
//! `N_out^m`).
//!
//! After `m` pushes onto a ring filled with `K` values, it holds `x^{m-K} .. x^{m-1}` (the
//! fill counting as the values before `x^0`). They sit in `values` with `values[head]` the
//! oldest, `x^{m-K}`, and the `k`-th most recent at
//!
//! ```text
//! x^{m-k} = values[(head + K - k) mod K],    1 <= k <= K,
//! ```
//!
//! so `k = K` is `values[head]` and `k = 1` the slot just before it. A push writes `x^m`
//! over the oldest, `values[head] = x^m`, and moves `head` on by one (mod `K`): `O(1)`
//! per step, no allocation, and no arithmetic on the values, which are stored and read
//! back bit for bit. The saved form is the rates oldest first,
//! `values[head..] ++ values[..head]`; a ring restored from it starts at `head = 0`.

/// A ring of the last `K` rates, `x^{m-K} .. x^{m-1}` (module documentation). `K = 0` is
/// allowed and holds nothing; [`Ring::oldest`], [`Ring::back`] and [`Ring::push`] need
/// `K >= 1`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ring {
    values: Vec<f64>,
    /// The index of the oldest, `x^{m-K}`.
    head: usize,
}

impl Ring {
    /// `len` rates, each `value`.
    pub(crate) fn filled(len: usize, value: f64) -> Self {
        Ring {
            values: vec![value; len],
            head: 0,
        }
    }

    /// The ring of `rates`, oldest first (the saved form).
    pub(crate) fn from_oldest_first(rates: Vec<f64>) -> Self {
        Ring {
            values: rates,
            head: 0,
        }
    }

    /// `K`.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether `K = 0`.
    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `x^{m-K}`, the oldest.
    #[inline]
    pub(crate) fn oldest(&self) -> f64 {
        self.values[self.head]
    }

    /// `x^{m-k}`, `1 <= k <= K`: `values[(head + K - k) mod K]`.
    #[inline]
    pub(crate) fn back(&self, k: usize) -> f64 {
        let n = self.values.len();
        let i = self.head + n - k;
        self.values[if i >= n { i - n } else { i }]
    }

    /// Takes `x^m` in place of the oldest.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        self.values[self.head] = x;
        self.head += 1;
        if self.head == self.values.len() {
            self.head = 0;
        }
    }

    /// The rates oldest first (the saved form).
    pub(crate) fn oldest_first(&self) -> Vec<f64> {
        let mut rates = Vec::with_capacity(self.values.len());
        rates.extend_from_slice(&self.values[self.head..]);
        rates.extend_from_slice(&self.values[..self.head]);
        rates
    }

    /// Replaces the rates by `rates`, oldest first; `rates.len()` must be `K`.
    pub(crate) fn set_oldest_first(&mut self, rates: &[f64]) {
        self.values.copy_from_slice(rates);
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    /// Oracle: the obvious history, a `Vec` oldest first that takes a push at its end and
    /// drops its first element. After every push, for every `K` up to 6 and more than two
    /// turns of the ring, the ring holds the same rates bit for bit: oldest first, the
    /// oldest, and each `k`-th most recent.
    #[test]
    fn the_ring_is_a_list_that_drops_its_oldest() {
        for len in 1..=6 {
            let mut ring = Ring::filled(len, 0.25);
            let mut slow = vec![0.25; len];
            assert_eq!(ring.oldest_first(), slow);
            for m in 0..(2 * len + 3) {
                // Distinct values, exactly representable or not.
                let x = (m as f64 + 1.0) / 3.0;
                ring.push(x);
                slow.push(x);
                slow.remove(0);
                assert_same(&ring, &slow, len, m);
            }
        }
    }

    /// Oracle: the same list, after a restore from the saved form mid-way through a turn
    /// (both [`Ring::from_oldest_first`] and [`Ring::set_oldest_first`]) and further
    /// pushes: the restored rings are the one never saved, rate for rate.
    #[test]
    fn a_restored_ring_goes_on_as_the_saved_one() {
        let len = 5;
        let mut ring = Ring::filled(len, 0.0);
        let mut slow = vec![0.0; len];
        for m in 0..7 {
            ring.push(m as f64 + 0.5);
            slow.push(m as f64 + 0.5);
            slow.remove(0);
        }
        let mut restored = Ring::from_oldest_first(ring.oldest_first());
        let mut set = Ring::filled(len, f64::NAN);
        set.set_oldest_first(&ring.oldest_first());
        for m in 7..20 {
            let x = 1.0 / (m as f64);
            for r in [&mut ring, &mut restored, &mut set] {
                r.push(x);
            }
            slow.push(x);
            slow.remove(0);
            for r in [&ring, &restored, &set] {
                assert_same(r, &slow, len, m);
            }
        }
    }

    /// Oracle: `K = 0` holds nothing.
    #[test]
    fn an_empty_ring_holds_nothing() {
        let ring = Ring::filled(0, 1.0);
        assert!(ring.is_empty() && ring.oldest_first().is_empty());
        assert_eq!(ring.len(), 0);
    }

    fn assert_same(ring: &Ring, slow: &[f64], len: usize, m: usize) {
        assert_eq!(ring.len(), len);
        assert!(!ring.is_empty());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ring.oldest_first()), bits(slow), "K = {len}, m = {m}");
        assert_eq!(ring.oldest().to_bits(), slow[0].to_bits());
        for k in 1..=len {
            assert_eq!(ring.back(k).to_bits(), slow[len - k].to_bits(), "k = {k}");
        }
    }
}
