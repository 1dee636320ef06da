//! The batch of one chunk: its words drawn from the block's stream and turned into normal
//! deviates by the chosen generator ([`Normals`]), with the vector instructions chosen
//! once per pass.

use rand::Rng;

use super::{CHUNK, Normals, passes, ziggurat};

/// The scratch space of the batches of one pass (on the caller's stack, reused from chunk
/// to chunk), with the vector instructions chosen once.
pub(crate) struct Batch {
    arch: pulp::Arch,
    normals: Normals,
    words: [u64; CHUNK / 2],
    values: [f64; CHUNK],
    /// Intermediate results of the passes of [`passes`], one per pair.
    scratch: [[f64; CHUNK / 2]; 3],
    /// The ziggurat's rejected first candidates, one flag word per word (flags as wide as
    /// the lanes: narrowing the comparison masks to bytes costs more than the rest).
    rejected: [u64; CHUNK / 2],
}

impl Batch {
    /// Scratch space with every value NaN (what a kernel that draws no `z` is handed).
    #[inline]
    pub(crate) fn new(normals: Normals) -> Self {
        Batch {
            arch: pulp::Arch::new(),
            normals,
            words: [0; CHUNK / 2],
            values: [f64::NAN; CHUNK],
            scratch: [[0.0; CHUNK / 2]; 3],
            rejected: [0; CHUNK / 2],
        }
    }

    /// Draws `len <= CHUNK` deviates and returns them.
    #[inline]
    pub(crate) fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R, len: usize) -> &[f64] {
        debug_assert!(len <= CHUNK);
        let pairs = len.div_ceil(2);
        for word in &mut self.words[..pairs] {
            *word = rng.next_u64();
        }
        let (xs, rest) = self.values.split_at_mut(pairs);
        let ys = &mut rest[..pairs];
        let words = &self.words[..pairs];
        match self.normals {
            Normals::BoxMuller => self.arch.dispatch(Transform {
                words,
                xs,
                ys,
                scratch: &mut self.scratch,
            }),
            Normals::Ziggurat => {
                let tables = &*ziggurat::TABLES;
                let rejected = &mut self.rejected[..pairs];
                let any = self.arch.dispatch(Candidates {
                    words,
                    xs,
                    ys,
                    rejected,
                    tables,
                });
                if any != 0 {
                    finish_rejected(rng, tables, words, rejected, &mut self.values[..len]);
                }
            }
        }
        &self.values[..len]
    }

    /// The first `len` values as they are (NaN if nothing was drawn).
    #[inline]
    pub(crate) fn values(&self, len: usize) -> &[f64] {
        &self.values[..len]
    }
}

/// The transform of a batch of words, run by `pulp` with the widest vector instructions
/// of the processor (the loop bodies are inlined into a function compiled for them).
struct Transform<'a> {
    words: &'a [u64],
    xs: &'a mut [f64],
    ys: &'a mut [f64],
    scratch: &'a mut [[f64; CHUNK / 2]; 3],
}

impl pulp::WithSimd for Transform<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        passes(self.words, self.xs, self.ys, self.scratch);
    }
}

/// The ziggurat's fast path of a batch ([`ziggurat::fast`]), run by `pulp` with the widest
/// vector instructions of the processor; returns the rejection flags or-ed together.
struct Candidates<'a> {
    words: &'a [u64],
    xs: &'a mut [f64],
    ys: &'a mut [f64],
    rejected: &'a mut [u64],
    tables: &'a ziggurat::Tables,
}

impl pulp::WithSimd for Candidates<'_> {
    type Output = u64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> u64 {
        ziggurat::fast(self.words, self.xs, self.ys, self.rejected, self.tables)
    }
}

