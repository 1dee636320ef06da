//! Python values as the RON text of an override (`--set PATH=VALUE`'s `VALUE`).
//!
//! A `float` is written as its shortest round-trip text (`repr`), so the config holds the
//! very `f64` given; an `int` as digits; a `bool` as `true` / `false`; `None` as `None`; a
//! list as `[..]`, a tuple as `(..)`, a dict as a struct `(key: value, ..)`. A `str` is
//! RON text as the command line takes it (`"Micro"`, `"Constant(i0: 1.0)"`,
//! `"Some(0.5)"`); where the field is a string (`name`), [`crate::config`] reads it as the
//! string itself.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// The RON text of `value`.
///
/// # Errors
///
/// `TypeError` for a value of another type (naming it).
pub(crate) fn ron_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    // `bool` before `int`: in Python a bool is an int.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(if b.is_true() { "true" } else { "false" }.to_owned());
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(value.str()?.to_string());
    }
    if value.is_instance_of::<PyFloat>() {
        let x: f64 = value.extract()?;
        return Ok(float_text(x));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_string());
    }
    if value.is_none() {
        return Ok("None".to_owned());
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items: PyResult<Vec<String>> = list.iter().map(|v| ron_text(&v)).collect();
        return Ok(format!("[{}]", items?.join(", ")));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let items: PyResult<Vec<String>> = tuple.iter().map(|v| ron_text(&v)).collect();
        return Ok(format!("({})", items?.join(", ")));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut fields = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            fields.push(format!("{}: {}", k.str()?, ron_text(&v)?));
        }
        return Ok(format!("({})", fields.join(", ")));
    }
    // A NumPy scalar (np.float64 is a float subclass and handled above; np.int64 is not
    // an int) reads as its Python number.
    if let Ok(x) = value.extract::<f64>()
        && value.hasattr("dtype")?
    {
        let integral = value.getattr("dtype")?.getattr("kind")?.to_string();
        return Ok(if integral == "i" || integral == "u" {
            value.str()?.to_string()
        } else {
            float_text(x)
        });
    }
    Err(PyTypeError::new_err(format!(
        "cannot write a value of type {} as a config value (give a number, bool, str of RON text, None, list, tuple or dict)",
        value.get_type().name()?
    )))
}

/// The shortest text that reads back as `x` (`1.5`, `1e-7`, `inf`, `NaN`), as RON reads
/// floats.
fn float_text(x: f64) -> String {
    format!("{x:?}")
}

/// `s` as a RON string literal (quoted, escaped).
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
