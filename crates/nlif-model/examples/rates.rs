//! Prints the stationary rates for a few connectivities.
use nlif_model::{ModelParams, stationary_rates};

fn main() {
    for b in [-0.5, 0.0, 0.5, 1.5, 3.0] {
        let p = ModelParams {
            b,
            ..ModelParams::default()
        };
        println!("b = {b}: {:?}", stationary_rates(&p, 0.0).unwrap());
    }
}
