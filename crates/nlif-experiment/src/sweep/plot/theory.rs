//! The theory overlay of the sweep plot: which varied paths allow it, the number of
//! stationary states and the blow-up criterion at a parameter point, their coarse-to-fine
//! sampling over the axes ([`Theory`]), and the background tints and hatching.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::plot::Result;
use fp_macro::Grid;
use nlif_model::{InitialDensity, Input, blowup_witness, stationary_states};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::config::Config;

use super::axes::AxisInfo;
use super::err;

/// What a varied config path is to the theory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A parameter of the mean field (or the constant input current).
    Model,
    /// A parameter of the initial density.
    Initial,
    /// Anything else: no theory.
    Other,
}

fn role(base: &Config, path: &str) -> Role {
    // The overlays are the theory of one population.
    if base.model.is_populations_form() {
        return Role::Other;
    }
    match path {
        "model.a0" | "model.a1" | "model.b" | "model.v_f" | "model.v_r" => Role::Model,
        "model.input.i0" if matches!(base.model.input, Input::Constant { .. }) => Role::Model,
        "initial.mean" | "initial.var" => Role::Initial,
        _ => Role::Other,
    }
}

/// Which overlays the varied paths allow: the number of stationary states (some varied
/// path is a model parameter and the input is constant) and the blow-up criterion (some
/// varied path is a parameter of the initial data). Any other varied path: none.
pub(super) fn overlays(base: &Config, x_path: &str, y_path: Option<&str>) -> (bool, bool) {
    let roles: Vec<Role> = std::iter::once(x_path)
        .chain(y_path)
        .map(|p| role(base, p))
        .collect();
    if roles.contains(&Role::Other) {
        return (false, false);
    }
    let stationary =
        roles.contains(&Role::Model) && base.model.input.stationary_current().is_some();
    (stationary, roles.contains(&Role::Initial))
}

/// The base config with a model or initial-data path set to `value`; `None` for a path the
/// theory does not know.
fn assign(config: &mut Config, path: &str, value: f64) -> Option<()> {
    let model = &mut config.model;
    match path {
        "model.a0" => model.a0 = value,
        "model.a1" => model.a1 = crate::config::Pairwise::Scalar(value),
        "model.b" => model.b = value,
        "model.v_f" => model.v_f = value,
        "model.v_r" => model.v_r = value,
        "model.input.i0" => match &mut model.input {
            Input::Constant { i0 } => *i0 = value,
            _ => return None,
        },
        "initial.mean" => {
            let InitialDensity::Gaussian { mean, .. } = &mut config.initial;
            *mean = value;
        }
        "initial.var" => {
            let InitialDensity::Gaussian { var, .. } = &mut config.initial;
            *var = value;
        }
        _ => return None,
    }
    Some(())
}

/// The config at one point of parameter space.
fn point_config(base: &Config, x_path: &str, x: f64, y: Option<(&str, f64)>) -> Option<Config> {
    let mut config = base.clone();
    assign(&mut config, x_path, x)?;
    if let Some((path, value)) = y {
        assign(&mut config, path, value)?;
    }
    Some(config)
}

/// The model of a config as the key of the stationary-state cache: parameters and current.
fn stationary_key(config: &Config) -> Option<[u64; 6]> {
    let p = config.model.params();
    let current = config.model.input.stationary_current()?;
    Some([p.a0, p.a1, p.b, p.v_f, p.v_r, current].map(f64::to_bits))
}

/// The number of stationary states of the mean field with the model of `config`; `None`
/// for a time-dependent input or parameters the model rejects.
fn stationary_count_of(config: &Config) -> Option<usize> {
    let params = config.model.params();
    let current = config.model.input.stationary_current()?;
    params.validate().ok()?;
    stationary_states(&params, current).ok().map(|s| s.len())
}

/// The number of stationary states at the parameter point `x_path = x` (and `y`): `None`
/// for a path the theory does not know, a time-dependent input, or parameters the model
/// rejects.
#[cfg(test)]
pub(super) fn stationary_count(
    base: &Config,
    x_path: &str,
    x: f64,
    y: Option<(&str, f64)>,
) -> Option<usize> {
    stationary_count_of(&point_config(base, x_path, x, y)?)
}

