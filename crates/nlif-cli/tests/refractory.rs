//! Runs of an excitatory–inhibitory network with refractory periods through the program
//! (`nlif init --populations 2`, both populations driven by `I = 1.5`, E `Fixed(0.2)`,
//! I `Exponential(0.1)`: the periods take a fifth and a tenth of the time), against the
//! exact stationary state `nlif steady` computes (`1/N_α = tau_α + 1/ν_α(N)`).
//!
//! Oracles: the exact rates; the mass away, `R_α = tau_α N_α` in the stationary state
//! (the mean time away is `tau_α`), which the density snapshots miss (`∫p_α = 1 - R_α`).
//! Tolerances: the density at the example's grid, measured 1e-4 relative off, is held to
//! 1e-3; the particles' mean over 8 batches of half a time unit to 5 batch standard errors
//! (Student t with 7 degrees of freedom: a chance failure below 2 in a thousand) plus the
//! bridge stepper's 1 % bias bound (tests of nlif-micro).

mod common;

use std::path::Path;

use common::{batch_means, fails, nlif, scratch, status, stderr, stdout};

const PERIODS: [&str; 2] = [
    "model.populations[0].refractory=Fixed(tau: 0.2)",
    "model.populations[1].refractory=Exponential(tau: 0.1)",
];
const TAU: [f64; 2] = [0.2, 0.1];

fn example(dir: &Path) -> String {
    let out = nlif(&["init", "--populations", "2"], dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("ei.ron"), &out.stdout).unwrap();
    dir.join("ei.ron").to_string_lossy().into_owned()
}

/// `--set` arguments of the driven network with periods.
fn driven() -> Vec<String> {
    let mut sets = vec![
        "model.populations[0].input=Constant(i0: 1.5)".to_owned(),
        "model.populations[1].input=Constant(i0: 1.5)".to_owned(),
        "initial=Gaussian(mean: 1.0, var: 0.2)".to_owned(),
        "output.plots=false".to_owned(),
        "t_end=6".to_owned(),
        "output.density_interval=Some(1.0)".to_owned(),
    ];
    sets.extend(PERIODS.iter().map(|s| (*s).to_owned()));
    sets.into_iter()
        .flat_map(|s| ["--set".to_owned(), s])
        .collect()
}

