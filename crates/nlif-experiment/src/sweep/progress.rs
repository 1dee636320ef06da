//! Progress over the points of a sweep.

use std::io::IsTerminal;

use super::PointResult;

/// Progress over points: a bar on a terminal, a line per ~10 % otherwise.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: usize,
    tenth: usize,
    quiet: bool,
}

impl Progress {
    pub(super) fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30.cyan/blue} {pos}/{len} points [{elapsed_precise}, ETA {eta}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
            tenth: 0,
            quiet,
        }
    }

    pub(super) fn tick(&mut self, result: &PointResult) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            return;
        }
        let tenth = self.done * 10 / self.total.max(1);
        if !self.quiet && tenth > self.tenth {
            self.tenth = tenth;
            eprintln!(
                "nlif sweep: {}/{} points ({} %), last: point {} {}",
                self.done,
                self.total,
                100 * self.done / self.total.max(1),
                result.index,
                result.outcome
            );
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
