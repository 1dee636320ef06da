//! `cargo xtask figures [--quick] [--only NAME] [--check] [--out DIR]`: regenerate the
//! experiments of the paper as figures, with `docs/figures.md` quoting the numbers of the
//! very run that drew them.

mod experiments;
mod phase;
mod plot;
mod runs;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::root;

/// How much a re-computed number may move before `--check` calls it a regression.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tol {
    /// Relative.
    Rel(f64),
    /// Absolute.
    Abs(f64),
    /// Informational (wall times): never checked.
    Info,
}

/// A number quoted in `docs/figures.md`.
pub(crate) struct Number {
    key: &'static str,
    value: f64,
    tol: Tol,
    what: String,
}

impl Number {
    pub(crate) fn new(key: &'static str, value: f64, tol: Tol, what: &str) -> Self {
        Number {
            key,
            value,
            tol,
            what: what.to_owned(),
        }
    }
}

/// One figure and its documentation.
pub(crate) struct Figure {
    name: &'static str,
    title: &'static str,
    claim: &'static str,
    setup: String,
    look: &'static str,
    numbers: Vec<Number>,
}

/// Where and how big.
pub(crate) struct Ctx {
    pub(crate) quick: bool,
    out: PathBuf,
}

impl Ctx {
    pub(crate) fn pick(&self, quick: usize, full: usize) -> usize {
        if self.quick { quick } else { full }
    }
    pub(crate) fn pickf(&self, quick: f64, full: f64) -> f64 {
        if self.quick { quick } else { full }
    }
    pub(crate) fn stem(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

type Experiment = fn(&Ctx) -> Result<Figure, String>;

const EXPERIMENTS: [(&str, Experiment); 10] = [
    ("steady", experiments::steady),
    ("convergence", experiments::convergence),
    ("macro-failure", experiments::macro_failure),
    ("multiscale-blowup-a", experiments::multiscale_blowup_a),
    ("blowup-b", experiments::blowup_b),
    ("kick", experiments::kick),
    ("periodic", experiments::periodic),
    ("cost", experiments::cost),
    ("switching-precision", experiments::switching_precision),
    ("phase-diagram", phase::phase_diagram),
];

pub(crate) fn figures(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let check = args.iter().any(|a| a == "--check");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let only = value_of("--only");
    if let Some(name) = &only
        && !EXPERIMENTS.iter().any(|(n, _)| n == name)
    {
        let names: Vec<&str> = EXPERIMENTS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "no figure `{name}`; the figures are: {}",
            names.join(", ")
        ));
    }
    let root = root();
    let out = value_of("--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("docs/figures"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let ctx = Ctx {
        quick,
        out: out.clone(),
    };
    let selected: Vec<_> = EXPERIMENTS
        .iter()
        .filter(|(n, _)| only.as_deref().is_none_or(|o| o == *n))
        .collect();
    let mut done = Vec::new();
    let clock = Instant::now();
    for (k, (name, experiment)) in selected.iter().enumerate() {
        eprintln!("xtask figures: [{}/{}] {name} …", k + 1, selected.len());
        let start = Instant::now();
        let figure = experiment(&ctx)?;
        eprintln!(
            "xtask figures: [{}/{}] {name} done in {:.1} s",
            k + 1,
            selected.len(),
            start.elapsed().as_secs_f64()
        );
        done.push(figure);
    }
    eprintln!(
        "xtask figures: all done in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    let summary_name = if quick {
        "summary-quick.json"
    } else {
        "summary.json"
    };
    let committed = root.join("docs/figures").join(summary_name);
    let previous: Option<Value> = std::fs::read_to_string(&committed)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    if check {
        let previous = previous
            .as_ref()
            .ok_or_else(|| format!("--check needs the committed {}", committed.display()))?;
        compare(previous, &done)?;
    }
    // Merge into the summary (figures not re-run keep their numbers).
    let mut summary = previous
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    for figure in &done {
        let mut numbers = Map::new();
        for n in &figure.numbers {
            numbers.insert(n.key.to_owned(), json!(n.value));
        }
        summary.insert(figure.name.to_owned(), Value::Object(numbers));
    }
    let text =
        serde_json::to_string_pretty(&Value::Object(summary)).map_err(|e| e.to_string())? + "\n";
    std::fs::write(out.join(summary_name), text).map_err(|e| e.to_string())?;
    if !quick && out == root.join("docs/figures") && only.is_none() {
        let doc = document(&done, clock.elapsed().as_secs_f64());
        std::fs::write(root.join("docs/figures.md"), doc).map_err(|e| e.to_string())?;
        eprintln!("xtask figures: wrote docs/figures.md");
    }
    Ok(())
}