fn exact(dir: &Path, file: &str) -> [f64; 2] {
    let mut args = vec!["steady", "--config", file, "--json"];
    let sets = driven();
    args.extend(sets.iter().map(String::as_str));
    let out = nlif(&args, dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let states = json["states"].as_array().unwrap();
    assert_eq!(states.len(), 1, "{json}");
    let rates = &states[0]["rates"];
    [rates[0].as_f64().unwrap(), rates[1].as_f64().unwrap()]
}

fn run(dir: &Path, file: &str, out: &str, extra: &[&str]) {
    let mut args = vec!["run", file, "--out", out, "--quiet", "--threads", "2"];
    let sets = driven();
    args.extend(sets.iter().map(String::as_str));
    for s in extra {
        args.extend(["--set", s]);
    }
    let output = nlif(&args, dir);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
}

/// The mass `h Σ p` of the last density snapshot of population `name`.
fn last_mass(out: &Path, name: &str) -> f64 {
    let grid = npy(&out.join(format!("grid_{name}.npy")));
    let density = npy(&out.join(format!("density_{name}.npy")));
    let n = grid.len();
    let h = grid[1] - grid[0];
    density[density.len() - n..].iter().sum::<f64>() * h
}

/// The `f64` data of a little-endian `.npy` file (version 1 header).
fn npy(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap();
    let header = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    let text = String::from_utf8_lossy(&bytes[10..10 + header]);
    assert!(text.contains("'<f8'"), "{text}");
    bytes[10 + header..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn the_density_settles_at_the_exact_rates_and_mass_away() {
    let dir = scratch("refractory-macro");
    let file = example(&dir);
    let exact = exact(&dir, &file);
    run(&dir, &file, "macro", &["solver.kind=Macro"]);
    let out = dir.join("macro");
    for (alpha, name) in ["E", "I"].into_iter().enumerate() {
        let late = batch_means(&out, &format!("rate_{name}"));
        let last = late[7];
        assert!(
            (last / exact[alpha] - 1.0).abs() < 1e-3,
            "{name}: {last} vs {}",
            exact[alpha]
        );
        let away = TAU[alpha] * exact[alpha];
        let mass = last_mass(&out, name);
        assert!(
            (mass - (1.0 - away)).abs() < 1e-3,
            "{name}: mass {mass} vs 1 - R = {}",
            1.0 - away
        );
    }
}

#[test]
fn particles_settle_at_the_exact_rates_and_mass_away() {
    let dir = scratch("refractory-micro");
    let file = example(&dir);
    let exact = exact(&dir, &file);
    let particles = 20_000.0;
    run(
        &dir,
        &file,
        "micro",
        &[
            "solver.kind=Micro",
            "solver.micro.particles=20000",
            "solver.micro.dt=1e-3",
        ],
    );
    let out = dir.join("micro");
    for (alpha, (name, share)) in [("E", 0.8), ("I", 0.2)].into_iter().enumerate() {
        let late = batch_means(&out, &format!("rate_{name}"));
        let m = late.len() as f64;
        let mean = late.iter().sum::<f64>() / m;
        let var = late.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (m - 1.0);
        let se = (var / m).sqrt();
        println!("{name}: {mean:.4} ± {se:.4}, exact {:.4}", exact[alpha]);
        assert!(
            (mean - exact[alpha]).abs() <= 5.0 * se + 0.01 * exact[alpha],
            "{name}: {mean} ± {se} vs {}",
            exact[alpha]
        );
        // The share away at the last snapshot: a binomial count of N_α neurons around
        // `R_α` (5 standard errors), plus the rate's tolerance carried into `tau N`.
        let away = TAU[alpha] * exact[alpha];
        let n = share * particles;
        let tolerance = 5.0 * (away * (1.0 - away) / n).sqrt() + TAU[alpha] * 0.02 * exact[alpha];
        let mass = last_mass(&out, name);
        assert!(
            (mass - (1.0 - away)).abs() < tolerance,
            "{name}: mass {mass} vs 1 - R = {} ± {tolerance}",
            1.0 - away
        );
    }
}

/// A switching run hands the neurons away over to particles, whose `Fixed` period must
/// be a whole number of their steps too: 0.00015 is 1.5 steps of the example's `dt`.
#[test]
fn a_switching_run_refuses_a_fractional_period_by_its_path() {
    let dir = scratch("refractory-switching");
    let file = example(&dir);
    for command in ["check", "run"] {
        let out = nlif(
            &[
                command,
                &file,
                "--set",
                "solver.kind=Multiscale",
                "--set",
                "model.populations[0].refractory=Fixed(tau: 0.00015)",
            ],
            &dir,
        );
        fails(
            &out,
            &["model.populations[0].refractory.tau", "whole number"],
        );
        assert!(!dir.join("out").exists(), "{command} wrote outputs");
    }
}

/// One population with a period runs through the network solvers (the single-population
/// ones take none). Oracle: a zero period, which is the model without one bit for bit
/// (tests of nlif-micro and fp-macro), so the network route must write the single route's
/// rate, densities and raster byte for byte, in the single form of the config, for the
/// density and the particles.
#[test]
fn one_population_with_a_zero_period_writes_the_run_without_byte_for_byte() {
    let dir = scratch("refractory-one");
    let out = nlif(&["init"], &dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("one.ron"), &out.stdout).unwrap();
    let file = dir.join("one.ron").to_string_lossy().into_owned();
    for kind in ["Macro", "Micro"] {
        for (name, period) in [
            ("without", None),
            ("zero", Some("model.refractory=Fixed(tau: 0.0)")),
        ] {
            let kind_set = format!("solver.kind={kind}");
            let out_dir = format!("{kind}-{name}");
            let mut args = vec!["run", &file, "--out", &out_dir, "--quiet"];
            let sets = [
                "t_end=0.5",
                "model.b=1.5",
                "output.plots=false",
                "solver.micro.particles=20000",
                "solver.micro.dt=1e-3",
                "solver.macro.dt=1e-3",
                &kind_set,
            ];
            for s in sets.iter().copied().chain(period) {
                args.extend(["--set", s]);
            }
            let out = nlif(&args, &dir);
            assert_eq!(status(&out), 0, "{}", stderr(&out));
        }
        let files: &[&str] = if kind == "Micro" {
            &["rate.csv", "density.npy", "grid.npy", "spikes.csv"]
        } else {
            &["rate.csv", "density.npy", "grid.npy"]
        };
        for name in files {
            let without = std::fs::read(dir.join(format!("{kind}-without")).join(name)).unwrap();
            let zero = std::fs::read(dir.join(format!("{kind}-zero")).join(name)).unwrap();
            assert!(without == zero, "{kind}: {name} differs with a zero period");
        }
    }
}

/// Asserts that the run in `out` switched `to` a description after `after` (so that a
/// test of it covers that hand-over) and that its mass check held to 1e-10 (density and
/// refractory compartments together).
fn switched_conserving_mass(out: &Path, to: &str, after: f64) {
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    let switches = summary["switches"].as_array().unwrap();
    assert!(
        (switches.iter()).any(|s| s["to"] == to && s["t"].as_f64().unwrap() > after),
        "no switch to {to} after {after}: {switches:?}"
    );
    let mass_error = summary["mass_error_max"].as_f64().unwrap();
    assert!(mass_error < 1e-10, "mass error {mass_error}");
}

/// One population with a `Fixed` period and a delay (blow-up A, b = 3) in a switching
/// run: the density hands over to particles at about t = 4.38 with its neurons away and
/// its rate history. Oracles: the run's own mass check (density and compartment summing
/// to 1 to 1e-6; a hand-over that lost the neurons away would fail it by their share,
/// and this asks 1e-10), and the straight run on two threads, which the run on one
/// thread and a run checkpointed at 4.37 (the hand-over then rolls back to a state kept
/// before the checkpoint) and resumed must write byte for byte.
#[test]
fn a_switching_run_of_one_population_hands_over_its_period_and_delay() {
    let dir = scratch("refractory-one-switching");
    let out = nlif(&["init"], &dir);
    std::fs::write(dir.join("one.ron"), &out.stdout).unwrap();
    let file = dir.join("one.ron").to_string_lossy().into_owned();
    let sets = [
        "solver.kind=Multiscale",
        "model.refractory=Fixed(tau: 0.1)",
        "model.delay=0.05",
        "solver.macro.dt=1e-3",
        "solver.micro.dt=1e-3",
        "solver.micro.particles=20000",
        "output.plots=false",
        "output.density_interval=Some(0.5)",
    ];
    let run = |out: &str, threads: &str, extra: &[&str]| {
        let mut args = vec!["run", &file, "--out", out, "--quiet", "--threads", threads];
        for s in sets.iter().chain(extra) {
            args.extend(["--set", s]);
        }
        let output = nlif(&args, &dir);
        assert_eq!(status(&output), 0, "{}", stderr(&output));
    };
    run("straight", "2", &["t_end=4.6"]);
    run("one-thread", "1", &["t_end=4.6"]);
    run(
        "halves",
        "2",
        &["t_end=4.37", "output.checkpoint=Some(0.874)"],
    );
    let out = nlif(&["resume", "halves", "--t-end", "4.6", "--quiet"], &dir);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    switched_conserving_mass(&dir.join("straight"), "micro", 4.37);
    for other in ["one-thread", "halves"] {
        for name in ["rate.csv", "density.npy", "spikes.csv"] {
            let straight = std::fs::read(dir.join("straight").join(name)).unwrap();
            let again = std::fs::read(dir.join(other).join(name)).unwrap();
            assert!(straight == again, "{name} differs in {other}");
        }
    }
}

/// Oracle: the straight run. A particle run with periods and synaptic delays
/// checkpointed at `t = 0.5` (many neurons away, in both forms, and spikes in flight on
/// every connection) and resumed to `t = 1` writes the straight run's rate, densities and
/// raster byte for byte; so does a switching run checkpointed in its particle phase at
/// `t = 0.2` and resumed (it starts with particles, the network being near its
/// threshold, and hands the neurons away and the spikes in flight over to the density at
/// about 0.28, after the resume), whose mass check asks 1e-10 of density and
/// compartments together (a hand-over that lost the neurons away would miss by their
/// share).
#[test]
fn a_run_with_periods_and_delays_resumes_bit_for_bit() {
    let dir = scratch("refractory-resume");
    let file = example(&dir);
    let common = [
        "solver.micro.particles=9000",
        "solver.micro.dt=1e-3",
        "solver.macro.dt=1e-3",
        "model.delay=[[0.02, 0.05], [0.05, 0.1]]",
    ];
    let kinds: [(&str, &[&str], &str); 2] = [
        ("Micro", &["solver.kind=Micro"], "0.5"),
        (
            "Multiscale",
            &[
                "solver.kind=Multiscale",
                "solver.switching.rate_up=1.15",
                "solver.switching.rate_down=1.1",
                "solver.switching.dwell=0.05",
            ],
            "0.25",
        ),
    ];
    for (kind, sets, half) in kinds {
        let every = format!(
            "output.checkpoint=Some({})",
            if kind == "Micro" { 0.25 } else { 0.1 }
        );
        let end = format!("t_end={half}");
        let (straight, halves) = (format!("{kind}-straight"), format!("{kind}-halves"));
        run(
            &dir,
            &file,
            &straight,
            &[&common[..], sets, &["t_end=1"]].concat(),
        );
        run(
            &dir,
            &file,
            &halves,
            &[&common[..], sets, &[&end, &every]].concat(),
        );
        let out = nlif(&["resume", &halves, "--t-end", "1", "--quiet"], &dir);
        assert_eq!(status(&out), 0, "{}", stderr(&out));
        for file in ["rate.csv", "density_E.npy", "density_I.npy", "spikes.csv"] {
            let a = std::fs::read(dir.join(&straight).join(file)).unwrap();
            let b = std::fs::read(dir.join(&halves).join(file)).unwrap();
            assert!(a == b, "{kind}: {file} differs after the resume");
        }
        if kind == "Multiscale" {
            switched_conserving_mass(&dir.join(&straight), "macro", 0.2);
        }
    }
}
