//! The hook through which a front end (or a user's code) watches a run and may stop it.
//!
//! The run calls [`Observer::observe`] for every event in order, including every step of
//! either phase ([`Event::Step`]); an observer that returns [`ControlFlow::Break`] stops the
//! run after the event (the [`Simulation`](crate::Simulation) stays usable: `advance`
//! continues it). The library never prints. Observing costs nothing when the observer
//! ignores everything (`()`): the calls are inlined away.

use std::ops::ControlFlow;

use nlif_micro::Mfe;

use crate::trace::{Mode, Sample, Switch};

/// Something that happened during a run, as seen by an [`Observer`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A step of the density or of the particles ended.
    Step(&'a StepView<'a>),
    /// A new rate sample.
    Sample(&'a Sample),
    /// A switch.
    Switch(&'a Switch),
    /// A multiple firing event.
    Mfe(&'a Mfe),
    /// Everything after `t` was discarded and will be recomputed by the particles.
    Rollback {
        /// The time rolled back to.
        t: f64,
    },
}

/// The state at the end of a step, as an [`Event::Step`] shows it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StepView<'a> {
    /// The time at the end of the step.
    pub t: f64,
    /// The step's mean firing rate (the density's outflow, or the particles' spikes over
    /// `N dt`).
    pub rate: f64,
    /// Which description took the step.
    pub mode: Mode,
    /// The density on the grid after the step, in a density phase.
    pub density: Option<&'a [f64]>,
}

/// Watches a run (progress bars, live output, a user's steering). The library itself
/// never prints.
///
/// A closure is an observer through [`observe_with`]:
///
/// ```
/// use std::ops::ControlFlow;
/// use multiscale::{Event, RunConfig, Simulation, SolverKind, observe_with};
/// use nlif_model::{InitialDensity, Input, ModelParams};
///
/// let config = RunConfig { kind: SolverKind::Macro, t_end: 1.0, ..RunConfig::default() };
/// let initial = InitialDensity::Gaussian { mean: 0.0, var: 0.5 };
/// let mut run = Simulation::new(ModelParams::default(), Input::None, &initial, config,
///                               nlif_micro::Parallelism::Sequential)?;
/// // Stop at the first step whose rate passes 0.01.
/// let mut steps = 0;
/// let outcome = run.advance(1.0, &mut observe_with(|event| match event {
///     Event::Step(step) => {
///         steps += 1;
///         if step.rate > 0.01 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
///     }
///     _ => ControlFlow::Continue(()),
/// }))?;
/// assert_eq!(outcome, None); // stopped, not ended
/// assert!(run.rate() > 0.01 && run.time() < 1.0);
/// assert_eq!(steps, run.trace().macro_steps); // one event per step
/// // The run goes on from where it stopped.
/// assert!(run.run(&mut ())?.is_completed());
/// # Ok::<(), multiscale::RunError>(())
/// ```
pub trait Observer {
    /// Called for every event, in order; [`ControlFlow::Break`] stops the run after it.
    fn observe(&mut self, event: Event<'_>) -> ControlFlow<()>;
}

/// The observer that ignores everything.
impl Observer for () {
    #[inline]
    fn observe(&mut self, _event: Event<'_>) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<O: Observer + ?Sized> Observer for &mut O {
    #[inline]
    fn observe(&mut self, event: Event<'_>) -> ControlFlow<()> {
        (**self).observe(event)
    }
}

/// A closure as an [`Observer`] (see [`observe_with`]).
#[derive(Debug, Clone, Copy)]
pub struct FnObserver<F>(pub F);

impl<F: FnMut(Event<'_>) -> ControlFlow<()>> Observer for FnObserver<F> {
    #[inline]
    fn observe(&mut self, event: Event<'_>) -> ControlFlow<()> {
        (self.0)(event)
    }
}

/// An observer that calls `f` for every event.
pub fn observe_with<F: FnMut(Event<'_>) -> ControlFlow<()>>(f: F) -> FnObserver<F> {
    FnObserver(f)
}
