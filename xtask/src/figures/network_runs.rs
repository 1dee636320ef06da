//! Runs of excitatory–inhibitory networks for the network figures: the networks, and a
//! run of the library's `Simulation` of a network (the populations form of a config).

use fp_macro::MacroConfig;
use multiscale::{Problem, RunConfig, Simulation, SolverKind, Trace};
use nlif_micro::MicroConfig;
use nlif_model::InitialDensity;
use nlif_model::network::{Network, Population};

use super::Ctx;

/// The initial density of every population of the network figures.
pub(crate) const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.25,
};

/// An E–I network, 80 % excitatory: noise `a = (a_E, a_I)`, coupling `coupling[α][β]`
/// (what a spike of `β` does to `α`).
pub(crate) fn ei(a: [f64; 2], coupling: [[f64; 2]; 2]) -> Network {
    Network {
        populations: vec![
            Population::new("E", 0.8, a[0]),
            Population::new("I", 0.2, a[1]),
        ],
        coupling: coupling.iter().map(|row| row.to_vec()).collect(),
        a1: Vec::new(),
        delay: Vec::new(),
    }
}

/// `network` written as the figures state it.
pub(crate) fn describe(network: &Network) -> String {
    let populations: Vec<String> = network
        .populations
        .iter()
        .map(|p| format!("{} ({} %, a0 = {})", p.name, 100.0 * p.share, p.a0))
        .collect();
    format!(
        "{}, V_F = 2, V_R = 1, no input, coupling {:?}",
        populations.join(" and "),
        network.coupling
    )
}

/// The settings of a run of a network: the solver `kind`, `particles` neurons in all,
/// the time step `dt` of both solvers (the density's at most `macro_dt`), to `t_end`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NetworkRun {
    pub(crate) kind: SolverKind,
    pub(crate) particles: usize,
    pub(crate) dt: f64,
    pub(crate) macro_dt: f64,
    pub(crate) dv: f64,
    pub(crate) t_end: f64,
    pub(crate) interval: f64,
    pub(crate) seed: u64,
}

impl NetworkRun {
    /// Runs `network` from [`INITIAL`] in the realization of `ctx`: the trace and the
    /// wall time.
    pub(crate) fn run(&self, ctx: &Ctx, network: &Network) -> Result<(Trace, f64), String> {
        let config = RunConfig {
            kind: self.kind,
            macro_config: MacroConfig {
                dt: self.macro_dt.min(self.dt),
                dv: self.dv,
                ..MacroConfig::default()
            },
            micro: MicroConfig {
                particles: self.particles,
                dt: self.dt,
                ..MicroConfig::default()
            },
            t_end: self.t_end,
            seed: ctx.seed(self.seed),
            sample_interval: self.interval,
            density_interval: None,
            ..RunConfig::default()
        };
        let problem = Problem {
            network: network.clone(),
            config,
        };
        let start = std::time::Instant::now();
        let mut run = Simulation::for_problem(problem)
            .start(&INITIAL)
            .map_err(|e| e.to_string())?;
        let outcome = run.run(&mut ()).map_err(|e| e.to_string())?;
        if !outcome.is_completed() {
            return Err(format!("{:?} run of {network:?}: {outcome:?}", self.kind));
        }
        Ok((run.into_trace(), start.elapsed().as_secs_f64()))
    }
}

/// `(t, rate)` of population `alpha`'s samples.
pub(crate) fn population_rates(trace: &Trace, alpha: usize) -> Vec<(f64, f64)> {
    trace
        .samples
        .iter()
        .zip(trace.population_rates(alpha))
        .map(|(s, r)| (s.t, r))
        .collect()
}

/// Mean and sample standard deviation.
pub(crate) fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}