/// Fails when a recomputed number left its tolerance.
fn compare(previous: &Value, figures: &[Figure]) -> Result<(), String> {
    let mut failures = Vec::new();
    for figure in figures {
        for n in &figure.numbers {
            let Some(old) = previous[figure.name][n.key].as_f64() else {
                failures.push(format!("{}.{}: no committed value", figure.name, n.key));
                continue;
            };
            let ok = match n.tol {
                Tol::Info => true,
                Tol::Rel(r) => (n.value - old).abs() <= r * old.abs(),
                Tol::Abs(a) => (n.value - old).abs() <= a,
            };
            let status = if ok { "ok" } else { "REGRESSION" };
            eprintln!(
                "check {}.{}: {} (committed {old}, tolerance {:?}) {status}",
                figure.name, n.key, n.value, n.tol
            );
            if !ok {
                failures.push(format!(
                    "{}.{} = {} (committed {old}, tolerance {:?})",
                    figure.name, n.key, n.value, n.tol
                ));
            }
        }
    }
    if failures.is_empty() {
        eprintln!("xtask figures: --check passed");
        Ok(())
    } else {
        Err(format!("--check failed:\n  {}", failures.join("\n  ")))
    }
}

fn format_number(x: f64) -> String {
    if x == x.round() && x.abs() < 1e6 {
        format!("{x:.0}")
    } else if x.abs() >= 1e-3 && x.abs() < 1e4 {
        format!("{x:.5}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        format!("{x:.3e}")
    }
}

fn document(figures: &[Figure], seconds: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Figures\n\n\
         Regenerate with `cargo xtask figures` (this set took {:.0} s on the machine of\n\
         `docs/performance.md`; `--quick` runs every figure at reduced size in a few minutes,\n\
         `--only NAME` one figure, `--check` compares the recomputed numbers with\n\
         `docs/figures/summary.json` within the tolerances listed below). Every number on this\n\
         page comes from the run that drew the figures; the model and the parameters are in\n\
         [`model.md`](model.md).\n",
        seconds
    );
    for (k, f) in figures.iter().enumerate() {
        let _ = writeln!(s, "## {}. {}\n", k + 1, f.title);
        let _ = writeln!(s, "**Claim.** {}\n", f.claim);
        let _ = writeln!(s, "![{}](figures/{}.png)\n", f.title, f.name);
        let _ = writeln!(
            s,
            "**Setup.** {} Command: `cargo xtask figures --only {}`.\n",
            f.setup, f.name
        );
        let _ = writeln!(s, "**What to look at.** {}\n", f.look);
        let _ = writeln!(
            s,
            "| number | value | what | `--check` tolerance |\n|---|---|---|---|"
        );
        for n in &f.numbers {
            let tol = match n.tol {
                Tol::Rel(r) => format!("relative {r:e}"),
                Tol::Abs(a) => format!("absolute {a:e}"),
                Tol::Info => "not checked (timing)".to_owned(),
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {tol} |",
                n.key,
                format_number(n.value),
                n.what
            );
        }
        let _ = writeln!(s);
    }
    s
}