/// Whether the blow-up criterion guarantees a blow-up for the model and the initial
/// density of `config`, discretised on the grid of the macro solver.
fn blowup_guaranteed_of(config: &Config) -> Option<bool> {
    let params = config.model.params();
    params.validate().ok()?;
    let grid = Grid::for_model(
        &params,
        config.solver.macro_config.v_min,
        config.solver.macro_config.dv,
    )
    .ok()?;
    let p = fp_macro::discretise(&grid, &config.initial).ok()?;
    let h = grid.spacing();
    let v: Vec<f64> = grid.nodes().collect();
    let mass: Vec<f64> = p.iter().map(|p| p * h).collect();
    blowup_witness(&params, &v, &mass).ok().map(|w| w.is_some())
}

/// Whether the blow-up criterion guarantees a blow-up at the parameter point; `None` as
/// for [`stationary_count`].
#[cfg(test)]
pub(super) fn blowup_guaranteed(
    base: &Config,
    x_path: &str,
    x: f64,
    y: Option<(&str, f64)>,
) -> Option<bool> {
    blowup_guaranteed_of(&point_config(base, x_path, x, y)?)
}

/// The theory on a grid of cells over the axes.
#[derive(Debug, Default)]
pub(super) struct Theory {
    /// Cell edges along x.
    pub(super) x_edges: Vec<f64>,
    /// Cell edges along y (two parameters only).
    pub(super) y_edges: Vec<f64>,
    /// Per cell (row-major, x fastest): the number of stationary states.
    pub(super) stationary: Option<Vec<Option<usize>>>,
    /// Per cell: whether a blow-up is guaranteed.
    pub(super) blowup: Option<Vec<Option<bool>>>,
}

/// Theory samples along one parameter (`8k + 1`, for [`refine`]).
const THEORY_1D: usize = 201;
/// Its coarsest sampling stride.
const STRIDE_1D: usize = 8;
/// Theory samples along each parameter of a phase diagram (`4k + 1`).
const THEORY_2D: usize = 33;
/// Its coarsest sampling stride.
const STRIDE_2D: usize = 4;

/// Samples `f` on the `nx × ny` lattice (row-major, `x` fastest; `ny = 1` along one axis),
/// coarse to fine: first every `stride`-th node (`stride` a power of two dividing `nx - 1`
/// and `ny - 1`), then, halving the spacing, a block whose corners agree passes their
/// value to the nodes inside, and a block whose corners differ is sampled. The cost grows
/// with the length of the boundaries between values rather than with the area (a
/// stationary-state count costs up to tens of milliseconds); a region that fits between
/// the coarse nodes without touching one can be missed.
pub(super) fn refine<T, F>(nx: usize, ny: usize, stride: usize, f: F) -> Vec<T>
where
    T: Copy + PartialEq + Send + Sync,
    F: Fn(usize, usize) -> T + Sync,
{
    let mut values: Vec<Option<T>> = vec![None; nx * ny];
    let rows = |step: usize| -> Vec<usize> {
        if ny == 1 {
            vec![0]
        } else {
            (0..ny).step_by(step).collect()
        }
    };
    let sample = |values: &mut Vec<Option<T>>, nodes: Vec<(usize, usize)>| {
        let results: Vec<T> = nodes.par_iter().map(|&(i, j)| f(i, j)).collect();
        for ((i, j), v) in nodes.into_iter().zip(results) {
            values[j * nx + i] = Some(v);
        }
    };
    let coarse: Vec<(usize, usize)> = rows(stride)
        .into_iter()
        .flat_map(|j| (0..nx).step_by(stride).map(move |i| (i, j)))
        .collect();
    sample(&mut values, coarse);
    let mut step = stride;
    while step > 1 {
        let half = step / 2;
        let mut wanted = vec![false; nx * ny];
        let mut inherit: Vec<(usize, usize, usize, T)> = Vec::new();
        let block_rows: Vec<usize> = if ny == 1 {
            vec![0]
        } else {
            (0..ny - 1).step_by(step).collect()
        };
        for &j0 in &block_rows {
            for i0 in (0..nx.saturating_sub(1)).step_by(step) {
                let j1 = if ny == 1 { 0 } else { j0 + step };
                let corners = [(i0, j0), (i0 + step, j0), (i0, j1), (i0 + step, j1)]
                    .map(|(i, j)| values[j * nx + i]);
                if corners.iter().all(|c| c.is_some() && *c == corners[0]) {
                    inherit.push((i0, j0, j1, corners[0].expect("a sampled corner")));
                } else {
                    for j in (j0..=j1).step_by(half) {
                        for i in (i0..=i0 + step).step_by(half) {
                            wanted[j * nx + i] = values[j * nx + i].is_none();
                        }
                    }
                }
            }
        }
        let nodes: Vec<(usize, usize)> = (0..nx * ny)
            .filter(|&k| wanted[k])
            .map(|k| (k % nx, k / nx))
            .collect();
        sample(&mut values, nodes);
        for (i0, j0, j1, v) in inherit {
            for j in (j0..=j1).step_by(half) {
                for i in (i0..=i0 + step).step_by(half) {
                    values[j * nx + i].get_or_insert(v);
                }
            }
        }
        step = half;
    }
    values
        .into_iter()
        .map(|v| v.expect("every node sampled or inherited"))
        .collect()
}

