//! `raster.png`: the spike raster of a run's particle phases, what a Brian2 user looks at
//! first.
//!
//! One row per sampled neuron, in a band per population (in population order, each band
//! its own colour, rows by ascending neuron id), a dot per spike at its time; the
//! particle phases shaded as in `rate.png`. A particle phase starts from particles
//! sampled anew from the density, so a row is one neuron's history only within a phase.

use std::path::Path;

use multiscale::Trace;
use nlif_micro::raster::sample_ids;
use plotters::prelude::*;

use super::{Result, err, font};
use crate::config::Config;
use crate::output::spikes::{population_name, records};

/// Size of the raster plot.
const SIZE: (u32, u32) = (1200, 600);

/// The sampled ids of each population, as the run drew them.
fn sampled(config: &Config, trace: &Trace) -> Vec<Vec<u64>> {
    let particles = config.solver.micro.particles;
    let neurons = if trace.populations.is_empty() {
        vec![particles]
    } else {
        config.network().neurons(particles).unwrap_or_default()
    };
    (neurons.iter().enumerate())
        .map(|(alpha, &n)| sample_ids(config.seed, alpha, n, config.output.raster))
        .collect()
}

/// `raster.png`, for a run that records a raster.
pub fn raster(dir: &Path, config: &Config, trace: &Trace) -> Result<()> {
    if !records(config) {
        return Ok(());
    }
    font();
    let ids = sampled(config, trace);
    // Band `α` starts at row `first[α]`; one empty row between bands.
    let mut first = Vec::with_capacity(ids.len());
    let mut rows = 0usize;
    for band in &ids {
        first.push(rows);
        rows += band.len() + 1;
    }
    let rows = rows.saturating_sub(1).max(1) as f64;
    let t_end = trace.samples.last().map_or(config.t_end, |s| s.t).max(1e-9);
    let path = dir.join("raster.png");
    let area = BitMapBackend::new(&path, SIZE).into_drawing_area();
    area.fill(&WHITE).map_err(err)?;
    let title = format!(
        "{} — spike raster, {} sampled neurons per population, seed {}",
        config.name, config.output.raster, config.seed
    );
    let mut chart = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..t_end, -0.5..rows - 0.5)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("time t (membrane time constants)")
        .y_desc("sampled neuron (a band per population)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(err)?;
    let shade = RGBColor(255, 170, 60).mix(0.25).filled();
    chart
        .draw_series(trace.micro_phases().iter().filter_map(|&(a, b)| {
            let (a, b) = (a.max(0.0), b.min(t_end));
            (b > a).then(|| Rectangle::new([(a, -0.5), (b, rows - 0.5)], shade))
        }))
        .map_err(err)?
        .label("particle phase")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], shade));
    for (alpha, band) in ids.iter().enumerate() {
        let colour = Palette99::pick(alpha).to_rgba();
        let dots = (trace.spikes.iter())
            .filter(|s| s.population as usize == alpha && s.t <= t_end)
            .filter_map(|s| {
                let rank = band.binary_search(&s.neuron).ok()?;
                Some(Circle::new(
                    (s.t, (first[alpha] + rank) as f64),
                    2,
                    colour.filled(),
                ))
            });
        chart
            .draw_series(dots)
            .map_err(err)?
            .label(population_name(trace, alpha as u32).to_owned())
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}
