//! The built-in weights against their identities, and the consistency check against
//! schemes that break one promise at a time.

use super::*;
use proptest::prelude::*;

proptest! {
    /// Oracle: the exponential-fitting identity `A = e^w B` (relative 1e-12 where
    /// both weights are O(1); for large |w| the Chang–Cooper form computes the small
    /// weight as a difference of O(1) numbers, exact to absolute round-off only), and
    /// `A, B > 0` (positivity).
    #[test]
    fn fitted_schemes_vanish_on_the_local_equilibrium(w in -5.0f64..5.0) {
        for (a, b) in [ChangCooper.weights(w), ScharfetterGummel.weights(w)] {
            prop_assert!(a > 0.0 && b > 0.0);
            prop_assert!((a - w.exp() * b).abs() <= 1e-12 * a, "w = {}: {} vs {}", w, a, w.exp() * b);
        }
    }

    #[test]
    fn weights_are_non_negative(w in -200.0f64..200.0) {
        for (a, b) in [ChangCooper.weights(w), ScharfetterGummel.weights(w), Upwind.weights(w)] {
            prop_assert!(a >= 0.0 && b >= 0.0, "w = {}: {} {}", w, a, b);
        }
    }

    /// Oracle: the unit structs. The enum returns the weights of the scheme it names,
    /// bit for bit.
    #[test]
    fn the_enum_returns_the_weights_of_the_scheme_it_names(w in -200.0f64..200.0) {
        let bits = |(a, b): (f64, f64)| (a.to_bits(), b.to_bits());
        prop_assert_eq!(bits(Scheme::ChangCooper.weights(w)), bits(ChangCooper.weights(w)));
        prop_assert_eq!(
            bits(Scheme::ScharfetterGummel.weights(w)),
            bits(ScharfetterGummel.weights(w))
        );
        prop_assert_eq!(bits(Scheme::Upwind.weights(w)), bits(Upwind.weights(w)));
    }

    /// Oracle: the algebraic identity of Chang–Cooper and Scharfetter–Gummel.
    #[test]
    fn chang_cooper_equals_scharfetter_gummel(w in -200.0f64..200.0) {
        let (a1, b1) = ChangCooper.weights(w);
        let (a2, b2) = ScharfetterGummel.weights(w);
        let scale = a2.max(b2);
        prop_assert!((a1 - a2).abs() <= 1e-14 * scale, "w = {}: A {} vs {}", w, a1, a2);
        prop_assert!((b1 - b2).abs() <= 1e-14 * scale, "w = {}: B {} vs {}", w, b1, b2);
    }
}

#[test]
fn limits_are_central_and_upwind() {
    // Oracle: w = 0 is pure diffusion (central), large |w| is upwinding of the drift.
    assert_eq!(ScharfetterGummel.weights(0.0), (1.0, 1.0));
    assert_eq!(chang_cooper_delta(0.0), 0.5);
    let (a, b) = ScharfetterGummel.weights(50.0);
    assert!((a - 50.0).abs() < 1e-12 && b < 1e-19);
    // Series and closed form agree where they meet (|x| = 0.1) and inside.
    for x in [
        0.1f64 * (1.0 - 1e-15),
        -0.1 * (1.0 - 1e-15),
        0.05,
        1e-3,
        -0.07,
    ] {
        let closed = x / x.exp_m1();
        assert!((bernoulli(x) - closed).abs() < 2e-16, "{x}");
        let delta = -1.0 / (-x).exp_m1() - 1.0 / x;
        assert!(
            (chang_cooper_delta(x) - delta).abs() < 1e-15 / x.abs(),
            "{x}"
        );
    }
}

proptest! {
    /// Oracle: the per-face `weights`. The batched `weights_into` of every built-in
    /// scheme gives the same bits on any mix of faces (both branches of the series,
    /// signed zeros, infinities, NaN), here through the step's vectorized dispatch.
    #[test]
    fn batched_weights_are_the_per_face_weights(
        w in prop::collection::vec(prop_oneof![
            8 => -0.2..0.2f64, 4 => -60.0..60.0f64,
            1 => Just(0.0), 1 => Just(-0.0), 1 => Just(0.1), 1 => Just(-0.1),
            1 => Just(f64::INFINITY), 1 => Just(f64::NEG_INFINITY), 1 => Just(f64::NAN)],
            0..300),
    ) {
        let schemes: [&dyn Batched; 3] = [&ScharfetterGummel, &ChangCooper, &Upwind];
        for scheme in schemes {
            let (mut a, mut b) = (vec![0.0; w.len()], vec![0.0; w.len()]);
            scheme.batch(&w, &mut a, &mut b);
            for (i, &w) in w.iter().enumerate() {
                let (ea, eb) = scheme.one(w);
                prop_assert_eq!((a[i].to_bits(), b[i].to_bits()), (ea.to_bits(), eb.to_bits()), "w = {}", w);
            }
        }
    }
}

