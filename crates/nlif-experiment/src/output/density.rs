//! The density snapshots as `.npy` files: `density.npy` and `grid.npy` for one
//! population; `density_<name>.npy` and `grid_<name>.npy` per population of a network of
//! several; `density_t.npy`, the snapshot times, for both.

use std::path::Path;

use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;

use super::files::{density_file, grid_file};
use super::{Result, RunResult};

/// Writes the snapshots of `result` (nothing if it has none); [`super::check`] has
/// checked that they fit the grids.
pub(super) fn densities(dir: &Path, result: &RunResult) -> Result<()> {
    let trace = &result.trace;
    let snapshots = &trace.densities;
    if snapshots.is_empty() {
        return Ok(());
    }
    if trace.populations.is_empty() {
        let grid = result.grids.first().map_or(&[][..], Vec::as_slice);
        write_npy(
            dir.join("density.npy"),
            &rows(snapshots.iter().map(|s| &s.values[..]), grid.len()),
        )?;
        write_npy(dir.join("grid.npy"), &Array1::from(grid.to_vec()))?;
    } else {
        for (alpha, name) in trace.populations.iter().enumerate() {
            let grid = &result.grids[alpha];
            let parts = snapshots
                .iter()
                .map(|s| trace.population_density(s, alpha).unwrap_or(&[]));
            write_npy(dir.join(density_file(name)), &rows(parts, grid.len()))?;
            write_npy(dir.join(grid_file(name)), &Array1::from(grid.clone()))?;
        }
    }
    let times: Array1<f64> = snapshots.iter().map(|s| s.t).collect();
    write_npy(dir.join("density_t.npy"), &times)?;
    Ok(())
}

/// The snapshots as a `(snapshots, cells)` array, one row each (checked to have `cells`
/// values each; a shorter one would leave zeros, never a panic).
fn rows<'a>(snapshots: impl ExactSizeIterator<Item = &'a [f64]>, cells: usize) -> Array2<f64> {
    let mut values = Array2::<f64>::zeros((snapshots.len(), cells));
    for (mut row, snapshot) in values.rows_mut().into_iter().zip(snapshots) {
        for (cell, &value) in row.iter_mut().zip(snapshot) {
            *cell = value;
        }
    }
    values
}
