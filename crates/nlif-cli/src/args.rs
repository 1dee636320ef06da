//! The command line: every command, option and its help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::steady::Network;

/// Simulate noisy leaky integrate-and-fire networks: mean-field Fokker–Planck (macro),
/// particles (micro), or the synchronization-capturing multi-scale solver.
#[derive(Parser)]
#[command(name = "nlif", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    ///
    /// With --config FILE: every stationary state of the model of an experiment config,
    /// any number of populations (`N_α = ν_α(Σ_β coupling[α][β] N_β + I_α)`), stable when
    /// every eigenvalue of the linearised rate map minus the identity has a negative real
    /// part; one row per state, one column per population.
    Steady {
        /// The network.
        #[command(flatten)]
        network: Network,
        /// The model of this experiment config (RON) instead of the flags.
        #[arg(long, value_name = "FILE", conflicts_with = "flags")]
        config: Option<PathBuf>,
        /// Overrides of the config, as for `run` (with --config).
        #[arg(long = "set", value_name = "KEY=VALUE", requires = "config")]
        set: Vec<String>,
        /// Print `{"rates": [...], "stable": [true, false, ...], "params": {...}}`; with
        /// --config, `{"states": [{"rates": [N_1, ..., N_P], "stable": bool}, ...]}`.
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
        /// 1: one population (the single-population form); 2: an excitatory–inhibitory
        /// network in the populations form (not with `--solver dilated`, which simulates
        /// one population).
        #[arg(long, value_name = "P", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
        populations: u8,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Kind {
    Macro,
    Micro,
    Multiscale,
    Dilated,
}
