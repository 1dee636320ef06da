//! The program's own words on the library's errors: where an error of nlif-experiment
//! is fixed with an option or a command of this program, the message names it here (the
//! library names none). Every other error is passed on as it is.

use anyhow::anyhow;
use nlif_experiment::checkpoint::CheckpointError;
use nlif_experiment::lock::LockError;
use nlif_experiment::output::OutputError;
use nlif_experiment::sweep::SweepError;

/// A held lock: choosing another `--out` is the other way out.
pub(crate) fn lock(e: LockError) -> anyhow::Error {
    match &e {
        LockError::Held { lock, .. } => anyhow!(
            "{}, or choose another --out (the lock is {})",
            e.busy(),
            lock.display()
        ),
        _ => e.into(),
    }
}

/// An output that cannot be written: the `--out` to change.
pub(crate) fn output(e: OutputError) -> anyhow::Error {
    let text = e.to_string();
    match e {
        OutputError::NotADirectoryName { .. } => anyhow!("--out {text}"),
        OutputError::NotNlifOutput { .. } => {
            anyhow!("{text}: choose another --out or move it away")
        }
        OutputError::Writing { source, .. } => output(*source).context(text),
        e => e.into(),
    }
}

/// A sweep directory that cannot be written: the `--out` to change.
pub(crate) fn sweep(e: SweepError) -> anyhow::Error {
    let text = e.to_string();
    match e {
        SweepError::Lock(e) => lock(e),
        SweepError::Output(e) => output(e),
        SweepError::DifferentSweep { .. } => anyhow!("{text}; choose another --out"),
        SweepError::NotASweep { .. } => anyhow!("{text}: choose another --out"),
        e => e.into(),
    }
}

/// A checkpoint of another run: `nlif run` starts a new one.
pub(crate) fn checkpoint(e: CheckpointError) -> anyhow::Error {
    match &e {
        CheckpointError::DifferentRuns { .. } => anyhow!(
            "{} (put back that run's {}, or start a new run with `nlif run`)",
            e.refusal(),
            nlif_experiment::checkpoint::CONFIG_FILE
        ),
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use nlif_experiment::lock::Holder;
    use nlif_experiment::report;

    use super::*;

    /// Oracle: the messages as this program printed them when the library still wrote
    /// the option names itself, written out by hand.
    #[test]
    fn the_program_words_the_library_errors_as_before() {
        let held = LockError::Held {
            out: PathBuf::from("out/run"),
            holder: Holder {
                pid: Some("42".into()),
            },
            lock: PathBuf::from("out/.run.lock"),
        };
        assert_eq!(
            report(&*sweep(SweepError::Lock(held))),
            "out/run is being written by another nlif process (PID 42); nlif lets one process at a time write an output: wait for it to end, or choose another --out (the lock is out/.run.lock)"
        );
        let foreign = OutputError::Writing {
            out: PathBuf::from("o"),
            source: Box::new(OutputError::NotNlifOutput {
                out: PathBuf::from("o"),
                why: "it has no nlif summary.json".into(),
            }),
        };
        assert_eq!(
            report(&*output(foreign)),
            "writing the outputs of o: the output o exists and is not an earlier nlif output (it has no nlif summary.json); nlif replaces only its own outputs: choose another --out or move it away"
        );
        let dot = OutputError::NotADirectoryName {
            out: PathBuf::from("."),
        };
        assert_eq!(
            report(&*output(dot)),
            "--out .: give a directory to create (or an earlier nlif output to replace), not `.`, `..` or a root"
        );
        let other = SweepError::DifferentSweep {
            dir: PathBuf::from("s"),
        };
        assert_eq!(
            report(&*sweep(other)),
            "s holds a different sweep (its sweep.json differs); choose another --out"
        );
    }
}
