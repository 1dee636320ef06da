//! Invalid networks, voltages and states are refused with the offending entry named by
//! its path (oracle: the path the config spells, written out by hand).

use nlif_micro::{MicroConfig, MicroError, NetworkPart, Parallelism, ParticleNetwork};
use nlif_model::network::{Network, Population};
use nlif_model::{InitialDensity, Input};

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};

fn network() -> Network {
    let population = |name: &str, share, v_f| Population {
        name: name.into(),
        share,
        a0: 1.0,
        v_f,
        v_r: 1.0,
        input: Input::None,
        initial: None,
        refractory: Default::default(),
        prior_rate: 0.0,
    };
    Network {
        populations: vec![population("E", 0.8, 2.0), population("I", 0.2, 1.5)],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

fn config(particles: usize) -> MicroConfig {
    MicroConfig {
        particles,
        dt: 1e-3,
        ..MicroConfig::default()
    }
}

fn path(result: Result<ParticleNetwork, MicroError>) -> String {
    result.map(|_| ()).unwrap_err().path().into_owned()
}

fn sample(network: Network, particles: usize) -> Result<ParticleNetwork, MicroError> {
    ParticleNetwork::builder(network, config(particles), 1)
        .parallelism(Parallelism::Sequential)
        .sample(&[INITIAL, INITIAL], -4.0)
}

#[test]
fn the_network_s_entries_are_named() {
    // 0.2 of 3 neurons rounds to none: population I has no neuron.
    let mut shares = network();
    shares.populations[0].share = 0.9;
    shares.populations[1].share = 0.1;
    assert_eq!(path(sample(shares, 5)), "populations[1].share");
    let mut reset = network();
    reset.populations[1].v_r = 1.5;
    assert_eq!(path(sample(reset, 100)), "populations[1].v_r");
    let mut coupling = network();
    coupling.coupling[1].pop();
    assert_eq!(path(sample(coupling, 100)), "coupling[1]");
    let mut entry = network();
    entry.coupling[0][1] = f64::NAN;
    assert_eq!(path(sample(entry, 100)), "coupling[0][1]");
    assert_eq!(path(sample(network(), 0)), "particles");
}

#[test]
fn voltages_rates_initials_and_parts_are_named() {
    let builder =
        || ParticleNetwork::builder(network(), config(100), 1).parallelism(Parallelism::Sequential);
    let below = |n: usize| vec![0.5; n];
    assert_eq!(path(builder().voltages(vec![below(80)])), "voltages");
    assert_eq!(
        path(builder().voltages(vec![below(80), below(21)])),
        "voltages[1]"
    );
    // 1.6 is below V_F of E (2) but not of I (1.5).
    let mut high = below(20);
    high[3] = 1.6;
    assert_eq!(
        path(builder().voltages(vec![vec![1.6; 80], high])),
        "voltages[1][3]"
    );
    let mut nan = below(80);
    nan[7] = f64::NAN;
    assert_eq!(
        path(builder().voltages(vec![nan, below(20)])),
        "voltages[0][7]"
    );
    assert!(builder().voltages(vec![below(80), below(20)]).is_ok());
    assert_eq!(
        path(
            builder()
                .rates(vec![0.1])
                .voltages(vec![below(80), below(20)])
        ),
        "rates"
    );
    assert_eq!(
        path(
            builder()
                .rates(vec![0.1, f64::INFINITY])
                .voltages(vec![below(80), below(20)])
        ),
        "rates[1]"
    );
    assert_eq!(path(builder().sample(&[INITIAL], -4.0)), "initials");
    // The interval [v_min, V_F,I) = [1.6, 1.5) is empty.
    assert_eq!(path(builder().sample(&[INITIAL, INITIAL], 1.6)), "v_min");
    let far = InitialDensity::Gaussian {
        mean: 40.0,
        var: 0.1,
    };
    assert_eq!(
        path(builder().sample(&[INITIAL, far], -4.0)),
        "populations[1].initial.mean"
    );
    let part = NetworkPart { index: 2, parts: 2 };
    assert_eq!(
        path(
            builder()
                .partition(part)
                .voltages(vec![below(80), below(20)])
        ),
        "part"
    );
}

#[test]
fn states_that_are_not_the_network_s_are_refused() {
    let net = sample(network(), 100).unwrap();
    let restore = |state| path(ParticleNetwork::from_state(state, Parallelism::Sequential));
    let mut version = net.state();
    version.version += 1;
    assert_eq!(restore(version), "version");
    let mut rates = net.state();
    rates.rates.push(0.0);
    assert_eq!(restore(rates), "rates");
    let mut swapped = net.state();
    swapped.populations.swap(0, 1);
    assert_eq!(restore(swapped), "populations[0]");
    let mut missing = net.state();
    missing.populations[1] = None;
    assert_eq!(restore(missing), "populations[1]");
    let mut voltage = net.state();
    voltage.populations[1].as_mut().unwrap().voltages[2] = 1.7;
    assert_eq!(restore(voltage), "populations[1].particles");
    let mut initiators = net.state();
    initiators.last_initiators[1] = 21;
    assert_eq!(restore(initiators), "last_initiators");
    assert!(ParticleNetwork::from_state(net.state(), Parallelism::Sequential).is_ok());
}

/// Oracle: the path — a delay that is not a whole number of steps (`dt = 1e-3`) is
/// refused by its entry; a negative one by validation; one of whole steps is taken.
#[test]
fn a_delay_between_steps_is_refused_by_its_entry() {
    let mut n = network();
    n.delay = vec![vec![0.0, 0.0105], vec![0.0, 0.0]];
    assert_eq!(path(sample(n.clone(), 1000)), "delay[0][1]");
    n.delay = vec![vec![0.0, 0.0], vec![-0.01, 0.0]];
    assert_eq!(path(sample(n.clone(), 1000)), "delay[1][0]");
    n.delay = vec![vec![0.0, 0.01], vec![0.0, 0.0]];
    assert!(sample(n, 1000).is_ok());
}
