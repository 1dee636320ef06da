//! `nlif.Config`: the experiment config of `nlif run`, read, overridden, validated and
//! written by the library's own code (`nlif_experiment::config` and `set`).

use std::path::{Path, PathBuf};

use nlif_experiment::config::{self, CheckError, LoadError};
use nlif_experiment::set::{self, SetError};
use nlif_experiment::sweep::refused_override;
use nlif_experiment::{Config, report};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::{config_error, os_error};
use crate::values::{quoted, ron_text};

/// An experiment config: the RON file of `nlif run`, with every section.
///
/// ``Config()`` is the built-in experiment (``nlif run`` without a file: the multi-scale
/// solver through a blow-up); ``Config(t_end=2.0, model={"b": 1.5})`` overrides its fields,
/// a dict standing for the fields of a section. ``Config.load(path)`` reads a file,
/// ``config.set("model.b", 1.5)`` overrides one field by the dotted path of ``--set``,
/// ``config.validate()`` checks it as ``nlif check`` does, ``str(config)`` is its RON text
/// and ``config.save(path)`` writes it.
#[pyclass(name = "Config", module = "nlif", from_py_object)]
#[derive(Clone)]
pub struct PyConfig {
    pub(crate) config: Config,
    /// The file it was read from and its text, so that `validate` names the line and
    /// column of a field written there (until an override changes the config).
    source: Option<(PathBuf, String)>,
    /// The dotted paths overridden since it was read (blamed in a contradiction).
    overridden: Vec<String>,
}

impl PyConfig {
    /// A config not read from a file.
    pub(crate) fn of(config: Config) -> Self {
        PyConfig {
            config,
            source: None,
            overridden: Vec::new(),
        }
    }

    /// Applies the override `path = value` (a Python value, see [`crate::values`]).
    pub(crate) fn assign(
        &mut self,
        py: Python<'_>,
        path: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let text = ron_text(value)?;
        let mut result = set::assign(&mut self.config, path, &text);
        // A Python str for a string field (`name`): the string itself, quoted for RON.
        if let (Err(SetError::Value { .. }), true) = (&result, value.is_instance_of::<PyString>()) {
            let quoted = quoted(&text);
            if set::assign(&mut self.config, path, &quoted).is_ok() {
                result = Ok(());
            }
        }
        result.map_err(|e| {
            let reason = refused_override(path, &e);
            let reason = reason.strip_prefix("--set ").unwrap_or(&reason).to_owned();
            config_error(py, Some(path), format!("cannot set {reason}"))
        })?;
        self.source = None;
        if !self.overridden.iter().any(|p| p == path) {
            self.overridden.push(path.to_owned());
        }
        Ok(())
    }

    /// Applies the fields of `fields`: a dict value under a key stands for the fields
    /// below it (`{"model": {"b": 1.5}}` is `model.b = 1.5`), any other value is set as
    /// a whole.
    pub(crate) fn assign_all(
        &mut self,
        py: Python<'_>,
        prefix: &str,
        fields: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        for (key, value) in fields.iter() {
            let key = key.str()?.to_string();
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            match value.cast::<PyDict>() {
                Ok(section) => self.assign_all(py, &path, section)?,
                Err(_) => self.assign(py, &path, &value)?,
            }
        }
        Ok(())
    }

    /// Every check `nlif run` makes before it starts, in its words.
    pub(crate) fn check(&self, py: Python<'_>) -> PyResult<()> {
        let located = self.source.as_ref().map(|(p, t)| (p.as_path(), t.as_str()));
        let overridden: Vec<&str> = self.overridden.iter().map(String::as_str).collect();
        match config::check(&self.config, located, &overridden, 1) {
            Ok(_) => Ok(()),
            Err(CheckError::Field {
                place,
                field,
                message,
            }) => Err(config_error(py, Some(&field), format!("{place}{message}"))),
            Err(e) => Err(config_error(py, None, report(&e))),
        }
    }
}

/// A config file that cannot be read (`OSError`) or is not a config (`ConfigError`).
fn load_error(py: Python<'_>, e: &LoadError) -> PyErr {
    match e {
        LoadError::Read { source, .. } => os_error(source.kind(), report(e)),
        _ => config_error(py, None, report(e)),
    }
}

