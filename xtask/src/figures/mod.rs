//! `cargo xtask figures [--quick] [--only NAME[,NAME…]] [--check] [--out DIR] [--seed-offset K]
//! [--seed-study N]`: regenerate the experiments of the paper as figures, with
//! `docs/figures.md` quoting the numbers of the very run that drew them.
//!
//! Only a full run without `--check` and `--out` writes the committed `docs/figures/`
//! (and `docs/figures.md`: the whole page, or with `--only` the selected figures' sections); `--quick` writes to `target/figures-quick`, `--check` to
//! `target/figures-check`, unless `--out` says where, and `--check` compares with the
//! committed `docs/figures/summary*.json`.
//!
//! The stochastic numbers are one realization each. `--seed-offset K` runs another one
//! (every seed of every run moved by `1000 K`; it needs `--out`, as `docs/figures/` holds
//! the committed realization), and `--seed-study N` runs the selected figures for the
//! offsets `0 … N-1` and prints each number's mean, standard deviation and range over
//! them, with how many of the runs would pass `--check`: the seed spread from which the
//! tolerances of the stochastic numbers are derived.

mod blowup_b;
mod comparison;
mod comparison_runs;
mod convergence;
mod cost;
mod delay;
mod delay_oscillation;
mod ei_stationary;
mod ei_synchrony;
mod kick;
mod macro_failure;
mod measure;
mod mechanism_runs;
mod mechanism_switching;
mod multiscale_blowup_a;
mod network_runs;
mod page;
mod periodic;
mod phase_diagram;
pub(crate) mod plot;
mod refractory;
mod refractory_bursts;
mod rhythm;
mod runs;
mod stationary;
mod steady;
mod switching_precision;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::root;
pub(crate) use page::{Figure, Number, Tol};

/// Where, how big and which realization.
pub(crate) struct Ctx {
    /// The reduced sizes of `--quick`: each figure's `QUICK` setup, else its `FULL` one.
    quick: bool,
    out: PathBuf,
    /// `--seed-offset`: 0 for the committed realization.
    seed_offset: u64,
}

/// How far one seed offset moves a seed: more than any seed a setup names, so that the
/// realizations of different offsets never share a stream.
const SEED_STRIDE: u64 = 1000;

