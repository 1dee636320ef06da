//! The files of a run's output directory: those of every run, and those named after the
//! populations of a network (`density_<name>.npy`, `grid_<name>.npy`); which names can
//! name them; and which directories hold nothing but a run's files.

use std::fs;
use std::path::Path;

use nlif_model::network::admissible_name;
use serde_json::Value;

/// The files an nlif run writes into its output directory, whatever its model.
const FIXED_FILES: &[&str] = &[
    "summary.json",
    "rate.csv",
    "rate.png",
    "rate.svg",
    "density.png",
    "density.npy",
    "grid.npy",
    "density_t.npy",
    super::spikes::FILE,
    "raster.png",
    crate::checkpoint::FILE,
    crate::checkpoint::CONFIG_FILE,
];

/// The file of population `name`'s density snapshots (a network of several populations).
pub fn density_file(name: &str) -> String {
    format!("density_{name}.npy")
}

/// The file of the nodes of population `name`'s grid (a network of several populations).
pub fn grid_file(name: &str) -> String {
    format!("grid_{name}.npy")
}

/// The `rate.csv` column of population `name`'s rate (a network of several populations).
pub fn rate_column(name: &str) -> String {
    format!("rate_{name}")
}

/// Checks that the populations `names` of a network of several populations can name their
/// output files: each an admissible name ([`admissible_name`]: no path separator, no
/// character a file system could refuse), none `t` (`density_t.npy` holds the snapshot
/// times), and no two equal but for the case of their letters (their files would be one
/// file on a case-insensitive file system). A network of one population names no file.
///
/// # Errors
///
/// The index of the first offending population and why.
pub fn check_population_names<S: AsRef<str>>(names: &[S]) -> Result<(), (usize, String)> {
    if names.len() < 2 {
        return Ok(());
    }
    for (alpha, name) in names.iter().enumerate() {
        let name = name.as_ref();
        if !admissible_name(name) {
            return Err((
                alpha,
                format!(
                    "{name:?}: a population's name names its output files ({}): letters, digits, `_` and `-` only",
                    density_file("NAME")
                ),
            ));
        }
        if name == "t" {
            return Err((
                alpha,
                format!(
                    "{name:?}: density_t.npy holds the snapshot times, not a population's density; choose another name"
                ),
            ));
        }
        if name.eq_ignore_ascii_case("t") {
            return Err((
                alpha,
                format!(
                    "{name:?}: {} and density_t.npy (the snapshot times) would be one file on a case-insensitive file system; choose another name",
                    density_file(name)
                ),
            ));
        }
        if let Some(other) = names[..alpha]
            .iter()
            .map(AsRef::as_ref)
            .find(|other: &&str| other.eq_ignore_ascii_case(name))
        {
            return Err((
                alpha,
                format!(
                    "{name:?} and {other:?} differ only in case: {} and {} would be one file on a case-insensitive file system",
                    density_file(name),
                    density_file(other)
                ),
            ));
        }
    }
    Ok(())
}

/// The files a run may have written into one directory: those of every run, and those of
/// the populations its `summary.json` names.
pub(crate) struct RunFiles {
    /// The populations named by the directory's `summary.json` (admissible names only).
    populations: Vec<String>,
}

impl RunFiles {
    /// The files of the run whose outputs `dir` holds: its `summary.json`'s populations
    /// (none if it has no readable one, or names no populations).
    pub(crate) fn of(dir: &Path) -> Self {
        let populations = fs::read_to_string(dir.join("summary.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .map(|summary| population_names(&summary))
            .unwrap_or_default();
        RunFiles { populations }
    }

    /// Whether a run writes a file called `name`.
    pub(crate) fn recognises(&self, name: &str) -> bool {
        FIXED_FILES.contains(&name)
            || self
                .populations
                .iter()
                .any(|p| name == density_file(p) || name == grid_file(p))
    }
}

/// The names of the `populations` entries of a `summary.json` that can name files.
fn population_names(summary: &Value) -> Vec<String> {
    let names: Vec<String> = summary
        .get("populations")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if check_population_names(&names).is_ok() {
        names
    } else {
        Vec::new()
    }
}

/// Whether `dir` holds nothing but files a run writes there (its outputs, its
/// checkpoint's temporaries): a staging directory nlif made, which it may remove.
pub(crate) fn only_run_files(dir: &Path) -> bool {
    let files = RunFiles::of(dir);
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.into_iter().all(|entry| {
            entry.is_ok_and(|entry| {
                let name = entry.file_name();
                let known = name
                    .to_str()
                    .is_some_and(|n| files.recognises(n) || n.ends_with(".tmp"));
                known && entry.file_type().is_ok_and(|t| t.is_file())
            })
        })
    })
}

