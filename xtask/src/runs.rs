//! Whole runs of the `nlif` binary for `docs/performance.md`: multi-scale against pure
//! micro on the experiments of the multiscale issue, their distance to a reference, and the
//! cost of writing outputs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::{cargo, root};

struct Run {
    wall: f64,
    rates: Vec<f64>,
    micro_time: f64,
}

fn nlif(root: &Path) -> PathBuf {
    root.join("target/release/nlif")
}

fn run(root: &Path, config: &str, out: &Path, sets: &[String]) -> Result<Run, String> {
    let mut args: Vec<String> = vec![
        "run".into(),
        root.join("configs").join(config).display().to_string(),
        "--quiet".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    for s in sets {
        args.push("--set".into());
        args.push(s.clone());
    }
    eprintln!("xtask: nlif {}", args[1..].join(" "));
    let status = Command::new(nlif(root))
        .args(&args)
        .status()
        .map_err(|e| format!("cannot run nlif: {e}"))?;
    if !status.success() {
        return Err(format!("nlif {} failed", args.join(" ")));
    }
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let csv = std::fs::read_to_string(out.join("rate.csv")).map_err(|e| e.to_string())?;
    let rates = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1).and_then(|r| r.parse().ok()))
        .collect();
    Ok(Run {
        wall: summary["wall_seconds"].as_f64().unwrap_or(f64::NAN),
        micro_time: summary["micro_time"].as_f64().unwrap_or(f64::NAN),
        rates,
    })
}

/// Mean absolute difference of two rate curves, relative to the reference's mean.
fn distance(rates: &[f64], reference: &[f64]) -> f64 {
    let n = rates.len().min(reference.len());
    let diff: f64 = rates
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n as f64;
    let mean = reference.iter().sum::<f64>() / reference.len() as f64;
    diff / mean
}

/// The pointwise mean of several rate curves.
fn average(curves: &[Vec<f64>]) -> Vec<f64> {
    let n = curves.iter().map(Vec::len).min().unwrap_or(0);
    (0..n)
        .map(|i| curves.iter().map(|c| c[i]).sum::<f64>() / curves.len() as f64)
        .collect()
}

pub(crate) fn whole_runs(quick: bool) -> Result<String, String> {
    let root = root();
    cargo(&["build", "--release", "-p", "nlif-cli"])?;
    let scratch = root.join("target/xtask-runs");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut s = String::new();

    // Cost of writing outputs for the built-in default experiment.
    let out = scratch.join("default");
    let clock = Instant::now();
    let output = Command::new(nlif(&root))
        .args(["run", "--out"])
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run nlif: {e}"))?;
    let total = clock.elapsed().as_secs_f64();
    let line = String::from_utf8_lossy(&output.stdout).to_string();
    let number_after = |key: &str| -> Option<f64> {
        let at = line.find(key)? + key.len();
        line[at..].split_whitespace().next()?.parse().ok()
    };
    let (wall, written) = (
        number_after(" in ").unwrap_or(f64::NAN),
        number_after("written in ").unwrap_or(f64::NAN),
    );
    let _ = writeln!(s, "## Whole runs (`nlif`)\n");
    let _ = writeln!(
        s,
        "**Output cost.** `nlif run` (the built-in multi-scale run through blow-up A, 1e5\n\
         particles, dt = 1e-4): simulation {wall:.2} s, writing summary, CSV, NPY and plots\n\
         {written:.3} s = {:.2} % of the run (goal: below 5 %); process total {total:.2} s.\n",
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
        "**Multi-scale against pure micro** (dt = 1e-3 for both solvers, samples every 0.01,\n\
         `--set solver.macro.dt=1e-3 --set solver.micro.dt=1e-3 --set output.interval=1e-2`).\n\
         Error: mean |N(t) - N_ref(t)| over the run relative to the mean reference rate, the\n\
         reference being the average of {} pure micro runs with {reference_size} particles\n\
         (10× the smaller size). Speed-up = micro wall time / multi-scale wall time.\n",
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
                "output.interval=1e-2".into(),
                "output.density_interval=None".into(),
                "output.plots=false".into(),
                format!("solver.micro.particles={n}"),
                format!("solver.kind={kind}"),
                format!("seed={seed}"),
            ]
        };
        let mut references = Vec::new();
        for seed in seeds {
            let out = scratch.join(format!("{case}-ref-{seed}"));
            references.push(
                run(
                    &root,
                    &format!("{case}.ron"),
                    &out,
                    &base(reference_size, "Micro", seed),
                )?
                .rates,
            );
        }
        let reference = average(&references);
        for &n in sizes {
            let micro = run(
                &root,
                &format!("{case}.ron"),
                &scratch.join(format!("{case}-micro-{n}")),
                &base(n, "Micro", 1),
            )?;
            let multi = run(
                &root,
                &format!("{case}.ron"),
                &scratch.join(format!("{case}-ms-{n}")),
                &base(n, "Multiscale", 1),
            )?;
            let t_end = multi.rates.len() as f64 * 0.01;
            let errors = if n < reference_size {
                (
                    format!("{:.3}", distance(&micro.rates, &reference)),
                    format!("{:.3}", distance(&multi.rates, &reference)),
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
    Ok(s)
}
