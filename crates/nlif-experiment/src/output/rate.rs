//! `rate.csv`: `t,rate,mode`, one row per sample, and for a network of several
//! populations a column `rate_<name>` per population after them.

use std::path::Path;

use multiscale::Trace;

use super::Result;
use super::files::rate_column;

/// Writes `rate.csv` (shortest round-trip decimals); the record's per-population rates
/// are `populations.len()` per sample ([`super::check`] has checked it).
pub(super) fn rate_csv(path: &Path, trace: &Trace) -> Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    let mut header = vec!["t".to_owned(), "rate".to_owned(), "mode".to_owned()];
    header.extend(trace.populations.iter().map(|n| rate_column(n)));
    writer.write_record(&header)?;
    let p = trace.populations.len();
    for (k, s) in trace.samples.iter().enumerate() {
        let mut row = vec![
            s.t.to_string(),
            s.rate.to_string(),
            s.mode.as_str().to_owned(),
        ];
        if p > 0 {
            let rates = trace
                .population_rates
                .get(k * p..(k + 1) * p)
                .unwrap_or(&[]);
            row.extend(rates.iter().map(f64::to_string));
        }
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
}
