//! Comparing rate curves sampled on the same times: shared by the whole runs of
//! `docs/performance.md` and the switching-precision figure.

/// Mean `|r_k - ref_k|` over the samples both curves have, relative to the mean of the
/// reference.
pub(crate) fn distance(rates: &[f64], reference: &[f64]) -> f64 {
    let n = rates.len().min(reference.len());
    let diff: f64 = rates
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n as f64;
    let mean = reference.iter().sum::<f64>() / reference.len() as f64;
    diff / mean
}

/// The trailing moving average of `rates` over `window` samples (fewer at the start).
pub(crate) fn smooth(rates: &[f64], window: usize) -> Vec<f64> {
    let mut sum = 0.0;
    (0..rates.len())
        .map(|i| {
            sum += rates[i];
            if i >= window {
                sum -= rates[i - window];
            }
            sum / (i + 1).min(window) as f64
        })
        .collect()
}

/// The pointwise mean of several rate curves, as long as the shortest.
pub(crate) fn average(curves: &[Vec<f64>]) -> Vec<f64> {
    let n = curves.iter().map(Vec::len).min().unwrap_or(0);
    (0..n)
        .map(|i| curves.iter().map(|c| c[i]).sum::<f64>() / curves.len() as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_relative_to_the_mean_reference() {
        // Mean |diff| = (1 + 0 + 1) / 3, mean reference = 2.
        let d = distance(&[2.0, 2.0, 4.0], &[1.0, 2.0, 3.0]);
        assert!((d - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn smoothing_is_the_trailing_mean() {
        // Oracle: the means written out: [1], [1, 2], [1, 2, 3], [2, 3, 4] over 3.
        let s = smooth(&[1.0, 2.0, 3.0, 4.0], 3);
        assert_eq!(s, [1.0, 1.5, 2.0, 3.0]);
    }

    #[test]
    fn average_is_as_long_as_the_shortest_curve() {
        let mean = average(&[vec![1.0, 2.0, 3.0], vec![3.0, 4.0]]);
        assert_eq!(mean, [2.0, 3.0]);
    }
}
