//! The sub-threshold pass over one block of particles: the loop that costs the run.
//!
//! A block's particles are taken in chunks of up to [`CHUNK`] in index order. For a kernel
//! without the split form ([`SubthresholdStep::SPLIT`] `= false`) a chunk's normal
//! deviates are drawn and its particles go through `advance` and [`record`] in a plain
//! loop. For a split kernel (the built-in ones), for each chunk:
//!
//! 1. the chunk's normal deviates `z` are drawn (module [`crate::normal`]);
//! 2. one loop without branches applies the pending reset or kick (`settle`), calls the
//!    kernel's [`SubthresholdStep::propagate`] and stores the candidate voltage, the voltage
//!    before the step and a flag per particle: bit 0 when the kernel did not settle it,
//!    bit 1 when it ends within the cascade window `θ` below `V_F`, bit 2 when it is not
//!    finite (a kernel breaking its promise: counted in step 4). With the built-in
//!    kernels (and any kernel whose `propagate` is written without branches) the compiler
//!    vectorizes this loop, at the widest width the processor offers (`pulp` picks it at
//!    run time, as for the normals);
//! 3. the indices of the flagged particles are gathered, eight flags at a time (or, after
//!    a chunk with many flagged, without branches: [`compact`]; not at all when the loop's
//!    flags, or-ed together as it goes, are all zero);
//! 4. the flagged particles, in index order, go through the kernel's
//!    [`SubthresholdStep::advance`] (those not settled: the bridge's uniform is drawn here)
//!    and [`record`] (spike count, `-inf` for a fired neuron, cascade window, count of
//!    non-finite voltages).
//!
//! Step 4 draws from the block's stream exactly what a plain loop over `advance` would, in
//! the same order, and the arithmetic of `propagate` and `advance` is the same (no fused
//! multiply–add on any path), so the run does not depend on the vector width; a unit test
//! holds the pass to that plain loop bit for bit.
//!
//! Few particles are flagged: the bridge needs its uniform only within about
//! `sqrt(37 a dt)` of `V_F` (0.19 at `a = 1`, `dt = 10^-3`), where the density vanishes
//! linearly, so near the stationary state of `b = 0.5` about 0.3 % of them.

use super::Block;
use super::refractory::{Away, park};
use crate::normal::{Batch, CHUNK, Normals};
use crate::stepper::{KernelVisitor, SubthresholdStep};

/// Flag bit: the kernel did not settle the particle (it goes through `advance`).
const UNSETTLED: u64 = 1;
/// Flag bit: the particle ends within the cascade window.
const WINDOW: u64 = 2;
/// Flag bit: the voltage `propagate` settled on is NaN or infinite (a kernel that breaks
/// its promise): it goes to [`record`], which counts it. (A particle `propagate` did not
/// settle goes there anyway, with the voltage `advance` returns.)
const NON_FINITE: u64 = 4;

/// Applies a pending reset (`-inf` ↦ `V_R`) or kick.
#[inline(always)]
pub(crate) fn settle(x: f64, pending: f64, v_r: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        v_r
    } else {
        x + pending
    }
}

/// Stores the new voltage of particle `index`, counting a spike, a cascade candidate or a
/// non-finite voltage.
///
/// A voltage that is not finite (NaN or `±inf` from a kernel that breaks its promise) is
/// stored as it is and counted in `block.non_finite`, never gathered for the cascade (the
/// bands of the cascade never gather one either: their tests are false for it).
#[inline(always)]
pub(super) fn record(
    x: &mut f64,
    next: f64,
    fired: bool,
    index: usize,
    theta: f64,
    v_f: f64,
    block: &mut Block,
) {
    if fired {
        *x = f64::NEG_INFINITY;
        block.fired += 1;
    } else {
        *x = next;
        if !next.is_finite() {
            block.non_finite += 1;
        } else if next + theta >= v_f {
            block.window.push((next, index as u32));
        }
    }
}

