//! What a figure leaves besides its picture: the numbers `--check` compares, and the
//! section of `docs/figures.md` that states its claim, setup and numbers.

use std::fmt::Write as _;

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
    pub(super) key: String,
    pub(super) value: f64,
    pub(super) tol: Tol,
    pub(super) what: String,
}

impl Number {
    pub(crate) fn new(key: impl Into<String>, value: f64, tol: Tol, what: &str) -> Self {
        Number {
            key: key.into(),
            value,
            tol,
            what: what.to_owned(),
        }
    }
}

/// One figure: its numbers and its section of `docs/figures.md`.
pub(crate) struct Figure {
    pub(super) name: &'static str,
    pub(super) title: &'static str,
    pub(super) claim: &'static str,
    /// The setup, stated from the value the figure ran.
    pub(super) setup: String,
    pub(super) look: String,
    pub(super) numbers: Vec<Number>,
}

/// A number as the page prints it: integers whole, moderate values to five decimals,
/// the rest in scientific notation.
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

/// `docs/figures.md` for the figures of a full run that took `seconds`.
pub(super) fn document(figures: &[Figure], seconds: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Figures\n\n\
         Regenerate with `cargo xtask figures` (this set took {:.0} s on the machine of\n\
         `docs/performance.md`; `--quick` runs every figure at reduced size in a few minutes,\n\
         `--only NAME` one figure, `--check` compares the recomputed numbers with\n\
         `docs/figures/summary.json` within the tolerances listed below). Every number on this\n\
         page comes from the run that drew the figures; the model and the parameters are in\n\
         [`model.md`](model.md). Each figure is one module, `xtask/src/figures/NAME.rs` (with\n\
         `_` for `-`), whose setup value both drives the run and writes the **Setup** below.\n",
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
