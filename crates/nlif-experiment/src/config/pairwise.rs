//! A quantity of each ordered pair `(α, β)` of populations, written as one number for the
//! single-population model and as a `P×P` matrix for a network of populations (`model.a1`;
//! the shape of every per-pair field of `model`).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// One number (the single-population form) or a `P×P` matrix, row `α` the receiving
/// population, column `β` the spiking one (the populations form). In text (RON, JSON) it
/// is written as the number or the list of rows itself; `0.0` and `[[0.0]]` are told apart
/// by their shape, as the file writes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Pairwise {
    /// One number: the single-population form.
    Scalar(f64),
    /// Rows `α`, columns `β`; empty means zeros (the default of the populations form).
    Matrix(Vec<Vec<f64>>),
}

impl Default for Pairwise {
    fn default() -> Self {
        Pairwise::Scalar(0.0)
    }
}

impl Pairwise {
    /// The number of the single-population form; `None` for a matrix.
    pub fn scalar(&self) -> Option<f64> {
        match self {
            Pairwise::Scalar(x) => Some(*x),
            Pairwise::Matrix(_) => None,
        }
    }

    /// The matrix of the populations form; `None` for a number.
    pub fn matrix(&self) -> Option<&[Vec<f64>]> {
        match self {
            Pairwise::Scalar(_) => None,
            Pairwise::Matrix(rows) => Some(rows),
        }
    }
}

/// The form of a binary (not self-describing) format, which cannot tell the shapes apart
/// by reading: tagged.
#[derive(Serialize, Deserialize)]
enum Tagged {
    Scalar(f64),
    Matrix(Vec<Vec<f64>>),
}

impl Serialize for Pairwise {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self, serializer.is_human_readable()) {
            (Pairwise::Scalar(x), true) => serializer.serialize_f64(*x),
            (Pairwise::Matrix(rows), true) => rows.serialize(serializer),
            (Pairwise::Scalar(x), false) => Tagged::Scalar(*x).serialize(serializer),
            (Pairwise::Matrix(rows), false) => Tagged::Matrix(rows.clone()).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Pairwise {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return Ok(match Tagged::deserialize(deserializer)? {
                Tagged::Scalar(x) => Pairwise::Scalar(x),
                Tagged::Matrix(rows) => Pairwise::Matrix(rows),
            });
        }
        deserializer.deserialize_any(Shape)
    }
}

/// Reads a number or a list of rows, whichever is written.
struct Shape;

impl<'de> Visitor<'de> for Shape {
    type Value = Pairwise;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (one population) or a matrix [[..], ..] (populations)")
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Pairwise, E> {
        Ok(Pairwise::Scalar(x))
    }

    fn visit_i64<E: de::Error>(self, x: i64) -> Result<Pairwise, E> {
        Ok(Pairwise::Scalar(x as f64))
    }

    fn visit_u64<E: de::Error>(self, x: u64) -> Result<Pairwise, E> {
        Ok(Pairwise::Scalar(x as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pairwise, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(row) = seq.next_element::<Vec<f64>>()? {
            rows.push(row);
        }
        Ok(Pairwise::Matrix(rows))
    }
}
