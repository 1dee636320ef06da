//! Runs of an excitatory–inhibitory network with synaptic delays through the program
//! (`nlif init --populations 2`, every connection delayed): `Macro` and `Micro` runs
//! simulate them, a switching run refuses them by their entry, and a delay that is not a
//! whole number of the solver's steps is refused by `check` naming the entry.
//!
//! Oracle: the stationary state does not depend on the delays (docs/model.md §12), so the
//! delayed density and particles settle at `nlif steady`'s exact rates. The density's
//! tolerance, 2e-3 relative, bounds the example grid's error, which is the same with and
//! without delays (measured at t = 8: 6.4e-4 for E, 1.4e-3 for I, both ways to within
//! 2e-5). The particles' mean over 8 batches of half a time unit is held to 5 batch
//! standard errors (Student t with 7 degrees of freedom: a chance failure below 2 in a
//! thousand) plus the bridge stepper's 1 % bias bound (tests of nlif-micro).

mod common;

use std::path::Path;

use common::{batch_means, fails, nlif, nlif_env, scratch, status, stderr, stdout};

const DELAYS: &str = "model.delay=[[0.02, 0.05], [0.05, 0.1]]";

fn example(dir: &Path) -> String {
    let out = nlif(&["init", "--populations", "2"], dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("ei.ron"), &out.stdout).unwrap();
    dir.join("ei.ron").to_string_lossy().into_owned()
}

fn exact(dir: &Path, file: &str) -> [f64; 2] {
    let out = nlif(&["steady", "--config", file, "--json"], dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rates = &json["states"][0]["rates"];
    [rates[0].as_f64().unwrap(), rates[1].as_f64().unwrap()]
}

/// The last row's `rate_E`, `rate_I`.
fn last_rates(out: &Path) -> [f64; 2] {
    let text = std::fs::read_to_string(out.join("rate.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let last: Vec<&str> = lines.last().unwrap().split(',').collect();
    let column = |name: &str| {
        let k = header.iter().position(|h| *h == name).unwrap();
        last[k].parse::<f64>().unwrap()
    };
    [column("rate_E"), column("rate_I")]
}

#[test]
fn a_delayed_density_settles_at_the_exact_stationary_rates() {
    let dir = scratch("delay-macro");
    let file = example(&dir);
    let exact = exact(&dir, &file);
    let args = [
        "run",
        &file,
        "--out",
        "macro",
        "--quiet",
        "--set",
        "solver.kind=Macro",
        "--set",
        DELAYS,
        "--set",
        "t_end=8",
        "--set",
        "output.plots=false",
    ];
    let out = nlif(&args, &dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let rates = last_rates(&dir.join("macro"));
    for alpha in 0..2 {
        assert!(
            (rates[alpha] / exact[alpha] - 1.0).abs() < 2e-3,
            "population {alpha}: {} vs {}",
            rates[alpha],
            exact[alpha]
        );
    }
}

/// `head` followed by `--set s` for each of `sets`.
fn with_sets<'a>(head: &[&'a str], sets: &[&'a str]) -> Vec<&'a str> {
    let mut args = head.to_vec();
    for s in sets {
        args.extend(["--set", s]);
    }
    args
}

/// Particles with every connection delayed, driven (`I = 1.5`) so that both populations
/// fire often enough for a tight mean, settle at the exact rates of the same network
/// without delays.
#[test]
fn delayed_particles_settle_at_the_exact_stationary_rates() {
    let dir = scratch("delay-micro");
    let file = example(&dir);
    let sets = [
        "model.populations[0].input=Constant(i0: 1.5)",
        "model.populations[1].input=Constant(i0: 1.5)",
        "initial=Gaussian(mean: 1.0, var: 0.2)",
        "output.plots=false",
        "t_end=6",
    ];
    let out = nlif(
        &with_sets(&["steady", "--config", &file, "--json"], &sets),
        &dir,
    );
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let states = json["states"].as_array().unwrap();
    assert_eq!(states.len(), 1, "{json}");
    let mut args = with_sets(
        &["run", &file, "--out", "micro", "--quiet", "--threads", "2"],
        &sets,
    );
    args.extend([
        "--set",
        "solver.kind=Micro",
        "--set",
        "solver.micro.particles=20000",
        "--set",
        "solver.micro.dt=1e-3",
        "--set",
        DELAYS,
    ]);
    let out = nlif(&args, &dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    for (alpha, name) in ["E", "I"].into_iter().enumerate() {
        let exact = states[0]["rates"][alpha].as_f64().unwrap();
        let late = batch_means(&dir.join("micro"), &format!("rate_{name}"));
        let m = late.len() as f64;
        let mean = late.iter().sum::<f64>() / m;
        let var = late.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
        let se = (var / m).sqrt();
        println!("{name}: {mean:.4} ± {se:.4}, exact {exact:.4}");
        assert!(
            (mean - exact).abs() <= 5.0 * se + 0.01 * exact,
            "{name}: {mean} ± {se} vs {exact}"
        );
    }
}

/// A delay must be a whole number of the run's steps (of both in a switching run, whose
/// hand-overs carry the histories); the dilated run refuses any by its path.
#[test]
fn check_names_a_fractional_delay() {
    let dir = scratch("delay-refused");
    let file = example(&dir);
    for command in ["check", "run"] {
        let args = [
            command,
            &file,
            "--set",
            "solver.kind=Multiscale",
            "--set",
            "model.delay=[[0.0, 0.00015], [0.0, 0.0]]",
        ];
        fails(
            &nlif(&args, &dir),
            &["model.delay[0][1]", "whole number of steps"],
        );
        assert!(!dir.join("out").exists(), "{command} wrote outputs");
    }
    let out = nlif(
        &[
            "check",
            &file,
            "--set",
            "solver.kind=Macro",
            "--set",
            "model.delay=[[0.0, 0.00015], [0.0, 0.0]]",
        ],
        &dir,
    );
    fails(&out, &["model.delay[0][1]", "whole number of steps"]);
    // The particles' step, not the density's, for a `Micro` run.
    let out = nlif(
        &[
            "check",
            &file,
            "--set",
            "solver.kind=Micro",
            "--set",
            "solver.micro.dt=1e-3",
            "--set",
            "model.delay=[[0.0, 0.0], [0.0025, 0.0]]",
        ],
        &dir,
    );
    fails(&out, &["model.delay[1][0]", "whole number of steps"]);
}

/// The memory check counts the density's history of rates: a delay of 1e4 time units is
/// 1e7 rates of the example's `dt = 1e-3` per delayed population, 80 MB, which a limit of
/// 50 MB refuses, blaming the delay (the run without it needs about a megabyte), and a
/// limit of 1 GB takes.
#[test]
fn the_memory_check_counts_the_history_of_a_long_delay() {
    let dir = scratch("delay-memory");
    let file = example(&dir);
    let args = [
        "check",
        &file,
        "--set",
        "solver.kind=Macro",
        "--set",
        "solver.macro.dt=1e-3",
        "--set",
        "model.delay=[[0.0, 0.0], [10000.0, 0.0]]",
    ];
    fails(&nlif_env(&args, &dir, "50M"), &["model.delay", "memory"]);
    let out = nlif_env(&args, &dir, "1G");
    assert_eq!(status(&out), 0, "{}", stderr(&out));
}
