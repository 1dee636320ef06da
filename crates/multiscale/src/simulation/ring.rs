//! The rollback ring: macro states kept for a hand-over that starts before its trigger.
//!
//! Near a blow-up the density degrades before the policy's bound refuses a step; the
//! hand-over to particles samples a state kept at least `rollback` earlier. A multi-scale
//! run keeps one every [`RunConfig::snapshot_every`] macro steps (its own spacing, never
//! the output interval's), at most [`RunConfig::rollback_snapshots`] of them, in a ring
//! whose buffers are reused.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::clock::ClockState;
use super::memory::DensityMemory;
use crate::config::RunConfig;

/// A macro state kept for the rolled-back hand-over, with the sample clock at its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SnapshotState {
    /// Its time.
    pub t: f64,
    /// Index `k` of the next sample time `k · sample_interval` after `t`.
    pub next_sample: u64,
    /// `∫ rate dt` from the last sample to `t`.
    pub accumulated: f64,
    /// The density.
    pub density: Vec<f64>,
    /// Its rate.
    pub rate: f64,
    /// The populations' `∫ N_α dt` from the last sample to `t` (empty for one
    /// population).
    pub populations: Vec<f64>,
    /// The populations' rates (empty for one population).
    pub rates: Vec<f64>,
    /// The refractory compartments and rate histories of the densities (empty without a
    /// refractory period and delays).
    pub memory: DensityMemory,
}

/// The kept macro states, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct RollbackRing {
    /// Whether states are kept at all (a multi-scale run with `rollback > 0`).
    enabled: bool,
    /// Macro steps between two kept states.
    every: u64,
    /// The most states kept.
    keep: usize,
    /// The states.
    pub(crate) snapshots: VecDeque<SnapshotState>,
}

impl RollbackRing {
    /// The ring of `config`, holding `snapshots`.
    pub(crate) fn new(config: &RunConfig, switching: bool, snapshots: Vec<SnapshotState>) -> Self {
        RollbackRing {
            enabled: switching && config.switching.rollback > 0.0,
            every: config.snapshot_every(),
            keep: config.rollback_snapshots(),
            snapshots: snapshots.into(),
        }
    }

    /// Whether a state is due after macro step `steps` of a density phase.
    pub(crate) fn due(&self, steps: u64) -> bool {
        steps.is_multiple_of(self.every)
    }

    /// Keeps the density `fill` appends to its buffer (returning whether there is one)
    /// at `t`, with its rate, its populations' `rates`, what `memory` gives (the
    /// densities' refractory compartments and rate histories) and the clock at `t`,
    /// dropping the oldest state when the ring is full (its buffer is reused).
    pub(crate) fn keep(
        &mut self,
        t: f64,
        fill: impl FnOnce(&mut Vec<f64>) -> bool,
        (rate, rates): (f64, &[f64]),
        memory: impl FnOnce() -> Option<DensityMemory>,
        clock: &ClockState,
    ) {
        if !self.enabled {
            return;
        }
        let mut reused = if self.snapshots.len() >= self.keep {
            self.snapshots
                .pop_front()
                .map(|s| s.density)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        reused.clear();
        if !fill(&mut reused) {
            return;
        }
        self.snapshots.push_back(SnapshotState {
            t,
            next_sample: clock.next_sample,
            accumulated: clock.accumulated,
            density: reused,
            rate,
            populations: clock.populations.clone(),
            rates: rates.to_vec(),
            memory: memory().unwrap_or_default(),
        });
    }

    /// The newest state at least `rollback` before `triggered_at` (the oldest if none
    /// is that old), if the hand-over rolls back.
    pub(crate) fn before(&self, triggered_at: f64, rollback: f64) -> Option<SnapshotState> {
        if !self.enabled {
            return None;
        }
        let horizon = triggered_at - rollback;
        self.snapshots
            .iter()
            .rev()
            .find(|s| s.t <= horizon + 1e-12)
            .or(self.snapshots.front())
            .cloned()
    }

    /// Forgets every kept state (a phase change).
    pub(crate) fn clear(&mut self) {
        self.snapshots.clear();
    }
}
