//! `nlif`: simulate noisy leaky integrate-and-fire networks with the macro (Fokker–Planck),
//! micro (particle) or multi-scale solver. See `nlif --help` and `docs/config.md`.

mod cluster;
mod init;
mod overrides;
mod session;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use multiscale::{MemoryEstimate, SolverKind};
use nlif_experiment::{Config, checkpoint, config, report, shortest, stdout, sweep, target};
use nlif_model::{ModelParams, stationary_states};

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
    ///
    /// Exit status: 0 the run completed (reached t_end with every invariant held); 1 an
    /// error (invalid config, output refused, I/O), nothing written; 3 the run ended
    /// early (a Macro run's blow-up stop, lost positivity, an input kick the density
    /// cannot represent, non-finite values, lost mass), outputs written up to that time
    /// and the reason in summary.json's `outcome`; 2 a usage error (an unknown option, a
    /// malformed argument); 130 stopped by SIGINT or SIGTERM (a checkpointed run writes a
    /// last checkpoint first; otherwise nothing is written).
    Run {
        /// The experiment config (RON).
        config: Option<PathBuf>,
        /// Output directory [default: out/NAME, NAME from the config]. It must not exist,
        /// be empty, or be an earlier nlif output directory (an nlif summary.json and only
        /// files nlif writes), which is then replaced as a whole once the new outputs are
        /// complete. Anything else (a file, a link, a directory with other contents) is
        /// refused, and so is an output another nlif process is writing.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a config field by its dotted path with a RON value, e.g.
        /// `--set model.b=2.5 --set 'model.input=Kick(t0: 1.0, dv: 0.5)'`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Worker threads for the particle solver [default: all cores; at most 4 per core].
        /// The results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress (a bar on a terminal, otherwise a line every 10 % or 10 s on
        /// stderr) and no final summary line.
        #[arg(long)]
        quiet: bool,
        /// Write a checkpoint every DT of model time (sets `output.checkpoint`): the run
        /// can then be interrupted (SIGINT, SIGTERM: a last checkpoint, exit status 130)
        /// or killed, and continued with `nlif resume OUT`.
        #[arg(long, value_name = "DT")]
        checkpoint_every: Option<f64>,
    },
    /// Continue a checkpointed run that was interrupted or killed, or extend a finished
    /// one to a later end time. The outputs are those the uninterrupted run would have
    /// written, on any number of threads. Nothing is changed if the checkpoint is
    /// refused (truncated, damaged, another format or program version, config.ron edited).
    Resume {
        /// The run's output directory (as given to `nlif run --out`, or out/NAME).
        dir: PathBuf,
        /// Extend the run to this end time (a finished run needs it).
        #[arg(long, value_name = "T")]
        t_end: Option<f64>,
        /// Worker threads, as for `run`.
        #[arg(long)]
        threads: Option<usize>,
        /// As for `run`.
        #[arg(long)]
        quiet: bool,
    },
    /// Run a config over a grid of parameter values (the cartesian product of every
    /// `--vary`), concurrently, into DIR: `sweep.csv` (a row per point), `sweep.json`,
    /// `points/<index>/`, and `sweep.png`/`sweep.svg` (rate and MFEs against one varied
    /// field; a phase diagram over two, with the theory of nlif-model overlaid). Running
    /// the same command again skips the points already done; a failed point is a row
    /// with its error. See docs/sweeps.md.
    ///
    /// Exit status: 0 every point ran; 4 some points failed (their rows give the error);
    /// 130 stopped by SIGINT or SIGTERM (no new point starts, a checkpointed point writes
    /// a last checkpoint; the same command continues); 1 an error of the sweep itself.
    Sweep {
        /// The experiment config (RON); not needed with --merge.
        config: Option<PathBuf>,
        /// A varied field: `PATH=START:STOP:COUNT` (COUNT values, ends included) or
        /// `PATH=[v1,v2,...]` (RON values); any `--set` path. Repeat for a grid.
        #[arg(long = "vary", value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Overrides of the base config, as for `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Sweep directory [default: out/NAME-sweep].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Points run at once, each on one thread [default: the number of cores; at most 4
        /// per core]. The results do not depend on it.
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only the points with index = I - 1 mod N (1 <= I <= N), e.g. one shard per
        /// job of a cluster job array; assemble with --merge once all are done.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Keep every point's full outputs in points/INDEX/run/ (default: summary.json).
        #[arg(long)]
        keep_outputs: bool,
        /// Give point `i` (from 0) the seed mix64(seed XOR (i + 1)·0x9E3779B97F4A7C15 mod
        /// 2^64), mix64 being SplitMix64's output function (docs/sweeps.md), instead of the
        /// base seed.
        #[arg(long)]
        seed_per_point: bool,
        /// Only check every point, and report all invalid ones at once.
        #[arg(long)]
        check: bool,
        /// Assemble sweep.csv and the plot of a sweep directory whose shards are done.
        #[arg(long, value_name = "DIR")]
        merge: Option<PathBuf>,
        /// Every point writes a checkpoint every DT of model time (as for `run`; sets
        /// `output.checkpoint`): a point stopped by a signal or killed continues from it
        /// when the same command runs again.
        #[arg(long, value_name = "DT")]
        checkpoint_every: Option<f64>,
        /// No progress and no final line.
        #[arg(long)]
        quiet: bool,
    },
    /// Print what a checkpoint holds: format and program version, config, time, phase,
    /// particle count, size (as `nlif check FILE.nlif`).
    Inspect {
        /// A checkpoint file (`checkpoint.nlif`), or a run's output directory OUT: the
        /// checkpoint `nlif resume OUT` would continue (`.OUT.partial/checkpoint.nlif` of
        /// an interrupted run, else `OUT/checkpoint.nlif`).
        checkpoint: PathBuf,
    },
    /// Print every stationary firing rate of a network (ascending), each verified as a fixed
    /// point N = ν(bN + I) and marked stable or unstable: stable when the slope of the
    /// fixed-point map at N is below 1 (the map crosses the diagonal from above).
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
        /// Print `{"rates": [...], "stable": [true, false, ...], "params": {...}}`.
        #[arg(long)]
        json: bool,
    },
    /// Check a config without running it: every check `run` makes before it starts
    /// (settings, memory against what is available, the initial density on the grid).
    /// Given a checkpoint file, or a run's output directory, check and describe the
    /// checkpoint (as `nlif inspect`).
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

