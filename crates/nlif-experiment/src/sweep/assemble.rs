//! The sweep's outputs from its points: `sweep.csv`, `sweep.json` and the plot.

use std::fs;
use std::path::Path;

use serde_json::json;

use super::plot::{self, Class, PlotPoint};
use super::point::{PointResult, write_atomically};
use super::{Definition, Result, SweepError};

/// Reads every point's result (failed points included) and writes the sweep's outputs.
pub(super) fn assemble(
    definition: &Definition,
    dir: &Path,
    quiet: bool,
) -> Result<Vec<PointResult>> {
    let mut results = Vec::with_capacity(definition.len());
    let mut missing = Vec::new();
    for index in 0..definition.len() {
        let path = dir
            .join("points")
            .join(index.to_string())
            .join("point.json");
        match fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<PointResult>(&t).ok())
        {
            Some(r) => results.push(r),
            None => missing.push(index),
        }
    }
    if !missing.is_empty() {
        return Err(SweepError::Unfinished {
            missing: missing.len(),
            total: definition.len(),
            first: missing[0],
        });
    }
    let mut csv = csv::Writer::from_path(dir.join("sweep.csv"))?;
    let mut header: Vec<String> = definition.vary.iter().map(|v| v.path.clone()).collect();
    header.extend(
        [
            "index",
            "outcome",
            "class",
            "mean_rate",
            "mfes",
            "first_mfe",
            "largest_mfe_fraction",
            "micro_fraction",
            "switches",
            "wall_seconds",
            "error",
        ]
        .map(String::from),
    );
    csv.write_record(&header)?;
    let opt = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    for r in &results {
        let mut row = r.values.clone();
        row.extend([
            r.index.to_string(),
            r.outcome.clone(),
            r.class.clone(),
            opt(r.mean_rate),
            r.mfes.to_string(),
            opt(r.first_mfe),
            opt(r.largest_mfe_fraction),
            r.micro_fraction.to_string(),
            r.switches.to_string(),
            format!("{:.3}", r.wall_seconds),
            r.error.clone().unwrap_or_default(),
        ]);
        csv.write_record(&row)?;
    }
    csv.flush()?;
    write_atomically(
        &dir.join("sweep.json"),
        &(serde_json::to_string_pretty(&json!({
            "definition": definition,
            "points": results,
        }))? + "\n"),
    )?;
    if definition.vary.len() <= 2 {
        let number = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
        let points: Vec<PlotPoint> = results
            .iter()
            .map(|r| PlotPoint {
                x: number(&r.values[0]),
                y: r.values.get(1).map(|v| number(v)),
                mean_rate: r.mean_rate,
                mfes: r.mfes,
                class: class_from(&r.class),
            })
            .collect();
        plot::draw(
            dir,
            &format!("sweep of `{}`", definition.base.name),
            &definition.base,
            &definition.vary[0].path,
            definition.vary.get(1).map(|v| v.path.as_str()),
            &points,
        )?;
    }
    if !quiet {
        let failed = results.iter().filter(|r| r.error.is_some()).count();
        crate::stdout::line(format_args!(
            "sweep `{}`: {} points ({failed} failed); results in {}",
            definition.base.name,
            results.len(),
            dir.join("sweep.csv").display()
        ))?;
    }
    Ok(results)
}

fn class_from(text: &str) -> Class {
    [
        Class::Asynchronous,
        Class::MfesThenRelaxation,
        Class::SustainedMfes,
        Class::BlowUp,
        Class::Error,
    ]
    .into_iter()
    .find(|c| c.as_str() == text)
    .unwrap_or(Class::Error)
}
