//! `cargo xtask bench --accuracy`: what a result of given accuracy costs.
//!
//! **Stationary rate.** For three networks with an exact stationary rate (docs/model.md
//! §6: `b = 0`; `b = 0.5`; `b = 0.5` with rate-dependent noise `a1 = 0.5`), each stepper
//! runs `N_p` particles from the Gaussian of `configs/micro-steady.ron`, discards a burn-in
//! and measures the rate over `T` time units; the bias is `rate / exact - 1`, its standard
//! error comes from the means of 1-time-unit batches (the batches are nearly independent:
//! the rate's correlation time is well below one time unit). `T` is chosen per point so
//! that the run costs about the same whatever `dt`, and grows where the bias is small.
//! Brian2's Euler–Maruyama (and its `heun`) run the same networks through
//! `benches/peers/lif_brian2.py` where Brian2 is installed.
//!
//! **Cost** is wall time per unit of model time per 1e5 neurons on one core:
//! `1e5 / dt × (seconds per neuron-step)`, the seconds per neuron-step measured here on one
//! thread for `N_p = 1e5` (ours) or reported by the peer script (Brian2, one thread).
//!
//! **Transient.** The time of the first multiple firing event of blow-up A
//! (`configs/blowup-a.ron`) against a 1e6-particle run at `dt = 1e-4`, for pure particle
//! runs at several `dt` and the multi-scale solver.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

use multiscale::{RunConfig, Simulation, SolverKind};
use nlif_micro::{MicroConfig, Parallelism, ParticleSystem, Stepper};
use nlif_model::{InitialDensity, Input, ModelParams, stationary_states};
use serde_json::{Value, json};

use crate::root;

/// One network with its exact stationary rate.
struct Network {
    name: &'static str,
    params: ModelParams,
}

fn networks() -> Vec<Network> {
    let p = |b: f64, a1: f64| ModelParams {
        b,
        a1,
        ..ModelParams::default()
    };
    vec![
        Network {
            name: "b = 0",
            params: p(0.0, 0.0),
        },
        Network {
            name: "b = 0.5",
            params: p(0.5, 0.0),
        },
        Network {
            name: "b = 0.5, a1 = 0.5",
            params: p(0.5, 0.5),
        },
    ]
}

const INITIAL: InitialDensity = InitialDensity::Gaussian {
    mean: 0.0,
    var: 0.5,
};
const BURN: f64 = 3.0;

/// A measured point: bias, its standard error, cost.
#[derive(Debug, Clone)]
struct Point {
    method: String,
    network: &'static str,
    dt: f64,
    bias: f64,
    se: f64,
    /// Seconds per unit model time per 1e5 neurons, one core.
    cost: f64,
}

/// Seconds per neuron-step of `stepper` on one thread at `N_p = 1e5`, dt = 1e-3, b = 0.5
/// (the fastest of three repeats of 200 steps).
fn seconds_per_neuron_step(stepper: Stepper) -> Result<f64, String> {
    let n = 100_000;
    let config = MicroConfig {
        particles: n,
        dt: 1e-3,
        stepper,
        ..MicroConfig::default()
    };
    let params = ModelParams {
        b: 0.5,
        ..ModelParams::default()
    };
    let mut net = ParticleSystem::from_initial(
        params,
        Input::None,
        config,
        &INITIAL,
        -6.0,
        1,
        Parallelism::Sequential,
    )
    .map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let clock = Instant::now();
        for _ in 0..200 {
            let _ = net.step();
        }
        best = best.min(clock.elapsed().as_secs_f64() / (200.0 * n as f64));
    }
    Ok(best)
}

/// Rate and its standard error from batches of one time unit after the burn-in.
fn stationary_rate(
    params: ModelParams,
    stepper: Stepper,
    dt: f64,
    particles: usize,
    batches: usize,
) -> Result<(f64, f64), String> {
    let config = MicroConfig {
        particles,
        dt,
        stepper,
        ..MicroConfig::default()
    };
    let mut net = ParticleSystem::from_initial(
        params,
        Input::None,
        config,
        &INITIAL,
        -6.0,
        7,
        Parallelism::Rayon,
    )
    .map_err(|e| e.to_string())?;
    let per_unit = (1.0 / dt).round() as u64;
    for _ in 0..(BURN * per_unit as f64) as u64 {
        let _ = net.step();
    }
    let mut means = Vec::with_capacity(batches);
    for _ in 0..batches {
        let spikes: u64 = (0..per_unit).map(|_| net.step().spikes).sum();
        means.push(spikes as f64 / (particles as f64 * per_unit as f64 * dt));
    }
    Ok(mean_se(&means))
}

fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}

