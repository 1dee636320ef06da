//! Issue #23's items about checkpoints: a checkpoint of another run, a run that ended
//! early, the progress of a resumed run, and finding the checkpoint of an output.

use super::*;

/// Item 10: a checkpoint copied beside another run's config.ron is not called "edited":
/// the message says which fields differ and that the two belong to different runs.
#[test]
fn a_checkpoint_of_another_run_says_what_differs() {
    let dir = scratch("foreign");
    for (out, seed) in [("a", "7"), ("b", "8")] {
        let o = checkpointed(&dir, out, &[&format!("seed={seed}")]);
        assert_eq!(status(&o), 0, "{}", stderr(&o));
    }
    std::fs::copy(dir.join("a/checkpoint.nlif"), dir.join("b/checkpoint.nlif")).unwrap();
    let before = std::fs::read(dir.join("b/summary.json")).unwrap();
    let o = nlif(&["resume", "b", "--t-end", "0.9", "--quiet"], &dir);
    fails(
        &o,
        &[
            "b/checkpoint.nlif and b/config.ron are of different runs: they differ in `seed` (7 in the checkpoint, 8 in config.ron)",
        ],
    );
    assert!(!stderr(&o).contains("edited since"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("b/summary.json")).unwrap(), before);
}

/// Item 10: a run that ended early is not told to give `--t-end`, which it then refuses:
/// both say it cannot be continued or extended, with its outcome and time.
#[test]
fn an_early_ended_run_is_not_offered_an_extension() {
    let dir = scratch("early");
    let sets = [
        "solver.kind=Macro",
        "solver.blow_up.stop=true",
        "solver.blow_up.rate=1.0",
    ];
    let o = checkpointed(&dir, "e", &sets);
    assert_eq!(status(&o), 3, "{}", stderr(&o));
    let s = summary(&dir.join("e"));
    assert_eq!(s["outcome"], "blow_up");
    let t = s["t_final"].as_f64().unwrap();
    let expected = format!(
        "the run in e ended early (blow_up at t = {t}): it cannot be continued or extended"
    );
    for args in [&["resume", "e"][..], &["resume", "e", "--t-end", "1.2"]] {
        let o = nlif(args, &dir);
        fails(&o, &[&expected]);
        assert!(!stderr(&o).contains("give --t-end"), "{}", stderr(&o));
    }
}

/// Item 10: progress after a resume counts the switches and MFEs of the restored trace,
/// and says so where it starts.
#[test]
fn progress_after_a_resume_counts_from_the_restored_trace() {
    let dir = scratch("progress");
    let o = checkpointed(&dir, "p", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let s = summary(&dir.join("p"));
    let switches = s["switches"].as_array().unwrap().len();
    let mfes = s["mfe"].as_array().unwrap().len();
    assert!(switches > 0 && mfes > 0, "the run must have events");
    let o = nlif(&["resume", "p", "--t-end", "0.9"], &dir);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let line = format!(
        "nlif: resumed at t = 0.6 / 0.9 with {} and {} so far",
        plural(switches, "switch", "switches"),
        plural(mfes, "MFE", "MFEs")
    );
    assert!(
        stderr(&o).contains(&line),
        "`{line}` missing from: {}",
        stderr(&o)
    );
}

/// Item 10: `nlif inspect OUT` finds the checkpoint of an output directory, and that of an
/// interrupted run in its staging directory `.OUT.partial`.
#[test]
fn inspect_finds_the_checkpoint_of_an_output() {
    let dir = scratch("inspect");
    let o = checkpointed(&dir, "a", &[]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    let o = nlif(&["inspect", "a"], &dir);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("checkpoint a/checkpoint.nlif\n"),
        "{}",
        stdout(&o)
    );
    // An interrupted run: its checkpoint only in `.b.partial`.
    std::fs::create_dir(dir.join(".b.partial")).unwrap();
    std::fs::copy(
        dir.join("a/checkpoint.nlif"),
        dir.join(".b.partial/checkpoint.nlif"),
    )
    .unwrap();
    for args in [&["inspect", "b"][..], &["check", "b"]] {
        let o = nlif(args, &dir);
        assert_eq!(status(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).starts_with("checkpoint .b.partial/checkpoint.nlif\n"),
            "{}",
            stdout(&o)
        );
    }
    let o = nlif(&["inspect", "c"], &dir);
    fails(
        &o,
        &["no checkpoint at c: neither c/checkpoint.nlif nor .c.partial/checkpoint.nlif exists"],
    );
}
