//! A new kind of phase, written outside the crate in one impl: a frozen density, which
//! keeps the initial density and its firing rate for ever (the reference a study of
//! relaxation compares against). The run records it on the output grid like any other.
//!
//! `cargo run --release -p multiscale --example frozen_phase` prints the samples' rates,
//! all equal to the initial density's.

use multiscale::phase::{Env, Estimator, Phase, Stepped};
use multiscale::{Builtin, Mode, PhaseState, RunConfig, RunError, Simulation, SolverKind};
use nlif_model::{InitialDensity, Input, ModelParams};

/// A density that does not move: every step fires at the same rate.
struct Frozen {
    density: Vec<f64>,
    rate: f64,
    dt: f64,
    steps: u64,
}

impl Phase<Builtin> for Frozen {
    fn mode(&self) -> Mode {
        Mode::Macro
    }
    fn time(&self) -> f64 {
        self.steps as f64 * self.dt
    }
    fn dt(&self) -> f64 {
        self.dt
    }
    fn steps(&self) -> u64 {
        self.steps
    }
    fn rate(&self) -> f64 {
        self.rate
    }
    fn step(&mut self, _env: &mut Env<'_, Builtin>) -> Stepped {
        self.steps += 1;
        Stepped::Advanced {
            rate: self.rate,
            mass: Some(1.0),
            mfes: [None; 2],
        }
    }
    fn density(&self) -> Option<&[f64]> {
        Some(&self.density)
    }
    fn estimate(
        &mut self,
        _env: &mut Env<'_, Builtin>,
        _estimator: Estimator,
        _rate: f64,
        out: &mut [f64],
    ) -> Result<f64, RunError> {
        out.copy_from_slice(&self.density);
        Ok(0.0)
    }
    fn state(&self) -> Option<PhaseState> {
        None // not savable: a run of it cannot be checkpointed
    }
}

fn main() -> Result<(), RunError> {
    let params = ModelParams::default();
    let config = RunConfig {
        kind: SolverKind::Macro,
        t_end: 0.05,
        sample_interval: 0.01,
        ..RunConfig::default()
    };
    // The initial density and its rate, from an ordinary start.
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let ordinary = Simulation::builder(params, Input::None, config).start(&initial)?;
    let frozen = Frozen {
        density: ordinary.density().unwrap_or(&[]).to_vec(),
        rate: ordinary.rate(),
        dt: config.macro_config.dt,
        steps: 0,
    };
    let mut run = Simulation::builder(params, Input::None, config).start_with(Box::new(frozen))?;
    assert!(run.run(&mut ())?.is_completed());
    for sample in &run.trace().samples {
        println!("t = {:.2}  rate = {:.6}", sample.t, sample.rate);
        assert!((sample.rate - ordinary.rate()).abs() <= 1e-12 * ordinary.rate());
    }
    Ok(())
}
