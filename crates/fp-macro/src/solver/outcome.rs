//! What one attempted step of the mean-field solver reports.

/// The result of one attempted step. Anything but `Advanced` leaves the state at `t^m`,
/// so a loop `while solver.time() < t_end { solver.step(bound) }` that ignores the outcome
/// would never end: stop (or change something) on anything but `Advanced`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
#[must_use = "a step that did not advance leaves the state unchanged: handle every outcome but `Advanced`"]
pub enum StepOutcome {
    /// The state advanced to `t^{m+1}` with this firing rate.
    Advanced {
        /// The new firing rate.
        rate: f64,
    },
    /// The new rate would exceed the caller's bound (the state did not advance).
    RateAboveBound {
        /// The rate the step would have produced.
        rate: f64,
        /// The caller's bound.
        bound: f64,
    },
    /// Explicit re-injection would make the density negative: `dt N > h p_{n-1}`.
    PositivityLost {
        /// The largest step that would have kept the density non-negative.
        max_dt: f64,
    },
    /// An input kick in this step pushes part of the mass over `V_F` at once: a
    /// synchronous event the density cannot represent.
    SynchronousKick {
        /// Time of the kick.
        t0: f64,
        /// Voltage shift of the kick.
        dv: f64,
        /// Fraction of the mass pushed to or over `V_F`.
        fraction: f64,
    },
    /// The solve produced a negative density value: the scheme's weights are not those of
    /// an M-matrix (a [`FluxScheme`](crate::FluxScheme) breaking its positivity promise; the built-in
    /// schemes cannot produce this).
    NegativeDensity {
        /// Index of the first negative nodal value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The solve produced NaN or infinity (the rate has blown up beyond representation,
    /// or a scheme returned non-finite weights).
    NonFinite,
}

impl StepOutcome {
    /// The new rate if the state advanced.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        match self {
            StepOutcome::Advanced { rate } => Some(*rate),
            _ => None,
        }
    }
}
