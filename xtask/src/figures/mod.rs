//! `cargo xtask figures [--quick] [--only NAME] [--check] [--out DIR]`: regenerate the
//! experiments of the paper as figures, with `docs/figures.md` quoting the numbers of the
//! very run that drew them.

mod blowup_b;
mod convergence;
mod cost;
mod kick;
mod macro_failure;
mod measure;
mod multiscale_blowup_a;
mod page;
mod periodic;
mod phase_diagram;
pub(crate) mod plot;
mod runs;
mod stationary;
mod steady;
mod switching_precision;

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::root;
pub(crate) use page::{Figure, Number, Tol};

/// Where and how big.
pub(crate) struct Ctx {
    /// The reduced sizes of `--quick`: each figure's `QUICK` setup, else its `FULL` one.
    quick: bool,
    out: PathBuf,
}

impl Ctx {
    /// Where the figure `name` goes, without extension.
    pub(crate) fn stem(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

/// A figure's module: its name and the figure, run with the setup `--quick` selects.
struct Experiment {
    name: &'static str,
    figure: fn(&Ctx) -> Result<Figure, String>,
    /// Its setup as the figure states it (quick or full), without running it.
    #[cfg(test)]
    setup: fn(bool) -> String,
}

/// The experiment of module `$figure`, whose setup type is `$setup`: the one place that
/// chooses between its quick and full setups.
macro_rules! experiment {
    ($figure:ident, $setup:ident) => {
        Experiment {
            name: $figure::NAME,
            figure: |ctx| $figure::figure(ctx, $figure::$setup::of(ctx.quick)),
            #[cfg(test)]
            setup: |quick| $figure::$setup::of(quick).describe(),
        }
    };
}

/// The figures, in the order of docs/figures.md.
const EXPERIMENTS: [Experiment; 10] = [
    experiment!(steady, Steady),
    experiment!(convergence, Convergence),
    experiment!(macro_failure, MacroFailure),
    experiment!(multiscale_blowup_a, MultiscaleBlowupA),
    experiment!(blowup_b, BlowupB),
    experiment!(kick, Kick),
    experiment!(periodic, Periodic),
    experiment!(cost, Cost),
    experiment!(switching_precision, SwitchingPrecision),
    experiment!(phase_diagram, PhaseDiagram),
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
        && !EXPERIMENTS.iter().any(|e| e.name == name)
    {
        let names: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
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
        .filter(|e| only.as_deref().is_none_or(|o| o == e.name))
        .collect();
    let mut done = Vec::new();
    let clock = Instant::now();
    for (k, experiment) in selected.iter().enumerate() {
        let name = experiment.name;
        eprintln!("xtask figures: [{}/{}] {name} …", k + 1, selected.len());
        let start = Instant::now();
        let figure = (experiment.figure)(&ctx)?;
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
            numbers.insert(n.key.clone(), json!(n.value));
        }
        summary.insert(figure.name.to_owned(), Value::Object(numbers));
    }
    let text =
        serde_json::to_string_pretty(&Value::Object(summary)).map_err(|e| e.to_string())? + "\n";
    std::fs::write(out.join(summary_name), text).map_err(|e| e.to_string())?;
    if !quick && out == root.join("docs/figures") && only.is_none() {
        let doc = page::document(&done, clock.elapsed().as_secs_f64());
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
            let Some(old) = previous[figure.name][n.key.as_str()].as_f64() else {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/figures.md states the setups the full figures run: regenerate it (`cargo xtask
    /// figures`) after changing one.
    #[test]
    fn the_docs_state_the_full_setups() {
        let doc = std::fs::read_to_string(root().join("docs/figures.md")).unwrap();
        for e in &EXPERIMENTS {
            let line = format!(
                "**Setup.** {} Command: `cargo xtask figures --only {}`.",
                (e.setup)(false),
                e.name
            );
            assert!(doc.contains(&line), "docs/figures.md does not say\n{line}");
        }
    }

    /// docs/figures.md opens as the generator writes it.
    #[test]
    fn the_docs_have_the_generated_header() {
        let doc = std::fs::read_to_string(root().join("docs/figures.md")).unwrap();
        let took = doc.split("this set took ").nth(1).unwrap();
        let seconds: f64 = took.split(' ').next().unwrap().parse().unwrap();
        let header = page::document(&[], seconds);
        assert!(doc.starts_with(&header), "expected\n{header}");
    }
}
