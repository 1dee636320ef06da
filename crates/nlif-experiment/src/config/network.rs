//! The run checks of a model in the populations form: what [`Config::validate`] checks
//! for one population, for each population on its own grid, its errors named by the
//! population's paths; the memory of every population together; a refractory period
//! and a synaptic delay refused in a `Dilated` run, a delay checked against the steps
//! of the descriptions the run uses.

use multiscale::{MemoryEstimate, RunError, SolverKind};

use super::{Config, MEMORY_LIMIT_VAR, available_memory, fits};

impl Config {
    /// The checks of [`Config::validate`] after the entries of the populations form (which
    /// [`super::ModelSection::validate_form`] has checked): each population's run on its
    /// own grid with its own parameters (`b` and `a1` its coupling to itself, as the
    /// simulation checks it), input and initial density; a refractory period (refused in
    /// a `Dilated` run); the memory of every grid and all the particles;
    /// `output.checkpoint`; a delay.
    ///
    /// # Errors
    ///
    /// The dotted path of the offending field (`model.populations[1].v_f`,
    /// `model.coupling[0][0]`, `model.populations[0].refractory`, `model.delay[0][1]`, …)
    /// and the message.
    pub(super) fn validate_network(
        &self,
        processes: usize,
    ) -> Result<MemoryEstimate, (String, String)> {
        let network = self.network();
        if self.solver.kind == SolverKind::Dilated && network.len() > 1 {
            return Err((
                "model.populations".to_owned(),
                "the Dilated solver simulates one population (its firing events are those of one coupling b); networks of two or more run with `Macro`, `Micro` or `Multiscale`".to_owned(),
            ));
        }
        // The dilated solver's events are derived without refractory periods and delays.
        let refused = self.solver.kind == SolverKind::Dilated;
        if !refused {
            self.check_periods()?;
        }
        if refused {
            network
                .refuse_refractory()
                .map_err(|e| (format!("model.{}", e.path()), e.to_string()))?;
        }
        if refused {
            network
                .refuse_delay()
                .map_err(|e| self.model.delay_error(&e))?;
        } else {
            // The particles and the density network read each delay a whole number of
            // their steps back (a switching run: of both steps).
            let run = self.run_config();
            if self.solver.kind.switches() && network.has_delay() {
                network
                    .delay_steps(run.macro_config.dt)
                    .map_err(|e| self.model.delay_error(&e))?;
            }
            let dt = if self.solver.kind.uses_micro() {
                run.micro.dt
            } else {
                run.macro_config.dt
            };
            network
                .delay_steps(dt)
                .map_err(|e| self.model.delay_error(&e))?;
        }
        let available =
            available_memory().map_err(|e| (MEMORY_LIMIT_VAR.to_owned(), e.to_string()))?;
        let run = self.run_config();
        let mut cells = 0;
        for (alpha, population) in network.populations.iter().enumerate() {
            let own = network.own_params(alpha);
            let initial = population.initial_or(&self.initial);
            let blame = |e: RunError| {
                let own_initial = population.initial.is_some();
                let field = population_path(&e.field(), alpha, own_initial);
                (field, format!("population {:?}: {e}", population.name))
            };
            let (grid, _) =
                multiscale::plan(&own, &population.input, initial, &run).map_err(blame)?;
            multiscale::preflight(&own, &population.input, initial, &run).map_err(blame)?;
            cells += grid.len();
        }
        let memory = MemoryEstimate::of(&run, cells).with_histories(&network, &run);
        let memory = fits(memory, processes, available)?;
        self.validate_checkpoint()?;
        Ok(memory)
    }
}

/// The config path, in the populations form, of the field `field` of a check of
/// population `alpha` as a single population: `model.b` is `model.coupling[α][α]`,
/// `model.a1` is `model.a1[α][α]`, another `model.X` is `model.populations[α].X`, and
/// `initial.X` is the population's own `initial` if it has one (`own_initial`).
fn population_path(field: &str, alpha: usize, own_initial: bool) -> String {
    match field {
        "model.b" => format!("model.coupling[{alpha}][{alpha}]"),
        "model.a1" => format!("model.a1[{alpha}][{alpha}]"),
        _ => match (field.strip_prefix("model."), field.strip_prefix("initial")) {
            (Some(rest), _) => format!("model.populations[{alpha}].{rest}"),
            (None, Some(rest)) if own_initial => {
                format!("model.populations[{alpha}].initial{rest}")
            }
            _ => field.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::population_path;

    // Oracle: the field paths of docs/config.md, the populations form.
    #[test]
    fn a_population_checked_as_one_is_named_by_its_paths() {
        assert_eq!(population_path("model.b", 1, false), "model.coupling[1][1]");
        assert_eq!(population_path("model.a1", 0, false), "model.a1[0][0]");
        assert_eq!(
            population_path("model.v_f", 1, false),
            "model.populations[1].v_f"
        );
        assert_eq!(
            population_path("model.input.t0", 0, false),
            "model.populations[0].input.t0"
        );
        assert_eq!(population_path("initial.var", 1, false), "initial.var");
        assert_eq!(
            population_path("initial.var", 1, true),
            "model.populations[1].initial.var"
        );
        assert_eq!(
            population_path("solver.macro.dv", 1, true),
            "solver.macro.dv"
        );
    }
}
