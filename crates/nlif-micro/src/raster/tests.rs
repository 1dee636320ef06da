//! The recorded spikes against an independent reading of the same run.
//!
//! Oracle: a copy of the system stepped with recording off. After its step the neurons
//! the sub-threshold pass and its cascade fired are still marked (`-inf`), so the sampled
//! ones so marked are the spikes at the end of the step; an input kick's spikes are
//! computed from the copy's settled voltages before the step by the kick event's rule
//! (`v + dv + fl(k · b / N) >= V_F`, `k` the event's fired count from the report).

use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};
use proptest::prelude::*;

use super::{Spike, SpikeRaster, sample_ids};
use crate::{MicroConfig, Parallelism, ParticleNetwork, ParticleSystem, Stepper};

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 1.0,
    var: 0.3,
};

fn system(n: usize, b: f64, input: Input) -> ParticleSystem {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let config = MicroConfig {
        particles: n,
        dt: 1e-3,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    };
    ParticleSystem::from_initial(params, input, config, &INITIAL, -4.0, 3, Parallelism::Rayon)
        .unwrap()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every step of a run with a large kick cascade: the recorded spikes of the sampled
/// neurons are the oracle's, and the recording system computes the copy's run bit for
/// bit (voltages, reports).
#[test]
fn recorded_spikes_are_the_marks_of_the_same_run() {
    let (n, b, dv) = (5_000, 1.5, 0.6);
    let input = Input::Kick { t0: 0.05, dv };
    for size in [0, 1, 200, 5_000, 10_000] {
        let mut reference = system(n, b, input);
        let mut recording = reference.clone();
        let mut raster = SpikeRaster::new(11, &[n], size);
        assert_eq!(raster.len(), size.min(n));
        let ids = raster.ids(0).to_vec();
        let (v_f, kick) = (reference.params().v_f, b / n as f64);
        let mut total = 0;
        let mut kicked = 0;
        for _ in 0..150 {
            let t = reference.time();
            let before: Vec<f64> = reference.voltages().collect();
            let expected_report = reference.step();
            let report = recording.step_recording(&mut crate::SingleProcess, &mut raster);
            assert_eq!(format!("{report:?}"), format!("{expected_report:?}"));
            assert_eq!(
                bits(recording.raw_voltages()),
                bits(reference.raw_voltages())
            );
            let mut expected = Vec::new();
            if let Some(dv) = input.kick_within(t, reference.time()) {
                let k = expected_report.mfes[0].map_or(0, |m| m.fired);
                let level = k as f64 * kick;
                for &id in &ids {
                    if before[id as usize] + dv + level >= v_f {
                        expected.push(Spike {
                            t,
                            population: 0,
                            neuron: id,
                        });
                    }
                }
                kicked += expected.len();
            }
            for &id in &ids {
                if reference.raw_voltages()[id as usize] == f64::NEG_INFINITY {
                    let t = t + reference.config().dt;
                    expected.push(Spike {
                        t,
                        population: 0,
                        neuron: id,
                    });
                }
            }
            let mut got = Vec::new();
            raster.take(&mut got);
            assert_eq!(got, expected, "size {size}, t = {t}");
            if size >= n {
                assert_eq!(got.len() as u64, report.spikes, "every neuron sampled");
            }
            total += got.len();
        }
        if size >= 200 {
            assert!(
                total > size / 4 && kicked > 0,
                "size {size}: {total} spikes, {kicked} at the kick"
            );
        }
    }
}

fn network() -> Network {
    let population = |name: &str, share, a0, input| Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    };
    Network {
        populations: vec![
            population("E", 0.8, 1.0, Input::Kick { t0: 0.05, dv: 0.5 }),
            population("I", 0.2, 0.5, Input::Constant { i0: 0.5 }),
        ],
        coupling: vec![vec![2.5, -1.0], vec![2.0, -1.0]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

/// A network: the spikes at the end of each step are the marks of every population's
/// sampled neurons in a copy stepped without recording; with every neuron sampled, the
/// spikes of each population in a step are its spike count.
#[test]
fn a_network_records_the_marks_of_each_population() {
    let config = MicroConfig {
        particles: 3_000,
        dt: 1e-3,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    };
    for size in [30, 3_000] {
        let mut reference = ParticleNetwork::builder(network(), config, 5)
            .sample(&[INITIAL, INITIAL], -4.0)
            .unwrap();
        let mut recording = reference.clone();
        let neurons: Vec<usize> = reference.neurons().collect();
        let mut raster = SpikeRaster::new(5, &neurons, size);
        let mut total = [0; 2];
        for _ in 0..120 {
            let t_end = reference.time() + reference.dt();
            let expected_report = reference.step();
            let report = recording.step_recording(&mut crate::SingleProcess, &mut raster);
            assert_eq!(report, expected_report);
            let mut got = Vec::new();
            raster.take(&mut got);
            for alpha in 0..2 {
                let raw = reference.population(alpha).unwrap().raw_voltages();
                let again = recording.population(alpha).unwrap().raw_voltages();
                assert_eq!(bits(raw), bits(again));
                let marked: Vec<u64> = (raster.ids(alpha).iter().copied())
                    .filter(|&id| raw[id as usize] == f64::NEG_INFINITY)
                    .collect();
                let at_end: Vec<u64> = (got.iter())
                    .filter(|s| s.population == alpha as u32 && s.t == t_end)
                    .map(|s| s.neuron)
                    .collect();
                assert_eq!(at_end, marked);
                let all = got.iter().filter(|s| s.population == alpha as u32).count();
                if size >= neurons[alpha] {
                    assert_eq!(all as u64, reference.last_spikes()[alpha]);
                }
                total[alpha] += all;
            }
            assert!(got.windows(2).all(|w| w[0].t <= w[1].t), "in time order");
        }
        assert!(total.iter().all(|&k| k > 0), "{total:?}");
    }
}

proptest! {
    /// The sample: `min(size, N)` distinct ids of `0..N`, ascending, the same for the
    /// same seed and population, another for another seed (for a sample that leaves a
    /// choice of more than a few subsets).
    #[test]
    fn sampled_ids_are_distinct_in_range_and_fixed_by_the_seed(
        seed in any::<u64>(),
        alpha in 0usize..4,
        neurons in 1usize..5_000,
        size in 0usize..300,
    ) {
        let ids = sample_ids(seed, alpha, neurons, size);
        prop_assert_eq!(ids.len(), size.min(neurons));
        prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(ids.iter().all(|&id| id < neurons as u64));
        prop_assert_eq!(&ids, &sample_ids(seed, alpha, neurons, size));
        if size >= 8 && neurons >= 2 * size {
            prop_assert_ne!(&ids, &sample_ids(seed ^ 1, alpha, neurons, size));
            prop_assert_ne!(&ids, &sample_ids(seed, alpha + 1, neurons, size));
        }
    }
}

/// Floyd's sample is uniform: each of 10 neurons is in a sample of 3 with probability
/// 3/10; over 20 000 seeds each count is within 5 standard deviations of 6 000.
#[test]
fn every_neuron_is_sampled_alike() {
    let mut counts = [0u32; 10];
    for seed in 0..20_000 {
        for id in sample_ids(seed, 0, 10, 3) {
            counts[id as usize] += 1;
        }
    }
    let sd = (20_000.0f64 * 0.3 * 0.7).sqrt();
    for c in counts {
        assert!((f64::from(c) - 6_000.0).abs() < 5.0 * sd, "{counts:?}");
    }
}