/// Brian2 on the same network (None where Brian2 is not installed or the run fails).
fn brian2(network: &Network, method: &str, dt: f64, t: f64) -> Option<(f64, f64, f64)> {
    let script = root().join("benches/peers/lif_brian2.py");
    let output = Command::new("python3")
        .arg(script)
        .args([
            "--n",
            "100000",
            "--repeats",
            "1",
            "--json",
            "--method",
            method,
        ])
        .args(["--b", &network.params.b.to_string()])
        .args(["--a1", &network.params.a1.to_string()])
        .args(["--dt", &dt.to_string(), "--burn", &BURN.to_string()])
        .args(["--t-end", &t.to_string()])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "xtask: Brian2 ({method}, dt = {dt}) did not run: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(text.lines().last()?).ok()?;
    Some((
        value["rate"].as_f64()?,
        value["rate_se"].as_f64()?,
        1.0 / value["neuron_steps_per_second"].as_f64()?,
    ))
}

/// The section of docs/performance.md, and the points as JSON.
pub(crate) fn section(quick: bool) -> Result<(String, Value), String> {
    let dts: &[f64] = if quick {
        &[1e-2, 1e-3]
    } else {
        &[2e-2, 1e-2, 5e-3, 2e-3, 1e-3, 3e-4, 1e-4]
    };
    let particles = 100_000;
    // Batches of one time unit per point: about 2e9 neuron-steps, 20 to 200 batches
    // (standard error about 0.2 % at 20 batches, 0.07 % at 200); 8 at dt = 1e-4, run
    // for Euler–Maruyama only (the others are within their error well before).
    let batches_for = |dt: f64| -> usize {
        if quick {
            4
        } else if dt < 3e-4 {
            8
        } else {
            ((2e9 * dt / particles as f64).round() as usize).clamp(20, 200)
        }
    };
    let mut points = Vec::new();
    let steppers = [
        ("nlif Euler–Maruyama", Stepper::EulerMaruyama),
        ("nlif Brownian bridge", Stepper::BrownianBridge),
        ("nlif exact OU", Stepper::ExactOu),
    ];
    for (label, stepper) in steppers {
        let per_step = seconds_per_neuron_step(stepper)?;
        eprintln!("xtask: {label}: {:.2} ns per neuron-step", per_step * 1e9);
        for network in networks() {
            let exact = exact_rate(&network)?;
            for &dt in dts {
                if dt < 3e-4 && stepper != Stepper::EulerMaruyama {
                    continue;
                }
                let batches = batches_for(dt);
                let (rate, se) = stationary_rate(network.params, stepper, dt, particles, batches)?;
                eprintln!(
                    "xtask: {label}, {}, dt = {dt}: bias {:+.3} % ± {:.3} %",
                    network.name,
                    100.0 * (rate / exact - 1.0),
                    100.0 * se / exact
                );
                points.push(Point {
                    method: label.to_owned(),
                    network: network.name,
                    dt,
                    bias: rate / exact - 1.0,
                    se: se / exact,
                    cost: per_step * 1e5 / dt,
                });
            }
        }
    }
    let brian_dts: &[f64] = if quick {
        &[1e-3]
    } else {
        &[1e-2, 3e-3, 1e-3, 3e-4]
    };
    for method in ["euler", "heun"] {
        for network in networks() {
            let exact = exact_rate(&network)?;
            for &dt in brian_dts {
                // 5 to 20 time units (quick 2): Brian2 is slower, its bias larger.
                let t = if quick {
                    2.0
                } else {
                    (1e4 * dt).clamp(5.0, 20.0)
                };
                let Some((rate, se, per_step)) = brian2(&network, method, dt, t) else {
                    continue;
                };
                points.push(Point {
                    method: format!("Brian2 {method}"),
                    network: network.name,
                    dt,
                    bias: rate / exact - 1.0,
                    se: se / exact,
                    cost: per_step * 1e5 / dt,
                });
            }
        }
    }
    let transient = transient(quick)?;
    let text = render(&points, &transient, quick);
    let json = json!({
        "points": points.iter().map(|p| json!({
            "method": p.method, "network": p.network, "dt": p.dt,
            "bias": p.bias, "se": p.se, "cost": p.cost,
        })).collect::<Vec<_>>(),
        "transient": transient.iter().map(|(label, t, wall)| json!({
            "method": label, "first_mfe": t, "seconds": wall,
        })).collect::<Vec<_>>(),
    });
    Ok((text, json))
}

fn exact_rate(network: &Network) -> Result<f64, String> {
    let states = stationary_states(&network.params, 0.0).map_err(|e| e.to_string())?;
    let stable: Vec<f64> = states.iter().filter(|s| s.stable).map(|s| s.rate).collect();
    match stable.as_slice() {
        [rate] => Ok(*rate),
        _ => Err(format!(
            "{}: expected one stable state, got {states:?}",
            network.name
        )),
    }
}

