//! Overrides: replace one field of the config, named by its dotted path, with a RON value.
//!
//! Nothing here lists a section's fields: the config is written out as RON and read back,
//! and on the way back the value at the path is read from the given text instead, as the
//! type the config's own `Deserialize` asks for there (module `walk`). A path that does not
//! exist is reported with the names that do, as the config's types declare them.

mod path;
mod walk;

use path::{Step, steps};

use crate::config::Config;

/// Why an override cannot be made. `at` is the dotted path of the node where the walk
/// stopped (a prefix of the path asked for).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// A struct has no field of that name.
    #[error("no field `{name}` here; expected one of: {}", expected.join(", "))]
    NoField {
        /// Where the struct is.
        at: String,
        /// The name asked for.
        name: String,
        /// The struct's fields, in order.
        expected: Vec<&'static str>,
    },
    /// The variant at `at` has no field of that name.
    #[error("`{variant}` has no field `{name}`; expected one of: {}", expected.join(", "))]
    NoVariantField {
        /// Where the enum is.
        at: String,
        /// Its current variant.
        variant: String,
        /// The name asked for.
        name: String,
        /// The variant's fields, in order.
        expected: Vec<&'static str>,
    },
    /// The path goes below a value that has no fields (a number, a name, a variant
    /// without fields).
    #[error("this field has no sub-field `{name}`")]
    NoSubField {
        /// Where the value is.
        at: String,
        /// The name asked for below it.
        name: String,
        /// The value's variant, if it is an enum.
        variant: Option<String>,
    },
    /// The path goes more than one field below a variant.
    #[error("expected one field of `{variant}`, got `{rest}`")]
    BelowVariantField {
        /// Where the enum is.
        at: String,
        /// Its current variant.
        variant: String,
        /// The rest of the path from the variant on.
        rest: String,
    },
    /// The path indexes a value that is not a list.
    #[error("this field is not a list; `[{index}]` indexes a list, e.g. model.coupling[0][1]")]
    NotAList {
        /// Where the value is.
        at: String,
        /// The index asked for.
        index: usize,
    },
    /// The path indexes a list beyond its end.
    #[error("index {index} is out of range: the list has {len} element{}", if *len == 1 { "" } else { "s" })]
    IndexOutOfRange {
        /// Where the list is.
        at: String,
        /// The index asked for.
        index: usize,
        /// The list's length.
        len: usize,
    },
    /// The path is not fields joined by `.`, each followed by indices `[i]`.
    #[error(
        "`{text}`: expected a field name followed by whole-number indices in brackets, e.g. model.coupling[0][1]"
    )]
    BadPath {
        /// The path component at fault.
        text: String,
    },
    /// The model section's field of the other form.
    #[error("no field `{name}` in this form of the model; expected one of: {}", expected.join(", "))]
    OtherForm {
        /// The name asked for.
        name: String,
        /// The fields of the section's form, in order.
        expected: Vec<&'static str>,
    },
    /// The value is not RON of the field's type.
    #[error("cannot read `{value}`: {reason}")]
    Value {
        /// The text given.
        value: String,
        /// What the RON reader says.
        reason: String,
    },
    /// The config, written out and read back, is not the same shape (a config type whose
    /// serialised form does not read back).
    #[error("the config does not read back after the override: {0}")]
    Reread(String),
}

impl SetError {
    /// The dotted path of the node where the walk stopped, if it stopped at a node.
    pub fn at(&self) -> Option<&str> {
        match self {
            SetError::NoField { at, .. }
            | SetError::NoVariantField { at, .. }
            | SetError::NoSubField { at, .. }
            | SetError::BelowVariantField { at, .. }
            | SetError::NotAList { at, .. }
            | SetError::IndexOutOfRange { at, .. } => Some(at),
            SetError::OtherForm { .. } => Some("model"),
            SetError::Value { .. } | SetError::Reread(_) | SetError::BadPath { .. } => None,
        }
    }
}

