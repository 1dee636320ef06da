//! A network of populations is the particle system it generalises: one population is
//! today's `ParticleSystem` bit for bit, and uncoupled populations are independent
//! `ParticleSystem`s bit for bit.
//!
//! Oracle throughout: `ParticleSystem`, built and stepped on its own with the seed
//! `population_seed(seed, α)` and the population's own parameters; every `f64` compared by
//! its bits.

use nlif_micro::network::population_seed;
use nlif_micro::{MicroConfig, Parallelism, ParticleNetwork, ParticleSystem, Stepper};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input, ModelParams};

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: -1.0,
    var: 0.5,
};

fn bits(v: impl Iterator<Item = f64>) -> Vec<u64> {
    v.map(f64::to_bits).collect()
}

/// An excitatory population (`b = 3`, whose first synchronous burst comes near `t = 3.4`)
/// with rate-dependent noise and an input kick at `t = 1`: over 4000 steps the network of
/// one population and the particle system give the same reports (spikes, rate, every
/// multiple firing event), voltages and states.
#[test]
fn one_population_is_the_particle_system_bit_for_bit() {
    let params = ModelParams {
        b: 3.0,
        a1: 0.05,
        ..ModelParams::default()
    };
    let input = Input::Kick { t0: 1.0, dv: 0.4 };
    for stepper in [Stepper::BrownianBridge, Stepper::EulerMaruyama] {
        let config = MicroConfig {
            particles: 10_000,
            dt: 1e-3,
            stepper,
            normals: Default::default(),
            mfe_min_fraction: 0.0,
        };
        let mut system = ParticleSystem::builder(params, input, config, 5)
            .parallelism(Parallelism::Sequential)
            .sample(&INITIAL, -4.0)
            .unwrap();
        let mut net = ParticleNetwork::builder(Network::single(&params, input), config, 5)
            .parallelism(Parallelism::Sequential)
            .sample(&[INITIAL], -4.0)
            .unwrap();
        let (mut bursts, mut kicks) = (0, 0);
        for step in 0..4000 {
            let a = system.step();
            let b = net.step();
            assert_eq!(a.spikes, b.spikes, "{stepper:?}, step {step}");
            assert_eq!(a.rate.to_bits(), b.rate.to_bits(), "step {step}");
            assert_eq!(a.non_finite, b.non_finite);
            for (x, y) in a.mfes.iter().zip(&b.mfes) {
                assert_eq!(x.as_ref(), y.as_ref().map(|m| &m.network), "step {step}");
                if let Some(y) = y {
                    assert_eq!(y.populations[0].fired, y.network.fired);
                    if y.network.fraction > 0.5 {
                        bursts += 1;
                    }
                }
            }
            kicks += usize::from(b.mfes[0].is_some());
            assert_eq!(net.rates(), &[system.rate()]);
            assert_eq!(net.last_spikes(), &[a.spikes]);
            if step % 500 == 0 || b.mfes[1].is_some() {
                assert_eq!(
                    bits(system.voltages()),
                    bits(net.voltages(0)),
                    "step {step}"
                );
            }
        }
        assert!(
            bursts >= 1 && kicks == 1,
            "{stepper:?}: {bursts} bursts, {kicks} kicks"
        );
        assert_eq!(net.time().to_bits(), system.time().to_bits());
        assert_eq!(net.state().populations[0].as_ref(), Some(&system.state()));
    }
}

fn population(name: &str, share: f64, a0: f64, v_f: f64, input: Input) -> Population {
    Population {
        name: name.into(),
        share,
        a0,
        v_f,
        v_r: v_f - 1.2,
        input,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    }
}

/// Two populations with their own coupling but none across (`coupling[0][1] =
/// coupling[1][0] = 0`): each is the particle system of its own parameters, size and
/// seed, bit for bit — population 0 excitatory with a kick (its cascades),
/// population 1 inhibitory with a periodic input and a rate-dependent noise.
#[test]
fn uncoupled_populations_are_independent_particle_systems() {
    let kick = Input::Kick { t0: 0.5, dv: 0.3 };
    let periodic = Input::Periodic {
        i0: 0.5,
        amplitude: 1.0,
        period: 0.3,
        phase: 0.2,
    };
    let network = Network {
        populations: vec![
            population("E", 0.7, 1.0, 2.0, kick),
            population("I", 0.3, 0.6, 1.8, periodic),
        ],
        coupling: vec![vec![3.0, 0.0], vec![0.0, -0.8]],
        a1: vec![vec![0.0, 0.0], vec![0.0, 0.1]],
        delay: Vec::new(),
    };
    let (seed, total) = (17, 12_000);
    let config = MicroConfig {
        particles: total,
        dt: 1e-3,
        stepper: Stepper::BrownianBridge,
        normals: Default::default(),
        mfe_min_fraction: 0.0,
    };
    let neurons = network.neurons(total).unwrap();
    assert_eq!(neurons, [8400, 3600]);
    let mut systems: Vec<ParticleSystem> = (0..2)
        .map(|alpha| {
            let p = &network.populations[alpha];
            let params = ModelParams {
                a0: p.a0,
                a1: network.a1[alpha][alpha],
                b: network.coupling[alpha][alpha],
                v_f: p.v_f,
                v_r: p.v_r,
            };
            let config = MicroConfig {
                particles: neurons[alpha],
                ..config
            };
            ParticleSystem::builder(params, p.input, config, population_seed(seed, alpha))
                .parallelism(Parallelism::Sequential)
                .sample(&INITIAL, -4.0)
                .unwrap()
        })
        .collect();
    let mut net = ParticleNetwork::builder(network, config, seed)
        .parallelism(Parallelism::Sequential)
        .sample(&[INITIAL, INITIAL], -4.0)
        .unwrap();
    let mut cascades = 0;
    for step in 0..4000 {
        let b = net.step();
        let a: Vec<_> = systems.iter_mut().map(ParticleSystem::step).collect();
        assert_eq!(
            net.last_spikes(),
            &[a[0].spikes, a[1].spikes],
            "step {step}"
        );
        let rates: Vec<u64> = net.rates().iter().map(|r| r.to_bits()).collect();
        assert_eq!(
            rates,
            [a[0].rate.to_bits(), a[1].rate.to_bits()],
            "step {step}"
        );
        assert_eq!(b.spikes, a[0].spikes + a[1].spikes);
        cascades += usize::from(a[0].mfes().any(|m| m.rounds > 0));
    }
    println!("{cascades} cascades");
    assert!(cascades > 10, "{cascades} cascades");
    for (alpha, system) in systems.iter().enumerate() {
        assert_eq!(bits(system.voltages()), bits(net.voltages(alpha)));
        assert_eq!(
            net.state().populations[alpha].as_ref(),
            Some(&system.state())
        );
    }
}
