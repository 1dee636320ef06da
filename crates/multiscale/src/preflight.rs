//! Every check a run makes before it starts, and the memory it will need.
//!
//! [`preflight`] is the one validation path: [`Simulation::new`](crate::Simulation::new)
//! calls it first, and a front end's "check" calls it without running anything. It checks
//! only what the chosen solver uses (a `Micro` run ignores the macro time step and the
//! switching, a `Macro` run the particles), estimates the memory before allocating
//! anything, and discretises the initial density to find whether it has mass on the grid
//! and a finite firing rate.

use coupling::{Bandwidth, Estimator};
use fp_macro::{Grid, Reinjection};
use nlif_model::network::Network;
use nlif_model::time::in_step;
use nlif_model::{InitialDensity, Input, ModelParams, Refractory};

use crate::config::{RunConfig, RunError, SolverKind, SwitchingConfig};

/// What a run will hold in memory, in bytes, estimated from its settings alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryEstimate {
    /// The particles: voltages, the sample drawn at a hand-over, cascade workspace.
    pub particles: u64,
    /// The mean-field density and its step operator.
    pub density: u64,
    /// The macro states kept for a rolled-back hand-over (`Multiscale`).
    pub rollback: u64,
    /// The recorded trace: rate samples and density snapshots (twice the snapshots while
    /// they are written out).
    pub trace: u64,
    /// The config field that sets the largest part ([`MemoryEstimate::largest_part`]).
    blame: &'static str,
}

/// A size in bytes from an estimate, saturating at `u64::MAX` (`NaN` too).
fn bytes(x: f64) -> u64 {
    if x.is_finite() && x < u64::MAX as f64 {
        x.max(0.0) as u64
    } else {
        u64::MAX
    }
}

impl MemoryEstimate {
    /// Bytes per particle at the most, as in a synchronous burst: the voltage (8), its
    /// copy in the hand-over sample (8), and in the cascade an entry `(f64, u32)` in its
    /// block's window (16), in the candidate buffer (16) and in that buffer's counting-sort
    /// scratch (16), and a fired index (4). A quiet network holds about the voltage alone.
    pub const BYTES_PER_PARTICLE: u64 = 68;

    /// The estimate for a run of `config` on a grid of `cells` unknowns.
    pub fn of(config: &RunConfig, cells: usize) -> Self {
        let cells = cells as f64;
        let particles = if config.kind.uses_micro() {
            config.micro.particles as f64 * Self::BYTES_PER_PARTICLE as f64
        } else {
            0.0
        };
        // Density, next, three matrix diagonals with indices, the pivots and two sweep
        // vectors; the rollback snapshots (one density each).
        let kept = if config.kind == SolverKind::Multiscale {
            config.rollback_snapshots() as f64
        } else {
            0.0
        };
        let density = cells * 8.0 * (2.0 + 3.0 * 2.0 + 3.0);
        let rollback = cells * 8.0 * kept;
        let samples = (config.t_end / config.sample_interval).ceil() + 1.0;
        let snapshots = config
            .density_interval
            .map_or(0.0, |d| (config.t_end / d).floor() + 1.0);
        // A sample is 24 bytes in the trace; the snapshots are copied once when written.
        let sample_bytes = samples * 24.0;
        let snapshot_bytes = snapshots * (cells * 8.0 * 2.0 + 32.0);
        let trace = sample_bytes + snapshot_bytes;
        // The grid is large because of its spacing or its extent `[v_min, v_f]`.
        let m = &config.macro_config;
        let grid_field = if m.dv >= 1e-4 && m.v_min + cells * m.dv > 100.0 {
            "model.v_f"
        } else if m.dv >= 1e-4 && m.v_min < -100.0 {
            "solver.macro.v_min"
        } else {
            "solver.macro.dv"
        };
        // The record is long (a run beyond 1e6 membrane time constants), its snapshots
        // are many, or each is large.
        let long = config.t_end > 1e6;
        let snapshot_field = if long {
            "t_end"
        } else if snapshots >= cells {
            "output.density_interval"
        } else {
            grid_field
        };
        let sample_field = if long { "t_end" } else { "output.interval" };
        let parts = [
            (particles, "solver.micro.particles"),
            (density, grid_field),
            (rollback, "solver.switching.rollback"),
            (sample_bytes, sample_field),
            (snapshot_bytes, snapshot_field),
        ];
        let blame = parts
            .iter()
            .fold(parts[0], |best, &p| if p.0 > best.0 { p } else { best })
            .1;
        MemoryEstimate {
            particles: bytes(particles),
            density: bytes(density),
            rollback: bytes(rollback),
            trace: bytes(trace),
            blame,
        }
    }