/// Exit status of a run that ended before `t_end` (its outputs are written).
const EXIT_ENDED_EARLY: u8 = 3;
/// Exit status of a run stopped by SIGINT or SIGTERM after writing a checkpoint.
const EXIT_INTERRUPTED: u8 = 130;
/// Exit status of a sweep some of whose points failed (their rows carry the error).
const EXIT_POINTS_FAILED: u8 = 4;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(Status::Done) => ExitCode::SUCCESS,
        Ok(Status::EndedEarly) => ExitCode::from(EXIT_ENDED_EARLY),
        Ok(Status::Interrupted) => ExitCode::from(EXIT_INTERRUPTED),
        Ok(Status::PointsFailed) => ExitCode::from(EXIT_POINTS_FAILED),
        // Every MPI rank meets the same errors but those it meets alone: rank 0 says it.
        Err(e) if !cluster::prints(&e) => ExitCode::FAILURE,
        Err(e) => {
            cluster::say(&format!("error: {}", report(&e)));
            ExitCode::FAILURE
        }
    }
}

/// How a successful command ended.
enum Status {
    Done,
    EndedEarly,
    Interrupted,
    PointsFailed,
}

impl From<session::Ended> for Status {
    fn from(ended: session::Ended) -> Self {
        match ended {
            session::Ended::Completed => Status::Done,
            session::Ended::Early => Status::EndedEarly,
            session::Ended::Interrupted => Status::Interrupted,
        }
    }
}

fn dispatch(command: Command) -> Result<Status> {
    match command {
        Command::Run { .. } | Command::Resume { .. } => command_here(command),
        other => once(other),
    }
}

