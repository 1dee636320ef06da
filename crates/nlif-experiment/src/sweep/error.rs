//! Why a sweep could not be defined, run, resumed or assembled.

use std::path::PathBuf;

use super::MAX_POINTS;

/// Why a sweep could not be defined, run, resumed or assembled. (A point that fails is
/// a row with its error, not an error of the sweep.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The sweep has more than [`MAX_POINTS`] points.
    #[error(
        "the sweep has {} points; at most {MAX_POINTS} are allowed (split it into several sweeps)",
        points.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string())
    )]
    TooManyPoints {
        /// How many (none: more than `usize` counts).
        points: Option<usize>,
    },
    /// The config of point `index` cannot be made.
    #[error("point {index}")]
    Point {
        /// The point.
        index: usize,
        /// Why.
        #[source]
        source: Box<SweepError>,
    },
    /// A varied value is refused by its field.
    #[error("{text}")]
    Refused {
        /// The varied field.
        path: String,
        /// What a sweep's rows say of it.
        text: String,
        /// The refusal.
        refused: Box<crate::set::SetError>,
    },
    /// Points whose configs are invalid, each with why.
    #[error("{count} of {total} points are invalid:\n{list}")]
    InvalidPoints {
        /// How many.
        count: usize,
        /// Points of the sweep.
        total: usize,
        /// A line per invalid point: its index, values and why.
        list: String,
    },
    /// A directory of the sweep could not be made.
    #[error("cannot create {}", dir.display())]
    Create {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The `sweep.json` of the directory is not JSON.
    #[error("{} is not a sweep definition", path.display())]
    NotADefinition {
        /// The `sweep.json`.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The directory holds another sweep.
    #[error("{} holds a different sweep (its sweep.json differs)", dir.display())]
    DifferentSweep {
        /// The sweep directory.
        dir: PathBuf,
    },
    /// The directory exists and is not a sweep's.
    #[error("{} exists and is not an nlif sweep directory; nlif will not write into it", dir.display())]
    NotASweep {
        /// The directory.
        dir: PathBuf,
    },
    /// The worker threads could not be started.
    #[error("cannot start the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// The directory to assemble has no `sweep.json`.
    #[error("{} is not a sweep directory", dir.display())]
    NotASweepDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Its `sweep.json` has no definition.
    #[error("{}/sweep.json has no sweep definition", dir.display())]
    NoDefinition {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Points without a result yet.
    #[error(
        "{missing} of {total} points have no result yet (e.g. point {first}); run the remaining shards first"
    )]
    Unfinished {
        /// How many.
        missing: usize,
        /// Points of the sweep.
        total: usize,
        /// The first of them.
        first: usize,
    },
    /// A file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The sweep directory is locked by another writer.
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    /// A point's outputs could not be written.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// A config could not be written as RON (for its hash).
    #[error(transparent)]
    Ron(#[from] ron::Error),
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A result could not be encoded or decoded.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// `sweep.csv` could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// The plot could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// The final line could not be printed.
    #[error(transparent)]
    Stdout(#[from] crate::stdout::StdoutError),
}
