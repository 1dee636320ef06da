//! Why a checkpoint could not be written, read or continued.

use std::path::PathBuf;

use super::{CONFIG_FILE, FORMAT_VERSION};

/// A field in which a checkpoint's config and the `config.ron` beside it differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The dotted path of the field.
    pub field: String,
    /// Its value in the checkpoint (JSON).
    pub checkpoint: String,
    /// Its value in `config.ron` (JSON).
    pub config: String,
}

/// Why a checkpoint could not be written, read, decoded or continued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The config could not be serialised for its hash.
    #[error("cannot serialise the config")]
    Serialise(#[source] ron::Error),
    /// The config could not be written as RON.
    #[error(transparent)]
    Ron(#[from] ron::Error),
    /// The checkpoint could not be encoded.
    #[error("cannot encode the checkpoint")]
    Encode(#[source] postcard::Error),
    /// The checkpoint file could not be written.
    #[error("cannot write the checkpoint {}", path.display())]
    Write {
        /// The checkpoint file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The checkpoint file could not be read.
    #[error("cannot read the checkpoint {}", path.display())]
    Read {
        /// The checkpoint file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The header ends early.
    #[error("{} is truncated (its header ends early): it is not a complete checkpoint", path.display())]
    HeaderTruncated {
        /// The checkpoint file.
        path: PathBuf,
    },
    /// The file does not start with the magic bytes.
    #[error("{} is not an nlif checkpoint (wrong magic bytes)", path.display())]
    Magic {
        /// The file.
        path: PathBuf,
    },
    /// Another format version.
    #[error(
        "{} has checkpoint format {format}; this nlif ({}) reads format {FORMAT_VERSION}{}",
        path.display(),
        env!("CARGO_PKG_VERSION"),
        if *format > FORMAT_VERSION { ": it was written by a newer nlif" } else { "" }
    )]
    Format {
        /// The checkpoint file.
        path: PathBuf,
        /// Its format version.
        format: u32,
    },
    /// Written by another version of the program.
    #[error(
        "{} was written by nlif {program}; this is nlif {}: resume it with the version that wrote it (results are reproducible only within one version)",
        path.display(),
        env!("CARGO_PKG_VERSION")
    )]
    Program {
        /// The checkpoint file.
        path: PathBuf,
        /// The version that wrote it.
        program: String,
    },
    /// The payload is shorter than the header says.
    #[error("{} is truncated: its payload has {have} of {length} bytes", path.display())]
    PayloadTruncated {
        /// The checkpoint file.
        path: PathBuf,
        /// Bytes present.
        have: u64,
        /// Bytes the header announces.
        length: u64,
    },
    /// Bytes after the payload.
    #[error("{} has {extra} bytes after its payload: it is damaged", path.display())]
    Trailing {
        /// The checkpoint file.
        path: PathBuf,
        /// How many.
        extra: u64,
    },
    /// The payload's checksum does not match.
    #[error("{} is damaged: the checksum of its payload does not match", path.display())]
    Checksum {
        /// The checkpoint file.
        path: PathBuf,
    },
    /// The payload cannot be decoded.
    #[error("{} cannot be decoded", path.display())]
    Decode {
        /// The checkpoint file.
        path: PathBuf,
        /// Why.
        #[source]
        source: postcard::Error,
    },
    /// The payload's config does not have the header's hash.
    #[error("{}: the config in the checkpoint does not match its header's hash", path.display())]
    Hash {
        /// The checkpoint file.
        path: PathBuf,
    },
    /// The `config.ron` beside the checkpoint cannot be read.
    #[error("the config of the checkpointed run, {}", path.display())]
    ConfigFile {
        /// The `config.ron`.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<crate::config::LoadError>,
    },
    /// A config could not be compared as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The checkpoint and the `config.ron` beside it are of different runs.
    #[error("{} (put back that run's {CONFIG_FILE}, or start a new run)", self.refusal())]
    DifferentRuns {
        /// The checkpoint file.
        checkpoint: PathBuf,
        /// The `config.ron`.
        config: PathBuf,
        /// The fields that differ.
        differences: Vec<Difference>,
    },
    /// The `config.ron` of a run could not be written.
    #[error("cannot write {}", path.display())]
    WriteConfig {
        /// The `config.ron`.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The simulation's state could not be taken.
    #[error(transparent)]
    State(#[from] multiscale::RunError),
    /// A directory for a checkpoint could not be made.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The background writer ended without a result.
    #[error("the checkpoint writer failed")]
    WriterFailed,
}

impl CheckpointError {
    /// What [`CheckpointError::DifferentRuns`] says before its remedy (which a front end
    /// words with its own commands); empty for the other variants.
    pub fn refusal(&self) -> String {
        let CheckpointError::DifferentRuns {
            checkpoint,
            config,
            differences,
        } = self
        else {
            return String::new();
        };
        const SHOWN: usize = 4;
        let mut list = differences
            .iter()
            .take(SHOWN)
            .map(|d| {
                format!(
                    "`{}` ({} in the checkpoint, {} in {CONFIG_FILE})",
                    d.field, d.checkpoint, d.config
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        if differences.len() > SHOWN {
            list.push_str(&format!(" and {} more", differences.len() - SHOWN));
        }
        if list.is_empty() {
            list = "their hashes".to_owned();
        }
        format!(
            "{} and {} are of different runs: they differ in {list}. The checkpoint was copied from another run's output, or {CONFIG_FILE} was edited or copied since the checkpoint was written; a checkpoint continues only the run it was taken from",
            checkpoint.display(),
            config.display()
        )
    }
}
