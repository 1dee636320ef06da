//! Networks without a population to eliminate: damped Newton on the fixed-point
//! equations in log-rates, from a grid of starting points (docs/model.md §10).

use super::NetworkError;
use super::linear::solve;
use super::rate_map::RateMap;
use super::search::Candidate;
use crate::stationary::QUAD_RTOL;

/// Most starting points: `k^P <= MAX_STARTS` with `k` points per population.
const MAX_STARTS: usize = 1024;
/// Most points per population (`P = 2`: a 12 × 12 grid).
const MAX_PER_POPULATION: usize = 12;
/// The starting rates span `[1e-6, 1e3]` per population, log-spaced: the rates of a
/// dimensionless model with noise of order one (below: silent, above: runaway).
const START_LOW: f64 = 1e-6;
const START_HIGH: f64 = 1e3;
/// Newton iterations per start; a converging start needs about ten.
const MAX_ITERATIONS: usize = 60;
/// A Newton step is capped at `e^2` in every rate: far from a root the log-defect is
/// nearly flat in a population whose input is far below threshold.
const MAX_STEP: f64 = 2.0;
/// Converged when `max_α |F_α| <= 1e-12`, the noise of `F` (the quadratures' relative
/// accuracy `1e-12` enters `F = ln N + ln(1/ν)` as an absolute `1e-12`); below it Newton
/// steps chase noise. The verification then decides with its own, 100 times more
/// accurate evaluation.
const CONVERGED: f64 = 1e-12;
/// Starts leaving `ln N ∈ [-690, 115]` (rates `1e-300` to `1e50`) are abandoned.
const LN_RATE_RANGE: (f64, f64) = (-690.0, 115.0);

/// `F(x)` with `F_α = x_α + ln(1/ν_α(e^x))`, and the logarithms `L_α = ln(1/ν_α)`.
fn log_defect(map: &RateMap, x: &[f64]) -> Result<(Vec<f64>, Vec<f64>), NetworkError> {
    let rates: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let logs: Vec<f64> = (0..x.len())
        .map(|alpha| map.log_isi(alpha, &rates, QUAD_RTOL))
        .collect::<Result<_, _>>()?;
    let f = x.iter().zip(&logs).map(|(x, l)| x + l).collect();
    Ok((f, logs))
}

fn norm(v: &[f64]) -> f64 {
    v.iter().fold(
        0.0,
        |m, x| if x.is_nan() { f64::NAN } else { m.max(x.abs()) },
    )
}

/// One damped Newton run from `x`; `None` if it leaves the range or stalls before
/// converging.
fn newton_from(map: &RateMap, mut x: Vec<f64>) -> Result<Option<Vec<f64>>, NetworkError> {
    let p = x.len();
    let (mut f, mut logs) = log_defect(map, &x)?;
    for _ in 0..MAX_ITERATIONS {
        let size = norm(&f);
        if !size.is_finite() {
            return Ok(None);
        }
        if size <= CONVERGED {
            return Ok(Some(x));
        }
        let rates: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let j = map.jacobian(&rates)?;
        // ∂F_α/∂x_β = δ_αβ - J_αβ N_β / ν_α, with N_β / ν_α = e^{x_β + L_α}.
        let jf: Vec<Vec<f64>> = (0..p)
            .map(|a| {
                (0..p)
                    .map(|b| f64::from(u8::from(a == b)) - j[a][b] * (x[b] + logs[a]).exp())
                    .collect()
            })
            .collect();
        let minus_f: Vec<f64> = f.iter().map(|v| -v).collect();
        let Some(mut step) = solve(&jf, &minus_f) else {
            return Ok(None);
        };
        let length = norm(&step);
        if length > MAX_STEP {
            step.iter_mut().for_each(|s| *s *= MAX_STEP / length);
        }
        // Backtracking: halve the step until `max |F|` decreases.
        let mut t = 1.0;
        let accepted = loop {
            let trial: Vec<f64> = x.iter().zip(&step).map(|(x, s)| x + t * s).collect();
            if trial
                .iter()
                .any(|v| *v < LN_RATE_RANGE.0 || *v > LN_RATE_RANGE.1)
            {
                return Ok(None);
            }
            let (f_trial, logs_trial) = log_defect(map, &trial)?;
            if norm(&f_trial) < size {
                break Some((trial, f_trial, logs_trial));
            }
            t *= 0.5;
            if t < 1e-6 {
                break None;
            }
        };
        let Some((trial, f_trial, logs_trial)) = accepted else {
            // No decrease along the Newton direction: converged to the noise of `F`,
            // or stalled; the verification decides.
            return Ok(Some(x));
        };
        (x, f, logs) = (trial, f_trial, logs_trial);
    }
    Ok(Some(x))
}

/// The grid of starting points in `ln N`: `k` log-spaced rates per population with
/// `k^P <= MAX_STARTS`, `2 <= k <= MAX_PER_POPULATION`.
fn starting_points(p: usize) -> Vec<Vec<f64>> {
    let mut k = MAX_PER_POPULATION;
    while k > 2 && k.checked_pow(p as u32).is_none_or(|n| n > MAX_STARTS) {
        k -= 1;
    }
    let (lo, hi) = (START_LOW.ln(), START_HIGH.ln());
    let axis: Vec<f64> = (0..k)
        .map(|i| lo + (hi - lo) * i as f64 / (k - 1) as f64)
        .collect();
    let mut points = vec![Vec::new()];
    for _ in 0..p {
        points = points
            .into_iter()
            .flat_map(|point: Vec<f64>| {
                axis.iter().map(move |&v| {
                    let mut next = point.clone();
                    next.push(v);
                    next
                })
            })
            .collect();
    }
    points
}

/// The end points of Newton from every starting point (deduplicated later, by the
/// verification).
pub(super) fn candidates(map: &RateMap) -> Result<Vec<Candidate>, NetworkError> {
    let mut found: Vec<Candidate> = Vec::new();
    for start in starting_points(map.network.len()) {
        if let Some(x) = newton_from(map, start)? {
            // Drop repeats early (the verification would): 1e-9 in ln N.
            if found
                .iter()
                .any(|(_, y)| y.iter().zip(&x).all(|(a, b)| (a - b).abs() <= 1e-9))
            {
                continue;
            }
            found.push((x.iter().map(|v| v.exp()).collect(), x));
        }
    }
    Ok(found)
}