/// The sub-threshold pass over one block, run with the monomorphic kernel.
pub(super) struct BlockPass<'a> {
    /// Global index of the block's first particle.
    pub(super) offset: usize,
    /// The generator of the normal deviates.
    pub(super) normals: Normals,
    pub(super) v: &'a mut [f64],
    pub(super) block: &'a mut Block,
    pub(super) pending: f64,
    pub(super) v_r: f64,
    pub(super) v_f: f64,
    /// The cascade window (`-inf` without coupling).
    pub(super) theta: f64,
    /// The time away of a fired neuron (`None` without a refractory period; module
    /// [`super::refractory`]).
    pub(super) away: Option<Away>,
}

// The flagged indices are `u16`; the dense compaction masks with `CHUNK - 1`.
const _: () = assert!(CHUNK <= 1 << 16 && CHUNK.is_power_of_two());

/// A chunk with more than one flagged particle in `DENSE` makes the next one compacted
/// without branches ([`compact`]).
const DENSE: usize = 64;

/// Per-chunk scratch of the pass, on the caller's stack.
struct Scratch {
    before: [f64; CHUNK],
    flags: [u64; CHUNK],
    flagged: [u16; CHUNK],
    /// The chunk's neurons that stay away this step (refractory).
    parked: [u16; CHUNK],
}

impl KernelVisitor for BlockPass<'_> {
    type Output = ();

    #[inline(always)]
    fn visit<K: SubthresholdStep>(self, step: K) {
        let BlockPass {
            offset,
            normals,
            v,
            block,
            pending,
            v_r,
            v_f,
            theta,
            away,
        } = self;
        block.fired = 0;
        block.non_finite = 0;
        block.window.clear();
        // Nothing is allocated and nothing is left over between steps.
        let mut batch = Batch::new(normals);
        let arch = pulp::Arch::new();
        let mut scratch = Scratch {
            before: [0.0; CHUNK],
            flags: [0; CHUNK],
            flagged: [0; CHUNK],
            parked: [0; CHUNK],
        };
        // The way of the next chunk's compaction: dense after a chunk with more than one
        // flagged particle in `DENSE`.
        let mut dense = false;
        for (c, chunk) in v.chunks_mut(CHUNK).enumerate() {
            let z = if K::NORMAL {
                batch.draw(&mut block.rng, chunk.len())
            } else {
                batch.values(chunk.len())
            };
            let first = offset + c * CHUNK;
            let n = chunk.len();
            // Who stays away this step (after the chunk's normals, before the bridge's
            // uniforms: the order of the draws is the same on both paths below).
            let parked = match away {
                Some(away) => {
                    let counts = &mut block.away[c * CHUNK..][..n];
                    // `flags` and `flagged` are free until the vector loop below.
                    let free = (&mut scratch.flags[..], &mut scratch.flagged);
                    park(
                        away,
                        chunk,
                        counts,
                        &mut block.rng,
                        free,
                        &mut scratch.parked,
                    )
                }
                None => 0,
            };
            let parked = &scratch.parked[..parked];
            if !K::SPLIT {
                let mut next_parked = parked.iter().map(|&i| usize::from(i)).peekable();
                for (i, (x, &z)) in chunk.iter_mut().zip(z).enumerate() {
                    if next_parked.next_if_eq(&i).is_some() {
                        continue;
                    }
                    let (next, fired) = step.advance(settle(*x, pending, v_r), z, &mut block.rng);
                    record(x, next, fired, first + i, theta, v_f, block);
                }
                continue;
            }
            let any = arch.dispatch(Propagate {
                step,
                x: &mut *chunk,
                z,
                before: &mut scratch.before[..n],
                flags: &mut scratch.flags[..n],
                pending,
                v_r,
                v_f,
                theta,
            });
            // The parked went through at `V_R`; their results are dropped.
            for &i in parked {
                chunk[usize::from(i)] = f64::NEG_INFINITY;
                scratch.flags[usize::from(i)] = 0;
            }
            // Most chunks flag nobody (at `b = 0` only the few that fire): no compaction.
            let count = if any == 0 {
                0
            } else {
                compact(&scratch.flags[..n], &mut scratch.flagged, dense)
            };
            dense = count * DENSE > n;
            for &i in &scratch.flagged[..count] {
                let i = usize::from(i);
                let x = &mut chunk[i];
                let (next, fired) = if scratch.flags[i] & UNSETTLED != 0 {
                    step.advance(scratch.before[i], z[i], &mut block.rng)
                } else {
                    (*x, false)
                };
                record(x, next, fired, first + i, theta, v_f, block);
            }
        }
    }
}

