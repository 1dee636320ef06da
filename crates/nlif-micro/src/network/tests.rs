//! The cascade across populations against the literal rounds of
//! [`network_cascade_reference`](super::reference::network_cascade_reference).

use nlif_model::Input;
use nlif_model::network::{Network, Population};
use proptest::prelude::*;

use super::ParticleNetwork;
use super::reference::network_cascade_reference;
use crate::cascade::SingleProcess;
use crate::{MicroConfig, Parallelism, Stepper};

/// One population of the generated networks: its voltages, threshold and input kick.
#[derive(Debug, Clone)]
struct Case {
    voltages: Vec<f64>,
    v_f: f64,
    dv: f64,
    initiators: u64,
}

/// A population of `n` neurons: voltages on a lattice `V_F - m · step` (ties with the
/// levels of the first population's kicks), anywhere below `V_F`, or just below it.
fn population(n: usize, step: f64) -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(2.0), Just(1.5)],
        prop_oneof![Just(0.0), Just(0.05), 0.0..0.6f64],
        0..=n as u64,
    )
        .prop_flat_map(move |(v_f, dv, initiators)| {
            let voltage = prop_oneof![
                4 => (1u32..(n as u32 + 8)).prop_map(move |m| v_f - f64::from(m) * step),
                4 => v_f - 3.0..v_f,
                1 => v_f - 1e-3..v_f,
            ];
            (
                proptest::collection::vec(voltage, n),
                Just(v_f),
                Just(dv),
                Just(initiators),
            )
                .prop_map(|(voltages, v_f, dv, initiators)| Case {
                    voltages,
                    v_f,
                    dv,
                    initiators,
                })
        })
}

/// Networks of 1 to 3 populations with signed couplings (some zero), sizes up to a few
/// hundred or, with `large`, across several blocks.
fn networks(large: bool) -> impl Strategy<Value = (Vec<Case>, Vec<Vec<f64>>)> {
    let size = if large { 4000usize..9000 } else { 1usize..200 };
    (1usize..=3, proptest::collection::vec(size, 3)).prop_flat_map(|(p, sizes)| {
        let sizes = sizes[..p].to_vec();
        let step = 1.0 / sizes[0] as f64;
        let coupling = proptest::collection::vec(
            proptest::collection::vec(prop_oneof![1 => Just(0.0), 4 => -3.0..6.0f64], p),
            p,
        );
        let cases: Vec<_> = sizes.iter().map(|&n| population(n, step)).collect();
        (cases, coupling)
    })
}

fn check((cases, coupling): (Vec<Case>, Vec<Vec<f64>>)) -> Result<(), TestCaseError> {
    let sizes: Vec<usize> = cases.iter().map(|c| c.voltages.len()).collect();
    let total: usize = sizes.iter().sum();
    let network = Network {
        populations: (cases.iter().enumerate())
            .map(|(alpha, c)| Population {
                name: format!("p{alpha}"),
                share: sizes[alpha] as f64 / total as f64,
                a0: 1.0,
                v_f: c.v_f,
                v_r: c.v_f - 1.0,
                input: Input::Kick { t0: 0.0, dv: c.dv },
                initial: None,
                refractory: Default::default(),
                prior_rate: 0.0,
            })
            .collect(),
        coupling: coupling.clone(),
        a1: Vec::new(),
        delay: Vec::new(),
    };
    prop_assume!(network.neurons(total).ok().as_deref() == Some(&sizes[..]));
    let config = MicroConfig {
        particles: total,
        dt: 1e-3,
        stepper: Stepper::BrownianBridge,
        ..MicroConfig::default()
    };
    let voltages: Vec<Vec<f64>> = cases.iter().map(|c| c.voltages.clone()).collect();
    let mut net = ParticleNetwork::builder(network, config, 1)
        .parallelism(Parallelism::Sequential)
        .voltages(voltages)
        .expect("a valid network");
    // The windows' widths come from the last initiators: vary them.
    for (alpha, c) in cases.iter().enumerate() {
        net.last_initiators[alpha] = c.initiators;
    }
    let (outcome, _) = net.kick_event(0.0, 1e-3, &mut SingleProcess);
    // The reference's input: the kicked voltages, those at or over V_F fired.
    let kicked: Vec<Vec<f64>> = (cases.iter())
        .map(|c| {
            (c.voltages.iter())
                .map(|&v| (v + 0.0) + c.dv)
                .map(|v| if v >= c.v_f { f64::NEG_INFINITY } else { v })
                .collect()
        })
        .collect();
    let initiators: Vec<u64> = (kicked.iter())
        .map(|v| v.iter().filter(|x| **x == f64::NEG_INFINITY).count() as u64)
        .collect();
    let kicks: Vec<Vec<f64>> = (coupling.iter())
        .map(|row| {
            row.iter()
                .zip(&sizes)
                .map(|(&b, &n)| b / n as f64)
                .collect()
        })
        .collect();
    let v_f: Vec<f64> = cases.iter().map(|c| c.v_f).collect();
    let (k, rounds, masks, levels) = network_cascade_reference(&kicked, &initiators, &kicks, &v_f);
    prop_assert_eq!(net.last_spikes(), &k[..]);
    prop_assert_eq!(outcome.fired, k.iter().sum::<u64>());
    prop_assert_eq!(outcome.rounds, rounds);
    let fired_any = initiators.iter().sum::<u64>() > 0;
    for alpha in 0..cases.len() {
        let system = net.population(alpha).expect("the whole network");
        let pending = system.pending_kick();
        if fired_any {
            prop_assert_eq!(
                pending.to_bits(),
                levels[alpha].to_bits(),
                "population {}",
                alpha
            );
        } else {
            prop_assert_eq!(pending.to_bits(), 0.0f64.to_bits());
        }
        for (i, (&got, &x)) in system.raw_voltages().iter().zip(&kicked[alpha]).enumerate() {
            let expected = if masks[alpha][i] {
                f64::NEG_INFINITY
            } else {
                x
            };
            prop_assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "population {} neuron {}",
                alpha,
                i
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    /// Oracle: `network_cascade_reference`, literal rounds over every neuron. Spikes per
    /// population, rounds, the fired neurons and the kicks owed, bit for bit.
    #[test]
    fn network_cascade_equals_the_literal_rounds(case in networks(false)) {
        check(case)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// As above, for populations of several blocks (the reset of a large cascade in one
    /// pass, the bands gathered below the window).
    #[test]
    fn network_cascade_equals_the_literal_rounds_across_blocks(case in networks(true)) {
        check(case)?;
    }
}
