//! The processes of a run: this one alone, or (feature `mpi`) the ranks of an MPI job.
//!
//! An MPI run splits the particles into one contiguous part of the network's blocks per
//! rank (`multiscale::SimulationBuilder::part`); the ranks exchange only integer sums
//! ([`Exchange`]: spike counts per step and cascade round, tallies at hand-overs and
//! density snapshots) and compute everything else — the density phase, the samples, every
//! decision — identically from them. Rank 0 alone touches the file system and the
//! terminal. Wherever one rank can fail alone (the output directory, a checkpoint being
//! written, a signal that reached one rank first), the ranks agree with a collective
//! ([`Cluster::all`], [`Cluster::any`]) before going on, so all of them stop together,
//! rank 0 says why, and none waits for a partner that has left.
//!
//! MPI is called from the thread that drives the simulation only (`Threading::Funneled`):
//! the particle blocks of a rank are stepped on rayon's threads, the sums between the
//! ranks are made after them, on the driving thread.

use anyhow::Result;
use nlif_micro::{ParticleNetworkState, ParticleState, Reduction};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A failure of another rank, which reports it itself.
#[derive(Debug)]
pub(crate) struct FailedElsewhere;

impl std::fmt::Display for FailedElsewhere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("another process of the run failed (its error is printed with its rank)")
    }
}

impl std::error::Error for FailedElsewhere {}

/// An error this process has printed already (see [`Cluster::settle`]).
#[derive(Debug)]
pub(crate) struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reported above")
    }
}

impl std::error::Error for Reported {}

/// The context of an error that only this rank (not rank 0) met: it is printed, with
/// the rank.
#[derive(Debug)]
struct OnlyHere(usize);

impl std::fmt::Display for OnlyHere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rank {}", self.0)
    }
}

/// Writes `line` and a newline to stderr in one write: under `mpirun` the ranks' output
/// is forwarded in chunks, and a message written piece by piece (as `eprintln!` does on
/// the unbuffered stderr) can be cut by another process's lines.
pub(crate) fn say(line: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

/// This process's rank, once its [`Cluster`] has started.
static RANK: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// The number of processes of the run (1 until a [`Cluster`] has started): the memory
/// check counts each process's share of the particles.
pub(crate) fn processes() -> usize {
    PROCESSES.get().copied().unwrap_or(1)
}

static PROCESSES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Whether this process prints the error `e`: rank 0 prints the errors every rank meets
/// (an invalid config, a run error: they come from the same sums), a rank that met an
/// error alone prints it with its rank, and nobody repeats another's failure.
pub(crate) fn prints(e: &anyhow::Error) -> bool {
    if e.downcast_ref::<FailedElsewhere>().is_some() || e.downcast_ref::<Reported>().is_some() {
        return false;
    }
    RANK.get().is_none_or(|&r| r == 0) || e.downcast_ref::<OnlyHere>().is_some()
}

/// Whether this process may be one of several of an MPI job: built with feature `mpi`
/// and started by a launcher (`mpirun`, `srun`), which says so in the environment
/// (Open MPI's `OMPI_COMM_WORLD_SIZE`, PMIx's `PMIX_RANK`, PMI's `PMI_SIZE`).
pub(crate) fn launched() -> bool {
    cfg!(feature = "mpi")
        && ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]
            .iter()
            .any(|v| std::env::var_os(v).is_some())
}

/// This process's place among the processes of the run.
pub(crate) struct Cluster {
    rank: usize,
    size: usize,
    #[cfg(feature = "mpi")]
    mpi: Option<mpi_backend::Mpi>,
}

impl Cluster {
    /// The processes of the run: with feature `mpi`, MPI's world (one process when the
    /// program is started without `mpirun`); otherwise this process alone.
    ///
    /// # Errors
    ///
    /// MPI could not be initialised with the threading level the run needs.
    pub(crate) fn start() -> Result<Cluster> {
        #[cfg(feature = "mpi")]
        {
            let mpi = mpi_backend::Mpi::initialize()?;
            let _ = RANK.set(mpi.rank());
            let _ = PROCESSES.set(mpi.size());
            Ok(Cluster {
                rank: mpi.rank(),
                size: mpi.size(),
                mpi: Some(mpi),
            })
        }
        #[cfg(not(feature = "mpi"))]
        Ok(Cluster { rank: 0, size: 1 })
    }