    /// The estimate with what refractory periods and synaptic delays of `network` keep
    /// (docs/model.md §11–12), for a run of `config`: with particles, a count of steps
    /// away per neuron of a population with a period (4 bytes) and the delayed spike
    /// counts (`(d_max + 1) P` of 8 bytes); with the density solver, each population's
    /// ring of past rates, `tau / dt` for a `Fixed` period and the longest delay of its
    /// spikes in steps (8 bytes each). The
    /// delays are blamed (`model.delay`) when their rings are most of the largest part.
    #[must_use]
    pub fn with_histories(mut self, network: &Network, config: &RunConfig) -> Self {
        let neurons = network.neurons(config.micro.particles).unwrap_or_default();
        let mut away = 0.0;
        let mut periods = 0.0;
        let mut delays = 0.0;
        let dt = config.macro_config.dt;
        let steps = |time: f64, dt: f64| (time / dt).round().max(0.0);
        for (alpha, population) in network.populations.iter().enumerate() {
            if !population.refractory.is_none() {
                away += 4.0 * neurons.get(alpha).copied().unwrap_or(0) as f64;
            }
            if let Refractory::Fixed { tau } = population.refractory {
                periods += 8.0 * steps(tau, dt);
            }
            let longest = (0..network.len())
                .map(|a| network.delay_entry(a, alpha))
                .fold(0.0, f64::max);
            delays += 8.0 * steps(longest, dt);
        }
        if config.kind.uses_micro() {
            let d_max = steps(network.max_delay(), config.micro.dt);
            let counts = if d_max > 0.0 {
                8.0 * (d_max + 1.0) * network.len() as f64
            } else {
                0.0
            };
            self.particles = self.particles.saturating_add(bytes(away + counts));
        }
        if config.kind.uses_macro() {
            self.density = self.density.saturating_add(bytes(periods + delays));
        }
        let largest = self
            .particles
            .max(self.density)
            .max(self.rollback)
            .max(self.trace);
        if config.kind.uses_macro() && self.density == largest && bytes(2.0 * delays) >= largest {
            // The density part is the largest and mostly the delays' rings.
            self.blame = "model.delay";
        }
        self
    }

    /// The total, saturating at `u64::MAX`.
    pub fn total(&self) -> u64 {
        self.particles
            .saturating_add(self.density)
            .saturating_add(self.rollback)
            .saturating_add(self.trace)
    }

    /// The config field that sets the largest part: `solver.micro.particles`; the grid's
    /// `solver.macro.dv`, `solver.macro.v_min` or `model.v_f` (the spacing, or an extent
    /// far beyond the model's voltages of order one); `solver.switching.rollback` (the kept
    /// macro states); for the recorded trace `t_end` when the run is longer than `1e6`,
    /// else `output.interval` (the rate samples) or `output.density_interval` (the
    /// snapshots, when they are many; the grid's field when each is large); `model.delay`
    /// when the density's rings of delayed rates are most of the largest part
    /// ([`with_histories`](Self::with_histories)).
    pub fn largest_part(&self) -> &'static str {
        self.blame
    }
}

