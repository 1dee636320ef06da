//! Whole runs of the experiments for `docs/performance.md`, in this process through
//! `nlif-experiment` (as `nlif run` makes them): multi-scale against pure micro on the
//! reference experiments of docs/model.md §7, their distance to a reference, and the cost
//! of writing outputs. Only the checkpoint overhead is measured on the `nlif` binary,
//! whose run loop writes the checkpoints.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use multiscale::{Driver, Finish, Simulation};
use nlif_experiment::checkpoint::Stats;
use nlif_experiment::writer::CheckpointWriter;
use nlif_experiment::{Config, Parallelism, config, output, report, set};

use crate::curves::{average, distance, smooth};
use crate::root;

struct Run {
    wall: f64,
    rates: Vec<f64>,
    micro_time: f64,
}

/// `configs/NAME` with the `--set`-style overrides `sets`, checked as `nlif run` checks it.
fn experiment(root: &Path, name: &str, sets: &[String]) -> Result<Config, String> {
    let (mut config, _) = config::load(&root.join("configs").join(name)).map_err(|e| report(&e))?;
    for s in sets {
        set::apply(&mut config, s).map_err(|e| report(&e))?;
    }
    config::check(&config, None, &[], 1).map_err(|e| report(&e))?;
    Ok(config)
}

fn run(root: &Path, name: &str, sets: &[String]) -> Result<Run, String> {
    run_on(root, name, sets, None)
}

/// Runs `configs/NAME` with the overrides `sets` in this process, on `threads` worker
/// threads (all cores without); the driving loop runs on one of them.
fn run_on(root: &Path, name: &str, sets: &[String], threads: Option<usize>) -> Result<Run, String> {
    let config = experiment(root, name, sets)?;
    eprintln!("xtask: run {name} {}", sets.join(" "));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| format!("cannot start the worker threads: {e}"))?;
    let result = pool
        .install(|| nlif_experiment::run(&config, Parallelism::Rayon))
        .map_err(|e| report(&e))?;
    Ok(Run {
        wall: result.wall_seconds,
        micro_time: result.trace.micro_time(),
        rates: result.trace.samples.iter().map(|s| s.rate).collect(),
    })
}

/// Runs `configs/NAME` with the overrides `sets` on 2 worker threads in this process, as
/// `nlif run --checkpoint-every EVERY` drives it (the library's driver and background
/// checkpoint writer, and a final checkpoint at the end): the wall time and what the
/// checkpoints cost.
fn run_checkpointed(
    root: &Path,
    name: &str,
    sets: &[String],
    dir: &Path,
    every: Option<f64>,
) -> Result<(f64, Stats), String> {
    let mut config = experiment(root, name, sets)?;
    config.output.checkpoint = every;
    eprintln!(
        "xtask: run {name} {} checkpoint every {every:?}",
        sets.join(" ")
    );
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .map_err(|e| format!("cannot start the worker threads: {e}"))?;
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    pool.install(|| -> Result<(f64, Stats), String> {
        let clock = Instant::now();
        let mut simulation = Simulation::for_problem(config.problem())
            .parallelism(Parallelism::Rayon)
            .start(config.initial_density())
            .map_err(|e| failed(&e))?;
        let mut writer = CheckpointWriter::new(dir.to_path_buf(), config.clone(), Stats::default());
        let finish = Driver::new()
            .checkpoint_every(every)
            .run(&mut simulation, &mut (), &mut writer)
            .map_err(|e| failed(&e))?;
        if !matches!(finish, Finish::Ended(o) if o.is_completed()) {
            return Err(format!("{name}: {finish:?}"));
        }
        if every.is_some() {
            let state = simulation.state().map_err(|e| failed(&e))?;
            writer.write(state, true, true).map_err(|e| report(&e))?;
        }
        Ok((clock.elapsed().as_secs_f64(), writer.stats))
    })
}

/// Resets this process's peak resident set to its current one (Linux: `5` into
/// `/proc/self/clear_refs`), so the next [`peak_rss`] is that of what runs after.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set of this process since the last reset (`VmHWM`), bytes.
fn peak_rss() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

