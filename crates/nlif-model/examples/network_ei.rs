//! Prints the stationary states of the excitatory–inhibitory network of docs/model.md §10
//! and the time their search takes.
use nlif_model::Input;
use nlif_model::network::{Network, Population, network_stationary_states};

fn main() {
    let population = |name: &str, share, a0| Population {
        name: name.into(),
        share,
        a0,
        v_f: 2.0,
        v_r: 1.0,
        input: Input::None,
        initial: None,
        refractory: Default::default(),
    };
    let network = Network {
        populations: vec![population("E", 0.8, 1.0), population("I", 0.2, 0.5)],
        coupling: vec![vec![1.0, -0.5], vec![2.0, -1.5]],
        a1: Vec::new(),
        delay: Vec::new(),
    };
    let start = std::time::Instant::now();
    let states = network_stationary_states(&network).unwrap();
    let elapsed = start.elapsed();
    for s in &states {
        println!(
            "rates {:?} stable {} residual {:.1e}",
            s.rates, s.stable, s.residual
        );
    }
    println!("search took {elapsed:?}");
}
