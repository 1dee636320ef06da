//! The fingerprint a saved state holds of its problem, checked at a restore.

use serde::Serialize;

use super::Problem;
use super::state::Fnv1a;

/// The fingerprint of a problem: FNV-1a of its postcard bits, the network's `delay` left
/// out while empty (the layout before delays; a state of another layout is refused by
/// its version anyway).
pub(crate) fn fingerprint(problem: &Problem) -> u64 {
    /// [`Problem`] as postcard writes it, but for an empty `delay`.
    #[derive(Serialize)]
    struct Bits<'a> {
        populations: &'a [nlif_model::network::Population],
        coupling: &'a [Vec<f64>],
        a1: &'a [Vec<f64>],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        delay: &'a [Vec<f64>],
        config: &'a crate::RunConfig,
    }
    let network = &problem.network;
    let bits = Bits {
        populations: &network.populations,
        coupling: &network.coupling,
        a1: &network.a1,
        delay: &network.delay,
        config: &problem.config,
    };
    // Plain numbers and enums: the encoding cannot fail.
    postcard::serialize_with_flavor(&bits, Fnv1a::new()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use nlif_model::{Input, ModelParams};

    use super::{Problem, fingerprint};
    use crate::RunConfig;

    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Oracle: the bits of the problem before delays existed — postcard writes a struct
    /// as its fields one after the other, so those bits are today's without the one byte
    /// (length 0) of the empty `delay`, the network's last field. With a delay the
    /// fingerprint differs from that of the same problem without.
    #[test]
    fn a_problem_without_delays_keeps_its_fingerprint() {
        let params = ModelParams {
            b: 1.5,
            ..ModelParams::default()
        };
        let mut problem =
            Problem::single(params, Input::Constant { i0: 0.2 }, RunConfig::default());
        let network = postcard::to_allocvec(&problem.network).unwrap();
        assert_eq!(network.last(), Some(&0));
        let mut before = postcard::to_allocvec(&problem).unwrap();
        before.remove(network.len() - 1);
        assert_eq!(fingerprint(&problem), fnv(&before));
        let plain = fingerprint(&problem);
        problem.network.delay = vec![vec![0.5]];
        assert_ne!(fingerprint(&problem), plain);
    }
}