/// Oracle: the tolerance's derivation. Every built-in scheme keeps every promise on
/// every sample, and its consistency error stays within 1 ε (|A| + |B|) (measured
/// 0.25 ε, 0.8 ε, 0.25 ε, printed), an eighth of the tolerance.
#[test]
fn the_built_in_schemes_keep_their_promises() {
    type Weights = dyn Fn(f64) -> (f64, f64);
    let schemes: [(&str, &Weights); 3] = [
        ("ScharfetterGummel", &|w| ScharfetterGummel.weights(w)),
        ("ChangCooper", &|w| ChangCooper.weights(w)),
        ("Upwind", &|w| Upwind.weights(w)),
    ];
    for (name, weights) in schemes {
        let worst = peclet_samples()
            .into_iter()
            .map(|w| {
                let (a, b) = weights(w);
                ((a - b) - w).abs() / ((a.abs() + b.abs()) * f64::EPSILON)
            })
            .fold(0.0f64, f64::max);
        println!("{name}: |fl(A - B) - w| <= {worst:.2} eps (|A| + |B|)");
        assert!(worst <= 1.0, "{name}: {worst} eps");
    }
    for scheme in [
        Scheme::ChangCooper,
        Scheme::ScharfetterGummel,
        Scheme::Upwind,
    ] {
        assert_eq!(check_consistency(&scheme), Ok(()), "{scheme:?}");
    }
    assert_eq!(check_consistency(&ScharfetterGummel), Ok(()));
    assert_eq!(check_consistency(&ChangCooper), Ok(()));
    assert_eq!(check_consistency(&Upwind), Ok(()));
    let samples = peclet_samples();
    assert!(samples.windows(2).all(|p| p[0] <= p[1]));
    assert!(samples.contains(&1e-300) && samples.contains(&-1e8) && samples.contains(&0.0));
}

/// A scheme from a closure, to break one promise at a time.
struct Made<F>(F);

impl<F: Fn(f64) -> (f64, f64) + 'static> FluxScheme for Made<F> {
    fn weights(&self, w: f64) -> (f64, f64) {
        (self.0)(w)
    }
}

/// Oracle: the promises as written, broken one at a time (each scheme keeps all the
/// others). Each is named, at the first sample that shows it.
#[test]
fn each_broken_promise_is_named() {
    let sg = |w: f64| ScharfetterGummel.weights(w);
    // The scheme: consistent drift counted twice (A - B = 2w), positive.
    let twice = check_consistency(&Made(move |w: f64| {
        let (a, b) = sg(w);
        (a + w.max(0.0), b + (-w).max(0.0))
    }));
    let Err(SchemeViolation::Inconsistent { w, difference, .. }) = twice else {
        panic!("{twice:?}");
    };
    assert_eq!(difference, 2.0 * w);
    // Overflows past |w| = 709.78: e^w / (e^w - 1) as written.
    let naive = check_consistency(&Made(|w: f64| {
        if w == 0.0 {
            (1.0, 1.0)
        } else {
            (w * w.exp() / w.exp_m1(), w / w.exp_m1())
        }
    }));
    let Err(SchemeViolation::NonFinite { w, .. }) = naive else {
        panic!("{naive:?}");
    };
    assert!(w.abs() >= 700.0, "{w}");
    // Central differencing: consistent, negative beyond |w| = 2.
    let central = check_consistency(&Made(|w: f64| (1.0 + 0.5 * w, 1.0 - 0.5 * w)));
    let Err(SchemeViolation::Negative { w, .. }) = central else {
        panic!("{central:?}");
    };
    assert!(w.abs() > 2.0, "{w}");
    // Twice the diffusion: A - B = w, but B(0) = 2.
    let doubled = check_consistency(&Made(|w: f64| (2.0 + w.max(0.0), 2.0 + (-w).max(0.0))));
    assert!(
        matches!(doubled, Err(SchemeViolation::NotDiffusive { b: 2.0, .. })),
        "{doubled:?}"
    );
    // A counter in the weights: the same w gives other bits on the next call.
    let calls = std::cell::Cell::new(0u64);
    let impure = check_consistency(&Made(move |w: f64| {
        calls.set(calls.get() + 1);
        let (a, b) = sg(w);
        (a * (1.0 + (calls.get() % 2) as f64 * f64::EPSILON), b)
    }));
    assert!(
        matches!(impure, Err(SchemeViolation::Impure { .. })),
        "{impure:?}"
    );
    // A batched form that is not the per-face one.
    struct OffBatch;
    impl FluxScheme for OffBatch {
        fn weights(&self, w: f64) -> (f64, f64) {
            ScharfetterGummel.weights(w)
        }
        fn weights_into(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
            ChangCooper.weights_into(w, a, b);
        }
    }
    let batch = check_consistency(&OffBatch);
    assert!(
        matches!(batch, Err(SchemeViolation::BatchDiffers { .. })),
        "{batch:?}"
    );
}

/// The built-in schemes behind one object, run through `pulp` as the step runs them.
trait Batched {
    fn batch(&self, w: &[f64], a: &mut [f64], b: &mut [f64]);
    fn one(&self, w: f64) -> (f64, f64);
}

impl<S: FluxScheme> Batched for S {
    fn batch(&self, w: &[f64], a: &mut [f64], b: &mut [f64]) {
        struct Run<'a, S>(&'a S, &'a [f64], &'a mut [f64], &'a mut [f64]);
        impl<S: FluxScheme> pulp::WithSimd for Run<'_, S> {
            type Output = ();
            #[inline(always)]
            fn with_simd<V: pulp::Simd>(self, _simd: V) {
                self.0.weights_into(self.1, self.2, self.3);
            }
        }
        pulp::Arch::new().dispatch(Run(self, w, a, b));
    }
    fn one(&self, w: f64) -> (f64, f64) {
        self.weights(w)
    }
}
