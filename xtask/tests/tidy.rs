//! Hygiene checks of the workspace, written as ordinary tests (run by `cargo test`).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

const LIBRARIES: [&str; 5] = [
    "nlif-model",
    "nlif-micro",
    "fp-macro",
    "coupling",
    "multiscale",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `[dependencies]` table of a manifest, as text.
fn dependencies(manifest: &str) -> &str {
    let start = manifest
        .find("\n[dependencies]")
        .map_or(manifest.len(), |i| i + 1);
    let rest = &manifest[start..];
    let end = rest[1..].find("\n[").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// Invariant: library crates do no file I/O and never print.
#[test]
fn library_crates_do_no_io_and_never_print() {
    let forbidden = [
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "dbg!(",
        "std::fs",
        "File::create",
        "File::open",
    ];
    for krate in LIBRARIES {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        assert!(!files.is_empty());
        // A module of tests in a file of its own (`#[cfg(test)] mod tests;`) is tests.
        files.retain(|f| f.file_name().is_none_or(|name| name != "tests.rs"));
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // Doc comments and tests may show printing; the library code may not.
            let code: String = text
                .lines()
                .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for word in forbidden {
                assert!(!code.contains(word), "{} uses `{word}`", file.display());
            }
        }
    }
}

/// Invariant: the solvers and the conversions depend on the model crate only, never on
/// each other; only `multiscale` sees them all.
#[test]
fn solver_crates_never_depend_on_each_other() {
    let independent = ["nlif-micro", "fp-macro", "coupling"];
    for krate in independent {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
        let deps = dependencies(&manifest);
        for other in independent
            .iter()
            .chain(&["multiscale", "nlif-experiment", "nlif-cli"])
        {
            if other != &krate {
                assert!(
                    !deps.contains(&format!("{other}.workspace"))
                        && !deps.contains(&format!("{other} =")),
                    "{krate} depends on {other}"
                );
            }
        }
    }
    let model = std::fs::read_to_string(root().join("crates/nlif-model/Cargo.toml")).unwrap();
    for other in LIBRARIES.iter().skip(1) {
        assert!(
            !dependencies(&model).contains(other),
            "nlif-model depends on {other}"
        );
    }
}

/// Every library crate can be published on its own: description, licence, readme, its
/// docs.rs page (no public repository yet: see the workspace manifest). `.ci/package`
/// checks the packaged crates themselves.
#[test]
fn library_crates_carry_publishing_metadata() {
    for krate in LIBRARIES
        .iter()
        .chain(&["nlif-sim", "nlif-experiment", "nlif-cli"])
    {
        let dir = root().join("crates").join(krate);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for key in ["description = ", "license.workspace = true", "readme = "] {
            assert!(manifest.contains(key), "{krate}: `{key}` missing");
        }
        assert!(dir.join("README.md").is_file(), "{krate}: no README.md");
        let lib = dir.join("src/lib.rs");
        if lib.is_file() {
            let docs_rs = format!("documentation = \"https://docs.rs/{krate}\"");
            assert!(manifest.contains(&docs_rs), "{krate}: `{docs_rs}` missing");
            let mut text = std::fs::read_to_string(lib).unwrap();
            // The README as the crate docs (so its examples run as doc tests).
            if text.starts_with("#![doc = include_str!(\"../README.md\")]") {
                text = std::fs::read_to_string(dir.join("README.md")).unwrap() + &text;
                assert!(
                    text.starts_with("# "),
                    "{krate}: the README must open with a title"
                );
            } else {
                assert!(
                    text.starts_with("//! # "),
                    "{krate}: crate docs must open with a title"
                );
            }
            assert!(
                text.contains("```"),
                "{krate}: crate docs need a runnable example"
            );
        }
    }
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(workspace.contains("license = \"MIT OR Apache-2.0\""));
}

/// `docs/config.md` documents every field the example config writes.
#[test]
fn every_config_field_is_documented() {
    let example = std::fs::read_to_string(root().join("crates/nlif-cli/src/init.rs")).unwrap();
    let doc = std::fs::read_to_string(root().join("docs/config.md")).unwrap();
    let mut seen = 0;
    for line in example.lines() {
        let line = line.trim_start();
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        // A path (`config::check`), not a field.
        if rest.starts_with(':') {
            continue;
        }
        if key.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !key.is_empty() {
            assert!(
                doc.contains(&format!("`{key}`")),
                "docs/config.md does not document `{key}`"
            );
            seen += 1;
        }
    }
    assert!(
        seen > 30,
        "the example config should list every field ({seen} found)"
    );
}

/// The text files of the repository that the reference checks read: `*.rs`, `*.md`,
/// `*.ron`, `*.toml`, outside build output (`target/`, `out/`) and `.git/`.
fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(name.to_str(), Some("target" | "out" | ".git")) {
                text_files(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| ["rs", "md", "ron", "toml"].iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
}

/// The repository's text files, without this file (it spells out the forms it checks).
fn repository_text() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    text_files(&root(), &mut files);
    files.sort();
    let this = root()
        .join("xtask/tests")
        .join(Path::new(file!()).file_name().unwrap());
    files
        .into_iter()
        .filter(|f| *f != this)
        .filter_map(|f| Some((f.clone(), std::fs::read_to_string(&f).ok()?)))
        .collect()
}

/// The section numbers `N` of the `## §N ...` headings of `docs/model.md`.
fn model_sections() -> Vec<u32> {
    let model = std::fs::read_to_string(root().join("docs/model.md")).unwrap();
    model
        .lines()
        .filter_map(|l| l.strip_prefix("## §"))
        .filter_map(|l| {
            let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// The section numbers cited as `model.md §N` in `text`. A citation may wrap between the
/// file name and the section sign (whitespace and comment markers in between).
fn model_citations(text: &str) -> Vec<u32> {
    let mut cited = Vec::new();
    for (i, _) in text.match_indices("model.md") {
        let rest = text[i + "model.md".len()..]
            .trim_start_matches(|c: char| c.is_whitespace() || c == '/' || c == '!');
        if let Some(rest) = rest.strip_prefix('§') {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            // `§N` with a letter for the number is the form of a citation, not one.
            if let Ok(n) = digits.parse() {
                cited.push(n);
            }
        }
    }
    cited
}

/// Invariant: every reference resolves inside the repository. No text cites the external
/// specification files, and every `docs/model.md §N` names a section that exists.
#[test]
fn references_resolve_inside_the_repository() {
    let external = [["MODEL", ".md"].concat(), ["INTERFACE", ".md"].concat()];
    let sections = model_sections();
    assert!(
        (1..=6).all(|n| sections.contains(&n)),
        "docs/model.md must number its sections `## §N ...` ({sections:?})"
    );
    let files = repository_text();
    assert!(files.len() > 50, "only {} text files found", files.len());
    let mut citations = 0;
    for (file, text) in &files {
        for needle in &external {
            assert!(
                !text.contains(needle.as_str()),
                "{} cites `{needle}`, which is not in the repository: cite docs/model.md §N \
                 or docs/config.md instead",
                file.display()
            );
        }
        for n in model_citations(text) {
            assert!(
                sections.contains(&n),
                "{} cites docs/model.md §{n}, which has no such section ({sections:?})",
                file.display()
            );
            citations += 1;
        }
    }
    assert!(
        citations > 20,
        "only {citations} citations of docs/model.md found"
    );
    // Inside docs/model.md a bare `§N` refers to its own sections.
    let model = std::fs::read_to_string(root().join("docs/model.md")).unwrap();
    for (i, _) in model.match_indices('§') {
        let digits: String = model[i + '§'.len_utf8()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse::<u32>() {
            assert!(
                sections.contains(&n),
                "docs/model.md refers to its own §{n}"
            );
        }
    }
}

/// Invariant: every relative link `[..](path)` of the Markdown files names an existing
/// file or directory (web links and anchors within the page are not checked).
#[test]
fn markdown_links_resolve() {
    let mut links = 0;
    for (file, text) in repository_text() {
        if file.extension().is_none_or(|e| e != "md") {
            continue;
        }
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else {
                continue;
            };
            // `path "title"` and `path#anchor` name the file `path`.
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            let target = target.split('#').next().unwrap();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let resolved = file.parent().unwrap().join(target);
            assert!(
                resolved.exists(),
                "{}: the link `{target}` does not resolve",
                file.display()
            );
            links += 1;
        }
    }
    assert!(links > 20, "only {links} relative links found");
}
