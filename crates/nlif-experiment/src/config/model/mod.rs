//! The `model` section in its two forms: the single population `(a0, a1, b, v_f, v_r,
//! input)` of every config so far, and the populations form `(populations, coupling, a1)`
//! of a network of `P` populations (docs/config.md, docs/model.md §10); in both, the
//! synaptic `delay` (docs/model.md §12).

mod delay;
mod encoding;

use multiscale::SolverKind;
use nlif_model::network::{Network, Population};
use nlif_model::{Input, ModelParams, Refractory};

use super::Pairwise;

/// The `model` section: the network parameters and the input current, in one of two
/// forms. `populations` is `None` in the single-population form, whose fields are `a0`,
/// `a1` (a number), `b`, `v_f`, `v_r`, `input`; it holds the populations in the
/// populations form, whose fields are `populations`, `coupling` and `a1` (a matrix) — the
/// single-form fields then keep their defaults and mean nothing. A file gives the fields
/// of one form only (the other form's fields are refused where they are written).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSection {
    /// Constant part of the noise, `a(N) = a0 + a1 N` (single form).
    pub a0: f64,
    /// Rate-dependent part of the noise: a number in the single form; in the populations
    /// form the `P×P` matrix `a_α = a0_α + Σ_β a1[α][β] N_β` (empty: zeros).
    pub a1: Pairwise,
    /// Connectivity (single form).
    pub b: f64,
    /// Firing threshold `V_F` (single form).
    pub v_f: f64,
    /// Reset potential `V_R` (single form).
    pub v_r: f64,
    /// The input current (single form).
    pub input: Input,
    /// The refractory period (single form; docs/model.md §11): none by default, left out
    /// of the text then. In the populations form each population carries its own.
    pub refractory: Refractory,
    /// The firing rate before `t = 0` that the delay delivers until the run's own spikes
    /// arrive (single form; docs/model.md §12): 0 by default (nobody fired before), left
    /// out of the text then. In the populations form each population carries its own.
    pub prior_rate: f64,
    /// The populations (populations form); `None`: the single form.
    pub populations: Option<Vec<Population>>,
    /// The signed `P×P` connectivity of the populations form: `coupling[α][β]` is what a
    /// spike of `β` does to `α`. Empty in the single form.
    pub coupling: Vec<Vec<f64>>,
    /// The synaptic delay (docs/model.md §12): a number in the single form (default 0);
    /// in the populations form the `P×P` matrix, `delay[α][β]` the time a spike of `β`
    /// takes to reach `α` (empty: zeros). Left out of the text at its default.
    pub delay: Pairwise,
}

impl Default for ModelSection {
    fn default() -> Self {
        let p = ModelParams::default();
        ModelSection {
            a0: p.a0,
            a1: Pairwise::Scalar(p.a1),
            b: p.b,
            v_f: p.v_f,
            v_r: p.v_r,
            input: Input::None,
            refractory: Refractory::None,
            prior_rate: 0.0,
            populations: None,
            coupling: Vec::new(),
            delay: Pairwise::Scalar(0.0),
        }
    }
}

/// The fields of the single-population form, in the order they are written.
pub const SINGLE_FIELDS: &[&str] = &[
    "a0",
    "a1",
    "b",
    "v_f",
    "v_r",
    "input",
    "refractory",
    "delay",
    "prior_rate",
];
/// The fields of the populations form, in the order they are written.
pub const POPULATIONS_FIELDS: &[&str] = &["populations", "coupling", "a1", "delay"];

impl ModelSection {
    /// A network of populations in the populations form (`a1` empty: zeros).
    pub fn populations(populations: Vec<Population>, coupling: Vec<Vec<f64>>) -> Self {
        ModelSection {
            a1: Pairwise::Matrix(Vec::new()),
            populations: Some(populations),
            coupling,
            delay: Pairwise::Matrix(Vec::new()),
            ..ModelSection::default()
        }
    }

