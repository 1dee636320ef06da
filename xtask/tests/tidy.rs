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
        for other in independent.iter().chain(&["multiscale", "nlif-cli"]) {
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

/// Every library crate can be published on its own: description, licence, readme.
#[test]
fn library_crates_carry_publishing_metadata() {
    for krate in LIBRARIES.iter().chain(&["nlif-cli"]) {
        let dir = root().join("crates").join(krate);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for key in [
            "description = ",
            "license.workspace = true",
            "repository.workspace = true",
            "readme = ",
        ] {
            assert!(manifest.contains(key), "{krate}: `{key}` missing");
        }
        assert!(dir.join("README.md").is_file(), "{krate}: no README.md");
        let lib = dir.join("src/lib.rs");
        if lib.is_file() {
            let text = std::fs::read_to_string(lib).unwrap();
            assert!(
                text.starts_with("//! # "),
                "{krate}: crate docs must open with a title"
            );
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
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
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
