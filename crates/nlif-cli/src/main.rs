//! `nlif`: simulate noisy leaky integrate-and-fire networks with the macro (Fokker–Planck),
//! micro (particle) or multi-scale solver. See `nlif --help` and `docs/config.md`.

mod config;
mod init;
mod output;
mod plot;
mod progress;
mod set;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use multiscale::{Simulation, SolverKind};
use nlif_micro::Parallelism;
use nlif_model::{ModelParams, stationary_rates};

use crate::config::Config;

/// Simulate noisy leaky integrate-and-fire networks: mean-field Fokker–Planck (macro),
/// particles (micro), or the synchronization-capturing multi-scale solver.
#[derive(Parser)]
#[command(name = "nlif", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an experiment (without CONFIG: the built-in multi-scale run through a blow-up).
    Run {
        /// The experiment config (RON).
        config: Option<PathBuf>,
        /// Output directory [default: out/NAME, NAME from the config].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a config field by its dotted path with a RON value, e.g.
        /// `--set model.b=2.5 --set 'model.input=Kick(t0: 1.0, dv: 0.5)'`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Worker threads for the particle solver [default: all cores]. The results do not
        /// depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar and no final summary line.
        #[arg(long)]
        quiet: bool,
    },
    /// Print every stationary firing rate of a network (ascending).
    Steady {
        /// Constant part of the noise.
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        a0: f64,
        /// Rate-dependent part of the noise.
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        a1: f64,
        /// Connectivity.
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        b: f64,
        /// Firing threshold.
        #[arg(long = "v-f", default_value_t = 2.0, allow_negative_numbers = true)]
        v_f: f64,
        /// Reset potential.
        #[arg(long = "v-r", default_value_t = 1.0, allow_negative_numbers = true)]
        v_r: f64,
        /// Constant input current.
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        input: f64,
        /// Print `{"rates": [...], "params": {...}}`.
        #[arg(long)]
        json: bool,
    },
    /// Check a config without running it.
    Check {
        /// The experiment config (RON).
        config: PathBuf,
        /// Overrides, as for `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print the resolved config (defaults filled in, overrides applied) as RON.
        #[arg(long)]
        print: bool,
    },
    /// Print a commented example config.
    Init {
        /// The solver the example selects.
        #[arg(long, value_enum, default_value_t = Kind::Multiscale)]
        solver: Kind,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Macro,
    Micro,
    Multiscale,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run {
            config,
            out,
            set,
            threads,
            quiet,
        } => run(config, out, &set, threads, quiet),
        Command::Steady {
            a0,
            a1,
            b,
            v_f,
            v_r,
            input,
            json,
        } => steady(
            ModelParams {
                a0,
                a1,
                b,
                v_f,
                v_r,
            },
            input,
            json,
        ),
        Command::Check { config, set, print } => {
            let config = resolve(Some(config), &set)?;
            if print {
                let pretty = ron::ser::PrettyConfig::new().struct_names(false);
                println!("{}", ron::ser::to_string_pretty(&config, pretty)?);
            } else {
                println!(
                    "ok: `{}` ({:?} solver, t_end = {}, seed {})",
                    config.name, config.solver.kind, config.t_end, config.seed
                );
            }
            Ok(())
        }
        Command::Init { solver } => {
            let kind = match solver {
                Kind::Macro => SolverKind::Macro,
                Kind::Micro => SolverKind::Micro,
                Kind::Multiscale => SolverKind::Multiscale,
            };
            print!("{}", init::example(kind));
            Ok(())
        }
    }
}

/// Loads (or takes the built-in) config, applies the overrides, validates.
fn resolve(path: Option<PathBuf>, set: &[String]) -> Result<Config> {
    let (mut config, source) = match &path {
        Some(path) => {
            let (config, text) = config::load(path)?;
            (config, Some((path.clone(), text)))
        }
        None => (Config::builtin(), None),
    };
    for assignment in set {
        set::apply(&mut config, assignment)?;
    }
    let located = if set.is_empty() {
        source.as_ref().map(|(p, t)| (p.as_path(), t.as_str()))
    } else {
        None
    };
    match config::check(&config, located) {
        Err(e) if !set.is_empty() => Err(e.context("after the --set overrides")),
        other => other.map(|()| config),
    }
}

fn run(
    path: Option<PathBuf>,
    out: Option<PathBuf>,
    set: &[String],
    threads: Option<usize>,
    quiet: bool,
) -> Result<()> {
    let config = resolve(path, set)?;
    let out = out.unwrap_or_else(|| PathBuf::from("out").join(&config.name));
    if let Some(0) = threads {
        bail!("--threads must be at least 1");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let visible = !quiet && std::io::stderr().is_terminal();
    let clock = Instant::now();
    let (trace, outcome, grid) = pool.install(|| -> Result<_> {
        let mut simulation = Simulation::new(
            config.model.params(),
            config.model.input,
            &config.initial,
            config.run_config(),
            Parallelism::Rayon,
        )
        .with_context(|| format!("cannot start `{}`", config.name))?;
        let mut progress = progress::Progress::new(config.t_end, visible);
        let outcome = simulation.run(&mut progress);
        progress.finish();
        let outcome = outcome.context("the run failed")?;
        let grid = fp_macro::Grid::for_model(
            &config.model.params(),
            config.solver.macro_.v_min,
            config.solver.macro_.dv,
        )?
        .nodes()
        .collect::<Vec<f64>>();
        Ok((simulation.into_trace(), outcome, grid))
    })?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    let result = output::RunResult {
        trace,
        outcome,
        wall_seconds,
        grid,
    };
    let writing = Instant::now();
    output::write_all(&out, &config, &result)?;
    let write_seconds = writing.elapsed().as_secs_f64();
    if !quiet {
        let t = &result.trace;
        println!(
            "{}: {} at t = {} in {:.2} s ({} macro + {} micro steps, {} switches, {} MFEs); outputs in {} (written in {:.2} s)",
            config.name,
            result.outcome.as_str(),
            t.samples.last().map_or(0.0, |s| s.t),
            wall_seconds,
            t.macro_steps,
            t.micro_steps,
            t.switches.len(),
            t.mfes.len(),
            out.display(),
            write_seconds
        );
    }
    Ok(())
}

fn steady(params: ModelParams, input: f64, json: bool) -> Result<()> {
    let rates =
        stationary_rates(&params, input).map_err(|e| anyhow::anyhow!("invalid parameter: {e}"))?;
    if json {
        let value = serde_json::json!({
            "rates": rates,
            "params": { "a0": params.a0, "a1": params.a1, "b": params.b, "v_f": params.v_f, "v_r": params.v_r, "input": input },
        });
        println!("{value}");
    } else if rates.is_empty() {
        println!("no stationary state (the rate blows up or the network has no fixed point)");
    } else {
        for rate in rates {
            println!("{rate:.10}");
        }
    }
    Ok(())
}
