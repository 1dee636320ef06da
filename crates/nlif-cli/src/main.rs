//! `nlif`: simulate noisy leaky integrate-and-fire networks with the macro (Fokker–Planck),
//! micro (particle) or multi-scale solver. See `nlif --help` and `docs/config.md`.

mod args;
mod cluster;
mod init;
mod inputs;
mod overrides;
mod session;
mod staging;
mod steady;
mod words;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use args::{Cli, Command, Kind};
use clap::Parser;
use inputs::{read_input, resolve, resolve_loaded};
use multiscale::SolverKind;
use nlif_experiment::{checkpoint, config, report, shortest, stdout, sweep, target};

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
            cluster::say(&format!("error: {}", report(&*e)));
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
                .and_then(|()| {
                    cluster.agree(target::resolve(&dir, "the run's directory").map_err(Into::into))
                })
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
                let results = sweep::merge(&dir, quiet).map_err(words::sweep)?;
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
                .map(|v| sweep::parse_vary(v).map_err(|e| anyhow::anyhow!("--vary {e}")))
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
            let shard = shard
                .as_deref()
                .map(|s| sweep::parse_shard(s).map_err(|e| anyhow::anyhow!("--shard {e}")))
                .transpose()?;
            let stop = session::signal_flag()?;
            let merge_hint = (shard.is_some() && !quiet).then(|| dir.clone());
            let request = sweep::Request {
                definition,
                dir,
                jobs,
                shard,
                keep_outputs,
                quiet,
            };
            let ran = sweep::run_until(request, &stop).map_err(words::sweep)?;
            if ran.stopped {
                return Ok(Status::Interrupted);
            }
            if let Some(dir) = merge_hint {
                // Shards may finish together: assembling is left to one `--merge`.
                eprintln!(
                    "nlif sweep: shard done; once every shard is, assemble with `nlif sweep --merge {}`",
                    dir.display()
                );
            }
            Ok(points_failed(ran.failed, ran.points))
        }
        Command::Inspect { checkpoint } => {
            let (path, bytes) = read_input(&checkpoint, true)?;
            stdout::line(checkpoint::describe_bytes(&path, &bytes)?)?;
            Ok(Status::Done)
        }
        Command::Steady {
            config: Some(path),
            set,
            json,
            ..
        } => steady::steady_config(&path, &set, json).map(|()| Status::Done),
        Command::Steady { network, json, .. } => {
            steady::steady(&network, json).map(|()| Status::Done)
        }
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
        Command::Init {
            solver,
            populations,
        } => {
            let kind = match solver {
                Kind::Macro => SolverKind::Macro,
                Kind::Micro => SolverKind::Micro,
                Kind::Multiscale => SolverKind::Multiscale,
                Kind::Dilated => SolverKind::Dilated,
            };
            if kind == SolverKind::Dilated && populations >= 2 {
                bail!(
                    "--solver dilated --populations {populations}: the Dilated solver simulates one population; networks run with macro, micro or multiscale"
                );
            }
            stdout::print(&init::example(kind, populations))?;
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
        Some(out) => Ok(target::resolve(&out, "--out")?),
        None => {
            let out = PathBuf::from("out").join(format!("{name}{suffix}"));
            Ok(target::resolve(&out, NAME_ORIGIN)?)
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