impl Ctx {
    /// Where the figure `name` goes, without extension.
    pub(crate) fn stem(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    /// The seed a run named `seed` uses in this realization.
    pub(crate) fn seed(&self, seed: u64) -> u64 {
        seed + SEED_STRIDE * self.seed_offset
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
const EXPERIMENTS: [Experiment; 15] = [
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
    experiment!(ei_stationary, EiStationary),
    experiment!(ei_synchrony, EiSynchrony),
    experiment!(refractory, RefractoryBursts),
    experiment!(delay, DelayOscillation),
    experiment!(comparison, Comparison),
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
    let count_of = |flag: &str| -> Result<Option<u64>, String> {
        value_of(flag)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{flag} takes a whole number, not `{v}`"))
            })
            .transpose()
    };
    let seed_offset = count_of("--seed-offset")?.unwrap_or(0);
    let seed_study = count_of("--seed-study")?;
    // `--only NAME[,NAME…]`.
    let only = value_of("--only");
    let only_names: Option<Vec<&str>> = only.as_deref().map(|o| o.split(',').collect());
    for name in only_names.iter().flatten() {
        if !EXPERIMENTS.iter().any(|e| e.name == *name) {
            let names: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
            return Err(format!(
                "no figure `{name}`; the figures are: {}",
                names.join(", ")
            ));
        }
    }
    let root = root();
    let explicit_out = value_of("--out").map(PathBuf::from);
    if (seed_offset != 0 || seed_study.is_some()) && explicit_out.is_none() {
        return Err(
            "--seed-offset and --seed-study need --out: docs/figures holds the committed realization"
                .into(),
        );
    }
    let out = destination(&root, quick, check, explicit_out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let selected: Vec<_> = EXPERIMENTS
        .iter()
        .filter(|e| only_names.as_ref().is_none_or(|o| o.contains(&e.name)))
        .collect();
    let summary_name = if quick {
        "summary-quick.json"
    } else {
        "summary.json"
    };
    let committed = root.join("docs/figures").join(summary_name);
    let previous: Option<Value> = std::fs::read_to_string(&committed)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    if let Some(n) = seed_study {
        let mut runs = Vec::new();
        for offset in 0..n {
            eprintln!("xtask figures: seed offset {offset} of 0 … {}", n - 1);
            let ctx = Ctx {
                quick,
                out: out.clone(),
                seed_offset: offset,
            };
            runs.push(run_all(&ctx, &selected)?.0);
        }
        // Every value of every offset, for a closer look than the table's.
        let mut values = Map::new();
        for (f, figure) in runs.first().into_iter().flatten().enumerate() {
            let mut numbers = Map::new();
            for (k, number) in figure.numbers.iter().enumerate() {
                let per_seed: Vec<f64> = runs.iter().map(|r| r[f].numbers[k].value).collect();
                numbers.insert(number.key.clone(), json!(per_seed));
            }
            values.insert(figure.name.to_owned(), Value::Object(numbers));
        }
        let text =
            serde_json::to_string_pretty(&Value::Object(values)).map_err(|e| e.to_string())? + "\n";
        let name = format!("seed-study-{summary_name}");
        std::fs::write(out.join(&name), text).map_err(|e| e.to_string())?;
        eprintln!("xtask figures: every value in {}", out.join(name).display());
        print!("{}", study(&runs, previous.as_ref()));
        return Ok(());
    }
    let ctx = Ctx {
        quick,
        out: out.clone(),
        seed_offset,
    };
    let (done, seconds) = run_all(&ctx, &selected)?;
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
        let doc = page::document(&done, seconds, &page::machine());
        std::fs::write(root.join("docs/figures.md"), doc).map_err(|e| e.to_string())?;
        eprintln!("xtask figures: wrote docs/figures.md");
    } else if !quick && out == root.join("docs/figures") {
        // A full `--only` run: its figures' sections, in place (the header's run time
        // stays that of the last full set).
        let path = root.join("docs/figures.md");
        let mut doc = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        for figure in &done {
            let number = EXPERIMENTS
                .iter()
                .position(|e| e.name == figure.name)
                .map_or(0, |k| k + 1);
            doc = page::replace_section(&doc, number, figure);
        }
        std::fs::write(&path, doc).map_err(|e| e.to_string())?;
        eprintln!("xtask figures: wrote the sections of docs/figures.md");
    }
    Ok(())
}

/// Where the figures and their numbers go: `--out`; else `target/figures-quick` for
/// `--quick` and `target/figures-check` for `--check` — reduced figures, or a check, must
/// not overwrite the committed full-size figures and numbers, which `--check` compares
/// with — and the committed `docs/figures` only for a full regeneration.
fn destination(root: &Path, quick: bool, check: bool, explicit: Option<PathBuf>) -> PathBuf {
    match explicit {
        Some(out) => out,
        None if quick => root.join("target/figures-quick"),
        None if check => root.join("target/figures-check"),
        None => root.join("docs/figures"),
    }
}

/// Runs the `selected` figures in `ctx`: the figures and the wall time of them all.
fn run_all(ctx: &Ctx, selected: &[&Experiment]) -> Result<(Vec<Figure>, f64), String> {
    let mut done = Vec::new();
    let clock = Instant::now();
    for (k, experiment) in selected.iter().enumerate() {
        let name = experiment.name;
        eprintln!("xtask figures: [{}/{}] {name} …", k + 1, selected.len());
        let start = Instant::now();
        let figure = (experiment.figure)(ctx)?;
        eprintln!(
            "xtask figures: [{}/{}] {name} done in {:.1} s",
            k + 1,
            selected.len(),
            start.elapsed().as_secs_f64()
        );
        done.push(figure);
    }
    let seconds = clock.elapsed().as_secs_f64();
    eprintln!("xtask figures: all done in {seconds:.1} s");
    Ok((done, seconds))
}

/// Whether `value` is within `tol` of the committed `old`.
fn within(value: f64, old: f64, tol: Tol) -> bool {
    match tol {
        Tol::Info | Tol::Stated => true,
        Tol::Rel(r) => (value - old).abs() <= r * old.abs(),
        Tol::Abs(a) => (value - old).abs() <= a,
        Tol::Around { center, within } => (value - center).abs() <= within,
        Tol::AtMost(max) => value <= max,
    }
}

/// The seed study of `runs` (one list of figures per seed offset, in the same order) as a
/// markdown table: per checked number its mean, sample standard deviation, range, and how
/// many runs pass `--check` against the `committed` summary.
fn study(runs: &[Vec<Figure>], committed: Option<&Value>) -> String {
    use std::fmt::Write as _;
    let mut s = format!(
        "| number | mean | SD | min | max | tolerance | passes `--check` ({} seeds) |\n|---|---|---|---|---|---|---|\n",
        runs.len()
    );
    let Some(first) = runs.first() else {
        return s;
    };
    for (f, figure) in first.iter().enumerate() {
        for (k, number) in figure.numbers.iter().enumerate() {
            if matches!(number.tol, Tol::Info | Tol::Stated) {
                continue;
            }
            let values: Vec<f64> = runs.iter().map(|r| r[f].numbers[k].value).collect();
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0))
                .sqrt();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let old = committed.and_then(|c| c[figure.name][number.key.as_str()].as_f64());
            let passes = old.map_or("no committed value".to_owned(), |old| {
                let ok = values
                    .iter()
                    .filter(|&&v| within(v, old, number.tol))
                    .count();
                format!("{ok}/{}", values.len())
            });
            let _ = writeln!(
                s,
                "| `{}.{}` | {mean:.6} | {sd:.6} | {min:.6} | {max:.6} | {:?} | {passes} |",
                figure.name, number.key, number.tol
            );
        }
    }
    s
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
            let ok = within(n.value, old, n.tol);
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

    /// Only a full run without `--check` regenerates the committed figures: `--quick`
    /// (reduced sizes) and `--check` (a comparison) write elsewhere unless `--out` says.
    #[test]
    fn quick_and_check_leave_the_committed_figures_alone() {
        let root = Path::new("/repo");
        let committed = root.join("docs/figures");
        assert_eq!(destination(root, false, false, None), committed);
        for (quick, check, to) in [
            (true, false, "target/figures-quick"),
            (true, true, "target/figures-quick"),
            (false, true, "target/figures-check"),
        ] {
            assert_eq!(destination(root, quick, check, None), root.join(to));
        }
        let out = PathBuf::from("/elsewhere");
        assert_eq!(destination(root, true, true, Some(out.clone())), out);
    }

    /// The figures' run time is stated once, where the run that drew them measured it
    /// (docs/figures.md's header); the README and the header's `--quick` do not state
    /// another.
    #[test]
    fn the_run_time_is_stated_once() {
        let doc = std::fs::read_to_string(root().join("docs/figures.md")).unwrap();
        let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
        assert!(
            !doc.contains("minute"),
            "docs/figures.md states a second run time"
        );
        assert_eq!(doc.matches("this set took ").count(), 1);
        let paragraph = readme
            .split("\n\n")
            .find(|p| p.contains("Regenerate them with"))
            .unwrap();
        assert!(
            !paragraph.contains("minute") && !paragraph.contains(" s "),
            "README.md states its own run time: {paragraph}"
        );
        assert!(
            paragraph.contains("docs/figures.md states how long the run that drew them took"),
            "{paragraph}"
        );
    }

    /// docs/figures.md opens as the generator writes it, with the run time and the
    /// machine it states (the one that drew the figures, not necessarily this one).
    #[test]
    fn the_docs_have_the_generated_header() {
        let doc = std::fs::read_to_string(root().join("docs/figures.md")).unwrap();
        let took = doc.split("this set took ").nth(1).unwrap();
        let (seconds, rest) = took.split_once(" s on ").unwrap();
        let seconds: f64 = seconds.parse().unwrap();
        let machine = rest.split("; `--quick`").next().unwrap();
        let header = page::document(&[], seconds, machine);
        assert!(doc.starts_with(&header), "expected\n{header}");
    }
}