#[pymethods]
impl PyConfig {
    #[new]
    #[pyo3(signature = (**fields))]
    fn new(py: Python<'_>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut config = PyConfig::of(Config::builtin());
        if let Some(fields) = fields {
            config.assign_all(py, "", fields)?;
        }
        Ok(config)
    }

    /// Reads the RON config file at `path` (``OSError`` if it cannot be read,
    /// ``ConfigError`` with line and column if it is not a config).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let (config, text) = config::load(&path).map_err(|e| load_error(py, &e))?;
        Ok(PyConfig {
            config,
            source: Some((path, text)),
            overridden: Vec::new(),
        })
    }

    /// The config written as RON `text` (``ConfigError`` with line and column if it is
    /// not one).
    #[staticmethod]
    fn from_ron(py: Python<'_>, text: &str) -> PyResult<Self> {
        let path = Path::new("<text>");
        let (config, text) =
            config::from_bytes(path, text.as_bytes().to_vec()).map_err(|e| load_error(py, &e))?;
        Ok(PyConfig {
            config,
            source: Some((path.to_owned(), text)),
            overridden: Vec::new(),
        })
    }

    /// Overrides the field at the dotted `path` (as ``--set PATH=VALUE``; into lists:
    /// ``model.coupling[0][1]``) with `value`: a number, bool, None, list, tuple, dict, or
    /// a str of RON text (``"Micro"``, ``"Constant(i0: 1.0)"``; for a string field, the
    /// string). ``ConfigError`` naming the path if there is no such field or the value
    /// is not of its type; the config is then unchanged.
    fn set(&mut self, py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.assign(py, path, value)
    }

    /// Checks the config as ``nlif check`` does (every setting the chosen solver uses,
    /// the clock, the grid, the memory): ``ConfigError`` whose message names the field
    /// (and its line and column in the file it was read from) and whose ``field`` is its
    /// dotted path.
    fn validate(&self, py: Python<'_>) -> PyResult<()> {
        self.check(py)
    }

    /// Writes the config as RON to `path` (``FileExistsError`` if the file exists, unless
    /// `overwrite`).
    #[pyo3(signature = (path, *, overwrite = false))]
    fn save(&self, path: PathBuf, overwrite: bool) -> PyResult<()> {
        let text = self.ron()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if overwrite {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        let written = options
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, (text + "\n").as_bytes()));
        written.map_err(|e| os_error(e.kind(), format!("cannot write {}: {e}", path.display())))
    }

    /// The config as a dict of its sections (the ``config`` of ``summary.json``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.config)
            .map_err(|e| PyValueError::new_err(format!("cannot write the config: {e}")))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// A copy (overrides of the copy leave this one alone).
    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// The experiment's name (its output directory is ``out/NAME``).
    #[getter]
    fn name(&self) -> &str {
        &self.config.name
    }

    /// The end time.
    #[getter]
    fn t_end(&self) -> f64 {
        self.config.t_end
    }

    /// The seed that determines the run bit for bit.
    #[getter]
    fn seed(&self) -> u64 {
        self.config.seed
    }

    /// The solver kind: ``"Macro"``, ``"Micro"`` or ``"Multiscale"``.
    #[getter]
    fn solver(&self) -> String {
        format!("{:?}", self.config.solver.kind)
    }

    fn __str__(&self) -> PyResult<String> {
        self.ron()
    }

    fn __repr__(&self) -> String {
        format!(
            "nlif.Config(name={:?}, solver={:?}, t_end={}, seed={})",
            self.config.name,
            self.config.solver.kind,
            nlif_experiment::shortest(self.config.t_end),
            self.config.seed
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyConfig>()
            .is_ok_and(|o| o.borrow().config == self.config)
    }

    /// Pickled as its RON text (every number round-trips exactly).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_ron = slf.get_type().getattr("from_ron")?;
        Ok((from_ron, (slf.borrow().ron()?,)))
    }
}

impl PyConfig {
    /// The RON text, as `nlif check --print` writes it.
    fn ron(&self) -> PyResult<String> {
        config::to_ron(&self.config)
            .map_err(|e| PyValueError::new_err(format!("cannot write the config as RON: {e}")))
    }
}
