//! A switching policy defined outside the crate, driving a multi-scale run of a network
//! under periodic input (a synchronous burst every period), saved and restored midway
//! (the policy's state travels with the run).
//!
//! `cargo run --release -p multiscale --example custom_policy` prints one JSON line: the
//! switches and particle time of the custom run and of the built-in policy, and whether
//! the restored run equals the straight one.

use fp_macro::MacroConfig;
use multiscale::{
    DensityView, RunConfig, Simulation, SimulationState, SolverKind, SwitchingPolicy, Trace,
};
use nlif_micro::{MicroConfig, Parallelism};
use nlif_model::{InitialDensity, Input, ModelParams};
use serde::{Deserialize, Serialize};

/// A stateful rule: particles once the density's rate has stayed above `rate` for
/// `sustained` (or at once if a macro step would fire more than `fraction` of the
/// network); back to the density a fixed `hold` after the last multiple firing event.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct HoldAfterLastEvent {
    rate: f64,
    sustained: f64,
    fraction: f64,
    hold: f64,
    above_since: Option<f64>,
    last_event: f64,
}

impl SwitchingPolicy for HoldAfterLastEvent {
    fn macro_rate_bound(&mut self, density: &DensityView<'_>) -> f64 {
        if density.rate <= self.rate {
            self.above_since = None;
        } else if density.t - *self.above_since.get_or_insert(density.t) >= self.sustained {
            return 0.0; // every step's rate passes it: hand over now
        }
        self.fraction / density.dt
    }
    fn enter_micro(&mut self, t: f64) {
        self.last_event = t;
        self.above_since = None;
    }
    fn burst_over(&mut self, t: f64, _smoothed_rate: f64, mfe: bool) -> bool {
        if mfe {
            self.last_event = t;
        }
        t - self.last_event >= self.hold
    }
}

fn micro_time(trace: &Trace, interval: f64) -> f64 {
    trace
        .samples
        .iter()
        .filter(|s| s.mode == multiscale::Mode::Micro)
        .count() as f64
        * interval
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let params = ModelParams {
        b: 1.5,
        ..ModelParams::default()
    };
    let input = Input::Periodic {
        i0: 0.0,
        amplitude: 3.0,
        period: 2.0,
        phase: 0.0,
    };
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let mut config = RunConfig {
        kind: SolverKind::Multiscale,
        macro_config: MacroConfig {
            dt: 1e-3,
            ..MacroConfig::default()
        },
        micro: MicroConfig {
            particles: 20_000,
            dt: 1e-3,
            ..MicroConfig::default()
        },
        t_end: 4.0,
        seed: 7,
        sample_interval: 1e-2,
        ..RunConfig::default()
    };
    config.switching.rate_down = 2.0;
    config.switching.dwell = 0.1;
    let policy = HoldAfterLastEvent {
        rate: 1.0,
        sustained: 0.05,
        above_since: None,
        fraction: 5e-3,
        hold: 0.25,
        last_event: 0.0,
    };
    let new = || {
        Simulation::with_policy(
            policy.clone(),
            params,
            input,
            &initial,
            config,
            Parallelism::Rayon,
        )
    };
    let mut straight = new()?;
    straight.run(&mut ())?;
    let custom = straight.into_trace();

    // Save at t = 2.6 (inside the second burst), restore from the JSON text, run on.
    let mut first = new()?;
    first.advance(2.6, &mut ())?;
    let text = serde_json::to_string(&first.state()?)?;
    let state: SimulationState<HoldAfterLastEvent> = serde_json::from_str(&text)?;
    let mut second = Simulation::from_state(first.problem().clone(), state, Parallelism::Rayon)?;
    second.run(&mut ())?;
    let restored_equal = second.trace() == &custom;

    let mut builtin = Simulation::new(params, input, &initial, config, Parallelism::Rayon)?;
    builtin.run(&mut ())?;
    let builtin = builtin.into_trace();
    println!(
        "{}",
        serde_json::json!({
            "custom_switches": custom.switches.len(),
            "custom_micro_time": micro_time(&custom, config.sample_interval),
            "custom_mfes": custom.mfes.len(),
            "builtin_switches": builtin.switches.len(),
            "builtin_micro_time": micro_time(&builtin, config.sample_interval),
            "builtin_mfes": builtin.mfes.len(),
            "restored_equals_straight": restored_equal,
        })
    );
    Ok(())
}
