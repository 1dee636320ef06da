//! Figure 10, the phase diagram: the multi-scale solver over connectivity `b` and the
//! initial mean, drawn by `nlif sweep`, against the theory of nlif-model.

use std::process::Command;

use nlif_model::{ModelParams, blowup_witness, stationary_states};
use serde_json::Value;

use super::{Ctx, Figure, Number, Tol};
use crate::{cargo, root};

/// What the theory says of `(b, mean)`: no stationary state, or the blow-up criterion
/// holds for the initial Gaussian (variance `var`) on the solver's grid.
fn theory_predicts_bursts(b: f64, mean: f64, var: f64) -> Result<bool, String> {
    let params = ModelParams {
        b,
        ..ModelParams::default()
    };
    let states = stationary_states(&params, 0.0).map_err(|e| e.to_string())?;
    if states.is_empty() {
        return Ok(true);
    }
    let grid = fp_macro::Grid::for_model(&params, -4.0, 0.02).map_err(|e| e.to_string())?;
    let initial = nlif_model::InitialDensity::Gaussian { mean, var };
    let density = grid.discretise(&initial).map_err(|e| e.to_string())?;
    let v: Vec<f64> = grid.nodes().collect();
    let mass: Vec<f64> = density.iter().map(|p| p * grid.spacing()).collect();
    Ok(blowup_witness(&params, &v, &mass)
        .map_err(|e| e.to_string())?
        .is_some())
}

pub(crate) fn phase_diagram(ctx: &Ctx) -> Result<Figure, String> {
    let root = root();
    cargo(&["build", "--release", "-p", "nlif-cli"])?;
    let scratch = root.join("target/xtask-phase");
    let _ = std::fs::remove_dir_all(&scratch);
    let (nb, particles) = (ctx.pick(7, 13), ctx.pick(5_000, 20_000));
    let means = if ctx.quick {
        "[-1.0, 0.0, 1.0]"
    } else {
        "[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]"
    };
    let sets = [
        format!("solver.micro.particles={particles}"),
        "solver.macro.dt=1e-3".into(),
        "solver.micro.dt=1e-3".into(),
        "t_end=4".into(),
        "output.interval=1e-2".into(),
    ];
    let mut args: Vec<String> = vec![
        "sweep".into(),
        root.join("configs/blowup-a.ron").display().to_string(),
        "--vary".into(),
        format!("model.b=0:3:{nb}"),
        "--vary".into(),
        format!("initial.mean={means}"),
        "--out".into(),
        scratch.display().to_string(),
        "--quiet".into(),
    ];
    for s in &sets {
        args.extend(["--set".into(), s.clone()]);
    }
    let status = Command::new(root.join("target/release/nlif"))
        .args(&args)
        .status()
        .map_err(|e| format!("cannot run nlif: {e}"))?;
    if !status.success() {
        return Err(format!("nlif {} failed", args.join(" ")));
    }
    for ext in ["png", "svg"] {
        std::fs::copy(
            scratch.join(format!("sweep.{ext}")),
            ctx.stem("phase-diagram").with_extension(ext),
        )
        .map_err(|e| format!("cannot copy the sweep plot: {e}"))?;
    }
    let sweep: Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.join("sweep.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let points = sweep["points"].as_array().cloned().unwrap_or_default();
    let (mut counts, mut agree) = ([0usize; 5], 0usize);
    for p in &points {
        let class = p["class"].as_str().unwrap_or("error");
        let k = [
            "asynchronous",
            "mfes_then_relaxation",
            "sustained_mfes",
            "blow_up",
            "error",
        ]
        .iter()
        .position(|c| *c == class)
        .unwrap_or(4);
        counts[k] += 1;
        let value = |i: usize| {
            p["values"][i]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let bursts = theory_predicts_bursts(value(0), value(1), 0.5)?;
        if bursts == (class == "sustained_mfes") {
            agree += 1;
        }
    }
    let n = points.len();
    Ok(Figure {
        name: "phase-diagram",
        title: "Phase diagram",
        claim: "Claims 2 and 3: the multi-scale solver maps where the network synchronizes. It fires multiple firing events without end where the mean-field theory has no stationary state or its blow-up criterion holds for the initial data, and stays asynchronous where a stable stationary state exists; the exceptions (`agreement_with_theory` below 1) lie on the boundaries, where the theory, a sufficient criterion, does not decide",
        setup: format!(
            "`nlif sweep configs/blowup-a.ron --vary model.b=0:3:{nb} --vary 'initial.mean={means}'` ({n} points), multi-scale solver, {particles} particles, dt = 1e-3 for both solvers, t_end = 4, initial variance 0.5, seed 1. Theory (background): the number of stationary states of nlif-model and the region where the blow-up criterion holds for the initial Gaussian."
        ),
        look: "Squares coloured by the mean rate over the second half of the run. Stars (sustained MFEs) fill the region without stationary states (pink) and the hatched blow-up region; dots (asynchronous) the regions with a stationary state (green: one, blue: two, one of them stable). At the boundaries: in the bistable band a large initial mean already synchronizes, and just past the edge of the pink region a network starting low has not reached its first burst by t = 4",
        numbers: vec![
            Number::new("points", n as f64, Tol::Abs(0.0), "points of the sweep"),
            Number::new(
                "asynchronous",
                counts[0] as f64,
                Tol::Abs(2.0),
                "asynchronous points",
            ),
            Number::new(
                "mfes_then_relaxation",
                counts[1] as f64,
                Tol::Abs(2.0),
                "points with MFEs that relax",
            ),
            Number::new(
                "sustained_mfes",
                counts[2] as f64,
                Tol::Abs(2.0),
                "points with sustained MFEs",
            ),
            Number::new(
                "errors",
                (counts[3] + counts[4]) as f64,
                Tol::Abs(0.0),
                "failed points",
            ),
            Number::new(
                "agreement_with_theory",
                agree as f64 / n.max(1) as f64,
                Tol::Abs(0.1),
                "fraction of points whose sustained MFEs (or their absence) the theory predicts",
            ),
        ],
    })
}
