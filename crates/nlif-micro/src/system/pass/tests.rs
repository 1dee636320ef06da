//! Tests of the sub-threshold pass: compaction, and the split pass against the plain loop.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::*;
use crate::Stepper;

/// A built-in kernel without its split form: the system runs it in the plain loop.
#[derive(Clone, Copy)]
struct Plain<K>(K);

impl<K: SubthresholdStep> SubthresholdStep for Plain<K> {
    fn advance<R: Rng>(&self, v: f64, z: f64, rng: &mut R) -> (f64, bool) {
        self.0.advance(v, z, rng)
    }
}

fn run<K: SubthresholdStep>(
    step: K,
    normals: Normals,
    v: &mut [f64],
    pending: f64,
    theta: f64,
    (away, counts): (Option<Away>, Vec<u32>),
) -> Block {
    let mut block = Block {
        rng: Xoshiro256PlusPlus::seed_from_u64(9),
        fired: 0,
        non_finite: 0,
        window: Vec::new(),
        away: counts,
    };
    BlockPass {
        offset: 1000,
        normals,
        v,
        block: &mut block,
        pending,
        v_r: 1.0,
        v_f: 2.0,
        theta,
        away,
    }
    .visit(step);
    block
}

proptest! {
    /// Oracle: the obvious filter. Any length up to a chunk, any density of flags.
    #[test]
    fn compaction_lists_the_flagged_indices_in_order(
        flags in proptest::collection::vec(prop_oneof![3 => Just(0u64), 1 => 1u64..=7], 0..=CHUNK)
    ) {
        let expected: Vec<u16> = (0..flags.len() as u16).filter(|&i| flags[usize::from(i)] != 0).collect();
        for dense in [false, true] {
            let mut flagged = [0u16; CHUNK];
            let count = compact(&flags, &mut flagged, dense);
            prop_assert_eq!(&flagged[..count], &expected[..]);
        }
    }
}

proptest! {
    /// Oracle: the plain loop over `advance` (the pass of a kernel without the split
    /// form). The vectorized pass gives the same voltages, spikes, cascade window and
    /// stream state, bit for bit, for any block length (whole and partial chunks),
    /// voltages anywhere below `V_F` (reset marks included, and NaN and +inf, which a
    /// system never holds but a kernel must not mishandle), kicks and windows.
    #[test]
    fn the_split_pass_is_the_plain_loop(
        voltages in prop::collection::vec(
            prop_oneof![
                10 => -3.0..2.0f64, 10 => 1.7..2.0f64,
                1 => Just(f64::NEG_INFINITY), 1 => Just(f64::NAN), 1 => Just(f64::INFINITY)],
            1..700),
        pending in prop_oneof![Just(0.0), 0.0..0.05f64],
        theta in prop_oneof![Just(f64::NEG_INFINITY), 0.0..0.2f64],
        stepper in prop_oneof![
            Just(Stepper::EulerMaruyama), Just(Stepper::BrownianBridge), Just(Stepper::ExactOu)],
        dt in prop_oneof![Just(1e-3), 1e-4..5e-2f64],
        current in -1.0..3.0f64,
        away in prop_oneof![
            Just(None),
            (0u32..4).prop_map(|steps| Some(Away::Fixed { steps })),
            (0.0..3.0f64).prop_map(|steps_per_tau| Some(Away::Exponential { steps_per_tau }))],
        counts in prop::collection::vec(prop_oneof![3 => Just(0u32), 1 => 0u32..4], 700),
        normals in prop_oneof![Just(Normals::BoxMuller), Just(Normals::Ziggurat)],
    ) {
        let kernel = stepper.coefficients(dt, current, 1.0, 2.0);
        // Times away only where a system can hold them: on neurons at `-inf`.
        let counts: Vec<u32> = match away {
            Some(_) => voltages.iter().zip(&counts)
                .map(|(&v, &c)| if v == f64::NEG_INFINITY { c } else { 0 }).collect(),
            None => Vec::new(),
        };
        let (mut split, mut plain) = (voltages.clone(), voltages);
        let (a, b) = kernel.dispatch(Both {
            split: &mut split, plain: &mut plain, pending, theta, away: (away, counts), normals,
        });
        prop_assert_eq!(
            split.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            plain.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        prop_assert_eq!(a.fired, b.fired);
        prop_assert_eq!(a.non_finite, b.non_finite);
        prop_assert_eq!(
            a.window.iter().map(|&(x, i)| (x.to_bits(), i)).collect::<Vec<_>>(),
            b.window.iter().map(|&(x, i)| (x.to_bits(), i)).collect::<Vec<_>>()
        );
        prop_assert_eq!(a.rng, b.rng);
        prop_assert_eq!(a.away, b.away);
    }

    /// The contract of `propagate` for the built-in kernels (oracle: their `advance`):
    /// a settled particle ends where `propagate` says, does not fire, and draws nothing.
    #[test]
    fn settled_means_advance_draws_nothing_and_ends_there(
        v in -3.0..2.0f64,
        z in -8.0..8.0f64,
        stepper in prop_oneof![
            Just(Stepper::EulerMaruyama), Just(Stepper::BrownianBridge), Just(Stepper::ExactOu)],
        dt in 1e-5..0.5f64,
        a in 0.01..4.0f64,
    ) {
        let kernel = stepper.coefficients(dt, 1.0, a, 2.0);
        let (next, settled) = kernel.propagate(v, z);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let copy = rng.clone();
        let (advanced, fired) = kernel.advance(v, z, &mut rng);
        prop_assert_eq!(next.to_bits(), advanced.to_bits());
        if settled {
            prop_assert!(!fired);
            prop_assert_eq!(rng, copy);
        }
    }
}

/// Runs the split kernel and its plain twin over copies of one block.
struct Both<'a> {
    split: &'a mut [f64],
    plain: &'a mut [f64],
    pending: f64,
    theta: f64,
    away: (Option<Away>, Vec<u32>),
    normals: Normals,
}

impl KernelVisitor for Both<'_> {
    type Output = (Block, Block);
    fn visit<K: SubthresholdStep>(self, step: K) -> (Block, Block) {
        assert!(K::SPLIT);
        let away = self.away.clone();
        (
            run(
                step,
                self.normals,
                self.split,
                self.pending,
                self.theta,
                away,
            ),
            run(
                Plain(step),
                self.normals,
                self.plain,
                self.pending,
                self.theta,
                self.away,
            ),
        )
    }
}
