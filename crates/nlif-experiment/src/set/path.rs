//! The paths of overrides: fields joined by `.`, each followed by any number of indices
//! `[i]` (`model.coupling[0][1]`, `model.populations[1].a0`), read into the steps the walk
//! follows and written back for its messages.

use super::SetError;

/// One step of a path: a field of a struct or variant, or an element of a list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step<'p> {
    /// `.name`
    Field(&'p str),
    /// `[index]`
    Index(usize),
}

/// Steps written as a path: fields joined by `.`, indices as `[i]` after them.
pub(super) fn render(steps: &[Step<'_>]) -> String {
    let mut text = String::new();
    for (k, step) in steps.iter().enumerate() {
        match step {
            Step::Field(name) if k == 0 => text.push_str(name),
            Step::Field(name) => {
                text.push('.');
                text.push_str(name);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// The steps of a path: `.`-separated fields, each followed by any number of `[i]`.
pub(super) fn steps(path: &str) -> Result<Vec<Step<'_>>, SetError> {
    let mut steps = Vec::new();
    for component in path.split('.') {
        let (name, mut indices) =
            component.split_at(component.find('[').unwrap_or(component.len()));
        steps.push(Step::Field(name));
        while !indices.is_empty() {
            let bad = || SetError::BadPath {
                text: component.to_owned(),
            };
            let (index, rest) = indices
                .strip_prefix('[')
                .and_then(|s| s.split_once(']'))
                .ok_or_else(bad)?;
            let index = index
                .parse::<usize>()
                .ok()
                .filter(|_| index.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(bad)?;
            steps.push(Step::Index(index));
            indices = rest;
        }
    }
    Ok(steps)
}
