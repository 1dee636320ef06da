//! Standard output as a Unix tool writes it: a reader that has gone away (a closed pipe,
//! `nlif steady | head -1`, `nlif init | true`) ends the output quietly instead of
//! panicking as `println!` does. The command goes on and ends with its own exit status
//! (a run's outputs are written all the same); later writes are skipped.

use std::fmt::Display;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Stdout cannot be written (for another reason than a closed pipe). Its message says
/// why as well, so that it reads whole however it is printed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to stdout: {0}")]
pub struct StdoutError(#[source] pub std::io::Error);

/// Whether stdout's reader has gone away.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout and flushes it.
///
/// # Errors
///
/// Stdout cannot be written for another reason than a closed pipe (e.g. a full disk).
pub fn print(text: &str) -> Result<(), StdoutError> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(StdoutError(e)),
    }
}

/// Writes `text` and a newline to stdout, as [`print()`].
///
/// # Errors
///
/// As [`print()`].
pub fn line(text: impl Display) -> Result<(), StdoutError> {
    print(&format!("{text}\n"))
}