/// Step 2 of the module documentation, run by `pulp` with the widest vector instructions
/// of the processor (the loop is inlined into a function compiled for them).
struct Propagate<'a, K> {
    step: K,
    x: &'a mut [f64],
    z: &'a [f64],
    before: &'a mut [f64],
    flags: &'a mut [u64],
    pending: f64,
    v_r: f64,
    v_f: f64,
    theta: f64,
}

impl<K: SubthresholdStep> pulp::WithSimd for Propagate<'_, K> {
    /// The flags or-ed together (zero when nobody is flagged).
    type Output = u64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> u64 {
        propagate(self)
    }
}

#[inline(always)]
fn propagate<K: SubthresholdStep>(pass: Propagate<'_, K>) -> u64 {
    let Propagate {
        step,
        x,
        z,
        before,
        flags,
        pending,
        v_r,
        v_f,
        theta,
    } = pass;
    let n = x.len();
    let (z, before, flags) = (&z[..n], &mut before[..n], &mut flags[..n]);
    let mut any = 0;
    for i in 0..n {
        let v = settle(x[i], pending, v_r);
        let (next, settled) = step.propagate(v, z[i]);
        x[i] = next;
        before[i] = v;
        // `!(|next| < inf)`: NaN and ±inf, one mask and one comparison in the vector loop.
        flags[i] = (u64::from(!settled) * UNSETTLED)
            | (u64::from(next + theta >= v_f) * WINDOW)
            | (u64::from(!(next.abs() < f64::INFINITY)) * NON_FINITE);
        any |= flags[i];
    }
    any
}

/// Writes the indices of the non-zero `flags` to the front of `flagged`, in order, and
/// returns how many there are.
///
/// The flags are as wide as the lanes of the vector loops that write them (64 bits):
/// narrowing the comparison masks to bytes took more instructions than the step's
/// arithmetic. Two ways to the same list, chosen for speed only. Sparse (`dense = false`;
/// near the stationary state well under 1 % of the particles are flagged at `dt =
/// 10^-3`): groups of eight flags are or-ed together and skipped when all are zero, the
/// others listed without branches. Dense (at the rates before a burst a few percent of
/// the particles lie close enough to `V_F` for the bridge, and the skip becomes a
/// mispredicted branch): every index is written and the count advanced by whether its flag
/// is set, without a branch.
#[inline(always)]
pub(super) fn compact(flags: &[u64], flagged: &mut [u16; CHUNK], dense: bool) -> usize {
    let mut count = 0;
    let mut list = |first: usize, group: &[u64]| {
        for (q, &flag) in group.iter().enumerate() {
            // `count <= index < CHUNK`: the mask only shows the compiler the bound.
            flagged[count & (CHUNK - 1)] = (first + q) as u16;
            count += usize::from(flag != 0);
        }
    };
    if dense {
        list(0, flags);
        return count;
    }
    for (g, group) in flags.chunks(8).enumerate() {
        if group.iter().fold(0, |any, &flag| any | flag) != 0 {
            list(8 * g, group);
        }
    }
    count
}

#[cfg(test)]
mod tests;
