//! Checkpoint files: a run's whole state, written atomically and read back with every
//! check, so an interrupted run continues exactly as if it had never stopped.
//!
//! `checkpoint.nlif` is a header followed by a payload (integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `NLIFCKPT` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 2 + n | the version of the nlif program that wrote it (length, UTF-8) |
//! | 4 | hash of the config (CRC-32 of its RON text with `t_end` cleared, so an extension with `--t-end` keeps it) |
//! | 8 | payload length |
//! | 4 | CRC-32 of the payload |
//! | … | payload: [`Checkpoint`] in postcard |
//!
//! The payload is [postcard](https://docs.rs/postcard): a compact, non-self-describing
//! serde format that stores an `f64` as its 8 bytes (so a state round-trips bit for bit),
//! no_std-grade and widely used, with a stable wire format specification. Self-describing
//! formats (JSON, RON) would be 2–3 times larger and slower for the particle voltages that
//! make up most of a checkpoint (8 bytes a particle here).
//!
//! A file is written to `checkpoint.nlif.tmp`, flushed to disk, and renamed over the
//! previous checkpoint, so a crash at any moment leaves a complete checkpoint.

use std::fs;
use std::io::Write;
use std::path::Path;

use multiscale::{BuiltinPolicy, PhaseState, SimulationState};
use serde::{Deserialize, Serialize};

use crate::config::Config;

mod error;

pub use error::{CheckpointError, Difference};

type Result<T, E = CheckpointError> = std::result::Result<T, E>;

/// The file name of a run's checkpoint.
pub const FILE: &str = "checkpoint.nlif";
/// The file name of the config a checkpointed run was started with (human-readable).
pub const CONFIG_FILE: &str = "config.ron";
const MAGIC: &[u8; 8] = b"NLIFCKPT";
/// The layout version of the header and payload (2: the payload's config and state hold
/// `solver.micro.normals` and the populations' `prior_rate`, so a checkpoint of format 1
/// is refused as such rather than failing to decode).
pub const FORMAT_VERSION: u32 = 2;

/// What the checkpoints of a run cost, carried across resumes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Scheduled checkpoints written (every `output.checkpoint`, and at the end); a
    /// checkpoint written on an interruption is not counted.
    pub count: u64,
    /// Size of the latest scheduled checkpoint, bytes.
    pub bytes: u64,
    /// Seconds spent writing checkpoints.
    pub seconds: f64,
}

/// The payload of a checkpoint file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The resolved config of the run (with the current `t_end`).
    pub config: Config,
    /// Checkpoint costs so far (`count` includes this checkpoint if it is a scheduled one).
    pub stats: Stats,
    /// The simulation.
    pub state: SimulationState<BuiltinPolicy>,
}

/// The hash that ties a checkpoint to its config: CRC-32 of the RON text of the config
/// with `t_end` cleared.
pub fn config_hash(config: &Config) -> Result<u32> {
    let mut normalised = config.clone();
    normalised.t_end = 0.0;
    let text = ron::to_string(&normalised).map_err(CheckpointError::Serialise)?;
    Ok(crc32fast::hash(text.as_bytes()))
}

/// Writes `checkpoint` into `dir` atomically; returns its size in bytes.
pub fn write(dir: &Path, checkpoint: &Checkpoint) -> Result<u64> {
    let (header, payload) = encode_parts(checkpoint)?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    let target = dir.join(FILE);
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&header)?;
        file.write_all(&payload)?;
        file.sync_all()?;
        fs::rename(&tmp, &target)?;
        // The rename itself reaches the disk with the directory.
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|source| CheckpointError::Write {
        path: target.clone(),
        source,
    })?;
    Ok((header.len() + payload.len()) as u64)
}

/// The bytes of the file [`write()`] writes for `checkpoint` (what [`decode`] reads back),
/// in memory: a front end's own store of a run's state (the Python package's pickles).
///
/// # Errors
///
/// The config or the state cannot be encoded.
pub fn encode(checkpoint: &Checkpoint) -> Result<Vec<u8>> {
    let (mut bytes, payload) = encode_parts(checkpoint)?;
    bytes.extend_from_slice(&payload);
    Ok(bytes)
}

