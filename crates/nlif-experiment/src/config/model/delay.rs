//! `model.delay` (docs/model.md §12): a number in the single form, a `P×P` matrix in the
//! populations form; its checks, and the config path of a delay's error in either form;
//! the prior rates the delays deliver after the start.

use nlif_model::network::NetworkError;

use super::ModelSection;
use crate::config::Pairwise;

impl ModelSection {
    /// The delays as the network's matrix: the single form's number as `[[delay]]`
    /// (empty for 0), the populations form's matrix as written.
    pub(super) fn delay_matrix(&self) -> Vec<Vec<f64>> {
        match &self.delay {
            Pairwise::Scalar(d) if *d == 0.0 => Vec::new(),
            Pairwise::Scalar(d) => vec![vec![*d]],
            Pairwise::Matrix(rows) => rows.clone(),
        }
    }

    /// The config path and message of a network's error about a delay: in the single
    /// form `delay[0][0]` is `model.delay`, in the populations form `model.delay[α][β]`.
    pub fn delay_error(&self, error: &NetworkError) -> (String, String) {
        self.entry_error(error, "delay")
    }

    /// The `(path, message)` of a refused refractory period (`populations[α].refractory.tau`
    /// of [`Network::check_periods`](nlif_model::network::Network::check_periods)) under
    /// `model`: the entry's path in the populations form, `model.refractory.tau` in the
    /// single form.
    pub fn period_error(&self, error: &NetworkError) -> (String, String) {
        self.entry_error(error, "refractory.tau")
    }

    /// A network's error under `model`: the entry's own path in the populations form,
    /// `single` (the single form's field) in the single form, in the path and the text.
    fn entry_error(&self, error: &NetworkError, single: &str) -> (String, String) {
        let (path, text) = (error.path(), error.to_string());
        if self.is_populations_form() {
            (format!("model.{path}"), text)
        } else {
            let text = text.replacen(&format!("`{path}`"), &format!("`{single}`"), 1);
            (format!("model.{single}"), text)
        }
    }

    /// Makes `delay` appear in the section's text, which leaves it out at its default, for
    /// a `--set` path into it: the single form's 0 as 1 (the walk replaces the whole
    /// number), the populations form's empty matrix as its `P×P` zeros (the walk replaces
    /// one entry, the others stay 0).
    pub(crate) fn write_out_delay(&mut self) {
        match (&self.delay, &self.populations) {
            (Pairwise::Scalar(d), None) if *d == 0.0 => self.delay = Pairwise::Scalar(1.0),
            (Pairwise::Matrix(rows), Some(populations)) if rows.is_empty() => {
                let p = populations.len();
                self.delay = Pairwise::Matrix(vec![vec![0.0; p]; p]);
            }
            _ => {}
        }
    }

    /// Checks `model.delay`: of the form's shape, finite and non-negative (the matrix's
    /// entries are [`nlif_model::network::Network::validate`]'s, checked before), and
    /// with a step `dt` (`None`: not checked, for a command that runs nothing) a whole
    /// number of steps.
    pub(super) fn validate_delay(&self, dt: Option<f64>) -> Result<(), (String, String)> {
        self.validate_delay_form()?;
        match dt {
            Some(dt) if dt.is_finite() && dt > 0.0 => self
                .network()
                .delay_steps(dt)
                .map(|_| ())
                .map_err(|e| self.delay_error(&e)),
            _ => Ok(()),
        }
    }

    /// Checks that `model.delay` has the shape of the form (a number, a matrix) and, in
    /// the single form, is finite and non-negative: before the network is formed from it.
    pub(super) fn validate_delay_form(&self) -> Result<(), (String, String)> {
        match (&self.delay, self.is_populations_form()) {
            (Pairwise::Matrix(_), false) => Err((
                "model.delay".into(),
                "invalid `delay`: a number in the single-population form (a matrix is for the populations form)".into(),
            )),
            (Pairwise::Scalar(x), true) => Err((
                "model.delay".into(),
                format!(
                    "invalid `delay` = {x:?}: the populations form takes a P×P matrix [[..], ..] (or no `delay`: zeros)"
                ),
            )),
            (Pairwise::Scalar(d), false) if !(d.is_finite() && *d >= 0.0) => Err((
                "model.delay".into(),
                format!("invalid `delay` = {d:?}: a delay must be finite and non-negative"),
            )),
            _ => Ok(()),
        }
    }

    /// Checks the firing rates before the start (`model.prior_rate` in the single form,
    /// `model.populations[α].prior_rate` in the populations form): finite, non-negative
    /// and, for a run with particles of step `micro_dt` and a delay (without one the
    /// prior rate is never delivered), at most one spike per neuron and step
    /// (`prior_rate · dt <= 1`), since the particles receive them as whole spikes.
    pub(crate) fn validate_prior_rates(
        &self,
        micro_dt: Option<f64>,
    ) -> Result<(), (String, String)> {
        let network = self.network();
        let micro_dt = micro_dt.filter(|_| network.has_delay());
        for (alpha, population) in network.populations.iter().enumerate() {
            let rate = population.prior_rate;
            let path = if self.is_populations_form() {
                format!("model.populations[{alpha}].prior_rate")
            } else {
                "model.prior_rate".to_owned()
            };
            let field = path.trim_start_matches("model.").to_owned();
            if !(rate.is_finite() && rate >= 0.0) {
                return Err((
                    path,
                    format!(
                        "invalid `{field}` = {rate:?}: a firing rate before the start must be finite and non-negative"
                    ),
                ));
            }
            if let Some(dt) = micro_dt.filter(|dt| rate * dt > 1.0) {
                return Err((
                    path,
                    format!(
                        "invalid `{field}` = {rate:?}: with the particles' step dt = {dt} it is more than one spike per neuron and step (at most {})",
                        1.0 / dt
                    ),
                ));
            }
        }
        Ok(())
    }
}