/// Whether `dir` is recognisably an earlier nlif output directory: it holds an nlif
/// `summary.json` and nothing but the files a run writes (no subdirectory, no link).
pub(crate) fn is_nlif_output(dir: &Path) -> Result<(), String> {
    let files = RunFiles::of(dir);
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read it ({e})"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read it ({e})"))?;
        let name = entry.file_name();
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read it ({e})"))?;
        let known = name.to_str().is_some_and(|n| files.recognises(n));
        if !known || !kind.is_file() {
            return Err(format!(
                "it holds `{}`, which nlif did not write",
                name.to_string_lossy()
            ));
        }
    }
    let summary = fs::read_to_string(dir.join("summary.json"))
        .map_err(|_| "it has no nlif summary.json".to_owned())?;
    let value: Value =
        serde_json::from_str(&summary).map_err(|_| "its summary.json is not nlif's".to_owned())?;
    let has = |key: &str| value.get(key).is_some();
    if has("name") && has("version") && has("seed") && has("config") && has("outcome") {
        Ok(())
    } else {
        Err("its summary.json is not nlif's".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory holding `files` (each with a few bytes) and, if given, a
    /// `summary.json`.
    fn dir_with(tag: &str, summary: Option<Value>, files: &[&str]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("nlif-files-{tag}-{}", std::process::id()));
        fs::remove_dir_all(&dir).ok();
        fs::create_dir_all(&dir).unwrap();
        if let Some(summary) = summary {
            fs::write(dir.join("summary.json"), summary.to_string()).unwrap();
        }
        for f in files {
            fs::write(dir.join(f), b"x").unwrap();
        }
        dir
    }

    fn nlif_summary(populations: &[&str]) -> Value {
        let mut summary = serde_json::json!({
            "name": "n", "version": "0", "seed": 1, "config": {}, "outcome": "completed",
        });
        if !populations.is_empty() {
            let entries: Vec<Value> = populations
                .iter()
                .map(|n| serde_json::json!({ "name": n }))
                .collect();
            summary["populations"] = Value::Array(entries);
        }
        summary
    }

    // Oracle: the file names of docs/config.md's Outputs table, written out.
    #[test]
    fn a_networks_files_are_recognised_by_the_populations_its_summary_names() {
        let ei = [
            "rate.csv",
            "density_E.npy",
            "grid_E.npy",
            "density_I.npy",
            "grid_I.npy",
            "density_t.npy",
        ];
        let dir = dir_with("ei", Some(nlif_summary(&["E", "I"])), &ei);
        assert_eq!(is_nlif_output(&dir), Ok(()));
        assert!(only_run_files(&dir));
        // A population the summary does not name.
        fs::write(dir.join("density_X.npy"), b"x").unwrap();
        assert_eq!(
            is_nlif_output(&dir),
            Err("it holds `density_X.npy`, which nlif did not write".into())
        );
        assert!(!only_run_files(&dir));
        fs::remove_dir_all(&dir).ok();
        // A run of one population names no population: its files are the fixed ones.
        let dir = dir_with("single", Some(nlif_summary(&[])), &["density_E.npy"]);
        assert!(is_nlif_output(&dir).is_err());
        assert!(!only_run_files(&dir));
        fs::remove_dir_all(&dir).ok();
        // No summary: nothing named after a population is known.
        let dir = dir_with("none", None, &["grid_E.npy", "checkpoint.nlif"]);
        assert!(!only_run_files(&dir));
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_summary_naming_unsafe_populations_makes_no_file_known() {
        let files = RunFiles {
            populations: population_names(&nlif_summary(&["../x", "I"])),
        };
        assert!(!files.recognises("density_../x.npy"));
        assert!(!files.recognises("density_I.npy"));
        assert!(files.recognises("summary.json"));
    }

    // Oracle: the rules of `check_population_names`' documentation, case by case.
    #[test]
    fn population_names_that_cannot_name_files_are_refused() {
        assert_eq!(check_population_names(&["E", "I"]), Ok(()));
        assert_eq!(check_population_names(&["E_1", "exc-2", "T2"]), Ok(()));
        // One population names no file: any admissible name, `t` too.
        assert_eq!(check_population_names(&["t"]), Ok(()));
        for (names, alpha, words) in [
            (&["E", "t"][..], 1, "density_t.npy holds the snapshot times"),
            (&["T", "E"][..], 0, "density_T.npy and density_t.npy"),
            (&["E", "e"][..], 1, "case-insensitive"),
            (&["E", "I/x"][..], 1, "letters, digits"),
            (&["E", ""][..], 1, "letters, digits"),
        ] {
            let (at, why) = check_population_names(names).unwrap_err();
            assert_eq!(at, alpha, "{names:?}");
            assert!(why.contains(words), "{names:?}: {why}");
        }
    }
}
