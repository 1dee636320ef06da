//! A refused override in the words of the command line (`--set PATH: why`): what a
//! sweep's rows and `--check` report say of a point, and what `nlif run --set` says.
//! The errors of [`crate::set`] themselves name no option.

use crate::set::SetError;

/// `--set PATH: why` for the refused override of `path`.
pub fn refused_override(path: &str, e: &SetError) -> String {
    format!("--set {path}: {}", reason(e))
}

/// Why, with an example where the field is an enum some of whose variants have fields and
/// the path went below one that has none.
fn reason(e: &SetError) -> String {
    match e {
        SetError::NoSubField {
            at,
            variant: Some(variant),
            ..
        } if at == "model.input" => format!(
            "the input `{variant}` has no fields; set the whole input, e.g. --set 'model.input=Constant(i0: 1.0)'"
        ),
        SetError::NoSubField { at, .. } if at == "solver.switching.policy" => {
            "this policy has no fields; set the whole policy, e.g. --set 'solver.switching.policy=FiringFraction(fraction: 0.01)'".to_owned()
        }
        e if e.at() == Some("solver.switching.estimator") => {
            "no such field; the estimator is `Histogram` or `Kernel(bandwidth: ...)`".to_owned()
        }
        e => e.to_string(),
    }
}
