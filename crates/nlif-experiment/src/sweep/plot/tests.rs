//! Unit tests of the sweep plot: both figures drawn, the theory against docs/model.md §6,
//! the numbering of non-numeric values, the refinement, the class names.

use std::path::Path;

use nlif_model::{InitialDensity, Input};

use super::axes::grid_positions;
use super::theory::{blowup_guaranteed, overlays, refine, stationary_count};
use super::*;

/// The reference model of docs/model.md §6: `a0 = 1, a1 = 0, V_F = 2, V_R = 1`, no
/// input.
fn base() -> Config {
    let mut config = Config::builtin();
    let m = &mut config.model;
    (m.a0, m.b, m.v_f, m.v_r) = (1.0, 3.0, 2.0, 1.0);
    m.a1 = crate::config::Pairwise::Scalar(0.0);
    m.input = Input::None;
    config
}

/// A made-up outcome at `b` (and initial mean `mean`).
fn outcome(b: f64, mean: f64) -> (Class, Option<f64>, usize) {
    let drive = b + mean;
    if (b - 2.5).abs() < 1e-9 && mean == 0.0 {
        (Class::Error, None, 0)
    } else if drive < 0.5 {
        (Class::Asynchronous, Some(0.12 * (b + 1.0).powi(2)), 0)
    } else if drive < 1.5 {
        (Class::MfesThenRelaxation, Some(0.5 * (b + 1.0)), 2)
    } else if drive < 2.5 {
        (Class::SustainedMfes, Some(3.0 * b), 7 + (3.0 * b) as usize)
    } else {
        (Class::BlowUp, Some(2e3), 0)
    }
}

/// Width and height of a PNG file, read from its `IHDR` chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "a PNG file");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

