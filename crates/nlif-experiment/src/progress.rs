//! Progress on stderr: a bar on a terminal; otherwise (a log file, a batch job) a short
//! line every 10 % of the run or every 10 s, whichever comes first. `--quiet` silences
//! both.

use std::io::Write as _;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use multiscale::{Event, Observer, Trace};

/// Shows a run's progress on stderr.
pub struct Progress {
    bar: ProgressBar,
    t_end: f64,
    switches: usize,
    mfes: usize,
    /// Plain lines instead of the bar: the time of the last line and its tenth of the run.
    lines: Option<(Instant, u64)>,
    started: Instant,
}

/// How the progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// A bar (stderr is a terminal).
    Bar,
    /// A line every 10 % or 10 s.
    Lines,
    /// Nothing.
    Nothing,
}

impl Progress {
    /// A bar drawn on stderr, or hidden.
    pub fn new(t_end: f64, show: Show) -> Self {
        let visible = show == Show::Bar;
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
            lines: (show == Show::Lines).then(|| (Instant::now(), 0)),
            started: Instant::now(),
        }
    }

    /// The progress of a resumed run, at `t` with the restored `trace`: its switches and
    /// MFEs are counted from the start of the run, not from the resume; without a bar a
    /// line says where the run resumes.
    pub fn resumed(mut self, t: f64, trace: &Trace) -> Self {
        self.switches = trace.switches.len();
        self.mfes = trace.mfes.len();
        if let Some((_, tenth)) = &mut self.lines {
            *tenth = (t / self.t_end * 10.0 + 1e-9).floor() as u64;
            let _ = writeln!(
                std::io::stderr(),
                "nlif: resumed at t = {} / {} with {} and {} so far",
                crate::shortest(nlif_model::time::tidy(t)),
                crate::shortest(self.t_end),
                plural(self.switches, "switch", "switches"),
                plural(self.mfes, "MFE", "MFEs"),
            );
        }
        self
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `1 switch`, `2 switches`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether a plain progress line is due: a new tenth of the run was reached and the last
/// line is at least a second old (a short run stays quiet), or the last line is 10 s old
/// however slow the run.
fn line_due(tenth: u64, last_tenth: u64, since_last: Duration) -> bool {
    (tenth > last_tenth && since_last >= Duration::from_secs(1))
        || since_last >= Duration::from_secs(10)
}

impl Observer for Progress {
    fn observe(&mut self, event: Event<'_>) -> ControlFlow<()> {
        match event {
            Event::Sample(s) => {
                if let Some((last, tenth)) = &mut self.lines {
                    let now = Instant::now();
                    let reached = (s.t / self.t_end * 10.0 + 1e-9).floor() as u64;
                    if line_due(reached, *tenth, now.duration_since(*last)) {
                        *last = now;
                        *tenth = reached.max(*tenth);
                        // A closed stderr is no reason to stop the run.
                        let _ = writeln!(
                            std::io::stderr(),
                            "nlif: t = {} / {} ({:.0} %), {}, rate {:.4}, {} switch{}, {} MFE{}, {:.1} s",
                            crate::shortest(s.t),
                            crate::shortest(self.t_end),
                            100.0 * s.t / self.t_end,
                            s.mode.as_str(),
                            s.rate,
                            self.switches,
                            if self.switches == 1 { "" } else { "es" },
                            self.mfes,
                            if self.mfes == 1 { "" } else { "s" },
                            self.started.elapsed().as_secs_f64()
                        );
                    }
                    return ControlFlow::Continue(());
                }
                self.bar
                    .set_position((s.t / self.t_end * 1000.0).round() as u64);
                self.bar.set_message(format!(
                    "t = {:.3} / {}  {}  rate {:.3}  switches {}  MFEs {}",
                    s.t,
                    crate::shortest(self.t_end),
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
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the rule as documented, at its edges.
    #[test]
    fn a_line_is_due_each_tenth_at_most_every_second_and_every_ten_seconds() {
        let s = Duration::from_secs_f64;
        assert!(!line_due(1, 0, s(0.5)));
        assert!(line_due(1, 0, s(1.0)));
        assert!(!line_due(1, 1, s(9.9)));
        assert!(line_due(1, 1, s(10.0)));
        assert!(line_due(7, 3, s(2.0)));
    }
}