/// A command other than `run` and `resume`, which are the only ones split across the
/// processes of an MPI job (`mpirun -n K nlif …`): under `mpirun` rank 0 alone carries
/// it out (a listing printed once, not K times), except `sweep`, which is refused — its
/// K copies would run the same points into the same directory; it runs its points on
/// `--jobs` threads of one process, and across machines with `--shard`.
fn once(command: Command) -> Result<Status> {
    // Started by hand, the command does not start MPI (a singleton MPI_Init costs time).
    if !cluster::launched() {
        return command_here(command);
    }
    let cluster = cluster::Cluster::start()?;
    if cluster.size() <= 1 {
        return command_here(command);
    }
    let result = match command {
        Command::Sweep { .. } => Err(anyhow::anyhow!(
            "nlif sweep runs in one process, not as {} processes under mpirun: it runs its points on --jobs threads, and splits a sweep across machines with --shard I/N (docs/sweeps.md)",
            cluster.size()
        )),
        other if cluster.is_root() => command_here(other),
        _ => Ok(Status::Done),
    };
    cluster.settle(cluster.agree(result))
}

/// Carries out `command` in this process (`run` and `resume` with the other processes
/// of their MPI job, if any).
fn command_here(command: Command) -> Result<Status> {
    match command {
        Command::Run {
            config,
            out,
            set,
            threads,
            quiet,
            checkpoint_every,
        } => {
            let cluster = cluster::Cluster::start()?;
            let result = (|| {
                bounded("--threads", threads)?;
                let set = with_checkpoints(set, checkpoint_every);
                // Every rank checks the config (its memory check is the rank's own).
                let (config, _) = cluster.agree(resolve(config, &set))?;
                let out = cluster.agree(output_dir(out, &config.name, ""))?;
                session::run(config, out, threads, quiet, &cluster).map(Status::from)
            })();
            cluster.settle(result)
        }
        Command::Resume {
            dir,
            t_end,
            threads,
            quiet,
        } => {
            let cluster = cluster::Cluster::start()?;
            let result = bounded("--threads", threads)
                .and_then(|()| cluster.agree(target::resolve(&dir, "the run's directory")))
                .and_then(|dir| session::resume(dir, t_end, threads, quiet, &cluster))
                .map(Status::from);
            cluster.settle(result)
        }
        Command::Sweep {
            config,
            vary,
            set,
            out,
            jobs,
            shard,
            keep_outputs,
            seed_per_point,
            check,
            merge,
            checkpoint_every,
            quiet,
        } => {
            if let Some(dir) = merge {
                let dir = target::resolve(&dir, "--merge")?;
                let results = sweep::merge(&dir, quiet)?;
                let failed = results.iter().filter(|r| r.error.is_some()).count();
                return Ok(points_failed(failed, results.len()));
            }
            let Some(path) = config else {
                bail!("nlif sweep needs a CONFIG (or --merge DIR)");
            };
            if vary.is_empty() {
                bail!("nlif sweep needs at least one --vary PATH=VALUES");
            }
            let set = with_checkpoints(set, checkpoint_every);
            let (base, _) = resolve(Some(path), &set)?;
            let vary = vary
                .iter()
                .map(|v| sweep::parse_vary(v))
                .collect::<Result<Vec<_>>>()?;
            for (k, v) in vary.iter().enumerate() {
                if vary[..k].iter().any(|w| w.path == v.path) {
                    bail!(
                        "--vary `{}` is given twice: a field is varied once (list all its values in one --vary)",
                        v.path
                    );
                }
            }
            bounded("--jobs", jobs)?;
            let definition = sweep::Definition {
                program: "nlif".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                base,
                vary,
                seed_per_point,
            };
            definition.validate()?;
            if check {
                let points = sweep::check_all(&definition)?;
                stdout::line(format_args!(
                    "ok: all {points} points of the sweep are valid"
                ))?;
                return Ok(Status::Done);
            }
            let jobs = match jobs {
                Some(0) => bail!("--jobs must be at least 1"),
                Some(n) => n,
                None => std::thread::available_parallelism().map_or(1, |n| n.get()),
            };
            let dir = output_dir(out, &definition.base.name, "-sweep")?;
            let shard = shard.as_deref().map(sweep::parse_shard).transpose()?;
            let stop = session::signal_flag()?;
            let request = sweep::Request {
                definition,
                dir,
                jobs,
                shard,
                keep_outputs,
                quiet,
            };
            let ran = sweep::run_until(request, &stop)?;
            if ran.stopped {
                return Ok(Status::Interrupted);
            }
            Ok(points_failed(ran.failed, ran.points))
        }
        Command::Inspect { checkpoint } => {
            let (path, bytes) = read_input(&checkpoint, true)?;
            stdout::line(checkpoint::describe_bytes(&path, &bytes)?)?;
            Ok(Status::Done)
        }
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
        )
        .map(|()| Status::Done),
        Command::Check { config, set, print } => {
            // Read once: a pipe (`nlif check <(nlif init)`) cannot be read again.
            let (path, bytes) = read_input(&config, false)?;
            if checkpoint::is_checkpoint(&bytes) {
                if !set.is_empty() || print {
                    bail!("--set and --print apply to configs, not to a checkpoint");
                }
                stdout::line(checkpoint::describe_bytes(&path, &bytes)?)?;
                return Ok(Status::Done);
            }
            let (loaded, text) = config::from_bytes(&path, bytes)?;
            let (config, memory) = resolve_loaded(Some((path, loaded, text)), &set)?;
            // `run` writes to out/NAME unless given --out: the name must leave room for
            // what nlif creates beside it.
            target::check_name(config.name.as_ref(), NAME_ORIGIN)?;
            for note in config::notes(&config) {
                cluster::say(&format!("note: {note}"));
            }
            if print {
                stdout::line(config::to_ron(&config)?)?;
            } else {
                // Under mpirun, what each process of `mpirun -n K nlif run` needs.
                let processes = match cluster::processes() {
                    1 => String::new(),
                    k => format!(" per process, {k} processes"),
                };
                stdout::line(format_args!(
                    "ok: `{}` ({:?} solver, t_end = {}, seed {}, about {} of memory{processes})",
                    config.name,
                    config.solver.kind,
                    shortest(config.t_end),
                    config.seed,
                    config::bytes(memory.total())
                ))?;
            }
            Ok(Status::Done)
        }
        Command::Init { solver } => {
            let kind = match solver {
                Kind::Macro => SolverKind::Macro,
                Kind::Micro => SolverKind::Micro,
                Kind::Multiscale => SolverKind::Multiscale,
            };
            stdout::print(&init::example(kind))?;
            Ok(Status::Done)
        }
    }
}

