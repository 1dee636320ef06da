//! `nlif steady`: the stationary states of a network given by its parameters.

use anyhow::Result;
use nlif_experiment::stdout;
use nlif_model::{ModelParams, stationary_states};
use serde::Serialize;

/// The network of `nlif steady`, as flags (defaults: the model's, no input); written out
/// as the `params` of `--json`.
#[derive(clap::Args, Serialize)]
pub(crate) struct Network {
    /// Constant part of the noise.
    #[arg(long, default_value_t = ModelParams::default().a0, allow_negative_numbers = true)]
    a0: f64,
    /// Rate-dependent part of the noise.
    #[arg(long, default_value_t = ModelParams::default().a1, allow_negative_numbers = true)]
    a1: f64,
    /// Connectivity.
    #[arg(long, default_value_t = ModelParams::default().b, allow_negative_numbers = true)]
    b: f64,
    /// Firing threshold.
    #[arg(long = "v-f", default_value_t = ModelParams::default().v_f, allow_negative_numbers = true)]
    v_f: f64,
    /// Reset potential.
    #[arg(long = "v-r", default_value_t = ModelParams::default().v_r, allow_negative_numbers = true)]
    v_r: f64,
    /// Constant input current.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    input: f64,
}

impl Network {
    /// The model's parameters.
    fn params(&self) -> ModelParams {
        ModelParams {
            a0: self.a0,
            a1: self.a1,
            b: self.b,
            v_f: self.v_f,
            v_r: self.v_r,
        }
    }
}

/// A stationary rate with ten significant digits: fixed-point between `1e-4` and `1e6`
/// (as `nlif steady` has always printed them), else in exponent form, from its logarithm
/// where the rate is below the smallest double (an input far below threshold).
fn rate_text(rate: f64, ln_rate: f64) -> String {
    if (1e-4..1e6).contains(&rate) {
        format!("{rate:.10}")
    } else if rate.is_normal() {
        format!("{rate:.9e}")
    } else {
        let log10 = ln_rate / std::f64::consts::LN_10;
        let exponent = log10.floor();
        let mantissa = 10f64.powf(log10 - exponent);
        format!("{mantissa:.9}e{exponent}")
    }
}

/// `nlif steady`: every stationary rate of `network`, as text or (`json`) as JSON.
pub(crate) fn steady(network: &Network, json: bool) -> Result<()> {
    let states = stationary_states(&network.params(), network.input)
        .map_err(|e| anyhow::anyhow!("invalid parameter: {e}"))?;
    let stability = |stable: bool| if stable { "stable" } else { "unstable" };
    if json {
        let rates: Vec<f64> = states.iter().map(|s| s.rate).collect();
        let ln_rates: Vec<f64> = states.iter().map(|s| s.ln_rate).collect();
        let stable: Vec<bool> = states.iter().map(|s| s.stable).collect();
        let value = serde_json::json!({
            "rates": rates,
            // A rate below the smallest double is 0 in `rates`; its logarithm is here.
            "ln_rates": ln_rates,
            "stable": stable,
            "params": network,
        });
        stdout::line(value)?;
    } else if states.is_empty() {
        stdout::line("no stationary state (the rate blows up or the network has no fixed point)")?;
    } else {
        for state in states {
            stdout::line(format_args!(
                "{}  {}",
                rate_text(state.rate, state.ln_rate),
                stability(state.stable)
            ))?;
        }
    }
    Ok(())
}
