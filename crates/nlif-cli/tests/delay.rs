//! Runs of an excitatory–inhibitory network with synaptic delays through the program
//! (`nlif init --populations 2`, every connection delayed): a `Macro` run simulates them,
//! the runs with particles refuse them by their entry, and a delay that is not a whole
//! number of the density's steps is refused by `check` naming the entry.
//!
//! Oracle: the stationary state does not depend on the delays (docs/model.md §12), so the
//! delayed density settles at `nlif steady`'s exact rates; the tolerance, 2e-3 relative,
//! bounds the example grid's error of the density, which is the same with and without
//! delays (measured at t = 8: 6.4e-4 for E, 1.4e-3 for I, both ways to within 2e-5).

mod common;

use std::path::Path;

use common::{fails, nlif, scratch, status, stderr, stdout};

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

#[test]
fn runs_with_particles_refuse_a_delay_and_check_names_a_fractional_one() {
    let dir = scratch("delay-refused");
    let file = example(&dir);
    for kind in ["Micro", "Multiscale"] {
        let out = nlif(
            &[
                "check",
                &file,
                "--set",
                &format!("solver.kind={kind}"),
                "--set",
                DELAYS,
            ],
            &dir,
        );
        fails(
            &out,
            &[
                "invalid `model.delay[0][0]`",
                "does not simulate synaptic delays",
            ],
        );
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
}
