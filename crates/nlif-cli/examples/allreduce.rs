//! The latency of the sums a distributed run makes (feature `mpi`): `mpirun -n K
//! target/release/examples/allreduce`. Prints, on rank 0, the mean time of an all-reduce
//! (sum) of one `u64` — once per particle step and once per cascade round — and of a
//! hand-over's tally (`2 (n + 1) + 3` words for the kernel estimate on `n` = 300 nodes).
//! docs/scaling.md uses it for the cost model.

use std::time::Instant;

use mpi::collective::SystemOperation;
use mpi::traits::{Communicator, CommunicatorCollectives};

fn main() {
    let Some(universe) = mpi::initialize() else {
        eprintln!("MPI could not be initialised");
        std::process::exit(1);
    };
    let world = universe.world();
    let time = |words: usize, repeats: usize| {
        let send = vec![1u64; words];
        let mut receive = vec![0u64; words];
        world.barrier();
        let start = Instant::now();
        for _ in 0..repeats {
            world.all_reduce_into(&send[..], &mut receive[..], SystemOperation::sum());
        }
        let seconds = start.elapsed().as_secs_f64() / repeats as f64;
        assert_eq!(receive[0], world.size() as u64);
        seconds
    };
    // Warm up, then measure.
    time(1, 1000);
    let one = time(1, 20_000);
    let tally = time(2 * 301 + 3, 5_000);
    if world.rank() == 0 {
        println!(
            "{{\"ranks\": {}, \"allreduce_u64_us\": {:.3}, \"allreduce_tally_us\": {:.3}}}",
            world.size(),
            one * 1e6,
            tally * 1e6
        );
    }
}
