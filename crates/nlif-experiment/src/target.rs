//! Where an output goes: the path given (`--out`, or `out/NAME`) resolved once, before
//! anything is written, so every later step (checks, lock, staging, rename) works on the
//! one directory the user means.
//!
//! Resolution follows what the system would open: `.` and repeated or trailing slashes
//! are dropped, a link on the way to the output is followed and `..` steps up from where
//! it leads; parts that do not exist yet are taken as written. The last component is
//! never followed: an output that is a link is refused later ([`crate::output`]), as
//! docs/config.md promises.

use std::ffi::OsStr;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// An output path that cannot be used; `origin` says where it came from (an option, a
/// field), as the caller named it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The name leaves no room for what nlif creates beside the output.
    #[error(
        "{origin}: the output's name is {len} bytes long; nlif creates `.NAME.partial-PID` beside it, which must fit the file system's limit of {NAME_MAX} bytes for a name: give a name of at most {MAX_NAME} bytes"
    )]
    NameTooLong {
        /// Where the name came from.
        origin: String,
        /// Its length in bytes.
        len: usize,
    },
    /// The path ends in `.`, `..` or a root.
    #[error(
        "{origin} {}: give a directory to create (or an earlier nlif output to replace), not `.`, `..` or a root",
        out.display()
    )]
    NotANewDirectory {
        /// Where the path came from.
        origin: String,
        /// The path.
        out: PathBuf,
    },
    /// The current directory cannot be read.
    #[error("cannot read the current directory")]
    CurrentDir(#[source] std::io::Error),
    /// A part of the path cannot be followed.
    #[error("{origin} {}", out.display())]
    Path {
        /// Where the path came from.
        origin: String,
        /// The path.
        out: PathBuf,
        /// Which part, and why.
        #[source]
        source: PathError,
    },
}

/// A part of a path on the way to an output that cannot be looked at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// A link that cannot be followed.
    #[error("cannot follow the link {}", path.display())]
    Follow {
        /// The link.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A part that cannot be inspected.
    #[error("cannot inspect {}", path.display())]
    Inspect {
        /// The part.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The longest name the file systems nlif writes to allow for one path component.
pub const NAME_MAX: usize = 255;

/// What nlif adds to an output's name for the longest name it creates beside it: the
/// staging directory `.NAME.partial-PID-K` (a PID of at most 10 digits, `K` < 100).
const STAGING_EXTRA: usize = ".".len() + ".partial-".len() + 10 + "-99".len();

/// The longest output name nlif accepts (232 bytes).
pub const MAX_NAME: usize = NAME_MAX - STAGING_EXTRA;

/// The hidden entry `.NAME{suffix}` beside the output `out` (in its parent directory, `.`
/// for a bare name): its lock `.NAME.lock`, a checkpointed run's `.NAME.partial`.
pub fn beside(out: &Path, suffix: &str) -> PathBuf {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    parent.join(format!(".{name}{suffix}"))
}

/// Checks that the output name `name` leaves room for what nlif creates beside it;
/// `origin` says where the name comes from (`--out`, the config's `name`).
///
/// # Errors
///
/// The name is longer than [`MAX_NAME`] bytes.
pub fn check_name(name: &OsStr, origin: &str) -> Result<(), TargetError> {
    let len = name.as_encoded_bytes().len();
    if len > MAX_NAME {
        return Err(TargetError::NameTooLong {
            origin: origin.to_owned(),
            len,
        });
    }
    Ok(())
}

/// Resolves `out` against the current directory; `origin` names the option (or field)
/// it came from in messages. The result is relative to the current directory when it
/// lies below it (so messages read as the user wrote them), absolute otherwise.
///
/// # Errors
///
/// `out` ends in `..` or is a root or `.`; a link on the way cannot be followed; its
/// name is too long ([`check_name`]).
pub fn resolve(out: &Path, origin: &str) -> Result<PathBuf, TargetError> {
    let Some(Component::Normal(name)) = out.components().next_back() else {
        return Err(TargetError::NotANewDirectory {
            origin: origin.to_owned(),
            out: out.to_owned(),
        });
    };
    check_name(name, origin)?;
    let cwd = std::env::current_dir().map_err(TargetError::CurrentDir)?;
    let parent = out.parent().unwrap_or(Path::new(""));
    let target = physical(&cwd.join(parent))
        .map_err(|source| TargetError::Path {
            origin: origin.to_owned(),
            out: out.to_owned(),
            source,
        })?
        .join(name);
    Ok(match target.strip_prefix(&cwd) {
        Ok(below) if !below.as_os_str().is_empty() => below.to_path_buf(),
        _ => target,
    })
}

/// The directory an absolute `path` denotes: links followed, `.` dropped, `..` taken
/// from where the path has led so far (from a part that does not exist, lexically).
fn physical(path: &Path) -> Result<PathBuf, PathError> {
    let mut at = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => at.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                at.pop();
            }
            Component::Normal(part) => {
                at.push(part);
                match fs::symlink_metadata(&at) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        at = fs::canonicalize(&at)
                            .map_err(|source| PathError::Follow { path: at, source })?;
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(PathError::Inspect { path: at, source }),
                }
            }
        }
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the path written out by hand, for spellings whose parts do not exist (so
    /// resolution is lexical).
    #[test]
    fn dots_and_slashes_resolve_lexically_where_nothing_exists() {
        let cwd = std::env::current_dir().unwrap();
        let base = cwd.join("no-such-dir-of-nlif");
        let cases = [
            ("no-such-dir-of-nlif/a/../b", "b"),
            ("no-such-dir-of-nlif/./b/", "b"),
            ("no-such-dir-of-nlif//b/.", "b"),
            ("./no-such-dir-of-nlif/c/d/../../b", "b"),
        ];
        for (spelling, name) in cases {
            let resolved = resolve(Path::new(spelling), "--out").unwrap();
            assert_eq!(cwd.join(&resolved), base.join(name), "{spelling}");
            assert!(resolved.is_relative(), "{spelling}");
        }
        for refused in [".", "..", "/", "a/..", "./.."] {
            let e = resolve(Path::new(refused), "--out").unwrap_err();
            assert!(e.to_string().starts_with("--out "), "{refused}: {e}");
        }
    }

    /// Oracle: the limit of 255 bytes less the 23 nlif adds.
    #[test]
    fn the_longest_name_leaves_room_for_the_staging_name() {
        assert_eq!(MAX_NAME, 232);
        assert!(check_name(OsStr::new(&"n".repeat(232)), "--out").is_ok());
        let e = check_name(OsStr::new(&"n".repeat(233)), "--out").unwrap_err();
        assert!(e.to_string().contains("at most 232 bytes"), "{e}");
        let staging = format!(".{}.partial-{}-99", "n".repeat(232), u32::MAX);
        assert_eq!(staging.len(), NAME_MAX);
    }
}