/// Blow-up A: (label, time of the first multiple firing event, wall seconds).
fn transient(quick: bool) -> Result<Vec<(String, f64, f64)>, String> {
    let params = ModelParams {
        b: 3.0,
        ..ModelParams::default()
    };
    let initial = InitialDensity::Gaussian {
        mean: -1.0,
        var: 0.5,
    };
    let run = |kind: SolverKind, particles: usize, dt: f64| -> Result<(f64, f64), String> {
        let mut config = RunConfig {
            kind,
            t_end: 3.6,
            seed: 1,
            sample_interval: 1e-2,
            density_interval: None,
            ..RunConfig::default()
        };
        config.micro.particles = particles;
        config.micro.dt = dt;
        config.macro_config.dt = dt;
        let clock = Instant::now();
        let mut sim = Simulation::new(params, Input::None, &initial, config, Parallelism::Rayon)
            .map_err(|e| e.to_string())?;
        sim.run(&mut ()).map_err(|e| e.to_string())?;
        let wall = clock.elapsed().as_secs_f64();
        let first = sim.trace().mfes.first().map_or(f64::NAN, |m| m.t);
        Ok((first, wall))
    };
    let (reference_n, n) = if quick {
        (100_000, 20_000)
    } else {
        (1_000_000, 100_000)
    };
    let mut out = Vec::new();
    let (t_ref, wall) = run(SolverKind::Micro, reference_n, 1e-4)?;
    out.push((
        format!("reference: particles, N_p = {reference_n}, dt = 1e-4"),
        t_ref,
        wall,
    ));
    for dt in [1e-3, 5e-4, 2e-4] {
        let (t, wall) = run(SolverKind::Micro, n, dt)?;
        out.push((format!("particles, N_p = {n}, dt = {dt:e}"), t, wall));
    }
    for dt in [1e-3, 1e-4] {
        let (t, wall) = run(SolverKind::Multiscale, n, dt)?;
        out.push((format!("multi-scale, N_p = {n}, dt = {dt:e}"), t, wall));
    }
    Ok(out)
}

/// The cheapest measured point of `method` on `network` whose bias is within `target`
/// by at least its standard error.
fn cheapest<'a>(
    points: &'a [Point],
    method: &str,
    network: &str,
    target: f64,
) -> Option<&'a Point> {
    points
        .iter()
        .filter(|p| p.method == method && p.network == network)
        .filter(|p| p.bias.abs() + p.se <= target)
        .min_by(|a, b| a.cost.total_cmp(&b.cost))
}

fn render(points: &[Point], transient: &[(String, f64, f64)], quick: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Accuracy per cost (`cargo xtask bench --accuracy{}`)\n",
        if quick { " --quick" } else { "" }
    );
    let _ = writeln!(
        s,
        "Stationary rate against the exact one (docs/model.md §6), 1e5 neurons from the\n\
         Gaussian of `configs/micro-steady.ron`, burn-in {BURN} time units, bias ± one standard\n\
         error from 1-time-unit batch means. Cost: seconds of one core per unit of model\n\
         time per 1e5 neurons (`1e5 / dt ×` the time per neuron-step measured on one\n\
         thread). Brian2 2.9.0 (`benches/peers/lif_brian2.py`, Cython) on the same networks\n\
         where installed. The figure: `docs/figures/accuracy.png`.\n"
    );
    let mut methods: Vec<&str> = points.iter().map(|p| p.method.as_str()).collect();
    methods.dedup();
    let networks: Vec<&str> = networks().iter().map(|n| n.name).collect();
    let _ = writeln!(
        s,
        "Cost at which each method first reaches |bias| ≤ 1 % and ≤ 0.3 % (|bias| + SE within the target; — : not at any measured `dt`):\n"
    );
    let _ = write!(s, "| method |");
    for n in &networks {
        let _ = write!(s, " {n}: 1 % | {n}: 0.3 % |");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "|---|{}", "---|---|".repeat(networks.len()));
    for m in &methods {
        let _ = write!(s, "| {m} |");
        for n in &networks {
            for target in [0.01, 0.003] {
                match cheapest(points, m, n, target) {
                    Some(p) => {
                        let _ = write!(s, " {:.3} s (dt = {:e}) |", p.cost, p.dt);
                    }
                    None => {
                        let _ = write!(s, " — |");
                    }
                }
            }
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "\nAll points (bias in %):\n");
    let _ = writeln!(s, "| method | network | dt | bias | ± SE | cost (s) |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for p in points {
        let _ = writeln!(
            s,
            "| {} | {} | {:e} | {:+.3} | {:.3} | {:.3} |",
            p.method,
            p.network,
            p.dt,
            100.0 * p.bias,
            100.0 * p.se,
            p.cost
        );
    }
    let _ = writeln!(
        s,
        "\n**Transient**: the first multiple firing event of blow-up A (b = 3, from\n\
         Gaussian(-1, 0.5); Brian2 has no in-step cascades and does not represent it).\n"
    );
    let _ = writeln!(s, "| run | first MFE | error | wall (s) |");
    let _ = writeln!(s, "|---|---|---|---|");
    let reference = transient.first().map_or(f64::NAN, |r| r.1);
    for (label, t, wall) in transient {
        let _ = writeln!(
            s,
            "| {label} | {t:.4} | {:+.4} | {wall:.2} |",
            t - reference
        );
    }
    let _ = writeln!(s);
    s
}
