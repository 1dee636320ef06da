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
    /// Within `within` of `center`, an independent value (an exact formula), whatever
    /// was committed.
    Around { center: f64, within: f64 },
    /// At most this, whatever was committed (a count that should be zero, with the
    /// allowance the seed spread needs).
    AtMost(f64),
    /// Informational (wall times): never checked.
    Info,
    /// A measurement stated beside the checked ones (a spread over seeds, a ratio of
    /// two checked numbers): never checked.
    Stated,
}

impl Tol {
    /// The tolerance of a number that changes with the realization (the seeds), compared
    /// with the committed realization: 4 standard deviations of the difference of two
    /// independent realizations, `4 √2 sd`, where `sd` is the number's standard deviation
    /// over seeds as `cargo xtask figures --seed-study N` measures it (the larger of the
    /// quick and the full setup's, so one tolerance serves both).
    pub(crate) fn seeds(sd: f64) -> Tol {
        Tol::Abs(4.0 * std::f64::consts::SQRT_2 * sd)
    }

    /// [`Tol::seeds`] relative: `rel_sd` is the standard deviation over seeds over the
    /// mean.
    pub(crate) fn seeds_rel(rel_sd: f64) -> Tol {
        Tol::Rel(4.0 * std::f64::consts::SQRT_2 * rel_sd)
    }
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

/// A tolerance as the page prints it: scientific notation to three significant digits,
/// without trailing zeros (`3.45e-1`, `1e-9`).
fn format_tolerance(x: f64) -> String {
    let text = format!("{x:.2e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!(
            "{}e{exponent}",
            mantissa.trim_end_matches('0').trim_end_matches('.')
        ),
        _ => text,
    }
}

/// The processor of this machine and its number of cores, as the run time is stated
/// with them (hosts differ: AMD and Intel machines of the same kind).
pub(super) fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown processor".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores")
}

/// `docs/figures.md` for the figures of a full run that took `seconds` on `machine` (the
/// processor and cores, [`machine`]).
pub(super) fn document(figures: &[Figure], seconds: f64, machine: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Figures\n\n\
         Regenerate with `cargo xtask figures` (this set took {:.0} s on {}; `--quick`\n\
         runs every figure at reduced size into\n\
         `target/figures-quick`, `--only NAME` one figure, `--check` compares the recomputed\n\
         numbers with `docs/figures/summary.json` within the tolerances listed below,\n\
         writing into `target/figures-check`). Every number on this\n\
         page comes from the run that drew the figures; the model and the parameters are in\n\
         [`model.md`](model.md). A stochastic number is one realization: its tolerance is a\n\
         bound around an exact value where there is one, else 4 standard deviations of the\n\
         difference of two realizations (4√2 × its SD over seeds, as `--seed-study N`\n\
         measures it; each number states its SD), or, for a shift that should be zero, its\n\
         mean + 4 SD over seeds. Each figure is one module, `xtask/src/figures/NAME.rs` (with\n\
         `_` for `-`), whose setup value both drives the run and writes the **Setup** below.\n",
        seconds, machine
    );
    for (k, f) in figures.iter().enumerate() {
        s.push_str(&section(k + 1, f));
    }
    s
}

/// The section of figure `f`, numbered `number`, as [`document`] writes it.
pub(super) fn section(number: usize, f: &Figure) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## {number}. {}\n", f.title);
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
            Tol::Rel(r) => format!("relative {}", format_tolerance(r)),
            Tol::Abs(a) => format!("absolute {}", format_tolerance(a)),
            Tol::Around { center, within } => {
                format!(
                    "within {} of {}",
                    format_tolerance(within),
                    format_number(center)
                )
            }
            Tol::AtMost(max) => format!("at most {}", format_number(max)),
            Tol::Info => "not checked (timing)".to_owned(),
            Tol::Stated => "not checked".to_owned(),
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
    s
}

/// `doc` with the section numbered `number` replaced by that of `f` ([`section`]), or
/// with it appended if `doc` has none: how a full `--only` run states its figures.
pub(super) fn replace_section(doc: &str, number: usize, f: &Figure) -> String {
    let heading = format!("## {number}. ");
    let start = if doc.starts_with(&heading) {
        Some(0)
    } else {
        doc.find(&format!("\n{heading}")).map(|i| i + 1)
    };
    let new = section(number, f);
    match start {
        Some(start) => {
            let end = doc[start + 1..]
                .find("\n## ")
                .map_or(doc.len(), |i| start + 1 + i + 1);
            format!("{}{new}{}", &doc[..start], &doc[end..])
        }
        None => format!("{doc}{new}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Figure, format_tolerance, replace_section, section};

    /// Oracle: the pages written out by hand. A section is replaced up to the next
    /// heading, the others kept byte for byte; a missing one is appended.
    #[test]
    fn an_only_run_replaces_its_section_in_place() {
        let figure = Figure {
            name: "f",
            title: "New",
            claim: "c",
            setup: "s".into(),
            look: "l".into(),
            numbers: Vec::new(),
        };
        let new = section(2, &figure);
        assert!(new.starts_with("## 2. New\n\n**Claim.** c\n"));
        let doc = "# Figures\n\n## 1. A\n\nx\n\n## 2. B\n\ny\n\n## 3. C\n\nz\n\n";
        assert_eq!(
            replace_section(doc, 2, &figure),
            format!("# Figures\n\n## 1. A\n\nx\n\n{new}## 3. C\n\nz\n\n")
        );
        let last = section(3, &figure);
        assert_eq!(
            replace_section(doc, 3, &figure),
            format!("# Figures\n\n## 1. A\n\nx\n\n## 2. B\n\ny\n\n{last}")
        );
        let appended = section(4, &figure);
        assert_eq!(replace_section(doc, 4, &figure), format!("{doc}{appended}"));
    }

    /// Oracle: the strings written out by hand.
    #[test]
    fn tolerances_print_three_significant_digits() {
        assert_eq!(format_tolerance(0.345_068_109), "3.45e-1");
        assert_eq!(format_tolerance(1e-9), "1e-9");
        assert_eq!(format_tolerance(1.0), "1e0");
        assert_eq!(format_tolerance(0.002_545_584), "2.55e-3");
    }
}