pub(crate) fn whole_runs(quick: bool) -> Result<String, String> {
    let root = root();
    let scratch = root.join("target/xtask-runs");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut s = String::new();

    // Cost of writing outputs for the built-in default experiment.
    let out = scratch.join("default");
    let clock = Instant::now();
    let config = Config::builtin();
    let result = nlif_experiment::run(&config, Parallelism::Rayon).map_err(|e| report(&e))?;
    let wall = result.wall_seconds;
    let writing = Instant::now();
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    output::write_all(&out, &config, &result, None).map_err(|e| report(&e))?;
    let written = writing.elapsed().as_secs_f64();
    let total = clock.elapsed().as_secs_f64();
    let _ = writeln!(s, "## Whole runs (`nlif`)\n");
    let _ = writeln!(
        s,
        "**Output cost.** `nlif run` (the built-in multi-scale run through blow-up A, 1e5\n\
         particles, dt = 1e-4): simulation {wall:.2} s, writing summary, CSV, NPY and plots\n\
         {written:.3} s = {:.2} % of the run (goal: below 5 %); total {total:.2} s.\n",
        100.0 * written / wall
    );

    // Multi-scale against pure micro.
    let sizes: &[usize] = if quick {
        &[10_000, 100_000]
    } else {
        &[100_000, 1_000_000]
    };
    let reference_size = sizes[0] * 10;
    let seeds = [101u64, 102];
    let _ = writeln!(
        s,
        "**Multi-scale against pure micro** (dt = 1e-3 for both solvers, samples every 1e-3 as\n\
         in the configs, which is also when the multi-scale solver may switch,\n\
         `--set solver.macro.dt=1e-3 --set solver.micro.dt=1e-3 --set output.interval=1e-3`).\n\
         Error: mean |N(t) - N_ref(t)| of the rates smoothed over 0.1, relative to the mean\n\
         reference rate, averaged over seeds 1 and 2; the reference is the average of {} pure\n\
         micro runs with {reference_size} particles (10× the smaller size). Speed-up = micro wall\n\
         time / multi-scale wall time (seed 1, the fastest of three runs of each, on all cores).\n",
        seeds.len()
    );
    let _ = writeln!(
        s,
        "| case | N_p | micro (s) | multi-scale (s) | speed-up | time in micro | error micro | error multi-scale |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for case in ["blowup-b", "kick", "periodic"] {
        let base = |n: usize, kind: &str, seed: u64| -> Vec<String> {
            vec![
                "solver.macro.dt=1e-3".into(),
                "solver.micro.dt=1e-3".into(),
                "output.interval=1e-3".into(),
                "output.density_interval=None".into(),
                "output.plots=false".into(),
                format!("solver.micro.particles={n}"),
                format!("solver.kind={kind}"),
                format!("seed={seed}"),
            ]
        };
        let mut references = Vec::new();
        for seed in seeds {
            references.push(
                run(
                    &root,
                    &format!("{case}.ron"),
                    &base(reference_size, "Micro", seed),
                )?
                .rates,
            );
        }
        let reference = average(&references);
        for &n in sizes {
            // Seed 1 three times; the fastest is timed (the machine's noise is one-sided).
            let timed = |kind: &str| -> Result<Run, String> {
                let first = run(&root, &format!("{case}.ron"), &base(n, kind, 1))?;
                let mut wall = first.wall;
                for _ in 0..2 {
                    wall = wall.min(run(&root, &format!("{case}.ron"), &base(n, kind, 1))?.wall);
                }
                Ok(Run { wall, ..first })
            };
            let micro = timed("Micro")?;
            let multi = timed("Multiscale")?;
            let t_end = multi.rates.len() as f64 * 1e-3;
            let errors = if n < reference_size {
                // Seeds 1 and 2 (seed 1 is the timed run), rates smoothed over 0.1.
                let error = |kind: &str, first: &[f64]| -> Result<f64, String> {
                    let second = run(&root, &format!("{case}.ron"), &base(n, kind, 2))?.rates;
                    let reference = smooth(&reference, 100);
                    Ok(0.5
                        * (distance(&smooth(first, 100), &reference)
                            + distance(&smooth(&second, 100), &reference)))
                };
                (
                    format!("{:.3}", error("Micro", &micro.rates)?),
                    format!("{:.3}", error("Multiscale", &multi.rates)?),
                )
            } else {
                ("—".into(), "—".into())
            };
            let _ = writeln!(
                s,
                "| {case} | {n} | {:.2} | {:.2} | {:.1}× | {:.0} % | {} | {} |",
                micro.wall,
                multi.wall,
                micro.wall / multi.wall,
                100.0 * multi.micro_time / t_end,
                errors.0,
                errors.1
            );
        }
    }
    let _ = writeln!(s);
    long_run_rates(&root, quick, &mut s)?;
    scaling(&root, &scratch, quick, &mut s)?;
    checkpoints(&root, &scratch, quick, &mut s)?;
    Ok(s)
}

