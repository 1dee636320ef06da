//! The progress bar: simulated time, mode, rate, ETA; silent when not on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use multiscale::{Event, Observer};

/// Shows a run's progress on stderr.
pub(crate) struct Progress {
    bar: ProgressBar,
    t_end: f64,
    switches: usize,
    mfes: usize,
}

impl Progress {
    /// A bar drawn on stderr, or hidden.
    pub(crate) fn new(t_end: f64, visible: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(1000),
            if visible {
                ProgressDrawTarget::stderr_with_hz(8)
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:30.cyan/blue} {msg} [{elapsed_precise}, ETA {eta}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress {
            bar,
            t_end,
            switches: 0,
            mfes: 0,
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn observe(&mut self, event: Event<'_>) {
        match event {
            Event::Sample(s) => {
                self.bar
                    .set_position((s.t / self.t_end * 1000.0).round() as u64);
                self.bar.set_message(format!(
                    "t = {:.3} / {}  {}  rate {:.3}  switches {}  MFEs {}",
                    s.t,
                    self.t_end,
                    s.mode.as_str(),
                    s.rate,
                    self.switches,
                    self.mfes
                ));
            }
            Event::Switch(_) => self.switches += 1,
            Event::Mfe(_) => self.mfes += 1,
            _ => {}
        }
    }
}
