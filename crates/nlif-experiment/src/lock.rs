//! One writer per output: an advisory lock on `.NAME.lock` beside the output `NAME`,
//! held for the life of a run (or sweep), holding the writer's PID. The system releases
//! it when the process ends however it ends, so a killed run never blocks the next one;
//! and a free lock tells the next writer that the staging directories beside the output
//! belong to dead runs ([`Lock::remove_leftovers`]).

use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

mod error;

pub use error::{Holder, LockError};

type Result<T, E = LockError> = std::result::Result<T, E>;

/// A held lock of an output; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    shared: bool,
    /// False on a file system without advisory locks (some cluster mounts): the writer
    /// goes on unprotected, with a warning, and removes no leftovers.
    held: bool,
}

/// Whether a failed lock means that the file system has no advisory locks (`ENOLCK`,
/// `ENOSYS`, `EOPNOTSUPP`), rather than a real error.
fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(37 | 38 | 95))
}

/// The lock file of the output `out` (`.NAME.lock` beside it) and the output's parent
/// and name.
fn lock_path(out: &Path) -> (PathBuf, String) {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (crate::target::beside(out, ".lock"), name)
}

impl Lock {
    /// Takes the lock of `out` for a writer that must be alone (a run, a resume, a whole
    /// sweep), creating the parent directory if need be.
    ///
    /// # Errors
    ///
    /// Another process holds it (the message gives its PID), or the lock file cannot be
    /// made.
    pub fn exclusive(out: &Path) -> Result<Lock> {
        Lock::take(out, false)
    }

    /// Takes the lock of `out` shared with other writers that take it shared (the shards
    /// of one sweep), excluding the exclusive ones.
    ///
    /// # Errors
    ///
    /// As [`Lock::exclusive`].
    pub fn shared(out: &Path) -> Result<Lock> {
        Lock::take(out, true)
    }

    fn take(out: &Path, shared: bool) -> Result<Lock> {
        let (path, _) = lock_path(out);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| LockError::CreateDir {
                dir: parent.to_owned(),
                source,
            })?;
        }
        // A holder that ends removes the file: a lock taken on a file no longer at
        // `path` excludes no one, so it is taken again on the new file.
        for _ in 0..100 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|source| LockError::Create {
                    path: path.clone(),
                    source,
                })?;
            let taken = if shared {
                file.try_lock_shared()
            } else {
                file.try_lock()
            };
            match taken {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    file.read_to_string(&mut holder).ok();
                    let holder = holder.trim();
                    return Err(LockError::Held {
                        out: out.to_owned(),
                        holder: Holder {
                            pid: (!holder.is_empty()).then(|| holder.to_owned()),
                        },
                        lock: path,
                    });
                }
                Err(std::fs::TryLockError::Error(e)) if unsupported(&e) => {
                    eprintln!(
                        "nlif: warning: the file system of {} has no locks ({e}): nothing keeps a second process from writing the same output",
                        path.display()
                    );
                    return Ok(Lock {
                        file,
                        path,
                        shared,
                        held: false,
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(LockError::Lock { path, source: e });
                }
            }
            if !same_file(&file, &path) {
                continue;
            }
            if !shared {
                file.set_len(0)
                    .and_then(|()| writeln!(file, "{}", std::process::id()))
                    .map_err(|source| LockError::Write {
                        path: path.clone(),
                        source,
                    })?;
            }
            return Ok(Lock {
                file,
                path,
                shared,
                held: true,
            });
        }
        Err(LockError::Unstable { path })
    }

    /// Removes what dead runs left beside the output `out` (the lock being held, no run
    /// is writing it): staging directories `.NAME.partial-PID` and `.NAME.partial-PID-K`
    /// holding only files a run writes, and `.NAME.old-PID`, an earlier output being
    /// replaced — put back as `NAME` if the replacement never came, else removed.
    /// Nothing else is touched; a checkpointed run's `.NAME.partial` is its work, kept.
    pub fn remove_leftovers(&self, out: &Path) {
        if self.shared || !self.held {
            return;
        }
        let (path, name) = lock_path(out);
        let Some(parent) = path.parent() else { return };
        let Ok(entries) = fs::read_dir(parent) else {
            return;
        };
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let dir = entry.path();
            let Some(rest) = file_name
                .strip_prefix('.')
                .and_then(|r| r.strip_prefix(name.as_str()))
            else {
                continue;
            };
            if let Some(id) = rest.strip_prefix(".partial-") {
                if is_dir && staging_id(id) && crate::output::only_run_files(&dir) {
                    fs::remove_dir_all(&dir).ok();
                }
            } else if let Some(id) = rest.strip_prefix(".old-")
                && is_dir
                && digits(id)
                && crate::output::only_run_files(&dir)
            {
                if fs::symlink_metadata(out).is_err() {
                    fs::rename(&dir, out).ok();
                } else {
                    fs::remove_dir_all(&dir).ok();
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while held, so no one can take a lock on it in between. A shared
        // holder removes it only if it is the last (the exclusive lock is free to it).
        if !self.held {
            // Unprotected: the (empty) file goes only if no one wrote into it.
            if fs::metadata(&self.path).is_ok_and(|m| m.len() == 0) {
                fs::remove_file(&self.path).ok();
            }
        } else if !self.shared || self.file.try_lock().is_ok() {
            fs::remove_file(&self.path).ok();
        }
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `PID` or `PID-K`.
fn staging_id(id: &str) -> bool {
    match id.split_once('-') {
        Some((pid, k)) => digits(pid) && digits(k),
        None => digits(id),
    }
}

/// Whether the open `file` is the one at `path` now.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the names of the staging directories nlif makes, written out by hand.
    #[test]
    fn only_the_staging_patterns_count_as_staging() {
        for ok in ["12", "4194304", "12-3"] {
            assert!(staging_id(ok), "{ok}");
        }
        for no in ["", "x", "12-", "-3", "12-3-4", "1 2", "12.tmp"] {
            assert!(!staging_id(no), "{no}");
        }
    }

    /// Oracle: the lock's contract, taken twice in one process (two open files exclude
    /// each other as two processes do).
    #[test]
    fn a_held_lock_refuses_a_second_writer_and_is_gone_after() {
        let dir = std::env::temp_dir().join(format!("nlif-lock-{}", std::process::id()));
        let out = dir.join("run");
        let first = Lock::exclusive(&out).unwrap();
        let e = Lock::exclusive(&out).unwrap_err().to_string();
        assert!(e.contains(&format!("PID {}", std::process::id())), "{e}");
        assert!(Lock::shared(&out).is_err());
        drop(first);
        assert!(!dir.join(".run.lock").exists());
        let a = Lock::shared(&out).unwrap();
        let b = Lock::shared(&out).unwrap();
        assert!(Lock::exclusive(&out).is_err());
        drop(a);
        assert!(dir.join(".run.lock").exists());
        drop(b);
        assert!(!dir.join(".run.lock").exists());
        fs::remove_dir_all(&dir).ok();
    }
}