/// Where an output directory named after the config comes from, in messages.
const NAME_ORIGIN: &str = "the config's `name`";

/// The output directory of a run or sweep: `--out`, or `out/NAME` + `suffix`, resolved
/// once (`nlif_experiment::target`).
fn output_dir(out: Option<PathBuf>, name: &str, suffix: &str) -> Result<PathBuf> {
    match out {
        Some(out) => target::resolve(&out, "--out"),
        None => {
            let out = PathBuf::from("out").join(format!("{name}{suffix}"));
            target::resolve(&out, NAME_ORIGIN)
        }
    }
}

/// `--checkpoint-every DT` of `run` and `sweep`: the override of `output.checkpoint`,
/// after the user's own.
fn with_checkpoints(mut set: Vec<String>, every: Option<f64>) -> Vec<String> {
    if let Some(dt) = every {
        set.push(format!("output.checkpoint=Some({dt:?})"));
    }
    set
}

/// How a sweep ended that ran `points` points, `failed` of them failing: exit status 4
/// and a message if any failed.
fn points_failed(failed: usize, points: usize) -> Status {
    if failed == 0 {
        return Status::Done;
    }
    eprintln!(
        "nlif sweep: {failed} of {points} points failed (their rows in sweep.csv give the error; the same command again retries them) (exit status {EXIT_POINTS_FAILED})"
    );
    Status::PointsFailed
}