/// Our long-run particle rates against the exact stationary rates (the other half of the
/// Brian2 comparison: speed is not bought with bias).
fn long_run_rates(root: &Path, quick: bool, s: &mut String) -> Result<(), String> {
    let t_end = if quick { 4.0 } else { 12.0 };
    let _ = writeln!(
        s,
        "**Long-run rates** (`configs/micro-steady.ron`, N_p = 1e5, dt = 1e-3, mean over\n\
         t ∈ [2, {t_end}]), against the exact stationary rate (`nlif steady`). Euler–Maruyama is\n\
         biased low by O(sqrt(dt)) (about -5.5 %, as Brian2's Euler scheme); the bridge is not.\n"
    );
    let _ = writeln!(
        s,
        "| b | exact | Euler–Maruyama | bias | Brownian bridge | bias |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for (b, exact) in [(0.0, 0.119_975_965), (0.5, 0.134_775_080)] {
        let mut cells = Vec::new();
        for stepper in ["EulerMaruyama", "BrownianBridge"] {
            let sets = vec![
                format!("model.b={b:?}"),
                format!("solver.micro.stepper={stepper}"),
                format!("t_end={t_end:?}"),
                "output.plots=false".into(),
                "output.density_interval=None".into(),
            ];
            let r = run(root, "micro-steady.ron", &sets)?;
            let tail = &r.rates[200.min(r.rates.len())..];
            let mean = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
            cells.push(format!(
                "{mean:.5} | {:+.2} %",
                100.0 * (mean / exact - 1.0)
            ));
        }
        let _ = writeln!(s, "| {b} | {exact:.5} | {} | {} |", cells[0], cells[1]);
    }
    let _ = writeln!(s);
    Ok(())
}

