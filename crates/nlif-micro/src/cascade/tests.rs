//! The cascade resolution against the literal rounds of `cascade_reference`.

use super::*;
use proptest::prelude::*;

/// Runs the fast resolution on `voltages` with the window `v + theta >= v_f`.
fn fast(voltages: &[f64], s0: u64, kick: f64, v_f: f64, theta: f64) -> (CascadeOutcome, Vec<bool>) {
    let mut ws = CascadeWorkspace::default();
    ws.candidates.items = voltages
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v + theta >= v_f)
        .map(|(i, &v)| (v, i as u32))
        .collect();
    // The network: the s0 initiators (not in `voltages` here) and `voltages`.
    let n = s0 + voltages.len() as u64;
    let outcome = ws.resolve(voltages, n, s0, kick, v_f, theta, &mut SingleProcess);
    let mut mask = vec![false; voltages.len()];
    for &i in &ws.fired {
        assert!(!mask[i as usize], "neuron {i} fired twice");
        mask[i as usize] = true;
    }
    (outcome, mask)
}

/// Voltages on a lattice `v_f - m · kick` (ties exactly at the cascade levels), mixed
/// with arbitrary ones and with neurons that already fired (`-inf`).
fn states() -> impl Strategy<Value = (Vec<f64>, u64, f64, u64)> {
    (1usize..300, 0.1f64..4.0, 0u64..6, 1u64..200).prop_flat_map(|(n, b, s0, w)| {
        let kick = b / n as f64;
        let voltage = prop_oneof![
            (0u32..(n as u32 + 5)).prop_map(move |m| 2.0 - m as f64 * kick),
            (-1.0f64..2.0).prop_map(|v| v.min(1.999_999)),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
        ];
        (
            proptest::collection::vec(voltage, n),
            Just(s0),
            Just(kick),
            Just(w),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// Oracle: `cascade_reference`, literal rounds over all neurons.
    #[test]
    fn fast_cascade_equals_round_by_round_reference((v, s0, kick, w) in states()) {
        let theta = w as f64 * kick;
        let (expected, expected_mask) = cascade_reference(&v, s0, kick, 2.0);
        let (got, mask) = fast(&v, s0, kick, 2.0, theta);
        prop_assert_eq!(got, expected);
        prop_assert_eq!(mask, expected_mask);
    }
}

proptest! {
    /// Oracle: the plain filter. Lengths across several pieces, a non-empty buffer to
    /// append to, voltages in and out of the band, and the non-finite ones.
    #[test]
    fn gather_appends_what_a_filter_keeps(
        v in proptest::collection::vec(
            prop_oneof![8 => 0.0..2.0f64, 1 => Just(f64::NEG_INFINITY), 1 => Just(f64::NAN)],
            0..3 * GATHER + 7),
        lo in 0.0..1.0f64,
        width in 0.0..1.0f64,
    ) {
        let keep = |x: f64| (x + lo < 2.0) & (x + lo + width >= 2.0);
        let mut items = vec![(-1.0, 7u32)];
        gather(&mut items, &v, keep);
        let mut expected = vec![(-1.0, 7u32)];
        expected.extend(
            v.iter().enumerate().filter(|&(_, &x)| keep(x)).map(|(i, &x)| (x, i as u32)),
        );
        let bits = |a: &[(f64, u32)]| a.iter().map(|&(x, i)| (x.to_bits(), i)).collect::<Vec<_>>();
        prop_assert_eq!(bits(&items), bits(&expected));
    }
}

#[test]
fn ties_at_threshold_fire() {
    // Oracle: hand-worked. kick = 0.25: the neuron at v_f - 0.25 fires at level 1
    // (one initiator), the next at v_f - 0.5 at level 2, and the one at v_f - 1.0
    // would need level 4 but the cascade stops at 3.
    let v = [1.75, 1.5, 1.0, f64::NEG_INFINITY];
    let (outcome, mask) = fast(&v, 1, 0.25, 2.0, 0.25);
    assert_eq!(
        outcome,
        CascadeOutcome {
            fired: 3,
            rounds: 2
        }
    );
    assert_eq!(mask, vec![true, true, false, false]);
    assert_eq!(cascade_reference(&v, 1, 0.25, 2.0).0, outcome);
}
