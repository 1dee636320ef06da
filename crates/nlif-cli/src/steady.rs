//! `nlif steady`: the stationary states of a network given by its parameters, or of the
//! model of a config file (any number of populations).

use std::path::Path;

use anyhow::{Result, anyhow};
use nlif_experiment::{Config, config, stdout};
use nlif_model::network::{NetworkError, NetworkState, network_stationary_states};
use nlif_model::{ModelParams, Refractory, stationary_states_refractory};
use serde::Serialize;

use crate::{inputs, overrides};

/// The network of `nlif steady`, as flags (defaults: the model's, no input); written out
/// as the `params` of `--json`.
#[derive(clap::Args, Serialize)]
#[group(id = "flags", multiple = true)]
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
    /// Refractory period after a spike (its mean; the stationary rates are the same for a
    /// fixed and an exponential period): `1/N = tau + 1/nu`.
    #[arg(
        long,
        value_name = "TAU",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    #[serde(skip_serializing_if = "no_period")]
    refractory: f64,
}

/// Whether the refractory period is the default, none (left out of `--json`'s `params`,
/// which stay as they were without it).
#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn no_period(tau: &f64) -> bool {
    *tau == 0.0
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
    let refractory = Refractory::Fixed {
        tau: network.refractory,
    };
    let states = stationary_states_refractory(&network.params(), network.input, &refractory)
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

/// The path in `config` of the network entry `path` of [`NetworkError`]: under `model.`,
/// and for the single form the field of that form (`populations[0].a0` → `model.a0`,
/// `coupling[0][0]` → `model.b`, `a1[0][0]` → `model.a1`).
fn config_path(config: &Config, path: &str) -> String {
    if !config.model.is_populations_form() {
        if let Some(field) = path.strip_prefix("populations[0].") {
            return format!("model.{field}");
        }
        match path {
            "coupling[0][0]" => return "model.b".into(),
            "a1[0][0]" => return "model.a1".into(),
            _ => {}
        }
    }
    format!("model.{path}")
}

/// `nlif steady --config FILE`: every stationary state of the model of the config at
/// `path` (with the overrides `set`), each population's rate, as a table or (`json`) as
/// `{"states": [{"rates": [N_1, ..., N_P], "stable": bool}, ...]}`, ascending by the
/// first population's rate. A single-population config is the network of its one
/// population (`Network::single`).
pub(crate) fn steady_config(path: &Path, set: &[String], json: bool) -> Result<()> {
    let (path, bytes) = inputs::read_input(path, false)?;
    let (mut config, text) = config::from_bytes(&path, bytes)?;
    for assignment in set {
        overrides::apply(&mut config, assignment)?;
    }
    // Written where the file says it, unless an override may have put it there.
    let place = |field: &str| match config::locate(&text, field) {
        Some((line, column)) if set.is_empty() => format!("{}:{line}:{column}: ", path.display()),
        _ => format!("{}: ", path.display()),
    };
    // The shape of the form; the entries are checked by the search itself.
    let solver = multiscale::SolverKind::Macro;
    if let Err((field, reason)) = config.model.validate_form(solver, 0, None) {
        let message = config::field_message(&field, &reason);
        return Err(anyhow!("{}{message}", place(&field)));
    }
    if !config.model.is_populations_form() {
        // In the words of `nlif check` for the single form.
        let single = config.model.params().validate();
        if let Err(e) = single.and_then(|()| config.model.input.validate()) {
            let field = format!("model.{}", e.field());
            let message = config::field_message(&field, &e.to_string());
            return Err(anyhow!("{}{message}", place(&field)));
        }
    }
    let mut states = network_stationary_states(&config.network()).map_err(|e| {
        let field = config_path(&config, e.path());
        let reason = match e {
            NetworkError::Invalid { reason, .. } => reason,
            other => other.to_string(),
        };
        anyhow!("{}invalid `{field}`: {reason}", place(&field))
    })?;
    states.sort_by(|x, y| x.ln_rates[0].total_cmp(&y.ln_rates[0]));
    if json {
        return print_json(&states);
    }
    if states.is_empty() {
        stdout::line("no stationary state (the rate blows up or the network has no fixed point)")?;
        return Ok(());
    }
    let names: Vec<String> = config
        .network()
        .populations
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let width = names.iter().map(String::len).max().unwrap_or(0).max(16);
    let header: String = names.iter().map(|n| format!("{n:<width$}  ")).collect();
    stdout::line(format_args!("{header}stability"))?;
    for state in &states {
        let row: String = state
            .rates
            .iter()
            .zip(&state.ln_rates)
            .map(|(&rate, &ln_rate)| format!("{:<width$}  ", rate_text(rate, ln_rate)))
            .collect();
        let stability = if state.stable { "stable" } else { "unstable" };
        stdout::line(format_args!("{row}{stability}"))?;
    }
    Ok(())
}

/// `{"states": [{"rates": [...], "stable": bool}, ...]}`, in this order.
fn print_json(states: &[NetworkState]) -> Result<()> {
    #[derive(Serialize)]
    struct State<'a> {
        rates: &'a [f64],
        stable: bool,
    }
    #[derive(Serialize)]
    struct States<'a> {
        states: Vec<State<'a>>,
    }
    let states = States {
        states: states
            .iter()
            .map(|s| State {
                rates: &s.rates,
                stable: s.stable,
            })
            .collect(),
    };
    stdout::line(serde_json::to_string(&states)?)?;
    Ok(())
}
