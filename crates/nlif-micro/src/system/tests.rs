//! The reset after a cascade, against the literal reference.

use nlif_model::{InitialDensity, Input, ModelParams};

use super::{Parallelism, ParticleSystem};
use crate::cascade::{SingleProcess, cascade_reference};
use crate::{MicroConfig, Stepper};

/// Oracle: `cascade_reference` (literal rounds over all neurons) on the kicked voltages.
/// The kick event leaves exactly the reference's neurons and the initiators fired
/// (`-inf`) and every other neuron at its kicked voltage, bit for bit: for a large event
/// (more than a sixteenth of the network, reset in one pass at the final level) and for a
/// small one (reset neuron by neuron).
#[test]
fn a_kick_event_fires_exactly_the_reference_cascade() {
    let (n, b) = (5_000, 1.5);
    for (dv, large) in [(2.4, true), (1.4, false)] {
        let params = ModelParams {
            b,
            ..ModelParams::default()
        };
        let config = MicroConfig {
            particles: n,
            dt: 1e-3,
            stepper: Stepper::BrownianBridge,
            ..MicroConfig::default()
        };
        let initial = InitialDensity::Gaussian {
            mean: -1.0,
            var: 0.5,
        };
        let mut system = ParticleSystem::from_initial(
            params,
            Input::None,
            config,
            &initial,
            -4.0,
            4,
            Parallelism::Rayon,
        )
        .unwrap();
        let kicked: Vec<f64> = system.voltages().map(|v| v + dv).collect();
        let initiators = kicked.iter().filter(|&&v| v >= 2.0).count() as u64;
        let shifted: Vec<f64> = kicked
            .iter()
            .map(|&v| if v >= 2.0 { f64::NEG_INFINITY } else { v })
            .collect();
        let (expected, mask) = cascade_reference(&shifted, initiators, b / n as f64, 2.0);
        assert!(expected.fired > initiators, "dv = {dv}: no cascade");
        // The reset path is chosen by the neurons the cascade fired, initiators excluded.
        assert_eq!(
            expected.fired - initiators > n as u64 / 16,
            large,
            "dv = {dv}: {expected:?}"
        );
        let outcome = system.kick_event(dv, &mut SingleProcess);
        assert_eq!(outcome, (expected, 0));
        // Oracle: `voltages()`, the settled values computed on the fly. The buffer given up
        // holds them (the fired reset to `V_R`, the kick applied), bit for bit.
        let settled: Vec<u64> = system.voltages().map(f64::to_bits).collect();
        let buffer: Vec<u64> = system
            .clone()
            .into_voltages()
            .into_iter()
            .map(f64::to_bits)
            .collect();
        assert_eq!(buffer, settled, "dv = {dv}");
        for (i, &v) in system.voltages.iter().enumerate() {
            if mask[i] || shifted[i] == f64::NEG_INFINITY {
                assert_eq!(v, f64::NEG_INFINITY, "dv = {dv}: neuron {i} fired");
            } else {
                assert_eq!(v, shifted[i], "dv = {dv}: neuron {i} did not fire");
            }
        }
    }
}