    /// Whether the section is in the populations form.
    pub fn is_populations_form(&self) -> bool {
        self.populations.is_some()
    }

    /// The fields of this section's form ([`SINGLE_FIELDS`] or [`POPULATIONS_FIELDS`]).
    pub fn fields(&self) -> &'static [&'static str] {
        if self.is_populations_form() {
            POPULATIONS_FIELDS
        } else {
            SINGLE_FIELDS
        }
    }

    /// The network parameters of the single form (`a1` a matrix, which validation
    /// refuses there, reads as NaN). In the populations form: the single-form fields,
    /// which mean nothing there — use [`ModelSection::network`].
    pub fn params(&self) -> ModelParams {
        ModelParams {
            a0: self.a0,
            a1: self.a1.scalar().unwrap_or(f64::NAN),
            b: self.b,
            v_f: self.v_f,
            v_r: self.v_r,
        }
    }

    /// The model as a network of populations: the single form is
    /// [`Network::single`] of its parameters and input (one population, `coupling =
    /// [[b]]`, `a1 = [[a1]]`, `delay = [[delay]]` unless 0) with its refractory period
    /// and prior rate;
    /// the populations form as written.
    pub fn network(&self) -> Network {
        match &self.populations {
            None => {
                let mut network = Network {
                    delay: self.delay_matrix(),
                    ..Network::single(&self.params(), self.input)
                };
                network.populations[0].refractory = self.refractory;
                network.populations[0].prior_rate = self.prior_rate;
                network
            }
            Some(populations) => Network {
                populations: populations.clone(),
                coupling: self.coupling.clone(),
                a1: self.a1.matrix().map(<[_]>::to_vec).unwrap_or_default(),
                delay: self.delay_matrix(),
            },
        }
    }

    /// Checks what the form adds to the fields' own checks: `model.a1` of the shape of
    /// the form and, in the populations form, every entry ([`Network::validate`], its
    /// paths under `model.`), names that can name the populations' output files
    /// ([`crate::output::check_population_names`]: none `t`, no two equal but for case,
    /// `model.populations[α].name`) and, for the solvers that run particles (`kind`), that the
    /// split of `particles` neurons leaves every population some
    /// (`model.populations[α].share`); in both forms `model.delay` (module `delay`:
    /// its shape, finite non-negative entries, whole numbers of the run's step `dt`). The
    /// single form's other values are checked by the run's own checks
    /// ([`super::Config::validate`]).
    ///
    /// # Errors
    ///
    /// The dotted path of the offending field and the message (`invalid `PATH`: why`).
    pub fn validate_form(
        &self,
        kind: SolverKind,
        particles: usize,
        dt: Option<f64>,
    ) -> Result<(), (String, String)> {
        let Some(_) = &self.populations else {
            if let Pairwise::Matrix(_) = self.a1 {
                return Err((
                    "model.a1".into(),
                    "invalid `a1`: a number in the single-population form (a matrix is for the populations form)".into(),
                ));
            }
            return self.validate_delay(dt);
        };
        if let Pairwise::Scalar(x) = self.a1 {
            return Err((
                "model.a1".into(),
                format!(
                    "invalid `a1` = {x:?}: the populations form takes a P×P matrix [[..], ..] (or no `a1`: zeros)"
                ),
            ));
        }
        self.validate_delay_form()?;
        let within =
            |e: nlif_model::network::NetworkError| (format!("model.{}", e.path()), e.to_string());
        let network = self.network();
        network.validate().map_err(within)?;
        let names: Vec<&str> = network
            .populations
            .iter()
            .map(|x| x.name.as_str())
            .collect();
        if let Err((alpha, why)) = crate::output::check_population_names(&names) {
            return Err((
                format!("model.populations[{alpha}].name"),
                format!("invalid `populations[{alpha}].name`: {why}"),
            ));
        }
        if matches!(kind, SolverKind::Micro | SolverKind::Multiscale) {
            network.neurons(particles).map_err(within)?;
        }
        self.validate_delay(dt)
    }
}
