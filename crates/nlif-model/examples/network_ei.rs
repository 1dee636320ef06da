//! Prints the stationary states of the excitatory–inhibitory network of docs/model.md §10
//! and the time their search takes.
use nlif_model::network::{Network, Population, network_stationary_states};

fn main() {
    let network = Network {
        populations: vec![
            Population::new("E", 0.8, 1.0),
            Population::new("I", 0.2, 0.5),
        ],
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
