//! Checkpoints written on a background thread, one at a time: encoding, writing and
//! flushing to disk overlap the simulation, and a crash always leaves the previous
//! checkpoint complete.

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Instant;

use multiscale::{
    Builtin, BuiltinPolicy, Checkpoint as Checkpoints, Save, Simulation, SimulationState,
};

use crate::checkpoint::{self, Checkpoint, CheckpointError, Stats};
use crate::config::Config;

/// The checkpoints of one run, written into a directory.
#[derive(Debug)]
pub struct CheckpointWriter {
    dir: PathBuf,
    config: Config,
    /// What the checkpoints cost so far (carried across resumes).
    pub stats: Stats,
    /// The checkpoint being written: whether it is a scheduled one, and the writer,
    /// which returns the file's size.
    writing: Option<(bool, JoinHandle<Result<u64, CheckpointError>>)>,
}

impl CheckpointWriter {
    /// Checkpoints of the run of `config` into `dir`, with the statistics so far.
    pub fn new(dir: PathBuf, config: Config, stats: Stats) -> Self {
        CheckpointWriter {
            dir,
            config,
            stats,
            writing: None,
        }
    }

    /// The directory written into.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Waits for the checkpoint being written, if any; records its size.
    ///
    /// # Errors
    ///
    /// The checkpoint could not be written (a full disk).
    pub fn wait(&mut self) -> Result<(), CheckpointError> {
        if let Some((scheduled, writer)) = self.writing.take() {
            let clock = Instant::now();
            let bytes = writer.join().map_err(|_| CheckpointError::WriterFailed)??;
            if scheduled {
                self.stats.bytes = bytes;
            }
            self.stats.seconds += clock.elapsed().as_secs_f64();
        }
        Ok(())
    }

    /// Starts writing `state` (after the previous checkpoint, which must have been waited
    /// for). `scheduled` ones count in the statistics (an interruption's does not, so a
    /// resumed run reports what a straight one would).
    pub fn start(&mut self, state: SimulationState<BuiltinPolicy>, scheduled: bool) {
        debug_assert!(self.writing.is_none(), "one checkpoint at a time");
        let clock = Instant::now();
        if scheduled {
            self.stats.count += 1;
        }
        let checkpoint = Checkpoint {
            config: self.config.clone(),
            stats: self.stats,
            state,
        };
        let dir = self.dir.clone();
        let writer = std::thread::spawn(move || checkpoint::write(&dir, &checkpoint));
        self.stats.seconds += clock.elapsed().as_secs_f64();
        self.writing = Some((scheduled, writer));
    }

    /// Writes `state`: waits for the previous checkpoint, starts this one, and waits for
    /// it too if `wait`.
    ///
    /// # Errors
    ///
    /// As [`CheckpointWriter::wait`].
    pub fn write(
        &mut self,
        state: SimulationState<BuiltinPolicy>,
        scheduled: bool,
        wait: bool,
    ) -> Result<(), CheckpointError> {
        self.wait()?;
        self.start(state, scheduled);
        if wait {
            self.wait()?;
        }
        Ok(())
    }
}

/// A run of one process: scheduled checkpoints in the background, the interruption's
/// waited for.
impl Checkpoints<Builtin> for CheckpointWriter {
    type Error = CheckpointError;
    fn save(&mut self, simulation: &Simulation, why: Save) -> Result<(), CheckpointError> {
        let scheduled = why == Save::Scheduled;
        self.write(simulation.state()?, scheduled, !scheduled)
    }
}
