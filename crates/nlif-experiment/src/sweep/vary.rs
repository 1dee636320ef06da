//! The varied fields of a sweep and its shards, as text: `PATH=START:STOP:COUNT`,
//! `PATH=[v1, v2, …]` and `I/N`.

use serde::{Deserialize, Serialize};

/// A varied field that cannot be read; `text` is the text given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VaryError {
    /// No `=`.
    #[error("`{text}`: expected PATH=START:STOP:COUNT or PATH=[v1,v2,...]")]
    NoPath {
        /// The text.
        text: String,
    },
    /// Neither a range nor a list.
    #[error("`{text}`: expected START:STOP:COUNT or a list [v1,v2,...]")]
    NoValues {
        /// The text.
        text: String,
    },
    /// An end of a range is not a finite number.
    #[error("`{text}`: {end} `{value}` is not a finite number")]
    End {
        /// The text.
        text: String,
        /// `START` or `STOP`.
        end: &'static str,
        /// What was written there.
        value: String,
    },
    /// The count of a range is not in `1..=100000`.
    #[error("`{text}`: COUNT must be an integer in 1..=100000")]
    Count {
        /// The text.
        text: String,
    },
    /// An empty list, or an empty value in it.
    #[error("`{text}`: no values")]
    Empty {
        /// The text.
        text: String,
    },
}

/// A shard that is not `I/N` with `1 <= I <= N`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{text}`: expected I/N with 1 <= I <= N, e.g. 2/4")]
pub struct ShardError {
    /// The text given.
    pub text: String,
}

/// One `--vary PATH=…`: a dotted config path and its values as RON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    /// The dotted config path (any `--set` path).
    pub path: String,
    /// Its values, as RON text.
    pub values: Vec<String>,
}

/// Parses `PATH=START:STOP:COUNT` (COUNT evenly spaced values, ends included) or
/// `PATH=[v1, v2, …]` (RON values).
pub fn parse_vary(text: &str) -> Result<Vary, VaryError> {
    let text_ = || text.to_owned();
    let (path, spec) = text
        .split_once('=')
        .ok_or_else(|| VaryError::NoPath { text: text_() })?;
    let path = path.trim().to_owned();
    let spec = spec.trim();
    let values = if let Some(list) = spec.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        split_top_level(list)
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        let [start, stop, count] = parts[..] else {
            return Err(VaryError::NoValues { text: text_() });
        };
        let number = |s: &str, end: &'static str| -> Result<f64, VaryError> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| VaryError::End {
                    text: text_(),
                    end,
                    value: s.to_owned(),
                })
        };
        let (start, stop) = (number(start, "START")?, number(stop, "STOP")?);
        let count: usize = count
            .trim()
            .parse()
            .ok()
            .filter(|&n| (1..=100_000).contains(&n))
            .ok_or_else(|| VaryError::Count { text: text_() })?;
        (0..count)
            .map(|k| {
                let f = if count == 1 {
                    0.0
                } else {
                    k as f64 / (count - 1) as f64
                };
                // Each end weighted separately: no overflow for ends near ±f64::MAX.
                let x = nlif_model::time::tidy(start * (1.0 - f) + stop * f);
                // Whole numbers without a fraction, so integer fields take them too.
                if x.fract() == 0.0 && x.abs() < 9e15 {
                    format!("{}", x as i64)
                } else {
                    format!("{x:?}")
                }
            })
            .collect()
    };
    if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
        return Err(VaryError::Empty { text: text_() });
    }
    Ok(Vary { path, values })
}

/// Splits a RON list body at its top-level commas (not inside parentheses or brackets).
fn split_top_level(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for c in list.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        items.push(current.trim().to_owned());
    }
    items
}

/// Parses `I/N` (1 <= I <= N).
pub fn parse_shard(text: &str) -> Result<(usize, usize), ShardError> {
    let parse = || -> Option<(usize, usize)> {
        let (i, n) = text.split_once('/')?;
        let (i, n) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (1 <= i && i <= n).then_some((i, n))
    };
    parse().ok_or_else(|| ShardError {
        text: text.to_owned(),
    })
}