/// Replaces the field at the dotted `path` of `config` with `value` (RON text, read as
/// the field's type). `config` is unchanged on error. A field may be followed by indices
/// into a list: `model.coupling[0][1]`, `model.populations[1].a0`.
///
/// # Errors
///
/// The path names no field ([`SetError`] says which names exist there; under `model`,
/// those of the section's form), indexes a value that is not a list or a list beyond its
/// end, or the value is not RON of the field's type.
pub fn assign(config: &mut Config, path: &str, value: &str) -> Result<(), SetError> {
    let steps = steps(path)?;
    // The model's fields depend on its form, which its type alone does not declare.
    if let [Step::Field("model"), Step::Field(name), ..] = steps[..]
        && !config.model.fields().contains(&name)
    {
        let expected = config.model.fields().to_vec();
        let known = crate::config::SINGLE_FIELDS
            .iter()
            .chain(crate::config::POPULATIONS_FIELDS)
            .any(|f| *f == name);
        return Err(if known {
            SetError::OtherForm {
                name: name.to_owned(),
                expected,
            }
        } else {
            SetError::NoField {
                at: "model".to_owned(),
                name: name.to_owned(),
                expected,
            }
        });
    }
    // A field the text leaves out at its default is written out for the walk (its value,
    // off the default, is the one replaced).
    let mut written = config.clone();
    if steps == [Step::Field("output"), Step::Field("raster")] {
        written.output.raster = crate::config::DEFAULT_RASTER + 1;
    }
    if let [Step::Field("model"), Step::Field("delay"), ..] = steps[..] {
        written.model.write_out_delay();
    }
    // The prior rate, left out at 0, written out as 1 (the value given replaces it).
    match steps[..] {
        [Step::Field("model"), Step::Field("prior_rate")] if written.model.prior_rate == 0.0 => {
            written.model.prior_rate = 1.0;
        }
        [
            Step::Field("model"),
            Step::Field("populations"),
            Step::Index(alpha),
            Step::Field("prior_rate"),
        ] => {
            if let Some(population) = (written.model.populations.as_mut())
                .and_then(|populations| populations.get_mut(alpha))
                .filter(|population| population.prior_rate == 0.0)
            {
                population.prior_rate = 1.0;
            }
        }
        _ => {}
    }
    if steps[..]
        == [
            Step::Field("solver"),
            Step::Field("micro"),
            Step::Field("normals"),
        ]
        && written.solver.micro.normals == nlif_micro::normal::Normals::default()
    {
        // Left out at its default; written out off it (the value given replaces it).
        written.solver.micro.normals = nlif_micro::normal::Normals::Ziggurat;
    }
    if steps == [Step::Field("model"), Step::Field("refractory")]
        && written.model.refractory.is_none()
        && written.model.populations.is_none()
    {
        // Written out off its default `None`; the value given replaces it whole (a path
        // into `tau` needs a period to be there first).
        written.model.refractory = nlif_model::Refractory::Fixed { tau: 0.0 };
    }
    *config = walk::replace(&written, &steps, value)?;
    Ok(())
}

/// One override written as `PATH=VALUE` could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// The text has no `=`.
    #[error("`{0}`: expected PATH=VALUE")]
    NotAssignment(String),
    /// The override of `path` is refused.
    #[error("{path}: {source}")]
    Set {
        /// The dotted path, as given.
        path: String,
        /// Why.
        #[source]
        source: SetError,
    },
}

/// Splits `PATH=VALUE` at its first `=`, both sides trimmed.
pub fn split(assignment: &str) -> Option<(&str, &str)> {
    let (path, value) = assignment.split_once('=')?;
    Some((path.trim(), value.trim()))
}

/// Applies one `PATH=VALUE` override ([`split`], then [`assign`]).
///
/// # Errors
///
/// The text is not `PATH=VALUE`, or [`assign`] refuses it.
pub fn apply(config: &mut Config, assignment: &str) -> Result<(), OverrideError> {
    let (path, value) =
        split(assignment).ok_or_else(|| OverrideError::NotAssignment(assignment.to_owned()))?;
    assign(config, path, value).map_err(|source| OverrideError::Set {
        path: path.to_owned(),
        source,
    })
}