/// Rounding allowance of the explicit re-injection's positivity bound: the step tests
/// `p/dt - (a/h) p / h >= 0` in floating point, which a `dt` exactly at `h²/a` can fail by
/// one rounding; a relative margin of `1e-9` keeps the test's sign whatever the rounding.
const EXPLICIT_MARGIN: f64 = 1e-9;

/// The positivity condition of the explicit re-injection, for every state the run can
/// reach (docs/fp-macro.md, "Positivity").
///
/// The step leaves `p^m_{n-1}/dt - (a/h²) p^m_{n-1}` on the right-hand side of the last
/// row: non-negative (and then the M-matrix keeps the whole density non-negative) iff
/// `dt · a <= h²`, `a = a0 + a1 N` the frozen noise. The rate of a density of unit mass is
/// at most `a / h²` (all the mass in the last cell, `p_{n-1} <= 1/h`), so with `a1 < h²`
/// the frozen noise stays below `a_max = a0 / (1 - a1/h²)` (`a <= a0 + a1 a / h²`), and
/// below `a0 (1 + a1/h²) / (1 - a1/h²)` with the rate extrapolated to the step end
/// (`N* = 2N^m - N^{m-1} <= 2 a_max / h²`). The condition checked is
/// `dt · a_max <= h² (1 - 1e-9)`; with `a1 >= h²` no bound holds and the explicit step is
/// refused.
fn explicit_step_stays_positive(
    params: &ModelParams,
    m: &fp_macro::MacroConfig,
) -> Result<(), RunError> {
    let h2 = m.dv * m.dv;
    let ratio = params.a1 / h2;
    if !(ratio < 1.0) {
        return Err(RunError::Invalid {
            field: "solver.macro.reinjection",
            value: params.a1,
            reason: format!(
                "Explicit re-injection keeps the density non-negative only for model.a1 < dv² = {h2:.3e} (got a1 = {:?}: the rate, and with it the noise, has no bound); use Implicit",
                params.a1
            ),
        });
    }
    let a_max = match m.frozen_at {
        fp_macro::FrozenAt::StepStart => params.a0 / (1.0 - ratio),
        // `StepEnd` (and any later variant: the larger bound).
        _ => params.a0 * (1.0 + ratio) / (1.0 - ratio),
    };
    let limit = h2 / a_max * (1.0 - EXPLICIT_MARGIN);
    if !(m.dt <= limit) {
        return Err(RunError::Invalid {
            field: "solver.macro.dt",
            value: m.dt,
            reason: format!(
                "Explicit re-injection keeps the density non-negative only for dt < dv² / a_max = {limit:.6e} (a_max = {a_max:?}, the largest noise a0 + a1 N the run can reach; got dt = {:?}); use a smaller dt or reinjection: Implicit",
                m.dt
            ),
        });
    }
    Ok(())
}

/// Everything [`preflight`] established: the run can start.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// The grid of the density (and of the density snapshots of micro phases).
    pub grid: Grid,
    /// The initial density on the grid, normalised to unit mass.
    pub density: Vec<f64>,
    /// The firing rate of the initial density.
    pub rate: f64,
    /// The memory the run will need.
    pub memory: MemoryEstimate,
}

/// The grid a run uses, and its memory estimate, without allocating anything: the cheap
/// first half of [`preflight`], for a front end that compares the estimate with the memory
/// it has before going on.
///
/// # Errors
///
/// As [`preflight`], for every check but the initial density.
pub fn plan(
    params: &ModelParams,
    input: &Input,
    initial: &InitialDensity,
    config: &RunConfig,
) -> Result<(Grid, MemoryEstimate), RunError> {
    plan_with(
        params,
        input,
        Some(initial),
        config,
        SwitchingConfig::validate_policy,
    )
}

