//! Why an output's lock could not be taken.

use std::path::PathBuf;

/// The process holding a lock, as the lock file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its PID as written in the lock file; none for shared holders (the shards of a
    /// sweep), which write none.
    pub pid: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.pid {
            Some(pid) => write!(f, "another nlif process (PID {pid})"),
            None => f.write_str("another nlif process (shards of a sweep)"),
        }
    }
}

/// Why the lock of an output could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another process is writing the output.
    #[error("{} (the lock is {})", self.busy(), lock.display())]
    Held {
        /// The output.
        out: PathBuf,
        /// Who holds it.
        holder: Holder,
        /// The lock file.
        lock: PathBuf,
    },
    /// The directory of the output could not be made.
    #[error("cannot create the output directory {}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The lock file could not be made or opened.
    #[error("cannot create the lock file {}", path.display())]
    Create {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Locking failed.
    #[error("cannot lock {}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The holder's PID could not be written.
    #[error("cannot write the lock file {}", path.display())]
    Write {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The lock file kept being replaced by other processes.
    #[error("cannot take the lock {}", path.display())]
    Unstable {
        /// The lock file.
        path: PathBuf,
    },
}

impl LockError {
    /// What [`LockError::Held`] says before naming the lock file: who writes the output
    /// and that one process at a time may (a front end adds its own remedy); empty for
    /// the other variants.
    pub fn busy(&self) -> String {
        match self {
            LockError::Held { out, holder, .. } => format!(
                "{} is being written by {holder}; nlif lets one process at a time write an output: wait for it to end",
                out.display()
            ),
            _ => String::new(),
        }
    }
}
