//! The typed errors of checkpoints, locks, outputs and sweeps: each failure is its own
//! variant, carrying the path and the numbers as data, and no message names an option of
//! the command line (a front end adds its own words). Oracle: the bytes, files and
//! fields each test makes or edits itself, and the checkpoint layout of the
//! `checkpoint` module's documentation (8 magic bytes, then a 4-byte format version).

use std::fs;
use std::path::{Path, PathBuf};

use multiscale::{Simulation, SolverKind};
use nlif_experiment::checkpoint::{self, Checkpoint, CheckpointError, Difference, Stats};
use nlif_experiment::lock::{Lock, LockError};
use nlif_experiment::output::{self, OutputError};
use nlif_experiment::sweep::{self, SweepError};
use nlif_experiment::{Config, Parallelism, report};

/// A fresh directory of this test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nlif-errors-{}-{name}", std::process::id()));
    fs::remove_dir_all(&dir).ok();
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// No command-line words: no option, no command of the program.
fn no_cli_words(text: &str) {
    assert!(!text.contains("--"), "{text}");
    assert!(
        !text.contains("nlif run") && !text.contains("nlif resume"),
        "{text}"
    );
}

/// A small macro run's config and a checkpoint of it written into `dir`; the file's
/// bytes.
fn written_checkpoint(dir: &Path) -> (Config, Vec<u8>) {
    let mut config = Config::builtin();
    config.solver.kind = SolverKind::Macro;
    config.t_end = 0.01;
    let simulation = Simulation::new(
        config.model.params(),
        config.model.input,
        &config.initial,
        config.run_config(),
        Parallelism::Sequential,
    )
    .unwrap();
    let checkpoint = Checkpoint {
        config: config.clone(),
        stats: Stats::default(),
        state: simulation.state().unwrap(),
    };
    checkpoint::write(dir, &checkpoint).unwrap();
    (config, fs::read(dir.join(checkpoint::FILE)).unwrap())
}

/// Oracle: the file `write` leaves. `encode` gives its very bytes in memory, and
/// `decode` reads them back as the same state.
#[test]
fn an_encoded_checkpoint_is_the_file_write_writes() {
    let dir = scratch("encode");
    let (config, bytes) = written_checkpoint(&dir);
    let (read, size) = checkpoint::decode(Path::new("<memory>"), &bytes).unwrap();
    assert_eq!(size, bytes.len() as u64);
    assert_eq!(read.config, config);
    assert_eq!(checkpoint::encode(&read).unwrap(), bytes);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn each_damage_of_a_checkpoint_is_its_own_variant_naming_the_file() {
    let dir = scratch("damage");
    let (_, bytes) = written_checkpoint(&dir);
    let path = Path::new("x.nlif");
    let decode = |data: &[u8]| checkpoint::decode(path, data).unwrap_err();

    let e = decode(&bytes[..5]);
    assert!(
        matches!(&e, CheckpointError::HeaderTruncated { path: p } if p == path),
        "{e}"
    );

    let mut magic = bytes.clone();
    magic[..8].copy_from_slice(b"XXXXXXXX");
    assert!(matches!(decode(&magic), CheckpointError::Magic { .. }));

    let mut format = bytes.clone();
    format[8..12].copy_from_slice(&9u32.to_le_bytes());
    let e = decode(&format);
    assert!(
        matches!(e, CheckpointError::Format { format: 9, .. }),
        "{e}"
    );
    assert!(e.to_string().ends_with("written by a newer nlif"), "{e}");

    let e = decode(&bytes[..bytes.len() - 10]);
    let CheckpointError::PayloadTruncated { have, length, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(length - have, 10);

    let mut extra = bytes.clone();
    extra.extend_from_slice(b"abc");
    assert!(matches!(
        decode(&extra),
        CheckpointError::Trailing { extra: 3, .. }
    ));

    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 0xff;
    let e = decode(&flipped);
    assert!(matches!(e, CheckpointError::Checksum { .. }), "{e}");
    for e in [decode(&bytes[..5]), decode(&flipped), decode(&magic)] {
        assert!(e.to_string().starts_with("x.nlif"), "{e}");
    }
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_config_file_of_another_run_lists_the_field_and_names_no_command() {
    let dir = scratch("config");
    let (config, _) = written_checkpoint(&dir);
    let mut other = config.clone();
    other.seed = config.seed + 1;
    checkpoint::write_config_file(&dir, &other).unwrap();
    let e = checkpoint::check_config_file(&dir, &config).unwrap_err();
    let CheckpointError::DifferentRuns { differences, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(
        differences,
        &[Difference {
            field: "seed".into(),
            checkpoint: config.seed.to_string(),
            config: other.seed.to_string(),
        }]
    );
    let text = e.to_string();
    assert!(text.starts_with(&e.refusal()), "{text}");
    assert!(
        text.ends_with("(put back that run's config.ron, or start a new run)"),
        "{text}"
    );
    no_cli_words(&text);

    // A missing config.ron: the cause is the reader's, kept as the source.
    fs::remove_file(dir.join(checkpoint::CONFIG_FILE)).unwrap();
    let e = checkpoint::check_config_file(&dir, &config).unwrap_err();
    let io = fs::read(dir.join(checkpoint::CONFIG_FILE)).unwrap_err();
    let file = dir.join(checkpoint::CONFIG_FILE);
    assert_eq!(
        report(&e),
        format!(
            "the config of the checkpointed run, {0}: cannot read the config file {0}: {io}",
            file.display()
        )
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_held_lock_names_its_holder_and_no_option() {
    let dir = scratch("lock");
    let out = dir.join("run");
    let _held = Lock::exclusive(&out).unwrap();
    let e = Lock::exclusive(&out).unwrap_err();
    let LockError::Held { holder, lock, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(holder.pid, Some(std::process::id().to_string()));
    assert_eq!(lock, &dir.join(".run.lock"));
    assert!(e.to_string().starts_with(&e.busy()));
    no_cli_words(&e.to_string());
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_output_nlif_may_not_replace_is_refused_without_an_option_name() {
    let dir = scratch("output");
    let e = output::check_target(Path::new(".")).unwrap_err();
    assert!(matches!(e, OutputError::NotADirectoryName { .. }), "{e}");
    no_cli_words(&e.to_string());

    let foreign = dir.join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let e = output::check_target(&foreign).unwrap_err();
    let OutputError::NotNlifOutput { out, why } = &e else {
        panic!("{e}")
    };
    assert_eq!(out, &foreign);
    assert!(why.contains("`notes.txt`"), "{why}");
    no_cli_words(&e.to_string());

    let file = dir.join("file");
    fs::write(&file, "x").unwrap();
    let e = output::check_target(&file).unwrap_err();
    assert!(matches!(e, OutputError::NotADirectory { .. }), "{e}");
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_directory_that_is_not_a_sweep_cannot_be_merged() {
    let dir = scratch("merge");
    let e = sweep::merge(&dir.join("nothing"), true).unwrap_err();
    let SweepError::NotASweepDir { dir: d, source } = &e else {
        panic!("{e}")
    };
    assert_eq!(d, &dir.join("nothing"));
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    no_cli_words(&report(&e));
    fs::remove_dir_all(&dir).ok();
}