fn check(dir: &Path, size: (u32, u32)) {
    let png = std::fs::read(dir.join("sweep.png")).unwrap();
    assert_eq!(png_size(&png), size);
    let svg = std::fs::read_to_string(dir.join("sweep.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.len() > 1000, "{}", svg.len());
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nlif-sweep-plot-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn one_and_two_parameter_sweeps_are_drawn() {
    let base = base();
    let one: Vec<PlotPoint> = (0..=16)
        .map(|k| {
            let b = 0.25 * f64::from(k);
            let (class, mean_rate, mfes) = outcome(b, 0.0);
            PlotPoint {
                x: b,
                y: None,
                mean_rate,
                mfes,
                class,
            }
        })
        .collect();
    let dir = temp_dir("one");
    draw(&dir, "sweep of `test`", &base, "model.b", None, &one).unwrap();
    let figure = Figure::new("", &base, "model.b", None, &one);
    assert_eq!(figure.size.0, 1200);
    assert!(figure.size.1 > 700, "a legend strip");
    check(&dir, figure.size);
    // The theory of a sweep over b: all three counts of §6 occur.
    assert_eq!(figure.theory.counts(), [0, 1, 2]);
    assert!(figure.theory.blowup.is_none());
    std::fs::remove_dir_all(&dir).unwrap();

    // b in 0..4 (first, slowest) × initial.mean in -2..1.
    let mut two = Vec::new();
    for i in 0..=8 {
        for j in 0..=6 {
            let (b, mean) = (0.5 * f64::from(i), -2.0 + 0.5 * f64::from(j));
            let (class, mean_rate, mfes) = outcome(b, mean);
            two.push(PlotPoint {
                x: b,
                y: Some(mean),
                mean_rate,
                mfes,
                class,
            });
        }
    }
    let dir = temp_dir("two");
    draw(
        &dir,
        "sweep of `test`",
        &base,
        "model.b",
        Some("initial.mean"),
        &two,
    )
    .unwrap();
    let figure = Figure::new("", &base, "model.b", Some("initial.mean"), &two);
    check(&dir, figure.size);
    assert!(figure.theory.any_blowup());
    assert_eq!(figure.theory.counts(), [0, 1, 2]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_number_of_stationary_states_follows_docs_model_6() {
    let base = base();
    assert_eq!(stationary_count(&base, "model.b", 0.0, None), Some(1));
    assert_eq!(stationary_count(&base, "model.b", 0.5, None), Some(1));
    assert_eq!(stationary_count(&base, "model.b", 1.5, None), Some(2));
    assert_eq!(stationary_count(&base, "model.b", 3.0, None), Some(0));
    // The second parameter counts too; invalid parameters are blank.
    let y = Some(("model.b", 1.5));
    assert_eq!(stationary_count(&base, "initial.mean", -1.0, y), Some(2));
    assert_eq!(stationary_count(&base, "model.a0", -1.0, None), None);
    assert_eq!(stationary_count(&base, "solver.macro.dv", 0.01, None), None);
    // Overlays only for model and initial-data parameters.
    assert_eq!(overlays(&base, "model.b", None), (true, false));
    assert_eq!(
        overlays(&base, "model.b", Some("initial.mean")),
        (true, true)
    );
    assert_eq!(
        overlays(&base, "initial.mean", Some("initial.var")),
        (false, true)
    );
    assert_eq!(overlays(&base, "model.b", Some("seed")), (false, false));
    assert_eq!(overlays(&base, "model.input.i0", None), (false, false));
    let mut constant = base.clone();
    constant.model.input = Input::Constant { i0: 0.0 };
    assert_eq!(overlays(&constant, "model.input.i0", None), (true, false));
    // The varied current enters: at b = 1.5, no input is §6's two states; an excitatory
    // current of 1 leaves none.
    let at = |i0: f64| stationary_count(&constant, "model.input.i0", i0, Some(("model.b", 1.5)));
    assert_eq!(at(0.0), Some(2));
    assert_eq!(at(1.0), Some(0));
    // A time-dependent input has no stationary states to count.
    let mut pulse = base.clone();
    pulse.model.input = Input::Pulse {
        t0: 1.0,
        duration: 1.0,
        amplitude: 1.0,
    };
    assert_eq!(overlays(&pulse, "model.b", None), (false, false));
    assert_eq!(stationary_count(&pulse, "model.b", 1.5, None), None);
}

#[test]
fn the_blowup_criterion_marks_mass_near_the_threshold() {
    let base = base();
    let narrow = |mean: f64| Some(("initial.mean", mean));
    let mut config = base.clone();
    config.initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.01,
    };
    assert_eq!(
        blowup_guaranteed(&config, "model.b", 3.0, narrow(1.5)),
        Some(true)
    );
    assert_eq!(
        blowup_guaranteed(&config, "model.b", 3.0, narrow(-3.0)),
        Some(false)
    );
    // b <= 0: the criterion says nothing.
    assert_eq!(
        blowup_guaranteed(&config, "model.b", 0.0, narrow(1.5)),
        Some(false)
    );
    // A variance the model rejects: blank.
    assert_eq!(blowup_guaranteed(&config, "initial.var", -1.0, None), None);
}

#[test]
fn non_numeric_values_are_numbered_in_row_major_order() {
    let nan = f64::NAN;
    // x non-numeric, 2 values × 3 values of y.
    let (x, y) = grid_positions(&[nan; 6], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    assert_eq!(y, [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    // y non-numeric.
    let (x, y) = grid_positions(&[5.0, 5.0, 5.0, 6.0, 6.0, 6.0], &[nan; 6]);
    assert_eq!(x, [5.0, 5.0, 5.0, 6.0, 6.0, 6.0]);
    assert_eq!(y, [0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
    // One parameter: points at their index, the axis labelled "point".
    let points: Vec<PlotPoint> = (0..3)
        .map(|k| PlotPoint {
            x: nan,
            y: None,
            mean_rate: Some(1.0 + f64::from(k)),
            mfes: k as usize,
            class: Class::Asynchronous,
        })
        .collect();
    let figure = Figure::new("", &base(), "solver.kind", None, &points);
    assert_eq!(figure.x.pos, [0.0, 1.0, 2.0]);
    assert_eq!(figure.x.label, "point");
    assert!(figure.theory.stationary.is_none() && figure.theory.blowup.is_none());
    assert_eq!(figure.legend.len(), 1);
}

#[test]
fn refinement_samples_only_near_boundaries_and_misses_nothing_large() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A disc and a half-plane over a phase diagram.
    let calls = AtomicUsize::new(0);
    let f = |i: usize, j: usize| {
        calls.fetch_add(1, Ordering::Relaxed);
        let (x, y) = (i as f64, j as f64);
        (
            (x - 10.0).powi(2) + (y - 14.0).powi(2) < 80.0,
            x + 0.5 * y > 20.0,
        )
    };
    let refined = refine(33, 33, 4, f);
    let direct: Vec<_> = (0..33 * 33).map(|k| f(k % 33, k / 33)).collect();
    assert_eq!(refined, direct);
    let sampled = calls.load(Ordering::Relaxed) - direct.len();
    assert!(sampled < direct.len() / 2, "{sampled} samples");
    // Steps along one parameter.
    let step = |i: usize, _: usize| [0, 1, 1, 2, 0][(i * 5 / 201).min(4)];
    let refined = refine(201, 1, 8, step);
    let direct: Vec<_> = (0..201).map(|i| step(i, 0)).collect();
    assert_eq!(refined, direct);
}

#[test]
fn class_names() {
    for class in Class::ALL {
        let json = serde_json::to_string(&class).unwrap();
        assert_eq!(json, format!("\"{}\"", class.as_str()));
    }
    assert_eq!(Class::BlowUp.label(), "blow-up (Macro)");
}
