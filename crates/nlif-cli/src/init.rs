//! `nlif init`: a commented example config.

use multiscale::SolverKind;

/// The model of one population, in the single-population form.
const SINGLE: &str = r#"    model: (
        a0: 1.0,                      // noise a(N) = a0 + a1 N, a0 > 0
        a1: 0.0,                      // a1 >= 0
        b: 3.0,                       // connectivity: > 0 excitatory, < 0 inhibitory
        v_f: 2.0,                     // firing threshold
        v_r: 1.0,                     // reset potential, v_r < v_f
        // None | Constant(i0: _) | Pulse(t0: _, duration: _, amplitude: _)
        // | Kick(t0: _, dv: _) | Periodic(i0: _, amplitude: _, period: _, phase: _)
        input: None,
        // After a spike a neuron leaves the line: None | Fixed(tau: _) (a whole number of
        // steps) | Exponential(tau: _) (back at rate 1/tau); docs/model.md §11
        refractory: None,
        delay: 0.0,                   // synaptic delay, a whole number of steps (§12)
        prior_rate: 0.0,              // the rate before t = 0 that the delay delivers
    ),
"#;

/// An excitatory–inhibitory network in the populations form (docs/model.md §10).
const EXCITATORY_INHIBITORY: &str = r#"    model: (
        // Each population: its share of solver.micro.particles (the shares sum to 1), a
        // name (letters, digits, _ and -; used once), noise a0 > 0, threshold v_f, reset
        // v_r < v_f, input (as in the single-population form: None | Constant(i0: _) | ...),
        // and optionally its own initial: Some(Gaussian(mean: _, var: _)), its refractory
        // period (None | Fixed(tau: _) | Exponential(tau: _)) and its prior_rate (the rate
        // before t = 0 that the delays deliver).
        populations: [
            (name: "E", share: 0.8, a0: 1.0, v_f: 2.0, v_r: 1.0, input: None),
            (name: "I", share: 0.2, a0: 0.5, v_f: 2.0, v_r: 1.0, input: None),
        ],
        coupling: [[1.0, -0.5], [2.0, -1.5]],   // coupling[α][β]: what a spike of β does to α
        a1: [[0.0, 0.0], [0.0, 0.0]],           // optional; default zeros
        // delay: [[0.0, 0.1], [0.1, 0.0]],     // optional: delay[α][β] >= 0, whole steps (§12)
    ),
"#;

/// The example config for a solver kind, every field present and commented: one
/// population (`populations` = 1, the single-population form) or the
/// excitatory–inhibitory network (`populations` = 2, the populations form).
pub(crate) fn example(kind: SolverKind, populations: u8) -> String {
    let (name, model, set) = if populations >= 2 {
        (
            format!("ei-{}", kind.as_str()),
            EXCITATORY_INHIBITORY,
            "--set 'model.coupling[0][1]=-0.7'",
        )
    } else {
        (
            format!("example-{}", kind.as_str()),
            SINGLE,
            "--set model.b=2.5",
        )
    };
    let pad = " ".repeat(32usize.saturating_sub(name.len()));
    format!(
        r#"// An nlif experiment (RON). Every field is documented in docs/config.md.
// Run it with `nlif run THIS_FILE.ron`; override a field with `{set}`.
(
    name: "{name}",{pad}// output directory name: out/<name>/
{model}    initial: Gaussian(mean: -1.0, var: 0.5),  // var is a variance
    solver: (
        kind: {kind:?},               // Macro | Micro | Multiscale | Dilated (one population)
        macro: (
            scheme: ScharfetterGummel,  // ChangCooper | ScharfetterGummel | Upwind
            v_min: -4.0,              // lower end of the grid (no flux there)
            dv: 0.02,                 // grid spacing; must divide v_f - v_r
            dt: 1e-4,                 // time step
            reinjection: Implicit,    // Implicit | Explicit (needs dt < dv^2 / a0)
            frozen_at: StepStart,     // StepStart | StepEnd (rate extrapolated: no lag at blow-up)
        ),
        micro: (
            particles: 100000,        // number of neurons N_p
            dt: 1e-4,                 // time step; must divide solver.macro.dt (Multiscale)
            stepper: BrownianBridge,  // EulerMaruyama | BrownianBridge | ExactOu
            normals: BoxMuller,       // BoxMuller | Ziggurat (faster; other deviates of the same law)
            mfe_min_fraction: 0.01,   // record cascades firing at least this fraction
        ),
        switching: (
            policy: RateHysteresis,   // RateHysteresis | FiringFraction(fraction: 0.01)
            rate_up: 5.0,             // N_up: hand over to particles above this rate
            rate_down: 1.0,           // N_down: back to the density below this rate ...
            dwell: 0.2,               // ... held this long without a multiple firing event
            settle: None,             // Some(t): or, t after an event, the rate since it below N_down
            smoothing: 0.02,          // time constant of the smoothed particle rate
            rollback: 0.02,           // hand over from a density at least this much earlier
            sampler: Stratified,      // InverseCdf | Stratified | Quantile
            estimator: Kernel(bandwidth: Silverman),  // Histogram | Kernel(bandwidth: Silverman | Fixed(_))
            match_rate: true,         // the new density carries the particle rate at v_f
        ),
        blow_up: (                    // Macro runs only:
            rate: 5.0,                // record when the mean-field rate first passes this
            stop: false,              // true: end the run there (exit status 3)
        ),
    ),
    t_end: 5.0,                       // a whole number of time steps
    seed: 1,                          // one seed determines the run, on any number of threads
    output: (
        interval: 1e-3,               // rate sample spacing (a multiple of the time step)
        density_interval: Some(0.05), // density snapshot spacing, or None
        plots: true,                  // rate.png, rate.svg, density.png
        checkpoint: None,             // Some(dt): a checkpoint every dt (nlif resume)
    ),
)
"#
    )
}

#[cfg(test)]
mod tests {
    use nlif_experiment::config;

    use super::*;

    /// Oracle: the check every run makes. Both examples are valid for every solver but the
    /// dilated one, whose example is the single population's.
    #[test]
    fn every_example_reads_and_validates() {
        for kind in [SolverKind::Macro, SolverKind::Micro, SolverKind::Multiscale] {
            let single = config::parse(&example(kind, 1)).unwrap();
            assert!(!single.model.is_populations_form());
            assert_eq!(single.solver.kind, kind);
            let ei = config::parse(&example(kind, 2)).unwrap();
            assert_eq!(ei.name, format!("ei-{}", kind.as_str()));
            assert_eq!(ei.network().len(), 2);
            assert_eq!(ei.model.coupling, vec![vec![1.0, -0.5], vec![2.0, -1.5]]);
            config::check(&single, None, &[], 1).unwrap();
            config::check(&ei, None, &[], 1).unwrap();
        }
        // The dilated solver's example: one population.
        let dilated = config::parse(&example(SolverKind::Dilated, 1)).unwrap();
        assert_eq!(dilated.solver.kind, SolverKind::Dilated);
        assert_eq!(dilated.name, "example-dilated");
        config::check(&dilated, None, &[], 1).unwrap();
    }
}