    /// This process's rank, `0..size`.
    pub(crate) fn rank(&self) -> usize {
        self.rank
    }

    /// The number of processes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Whether this process writes the outputs and talks to the user (rank 0).
    pub(crate) fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// The reduction a simulation part sums its counts with.
    pub(crate) fn exchange(&self) -> Exchange<'_> {
        Exchange(self)
    }

    /// Whether `ok` holds on every process (a collective: every process calls it).
    pub(crate) fn all(&self, ok: bool) -> bool {
        let mut v = [u64::from(!ok)];
        self.sum(&mut v);
        v[0] == 0
    }

    /// Whether `flag` holds on some process (a collective).
    pub(crate) fn any(&self, flag: bool) -> bool {
        !self.all(!flag)
    }

    /// Agrees on a step that may fail on some processes only: `Ok` everywhere if it
    /// succeeded everywhere; otherwise this process's own error (marked to be printed
    /// if rank 0 did not fail too), or [`FailedElsewhere`].
    pub(crate) fn agree<T>(&self, result: Result<T>) -> Result<T> {
        let mut v = [
            u64::from(result.is_err()),
            u64::from(self.is_root() && result.is_err()),
        ];
        self.sum(&mut v);
        let root_failed = v[1] > 0;
        match result {
            Err(e) if !root_failed && !self.is_root() => Err(e.context(OnlyHere(self.rank))),
            Err(e) => Err(e),
            Ok(_) if v[0] > 0 => Err(FailedElsewhere.into()),
            Ok(value) => Ok(value),
        }
    }

    /// The end of a command on several processes: an error is printed by the rank that
    /// reports it (see [`prints`]) *before* the ranks meet once more, so that no rank exits
    /// — and has `mpirun` end the others, rank 0 among them — before the message is out.
    /// Every rank calls it, whatever its result; the error comes back as [`Reported`].
    pub(crate) fn settle<T>(&self, result: Result<T>) -> Result<T> {
        if self.size <= 1 {
            return result;
        }
        if let Err(e) = &result
            && prints(e)
        {
            say(&format!("error: {}", crate::report(&**e)));
        }
        let _ = self.any(result.is_err());
        result.map_err(|_| Reported.into())
    }

    /// After an error in the middle of a run of several processes the others may be
    /// waiting in a sum this process will never join: the whole job is ended (MPI_Abort,
    /// exit status 1). Rank 0 reports the error at once; another rank waits two seconds
    /// first — an error every rank met is reported by rank 0, whose abort ends this rank
    /// before — then reports it with its rank. Alone, returns the error.
    pub(crate) fn end_all(&self, e: anyhow::Error) -> anyhow::Error {
        #[cfg(feature = "mpi")]
        if let Some(mpi) = &self.mpi
            && self.size > 1
        {
            if self.is_root() {
                say(&format!("error: {}", crate::report(&*e)));
            } else {
                std::thread::sleep(std::time::Duration::from_secs(2));
                say(&format!(
                    "error: rank {}: {}",
                    self.rank,
                    crate::report(&*e)
                ));
            }
            mpi.abort();
        }
        e
    }

    fn sum(&self, values: &mut [u64]) {
        #[cfg(feature = "mpi")]
        if let Some(mpi) = &self.mpi {
            mpi.sum(values);
        }
        let _ = values;
    }

    /// The particles of the whole network on rank 0 of a run of several processes,
    /// joined from every rank's part, for a checkpoint (a collective); `None` elsewhere,
    /// and `None` when this process holds them all (`local` is the whole).
    ///
    /// # Errors
    ///
    /// The parts do not join (a bug), or a part cannot be encoded.
    pub(crate) fn gather_particles(&self, local: &ParticleState) -> Result<Option<ParticleState>> {
        self.gather(local, |parts| Ok(ParticleState::join(parts)?))
    }

    /// [`gather_particles`](Self::gather_particles) for the particles of a network of
    /// several populations (each part holds some blocks of every population).
    pub(crate) fn gather_network(
        &self,
        local: &ParticleNetworkState,
    ) -> Result<Option<ParticleNetworkState>> {
        self.gather(local, |parts| Ok(ParticleNetworkState::join(parts)?))
    }

    /// Every process's `local` on rank 0, joined by `join` (`None` on the other ranks and
    /// without MPI).
    fn gather<T: Serialize + DeserializeOwned>(
        &self,
        local: &T,
        join: impl FnOnce(Vec<T>) -> Result<T>,
    ) -> Result<Option<T>> {
        #[cfg(feature = "mpi")]
        if let Some(mpi) = &self.mpi
            && self.size > 1
        {
            let bytes = postcard::to_allocvec(local)?;
            let Some(parts) = mpi.gather_bytes(bytes) else {
                return Ok(None);
            };
            let parts = parts
                .iter()
                .map(|b| postcard::from_bytes::<T>(b))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Some(join(parts)?));
        }
        let _ = (local, join);
        Ok(None)
    }
}

