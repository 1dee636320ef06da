//! The config as text: read from a file, parsed, written back, and where a field is
//! written in it.

use std::path::Path;

use super::Config;
use super::error::{LoadError, ParseError};

/// The config as RON text, pretty-printed (the form of `nlif check --print` and of a
/// checkpointed run's `config.ron`), which reads back as the same config.
///
/// # Errors
///
/// The config cannot be serialised (it always can).
pub fn to_ron(config: &Config) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::new().struct_names(false);
    let text = ron::ser::to_string_pretty(config, pretty)?;
    // ron writes a unit variant named `None` (`Input::None`) as the raw identifier
    // `r#None`; plain `None` reads back as the same variant. Kept only if it does (a
    // name holding the text `: r#None` would not).
    let plain = text.replace(": r#None", ": None");
    Ok(match parse(&plain) {
        Ok(back) if back == *config => plain,
        _ => text,
    })
}

/// Reads and parses a config file; syntax errors and unknown fields carry line and column.
///
/// # Errors
///
/// The file cannot be read, or is not a config ([`from_bytes`]).
pub fn load(path: &Path) -> Result<(Config, String), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    from_bytes(path, bytes)
}

/// Parses the bytes of the config file `path` (read once: a pipe cannot be read again).
///
/// # Errors
///
/// The bytes are not UTF-8, or not a config (the message names `path`, line and column).
pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<(Config, String), LoadError> {
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 {
        path: path.to_owned(),
    })?;
    let config = parse(&text).map_err(|error| LoadError::Parse {
        path: path.to_owned(),
        error,
    })?;
    Ok((config, text))
}

/// Parses RON text into a config.
///
/// # Errors
///
/// The text is not a config: the line, column and why.
pub fn parse(text: &str) -> Result<Config, ParseError> {
    // A UTF-8 byte-order mark (written by some Windows editors) is not RON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ron::Options::default()
        .from_str::<Config>(text)
        .map_err(|e| ParseError {
            line: e.span.start.line,
            column: e.span.start.col,
            code: e.code,
        })
}

/// Where a dotted field path is written in the config text: `(line, column)` of its last
/// key, found by looking for each key after the previous one. `None` if not written (a
/// default value).
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    let mut found = None;
    for key in path.split('.') {
        let offset = find_key(&text[from..], key)?;
        from += offset;
        found = Some(from);
        from += key.len();
    }
    let at = found?;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    Some((line, col))
}

/// Offset of `key` used as a RON field name (`key:` not preceded by an identifier char).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(i) = text[start..].find(key) {
        let at = start + i;
        let before_ok =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let rest = text[at + key.len()..].trim_start();
        if before_ok && rest.starts_with(':') {
            return Some(at);
        }
        start = at + key.len();
    }
    None
}