/// [`plan`] with the policy's own check of its settings (a custom policy checks only
/// what it reads) and an optional initial density (a run started from data has none).
pub(crate) fn plan_with(
    params: &ModelParams,
    input: &Input,
    initial: Option<&InitialDensity>,
    config: &RunConfig,
    policy: impl FnOnce(&SwitchingConfig) -> Result<(), RunError>,
) -> Result<(Grid, MemoryEstimate), RunError> {
    params.validate()?;
    input.validate()?;
    if let Some(initial) = initial {
        initial.validate()?;
    }
    config.validate_run()?;
    if config.kind == SolverKind::Multiscale {
        policy(&config.switching)?;
    }
    crate::phase::refuse_dilated(params.a1, config)?;
    if let Input::Kick { t0, .. } = *input
        && !in_step(t0, 0.0, config.t_end)
    {
        // By the rule of `nlif_model::time`: the kick falls into no step of the run.
        return Err(RunError::Invalid {
            field: "model.input.t0",
            value: t0,
            reason: format!(
                "the kick must fall inside the run, 0 <= t0 < t_end = {}; it would never be applied",
                config.t_end
            ),
        });
    }
    if config.kind.uses_micro() {
        config.micro.validate()?;
    }
    let m = &config.macro_config;
    let grid = Grid::for_model(params, m.v_min, m.dv)?;
    if config.kind.uses_macro() && m.reinjection == Reinjection::Explicit {
        explicit_step_stays_positive(params, m)?;
    }
    if config.kind == SolverKind::Multiscale {
        let estimator = config.switching.estimator;
        if let Err(e) = estimator.validate() {
            let value = match estimator {
                Estimator::Kernel {
                    bandwidth: Bandwidth::Fixed(h),
                } => h,
                _ => f64::NAN,
            };
            let reason = e.to_string();
            let reason = reason.split_once(": ").map_or(reason.as_str(), |(_, r)| r);
            return Err(RunError::Invalid {
                field: "solver.switching.estimator.bandwidth",
                value,
                reason: reason.to_owned(),
            });
        }
    }
    Ok((grid, MemoryEstimate::of(config, grid.len())))
}

/// Every check a run makes before it starts.
///
/// Validates the model, input, initial data and every setting the chosen solver uses,
/// estimates the memory, discretises the initial density and reads off its firing rate.
///
/// # Errors
///
/// The first invalid setting, named by its config path ([`RunError::field`]): an invalid
/// parameter, grid or step; an end time or sample interval that is not a whole number of
/// steps; an input kick outside `[0, t_end)`; explicit re-injection beyond its stability
/// limit; an initial density without
/// mass on the grid, or without a finite rate (`a1 p_{n-1} / h >= 1`).
pub fn preflight(
    params: &ModelParams,
    input: &Input,
    initial: &InitialDensity,
    config: &RunConfig,
) -> Result<Preflight, RunError> {
    let (grid, memory) = plan(params, input, initial, config)?;
    let density = discretised(&grid, initial)?;
    let rate = initial_rate(&grid, params, &density)?;
    Ok(Preflight {
        grid,
        density,
        rate,
        memory,
    })
}

/// `initial` on `grid`, normalised to unit mass.
pub(crate) fn discretised(grid: &Grid, initial: &InitialDensity) -> Result<Vec<f64>, RunError> {
    Ok(fp_macro::discretise(grid, initial)?)
}

/// The firing rate of the initial `density`: finite, or the run cannot start.
pub(crate) fn initial_rate(
    grid: &Grid,
    params: &ModelParams,
    density: &[f64],
) -> Result<f64, RunError> {
    fp_macro::threshold_rate(grid, params, density)
        .ok()
        .filter(|r| r.is_finite())
        .ok_or_else(|| RunError::Invalid {
            field: "model.a1",
            value: params.a1,
            reason: "the initial density has no finite firing rate (a1 p(v_f - dv) / dv >= 1)"
                .to_owned(),
        })
}
