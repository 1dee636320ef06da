//! Seeds of independent random streams derived from one run seed.
//!
//! Every random stream of a run (a particle phase's per-block streams, the sampling at a
//! hand-over, a sweep point's seed) is seeded by [`derive`](fn@derive)`(seed, tag)` with a tag of its
//! own, so one seed determines the whole run and streams never share a seed by accident.

/// SplitMix64's finaliser applied to `seed XOR tag · φ` (`φ = 0x9E3779B97F4A7C15`, the
/// golden-ratio increment of SplitMix64): a bijection of `seed` for each tag, whose
/// outputs for different tags pass as independent 64-bit seeds (Steele, Lea & Flood,
/// OOPSLA 2014).
///
/// ```
/// use nlif_model::seed::derive;
/// // The first output of SplitMix64 seeded with 0 (its reference value).
/// assert_eq!(derive(0, 1), 0xE220_A839_7B1D_CDAF);
/// assert_ne!(derive(7, 1), derive(7, 2));
/// ```
#[must_use]
pub fn derive(seed: u64, tag: u64) -> u64 {
    let mut z = seed ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
