//! What `check` says about a config: the field at fault and where it is written, or notes
//! on a valid one.

use std::path::Path;

use multiscale::MemoryEstimate;

use super::error::CheckError;
use super::{Config, MEMORY_LIMIT_VAR, locate};

/// What `nlif check` says about a valid config besides "ok": settings the run uses in
/// another form than written (a `v_min` off the grid is moved to the node below it).
pub fn notes(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    if config.model.is_populations_form() {
        return notes;
    }
    let m = &config.solver.macro_config;
    if let Ok(grid) = nlif_model::Grid::for_model(&config.model.params(), m.v_min, m.dv) {
        let used = grid.v_min();
        if (used - m.v_min).abs() > 1e-9 * m.dv {
            notes.push(format!(
                "`solver.macro.v_min` = {} is not a node of the grid (spacing dv = {} from v_f = {}): the grid starts at the node below it, v_min = {}",
                crate::shortest(m.v_min),
                crate::shortest(m.dv),
                crate::shortest(config.model.v_f),
                crate::shortest(nlif_model::time::tidy(used))
            ));
        }
    }
    notes
}

/// Checks a config and turns a failure into a message naming the field and, when the
/// field is written in `text`, the file, line and column.
///
/// `overridden` and `processes` as for [`Config::validate`].
///
/// # Errors
///
/// The config is invalid: the message names the field (by its dotted path, and its
/// place in `text` if written there).
pub fn check(
    config: &Config,
    text: Option<(&Path, &str)>,
    overridden: &[&str],
    processes: usize,
) -> Result<MemoryEstimate, CheckError> {
    match config.validate(overridden, processes) {
        Ok(memory) => Ok(memory),
        // Not a field of the config: the environment's limit (already in its words).
        Err((field, reason)) if field == MEMORY_LIMIT_VAR => Err(CheckError::Field {
            place: String::new(),
            field,
            message: reason,
        }),
        Err((field, reason)) => {
            let place = text
                .and_then(|(path, text)| {
                    locate(text, &field).map(|(l, c)| format!("{}:{l}:{c}: ", path.display()))
                })
                .or_else(|| text.map(|(path, _)| format!("{}: ", path.display())))
                .unwrap_or_default();
            let message = field_message(&field, &reason);
            Err(CheckError::Field {
                place,
                field,
                message,
            })
        }
    }
}

/// `invalid `model.v_f` = -1: why`: the message of a solver crate (`invalid `v_f` = -1:
/// why`, naming the field within its section) with the field's full config path.
pub fn field_message(field: &str, reason: &str) -> String {
    if let Some(at) = reason.find("invalid `")
        && let Some((_, after)) = reason[at + "invalid `".len()..].split_once('`')
    {
        return format!("invalid `{field}`{after}");
    }
    format!("invalid config field `{field}`: {reason}")
}