/// The header and the payload of the checkpoint file of `checkpoint`.
fn encode_parts(checkpoint: &Checkpoint) -> Result<(Vec<u8>, Vec<u8>)> {
    // Sized up front for the voltages (8 bytes each), which dominate: no regrowth.
    let particles = match &checkpoint.state.phase {
        PhaseState::Micro(p) => p.voltages.len(),
        PhaseState::MicroNetwork(p) => p
            .populations
            .iter()
            .flatten()
            .map(|s| s.voltages.len())
            .sum(),
        _ => 0,
    };
    let capacity = 8 * particles + (1 << 20);
    let payload = postcard::to_extend(checkpoint, Vec::with_capacity(capacity))
        .map_err(CheckpointError::Encode)?;
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut header = Vec::with_capacity(64);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&(version.len() as u16).to_le_bytes());
    header.extend_from_slice(version);
    header.extend_from_slice(&config_hash(&checkpoint.config)?.to_le_bytes());
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    Ok((header, payload))
}

/// A header field read from the front of `bytes`, or a "truncated" error.
fn take<'a>(bytes: &mut &'a [u8], n: usize, path: &Path) -> Result<&'a [u8]> {
    if bytes.len() < n {
        return Err(CheckpointError::HeaderTruncated {
            path: path.to_owned(),
        });
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

/// A fixed-size header field read from the front of `bytes`, as [`take`].
fn take_array<const N: usize>(bytes: &mut &[u8], path: &Path) -> Result<[u8; N]> {
    let mut field = [0; N];
    field.copy_from_slice(take(bytes, N, path)?);
    Ok(field)
}

/// The contents of the file `path`.
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|source| CheckpointError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads and verifies a checkpoint: magic, format and program version, length,
/// checksum, payload, and the config hash against the payload's config.
pub fn read(path: &Path) -> Result<(Checkpoint, u64)> {
    decode(path, &read_bytes(path)?)
}

/// Whether `bytes` start as a checkpoint does (its magic bytes).
pub fn is_checkpoint(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Verifies and decodes the bytes of the checkpoint file `path`, as [`read`].
///
/// # Errors
///
/// As [`read`], but for reading the file.
pub fn decode(path: &Path, data: &[u8]) -> Result<(Checkpoint, u64)> {
    let size = data.len() as u64;
    let path_buf = || path.to_owned();
    let mut rest = data;
    if take(&mut rest, 8, path)? != MAGIC {
        return Err(CheckpointError::Magic { path: path_buf() });
    }
    let format = u32::from_le_bytes(take_array(&mut rest, path)?);
    if format != FORMAT_VERSION {
        return Err(CheckpointError::Format {
            path: path_buf(),
            format,
        });
    }
    let n = u16::from_le_bytes(take_array(&mut rest, path)?) as usize;
    let program = String::from_utf8_lossy(take(&mut rest, n, path)?).into_owned();
    if program != env!("CARGO_PKG_VERSION") {
        return Err(CheckpointError::Program {
            path: path_buf(),
            program,
        });
    }
    let hash = u32::from_le_bytes(take_array(&mut rest, path)?);
    let length = u64::from_le_bytes(take_array(&mut rest, path)?);
    let checksum = u32::from_le_bytes(take_array(&mut rest, path)?);
    let have = rest.len() as u64;
    if have < length {
        return Err(CheckpointError::PayloadTruncated {
            path: path_buf(),
            have,
            length,
        });
    }
    if have > length {
        return Err(CheckpointError::Trailing {
            path: path_buf(),
            extra: have - length,
        });
    }
    if crc32fast::hash(rest) != checksum {
        return Err(CheckpointError::Checksum { path: path_buf() });
    }
    let checkpoint: Checkpoint =
        postcard::from_bytes(rest).map_err(|source| CheckpointError::Decode {
            path: path_buf(),
            source,
        })?;
    if config_hash(&checkpoint.config)? != hash {
        return Err(CheckpointError::Hash { path: path_buf() });
    }
    Ok((checkpoint, size))
}

/// Refuses to continue if the `config.ron` beside a checkpoint is not the checkpoint's
/// config (it was edited, or one of the two was copied from another run): the message
/// says which fields differ.
pub fn check_config_file(dir: &Path, expected: &Config) -> Result<()> {
    let path = dir.join(CONFIG_FILE);
    let (config, _) = crate::config::load(&path).map_err(|source| CheckpointError::ConfigFile {
        path: path.clone(),
        source: Box::new(source),
    })?;
    if config_hash(&config)? == config_hash(expected)? {
        return Ok(());
    }
    let mut differences = Vec::new();
    let (mut ours, mut theirs) = (expected.clone(), config);
    (ours.t_end, theirs.t_end) = (0.0, 0.0);
    differ(
        "",
        &serde_json::to_value(&ours)?,
        &serde_json::to_value(&theirs)?,
        &mut differences,
    );
    Err(CheckpointError::DifferentRuns {
        checkpoint: dir.join(FILE),
        config: path,
        differences,
    })
}

/// The leaves where two JSON values differ: `(dotted path, a, b)`.
fn differ(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<Difference>) {
    use serde_json::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.keys().eq(y.keys()) => {
            for (key, value) in x {
                differ(&join(key), value, &y[key], out);
            }
        }
        _ if a != b => out.push(Difference {
            field: path.to_owned(),
            checkpoint: a.to_string(),
            config: b.to_string(),
        }),
        _ => {}
    }
}

/// Writes the run's config beside its checkpoints.
pub fn write_config_file(dir: &Path, config: &Config) -> Result<()> {
    let text = crate::config::to_ron(config)?;
    let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
    fs::write(
        &tmp,
        format!("// The config of this checkpointed run (nlif resume reads the checkpoint; do not edit).\n{text}\n"),
    )
    .and_then(|()| fs::rename(&tmp, dir.join(CONFIG_FILE)))
    .map_err(|source| CheckpointError::WriteConfig {
        path: dir.join(CONFIG_FILE),
        source,
    })
}

/// What `nlif check` / `nlif inspect` print about a checkpoint.
pub fn describe(path: &Path) -> Result<String> {
    describe_bytes(path, &read_bytes(path)?)
}

/// What `nlif check` / `nlif inspect` print about the checkpoint `path` whose bytes are
/// `data` (read once: a pipe cannot be read again).
///
/// # Errors
///
/// As [`decode`].
pub fn describe_bytes(path: &Path, data: &[u8]) -> Result<String> {
    let (checkpoint, size) = decode(path, data)?;
    let state = &checkpoint.state;
    let (phase, time, particles) = match &state.phase {
        PhaseState::Macro(m) => (
            "macro (density)",
            m.t_start + m.steps as f64 * checkpoint.config.solver.macro_config.dt,
            None,
        ),
        PhaseState::Micro(p) => (
            "micro (particles)",
            p.t_start + p.steps as f64 * checkpoint.config.solver.micro.dt,
            Some(p.voltages.len()),
        ),
        PhaseState::MacroNetwork(m) => (
            "macro (densities of a network)",
            m.t_start + m.steps as f64 * checkpoint.config.solver.macro_config.dt,
            None,
        ),
        PhaseState::MicroNetwork(p) => (
            "micro (particles of a network)",
            p.t_start + p.steps as f64 * checkpoint.config.solver.micro.dt,
            Some(
                p.populations
                    .iter()
                    .flatten()
                    .map(|s| s.voltages.len())
                    .sum(),
            ),
        ),
        _ => ("unknown", f64::NAN, None),
    };
    let config = &checkpoint.config;
    Ok(format!(
        "checkpoint {}\n  format {FORMAT_VERSION}, written by nlif {}\n  run `{}` ({} solver), t = {} of t_end = {}, {}\n  phase: {phase}{}\n  samples so far: {}, switches: {}, MFEs: {}\n  size: {} ({} scheduled checkpoints written so far)\nconfig:\n{}",
        path.display(),
        env!("CARGO_PKG_VERSION"),
        config.name,
        config.solver.kind.as_str(),
        crate::shortest(nlif_model::time::tidy(time)),
        crate::shortest(config.t_end),
        match state.outcome {
            Some(o) => format!("ended: {}", o.as_str()),
            None => "running".to_owned(),
        },
        particles.map_or(String::new(), |n| format!(", {n} particles")),
        state.trace.samples.len(),
        state.trace.switches.len(),
        state.trace.mfes.len(),
        crate::config::bytes(size),
        checkpoint.stats.count,
        crate::config::to_ron(config)?
    ))
}
