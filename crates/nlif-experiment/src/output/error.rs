//! Why a run's outputs could not be placed or written.

use std::path::PathBuf;

/// Why an output directory cannot receive a run's outputs, or why writing them failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The output is `.`, `..` or a root, not a directory to create.
    #[error(
        "{}: give a directory to create (or an earlier nlif output to replace), not `.`, `..` or a root",
        out.display()
    )]
    NotADirectoryName {
        /// The output.
        out: PathBuf,
    },
    /// The output could not be inspected.
    #[error("cannot inspect the output directory {}", out.display())]
    Inspect {
        /// The output.
        out: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The output is a symbolic link.
    #[error(
        "the output {} is a symbolic link; nlif does not write through links: give the directory itself",
        out.display()
    )]
    Symlink {
        /// The output.
        out: PathBuf,
    },
    /// The output exists and is not a directory.
    #[error("the output {} exists and is not a directory; nlif will not replace it", out.display())]
    NotADirectory {
        /// The output.
        out: PathBuf,
    },
    /// The output contains the current directory.
    #[error("the output {} contains the current directory; nlif will not replace it", out.display())]
    HoldsCurrentDirectory {
        /// The output.
        out: PathBuf,
    },
    /// The output exists and holds what nlif did not write.
    #[error(
        "the output {} exists and is not an earlier nlif output ({why}); nlif replaces only its own outputs",
        out.display()
    )]
    NotNlifOutput {
        /// The output.
        out: PathBuf,
        /// What shows it (a file nlif did not write, no nlif `summary.json`).
        why: String,
    },
    /// The directory the output lives in could not be made.
    #[error("cannot create the output directory {}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No staging directory could be made beside the output.
    #[error("cannot write to the output directory {}", dir.display())]
    Staging {
        /// The directory the output lives in.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Every staging name was taken.
    #[error("cannot find a free staging name in {}", dir.display())]
    NoStagingName {
        /// The directory the output lives in.
        dir: PathBuf,
    },
    /// An earlier output could not be moved aside.
    #[error("cannot replace {}", out.display())]
    Replace {
        /// The output.
        out: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The finished outputs could not be moved into place.
    #[error("cannot move the outputs to {}", out.display())]
    Move {
        /// The output.
        out: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing the outputs of `out` failed.
    #[error("writing the outputs of {}", out.display())]
    Writing {
        /// The output.
        out: PathBuf,
        /// Why.
        #[source]
        source: Box<OutputError>,
    },
    /// A population's name cannot name its output files
    /// ([`check_population_names`](super::check_population_names)).
    #[error("the population {name:?} cannot name its output files: {why}")]
    PopulationName {
        /// The name.
        name: String,
        /// Why.
        why: String,
    },
    /// The result handed to the writers does not fit together (a record built by hand,
    /// not by a run): what does not.
    #[error("the run's result is inconsistent: {0}")]
    Inconsistent(String),
    /// A file could not be written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// `summary.json` could not be encoded.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// `rate.csv` could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A `.npy` file could not be written.
    #[error(transparent)]
    Npy(#[from] ndarray_npy::WriteNpyError),
    /// A plot could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

impl OutputError {
    /// The innermost error of a [`OutputError::Writing`] chain (the error itself for the
    /// others): what a front end matches on to add its own words.
    pub fn innermost(&self) -> &OutputError {
        match self {
            OutputError::Writing { source, .. } => source.innermost(),
            other => other,
        }
    }
}
