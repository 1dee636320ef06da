//! Every shipped config gives today's outputs byte for byte.
//!
//! Oracle: the outputs of the program as it was before networks of populations were added
//! (commit 509a0e1), recorded as FNV-1a digests in `tests/data/shipped.digests`: each
//! shipped config run with `--set solver.micro.particles=20000 --threads 2`, every file it
//! writes (`rate.csv`, the `.npy` files, `summary.json` without its two measurements of the
//! machine, `wall_seconds` and `peak_rss_bytes`). A change that must move these numbers
//! re-records the digests with `NLIF_RECORD_DIGESTS=1` and says why in its commit, with a
//! seed study where particles are involved. Files added since (new outputs) are not
//! compared.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{nlif, scratch, status, stderr};

const DIGESTS: &str = "tests/data/shipped.digests";

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The bytes of an output file that do not depend on the machine: all of them but the
/// lines of `summary.json` that measure the machine.
fn stable_bytes(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    if path.file_name().unwrap() != "summary.json" {
        return bytes;
    }
    let text = String::from_utf8(bytes).unwrap();
    let kept: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|line| {
            let key = line.trim_start();
            !(key.starts_with("\"wall_seconds\"") || key.starts_with("\"peak_rss_bytes\""))
        })
        .collect();
    kept.concat().into_bytes()
}

#[test]
fn every_shipped_config_writes_todays_outputs_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = scratch("shipped");
    let mut found = BTreeMap::new();
    let mut configs: Vec<_> = std::fs::read_dir(root.join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 8, "{configs:?}");
    for config in &configs {
        let name = config.file_stem().unwrap().to_string_lossy().into_owned();
        let out = dir.join(&name);
        let run = nlif(
            &[
                "run",
                &config.to_string_lossy(),
                "--quiet",
                "--threads",
                "2",
                "--set",
                "solver.micro.particles=20000",
                "--out",
                &out.to_string_lossy(),
            ],
            &dir,
        );
        assert_eq!(status(&run), 0, "{name}: {}", stderr(&run));
        let mut files: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "csv" || e == "npy" || e == "json")
            })
            .collect();
        files.sort();
        for file in files {
            let key = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
            found.insert(key, fnv1a(&stable_bytes(&file)));
        }
    }
    let text: String = found
        .iter()
        .map(|(k, v)| format!("{k} {v:016x}\n"))
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIGESTS);
    if std::env::var_os("NLIF_RECORD_DIGESTS").is_some() {
        let header = "# FNV-1a digests of the outputs of every shipped config (tests/shipped.rs says how\n# they are made), re-recorded with NLIF_RECORD_DIGESTS=1: the commit says why.\n";
        std::fs::write(&path, format!("{header}{text}")).unwrap();
        return;
    }
    // Every file recorded must be written with the same bytes; a file added since (a new
    // output) is not today's output and is not compared.
    let recorded = std::fs::read_to_string(&path).unwrap();
    let mut changed = Vec::new();
    for line in recorded.lines().filter(|l| !l.starts_with('#')) {
        let (key, digest) = line.split_once(' ').unwrap();
        let now = found.get(key).map(|d| format!("{d:016x}"));
        if now.as_deref() != Some(digest) {
            changed.push(format!("{key}: recorded {digest}, now {now:?}"));
        }
    }
    assert!(
        changed.is_empty(),
        "the outputs of the shipped configs changed:\n{}",
        changed.join("\n")
    );
}
