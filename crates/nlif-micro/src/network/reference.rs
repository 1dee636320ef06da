//! Test oracle, not API: the slow, obviously correct cascade across populations, literal
//! rounds over every neuron. Hidden from the documentation and exempt from semver; public
//! only for the crate's integration tests.

/// The cascade across populations of docs/model.md §10 by its definition.
///
/// `voltages[α]` are the voltages of population `α` after the pass (`-inf` for its
/// `initiators[α]` neurons that already fired), `kicks[α][β]` the kick of a spike of `β`
/// on `α`, `v_f[α]` the thresholds. Each round computes every level
/// `L_α = Σ_β fl(k_β · kicks[α][β])` (in `β` order), raises `M_α` to it, and fires every
/// neuron not yet fired with `v + M_α >= V_F,α` (`+inf` and NaN never fire); it stops when
/// a round fires nobody. `O(N × rounds)`: for tests only.
///
/// Returns the spikes `k_α` (initiators included), the rounds that fired, the masks of
/// the neurons the cascade fired and the final levels `L_α` (the kicks owed).
#[doc(hidden)]
#[must_use]
pub fn network_cascade_reference(
    voltages: &[Vec<f64>],
    initiators: &[u64],
    kicks: &[Vec<f64>],
    v_f: &[f64],
) -> (Vec<u64>, u32, Vec<Vec<bool>>, Vec<f64>) {
    let p = voltages.len();
    let level = |k: &[u64], alpha: usize| {
        let mut sum = k[0] as f64 * kicks[alpha][0];
        for beta in 1..p {
            sum += k[beta] as f64 * kicks[alpha][beta];
        }
        sum
    };
    let mut k = initiators.to_vec();
    let mut max = vec![0.0f64; p];
    let mut masks: Vec<Vec<bool>> = voltages.iter().map(|v| vec![false; v.len()]).collect();
    let mut rounds = 0;
    loop {
        let mut newly = vec![0u64; p];
        for alpha in 0..p {
            max[alpha] = max[alpha].max(level(&k, alpha));
            for (i, &v) in voltages[alpha].iter().enumerate() {
                if !masks[alpha][i] && v < f64::INFINITY && v + max[alpha] >= v_f[alpha] {
                    masks[alpha][i] = true;
                    newly[alpha] += 1;
                }
            }
        }
        if newly.iter().all(|&n| n == 0) {
            break;
        }
        for (k, n) in k.iter_mut().zip(newly) {
            *k += n;
        }
        rounds += 1;
    }
    let levels = (0..p).map(|alpha| level(&k, alpha)).collect();
    (k, rounds, masks, levels)
}