/// Sums over the processes of the run: the [`Reduction`] of a simulation part.
pub(crate) struct Exchange<'a>(&'a Cluster);

impl Reduction for Exchange<'_> {
    fn sum_u64_slice(&mut self, local: &mut [u64]) {
        self.0.sum(local);
    }
}

#[cfg(feature = "mpi")]
mod mpi_backend {
    use anyhow::{Result, bail};
    use mpi::Threading;
    use mpi::collective::SystemOperation;
    use mpi::environment::Universe;
    use mpi::topology::SimpleCommunicator;
    use mpi::traits::{Communicator, CommunicatorCollectives, Destination, Source};

    /// Bytes sent in one message (MPI counts are `i32`).
    const CHUNK: usize = 1 << 30;

    pub(super) struct Mpi {
        world: SimpleCommunicator,
        _universe: Universe,
    }

    impl Mpi {
        pub(super) fn initialize() -> Result<Mpi> {
            let Some((universe, threading)) = mpi::initialize_with_threading(Threading::Funneled)
            else {
                bail!("MPI could not be initialised (was it initialised twice?)");
            };
            if threading < Threading::Funneled {
                bail!(
                    "the MPI library provides threading level {threading:?}; nlif needs Funneled"
                );
            }
            Ok(Mpi {
                world: universe.world(),
                _universe: universe,
            })
        }

        pub(super) fn rank(&self) -> usize {
            self.world.rank() as usize
        }

        pub(super) fn abort(&self) -> ! {
            self.world.abort(1)
        }

        pub(super) fn size(&self) -> usize {
            self.world.size() as usize
        }

        pub(super) fn sum(&self, values: &mut [u64]) {
            if self.size() == 1 || values.is_empty() {
                return;
            }
            let local = values.to_vec();
            for (send, receive) in local.chunks(CHUNK / 8).zip(values.chunks_mut(CHUNK / 8)) {
                self.world
                    .all_reduce_into(send, receive, SystemOperation::sum());
            }
        }

        /// Every rank's bytes, in rank order, on rank 0; `None` elsewhere.
        pub(super) fn gather_bytes(&self, bytes: Vec<u8>) -> Option<Vec<Vec<u8>>> {
            let root = self.world.process_at_rank(0);
            if self.rank() != 0 {
                root.send(&(bytes.len() as u64));
                for chunk in bytes.chunks(CHUNK) {
                    root.send(chunk);
                }
                return None;
            }
            let mut all = vec![bytes];
            for rank in 1..self.world.size() {
                let from = self.world.process_at_rank(rank);
                let (len, _) = from.receive::<u64>();
                let mut buffer = vec![0u8; len as usize];
                for chunk in buffer.chunks_mut(CHUNK) {
                    from.receive_into(chunk);
                }
                all.push(buffer);
            }
            Some(all)
        }
    }
}