/// Wall time against N_p and threads, and memory per particle: the peak resident set of
/// this process, reset before each run (`/proc/self/clear_refs`), so it is that run's.
fn scaling(root: &Path, scratch: &Path, quick: bool, s: &mut String) -> Result<(), String> {
    let _ = scratch;
    let sizes: &[usize] = if quick {
        &[100_000, 1_000_000]
    } else {
        &[100_000, 1_000_000, 10_000_000]
    };
    let steps = 500.0;
    let _ = writeln!(
        s,
        "**Scaling** (`configs/micro-steady.ron` for {steps} steps of dt = 1e-3, Brownian bridge,\n\
         no plots or snapshots; 1 and 2 worker threads, in the xtask process). Memory: the\n\
         process's peak resident set during the run (reset before it; 2 threads); per\n\
         particle = its growth between sizes divided by the added particles.\n"
    );
    let _ = writeln!(
        s,
        "| N_p | 1 thread (s) | 2 threads (s) | thread speed-up | neuron-steps/s (2 threads) | peak memory | bytes per particle |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let mut previous: Option<(usize, f64)> = None;
    for &n in sizes {
        let mut walls = Vec::new();
        let mut rss = f64::NAN;
        for threads in [1, 2] {
            let sets = vec![
                format!("solver.micro.particles={n}"),
                "t_end=0.5".into(),
                "output.interval=1e-2".into(),
                "output.plots=false".into(),
                "output.density_interval=None".into(),
            ];
            reset_peak_rss();
            let run = run_on(root, "micro-steady.ron", &sets, Some(threads))?;
            walls.push(run.wall);
            rss = peak_rss().unwrap_or(f64::NAN);
        }
        let per_particle = previous.map_or("—".to_owned(), |(m, r)| {
            format!("{:.1}", (rss - r) / (n - m) as f64)
        });
        let _ = writeln!(
            s,
            "| {n} | {:.2} | {:.2} | {:.2}× | {:.3e} | {:.0} MiB | {per_particle} |",
            walls[0],
            walls[1],
            walls[0] / walls[1],
            n as f64 * steps / walls[1],
            rss / 1048576.0
        );
        previous = Some((n, rss));
    }
    let _ = writeln!(s);
    Ok(())
}

/// What writing checkpoints costs a run checkpointed every 10 % of its length: the same
/// run with and without checkpoints, side by side, driven as `nlif run` drives it (the
/// library's driver takes the checkpoints, written on a background thread).
fn checkpoints(root: &Path, scratch: &Path, quick: bool, s: &mut String) -> Result<(), String> {
    let cases: &[(usize, f64)] = if quick {
        &[(100_000, 10.0), (1_000_000, 1.0)]
    } else {
        &[(1_000_000, 10.0), (10_000_000, 6.0)]
    };
    let _ = writeln!(
        s,
        "**Checkpoints** (`configs/micro-steady.ron`, dt = 1e-3, 2 threads, `--checkpoint-every`\n\
         t_end/10: ten checkpoints per run). Each checkpoint is taken while the run waits\n\
         (`blocked`), then encoded, written to a temporary file, flushed to disk and renamed on\n\
         a background thread. Overhead = wall time with checkpoints / wall time of the same run\n\
         without - 1, measured back to back (goal: below 2 %; run-to-run noise is about 1 %).\n"
    );
    let _ = writeln!(
        s,
        "| N_p | t_end | checkpoints | run without (s) | run with (s) | overhead | blocked (s) | checkpoint size | bytes per particle |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for &(n, t_end) in cases {
        let sets = vec![
            format!("solver.micro.particles={n}"),
            format!("t_end={t_end}"),
            "output.interval=1e-2".into(),
            "output.plots=false".into(),
            "output.density_interval=None".into(),
        ];
        let dir = scratch.join(format!("checkpoint-{n}"));
        let (plain, _) = run_checkpointed(root, "micro-steady.ron", &sets, &dir, None)?;
        let (with, stats) =
            run_checkpointed(root, "micro-steady.ron", &sets, &dir, Some(t_end / 10.0))?;
        let (count, bytes, seconds) = (stats.count, stats.bytes as f64, stats.seconds);
        let _ = writeln!(
            s,
            "| {n} | {t_end} | {count} | {:.1} | {:.1} | {:+.2} % | {seconds:.2} | {:.1} MB | {:.2} |",
            plain,
            with,
            100.0 * (with / plain - 1.0),
            bytes / 1e6,
            bytes / n as f64,
        );
    }
    let _ = writeln!(s);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the results do not depend on the threads (docs/ARCHITECTURE.md), and a
    /// run records one rate per sample interval.
    #[test]
    fn in_process_runs_do_not_depend_on_the_threads() {
        let sets = [
            "solver.micro.particles=2000".to_owned(),
            "t_end=0.1".to_owned(),
        ];
        let one = run_on(&root(), "micro-steady.ron", &sets, Some(1)).unwrap();
        let two = run_on(&root(), "micro-steady.ron", &sets, Some(2)).unwrap();
        assert_eq!(one.rates.len(), 10);
        assert_eq!(one.rates, two.rates);
        assert!(one.wall > 0.0);
    }
}