/// Finishes, word by word and the low half first, the values of `values` (`len` of them:
/// `xs` then `ys` of the batch) whose first candidate the ziggurat's fast path rejected.
fn finish_rejected<R: Rng + ?Sized>(
    rng: &mut R,
    tables: &ziggurat::Tables,
    words: &[u64],
    rejected: &[u64],
    values: &mut [f64],
) {
    let pairs = words.len();
    let mut finish = |p: usize, flag: u64| {
        for half in 0..2 {
            let index = half * pairs + p;
            if flag >> half & 1 != 0 && index < values.len() {
                let bits = words[p] >> (32 * half);
                values[index] = ziggurat::finish(rng, tables, ziggurat::layer(bits), values[index]);
            }
        }
    };
    // Eight words' flags at a time: almost every group of eight is all zero.
    for (g, group) in rejected.chunks(8).enumerate() {
        if group.iter().fold(0, |any, &flag| any | flag) != 0 {
            for (q, &flag) in group.iter().enumerate() {
                if flag != 0 {
                    finish(8 * g + q, flag);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    /// Oracle: the ziggurat's fast path compiled for the baseline instruction set (no
    /// run-time dispatch), then the same finishing: the dispatched batch gives the same
    /// bits and draws the same words, for whole and partial chunks.
    #[test]
    fn the_ziggurat_gives_the_same_bits_on_every_path() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut scratch = Batch::new(Normals::Ziggurat);
        let tables = &*ziggurat::TABLES;
        for _ in 0..200 {
            for len in [CHUNK, CHUNK - 1, 1, 2, 77] {
                let mut copy = rng.clone();
                let batch = scratch.draw(&mut rng, len).to_vec();
                let pairs = len.div_ceil(2);
                let words: Vec<u64> = (0..pairs).map(|_| copy.next_u64()).collect();
                let mut values = vec![0.0; 2 * pairs];
                let mut rejected = vec![0; pairs];
                let (xs, ys) = values.split_at_mut(pairs);
                ziggurat::fast(&words, xs, ys, &mut rejected, tables);
                finish_rejected(&mut copy, tables, &words, &rejected, &mut values[..len]);
                assert_eq!(
                    batch.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    values[..len]
                        .iter()
                        .map(|x| x.to_bits())
                        .collect::<Vec<_>>()
                );
                assert_eq!(rng, copy);
            }
        }
    }

    /// Oracle: the order of the module documentation written out plainly — for each word
    /// in turn, its low half and then its high half, every rejected first candidate
    /// finished from the stream — against the batch's (which skips groups of eight words
    /// with nothing rejected), for every chunk length; the dropped high half of an odd
    /// chunk's last word is never finished (the plain order skips it, and the two streams
    /// must end in the same state).
    #[test]
    fn rejections_are_finished_word_by_word_low_half_first() {
        let tables = &*ziggurat::TABLES;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let mut batch = Batch::new(Normals::Ziggurat);
        let mut rejections = 0;
        for len in (1..=CHUNK).rev().cycle().take(2000) {
            let mut plain = rng.clone();
            let drawn = batch.draw(&mut rng, len).to_vec();
            let pairs = len.div_ceil(2);
            let words: Vec<u64> = (0..pairs).map(|_| plain.next_u64()).collect();
            let mut values = vec![0.0; 2 * pairs];
            let mut rejected = vec![0; pairs];
            let (xs, ys) = values.split_at_mut(pairs);
            ziggurat::fast(&words, xs, ys, &mut rejected, tables);
            for p in 0..pairs {
                for half in 0..2 {
                    let index = half * pairs + p;
                    if rejected[p] >> half & 1 == 1 && index < len {
                        let bits = words[p] >> (32 * half);
                        values[index] = ziggurat::finish(
                            &mut plain,
                            tables,
                            ziggurat::layer(bits),
                            values[index],
                        );
                        rejections += 1;
                    }
                }
            }
            assert_eq!(
                drawn.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                values[..len]
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<_>>(),
                "len {len}"
            );
            assert_eq!(rng, plain, "len {len}");
        }
        // The oracle was exercised: about 0.43 % of 2.6e5 candidates.
        assert!(rejections > 500, "{rejections}");
    }
}