impl Theory {
    pub(super) fn new(
        base: &Config,
        (x_path, x): (&str, &AxisInfo),
        y: Option<(&str, &AxisInfo)>,
    ) -> Theory {
        let (stationary, blowup) = overlays(base, x_path, y.map(|(p, _)| p));
        if !(stationary || blowup) || x.categorical || y.is_some_and(|(_, a)| a.categorical) {
            return Theory::default();
        }
        let (n, stride) = if y.is_some() {
            (THEORY_2D, STRIDE_2D)
        } else {
            (THEORY_1D, STRIDE_1D)
        };
        let edges = |a: &AxisInfo| -> Vec<f64> {
            (0..=n)
                .map(|k| a.lo + (a.hi - a.lo) * k as f64 / n as f64)
                .collect()
        };
        let centres =
            |e: &[f64]| -> Vec<f64> { e.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect() };
        let x_edges = edges(x);
        let y_edges = y.map(|(_, a)| edges(a)).unwrap_or_default();
        let (xc, yc) = (centres(&x_edges), centres(&y_edges));
        let ny = yc.len().max(1);
        let config = |i: usize, j: usize| {
            point_config(base, x_path, xc[i], y.map(|(path, _)| (path, yc[j])))
        };
        let stationary = stationary.then(|| {
            // Many cells share their model (a phase diagram over a model parameter and
            // the initial data): each model is solved once.
            let solved: Mutex<HashMap<[u64; 6], Option<usize>>> = Mutex::default();
            let lock = || solved.lock().unwrap_or_else(PoisonError::into_inner);
            refine(n, ny, stride, |i, j| {
                let config = config(i, j)?;
                let key = stationary_key(&config)?;
                if let Some(&count) = lock().get(&key) {
                    return count;
                }
                let count = stationary_count_of(&config);
                lock().insert(key, count);
                count
            })
        });
        let blowup = blowup.then(|| {
            refine(n, ny, stride, |i, j| {
                config(i, j).and_then(|c| blowup_guaranteed_of(&c))
            })
        });
        Theory {
            x_edges,
            y_edges,
            stationary,
            blowup,
        }
    }

    /// The stationary-state counts that occur, ascending.
    pub(super) fn counts(&self) -> Vec<usize> {
        let mut counts: Vec<usize> = self
            .stationary
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect();
        counts.sort_unstable();
        counts.dedup();
        counts
    }

    pub(super) fn any_blowup(&self) -> bool {
        self.blowup.iter().flatten().any(|b| *b == Some(true))
    }
}

/// The background tint of a number of stationary states.
pub(super) fn count_tint(count: usize) -> RGBColor {
    match count {
        0 => RGBColor(252, 222, 222),
        1 => RGBColor(222, 240, 222),
        2 => RGBColor(220, 230, 252),
        _ => RGBColor(245, 238, 205),
    }
}

/// The hatching of the region where a blow-up is guaranteed.
fn hatch_style() -> ShapeStyle {
    RGBColor(150, 40, 40).mix(0.55).stroke_width(1)
}

/// Spacing of the hatch lines, pixels.
const HATCH: i32 = 9;

/// Hatches the pixel rectangle `[x0, x1] × [y0, y1]` with lines `x + y = c`, `c` a multiple
/// of [`HATCH`]: adjacent rectangles hatch seamlessly.
pub(super) fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> Result<()> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let style = hatch_style();
    let mut c = (x0 + y0).div_euclid(HATCH) * HATCH;
    while c <= x1 + y1 {
        let (a, b) = ((c - y1).max(x0), (c - y0).min(x1));
        if a < b {
            area.draw(&PathElement::new(vec![(a, c - a), (b, c - b)], style))
                .map_err(err)?;
        }
        c += HATCH;
    }
    Ok(())
}