/// Loads (or takes the built-in) config, applies the overrides, validates (every check a
/// run makes before it starts).
fn resolve(path: Option<PathBuf>, set: &[String]) -> Result<(Config, MemoryEstimate)> {
    let loaded = match path {
        Some(path) => {
            let (config, text) = config::load(&path)?;
            Some((path, config, text))
        }
        None => None,
    };
    resolve_loaded(loaded, set)
}

/// As [`resolve`], for a config already read: its path, the config and its text.
fn resolve_loaded(
    loaded: Option<(PathBuf, Config, String)>,
    set: &[String],
) -> Result<(Config, MemoryEstimate)> {
    // The environment's memory limit is checked once, before any config.
    config::memory_limit()?;
    let (mut config, source) = match loaded {
        Some((path, config, text)) => (config, Some((path, text))),
        None => (Config::builtin(), None),
    };
    for assignment in set {
        overrides::apply(&mut config, assignment)?;
    }
    let located = if set.is_empty() {
        source.as_ref().map(|(p, t)| (p.as_path(), t.as_str()))
    } else {
        None
    };
    let overridden: Vec<&str> = set
        .iter()
        .filter_map(|a| a.split_once('=').map(|(key, _)| key.trim()))
        .collect();
    match config::check(&config, located, &overridden, cluster::processes()) {
        Err(e) if !set.is_empty() => {
            Err(anyhow::Error::new(e).context("after the --set overrides"))
        }
        other => Ok(other.map(|memory| (config, memory))?),
    }
}

/// The most threads (`--threads`) or concurrent points (`--jobs`) per core: more only
/// slow a run down (and thousands of threads take minutes to start).
const THREADS_PER_CORE: usize = 4;

/// Refuses a thread count above [`THREADS_PER_CORE`] per core of this machine.
fn bounded(flag: &str, threads: Option<usize>) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = THREADS_PER_CORE * cores;
    match threads {
        Some(n) if n > max => bail!(
            "{flag} {n}: at most {max} ({THREADS_PER_CORE} per core of this machine); the results do not depend on it"
        ),
        _ => Ok(()),
    }
}

/// The file `nlif check` / `nlif inspect` read for `path`, and its bytes, read once.
/// A directory, or a path that does not exist, names a run's output: its checkpoint is
/// that of the interrupted run in `.NAME.partial` if there is one (the one `nlif resume`
/// continues), else `NAME/checkpoint.nlif`. Otherwise `path` itself (`checkpoint` says
/// whether only a checkpoint is expected there).
fn read_input(path: &Path, checkpoint: bool) -> Result<(PathBuf, Vec<u8>)> {
    let exists = std::fs::metadata(path).is_ok();
    let target = if !exists || path.is_dir() {
        let staging = session::checkpoint_staging(path);
        // `.NAME.partial`, not `./.NAME.partial`, for a NAME given without a directory.
        let staging = match path.parent() {
            Some(p) if p.as_os_str().is_empty() => staging
                .strip_prefix(".")
                .map(Path::to_path_buf)
                .unwrap_or(staging),
            _ => staging,
        };
        let candidates = [staging.join(checkpoint::FILE), path.join(checkpoint::FILE)];
        match candidates.iter().find(|c| c.is_file()) {
            Some(found) => found.clone(),
            None if checkpoint || exists => bail!(
                "no checkpoint at {}: neither {} nor {} exists",
                path.display(),
                candidates[1].display(),
                candidates[0].display()
            ),
            None => path.to_path_buf(),
        }
    } else {
        path.to_path_buf()
    };
    let what = if checkpoint {
        "checkpoint"
    } else {
        "config file"
    };
    let bytes = std::fs::read(&target)
        .with_context(|| format!("cannot read the {what} {}", target.display()))?;
    Ok((target, bytes))
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

fn steady(params: ModelParams, input: f64, json: bool) -> Result<()> {
    let states =
        stationary_states(&params, input).map_err(|e| anyhow::anyhow!("invalid parameter: {e}"))?;
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
            "params": { "a0": params.a0, "a1": params.a1, "b": params.b, "v_f": params.v_f, "v_r": params.v_r, "input": input },
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
