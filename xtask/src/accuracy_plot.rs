//! The accuracy-per-cost figure: |bias| of the stationary rate against the cost, log–log,
//! one panel per network, one curve per method (points joined in the order of `dt`).

use std::path::Path;

use plotters::prelude::SeriesLabelPosition;
use serde_json::Value;

use crate::figures::plot::{COLORS, Panel, Style, save};

/// Draws `stem.png` and `stem.svg` from the points of `accuracy::section`.
pub(crate) fn draw(points: &Value, stem: &Path) -> Result<(), String> {
    let points = points["points"].as_array().cloned().unwrap_or_default();
    let field = |p: &Value, key: &str| p[key].as_str().unwrap_or("").to_owned();
    let mut networks: Vec<String> = Vec::new();
    let mut methods: Vec<String> = Vec::new();
    for p in &points {
        for (list, key) in [(&mut networks, "network"), (&mut methods, "method")] {
            let value = field(p, key);
            if !list.contains(&value) {
                list.push(value);
            }
        }
    }
    let panels: Vec<Panel> = networks
        .iter()
        .map(|network| {
            let mut panel = Panel::new(
                &format!("stationary rate, {network}"),
                "cost: core-seconds per unit time per 1e5 neurons",
                "|bias| of the rate",
            );
            panel.x_log = true;
            panel.y_log = true;
            panel.legend = SeriesLabelPosition::UpperRight;
            panel.hlines = vec![(0.01, "1 %".into()), (0.003, "0.3 %".into())];
            for (k, method) in methods.iter().enumerate() {
                let mut curve: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| &field(p, "network") == network && &field(p, "method") == method)
                    .filter_map(|p| Some((p["cost"].as_f64()?, p["bias"].as_f64()?.abs())))
                    .filter(|&(_, b)| b > 0.0)
                    .collect();
                curve.sort_by(|a, b| a.0.total_cmp(&b.0));
                if !curve.is_empty() {
                    let style = if method.starts_with("Brian2") {
                        Style::Dashed
                    } else {
                        Style::Line
                    };
                    panel = panel.line(method, curve, COLORS[k % COLORS.len()], style);
                }
            }
            panel
        })
        .collect();
    save(stem, &panels)
}
