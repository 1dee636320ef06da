//! The memory a run may use, and sizes for people.

use super::error::MemoryLimitError;

/// The environment variable that sets the memory a run may use.
pub const MEMORY_LIMIT_VAR: &str = "NLIF_MEMORY_LIMIT";

/// The memory a run may use: the value of the environment variable `NLIF_MEMORY_LIMIT`
/// if set ([`parse_memory_limit`]), else `MemAvailable` of `/proc/meminfo`; `None` where
/// neither exists.
///
/// # Errors
///
/// `NLIF_MEMORY_LIMIT` is set but is not a size: the message names it.
pub fn available_memory() -> Result<Option<u64>, MemoryLimitError> {
    if let Some(limit) = memory_limit()? {
        return Ok(Some(limit));
    }
    let meminfo = || -> Option<u64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib.saturating_mul(1024))
    };
    Ok(meminfo())
}

/// The value of `NLIF_MEMORY_LIMIT`, if set.
///
/// # Errors
///
/// It is set but is not a size ([`parse_memory_limit`]).
pub fn memory_limit() -> Result<Option<u64>, MemoryLimitError> {
    match std::env::var_os(MEMORY_LIMIT_VAR) {
        None => Ok(None),
        Some(value) => parse_memory_limit(&value.to_string_lossy()).map(Some),
    }
}

/// A memory size: a positive number of bytes, optionally with a unit `K`, `M`, `G`, `T`
/// (powers of 1000: `8G` is 8·10^9 bytes) or `Ki`, `Mi`, `Gi`, `Ti` (powers of 1024:
/// `8Gi` is 8·2^30), either optionally followed by `B`, in any case (`8gb`, `16GiB`),
/// with or without a space; a fraction is allowed (`1.5G`), the bytes rounded down.
///
/// # Errors
///
/// Anything else: the message names `NLIF_MEMORY_LIMIT` and the accepted forms.
pub fn parse_memory_limit(text: &str) -> Result<u64, MemoryLimitError> {
    let refuse = || MemoryLimitError {
        text: text.to_owned(),
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: f64 = number.parse().map_err(|_| refuse())?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024f64.powi(2),
        "gi" => 1024f64.powi(3),
        "ti" => 1024f64.powi(4),
        _ => return Err(refuse()),
    };
    let bytes = (number * factor).floor();
    if !(bytes >= 1.0) {
        return Err(refuse());
    }
    // `as` saturates: a limit beyond 2^64 bytes is no limit.
    Ok(bytes as u64)
}

/// Bytes for people: `1.5 GB`.
pub fn bytes(n: u64) -> String {
    let x = n as f64;
    match x {
        _ if x >= 1e15 => format!("{x:.1e} B"),
        _ if x >= 1e9 => format!("{:.1} GB", x / 1e9),
        _ if x >= 1e6 => format!("{:.1} MB", x / 1e6),
        _ if x >= 1e3 => format!("{:.1} kB", x / 1e3),
        _ => format!("{n} B"),
    }
}
