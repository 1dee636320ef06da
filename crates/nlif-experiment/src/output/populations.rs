//! What `summary.json` says of each population of a network of several: the
//! `populations` array (name, share, mean rate) and each multiple firing event's
//! `fractions`. A network of one population adds nothing.

use std::collections::BTreeMap;

use multiscale::Trace;
use serde_json::{Value, json};

use crate::config::Config;

/// The `populations` entries of a network of several populations, in population order:
/// its `name`, its `share` of the network (from the config) and its time-weighted
/// `mean_rate` over `(from, to]`, the window of the network's `mean_rate`; `None` for
/// one population.
pub(super) fn populations(config: &Config, trace: &Trace, (from, to): (f64, f64)) -> Option<Value> {
    if trace.populations.is_empty() {
        return None;
    }
    let network = config.network();
    let entries: Vec<Value> = trace
        .populations
        .iter()
        .enumerate()
        .map(|(alpha, name)| {
            let share = network
                .populations
                .iter()
                .find(|x| &x.name == name)
                .map(|x| x.share);
            json!({
                "name": name,
                "share": share,
                "mean_rate": trace.mean_population_rate(alpha, from, to),
            })
        })
        .collect();
    Some(Value::Array(entries))
}

/// The fraction of each population that fired in multiple firing event `i`, by name;
/// `None` for one population.
pub(super) fn fractions(trace: &Trace, i: usize) -> Option<BTreeMap<String, f64>> {
    let fractions = trace.mfe_fractions(i)?;
    Some(
        trace
            .populations
            .iter()
            .cloned()
            .zip(fractions.iter().copied())
            .collect(),
    )
}
