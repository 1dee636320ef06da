//! The record's view of a network of several populations: the populations it names, and
//! each one's rates, fractions of the multiple firing events and density.

use nlif_model::network::Network;

use super::{DensitySnapshot, Trace};

impl Trace {
    /// The empty record of a run of `network`: it names the populations when there are
    /// several.
    #[must_use]
    pub fn of(network: &Network) -> Self {
        let populations = if network.len() > 1 {
            network.populations.iter().map(|x| x.name.clone()).collect()
        } else {
            Vec::new()
        };
        Trace {
            populations,
            ..Trace::default()
        }
    }

    /// The number of populations the record distinguishes: `populations.len()`, 0 for a
    /// network of one population.
    pub(super) fn per_sample(&self) -> usize {
        self.populations.len()
    }

    /// The mean rate of population `alpha` in every sample, in order; empty for a network
    /// of one population (whose rate is the samples').
    ///
    /// ```
    /// use multiscale::{Mode, Sample, Trace};
    /// let mut trace = Trace::default();
    /// trace.populations = vec!["E".into(), "I".into()];
    /// for (t, e, i) in [(1.0, 2.0, 8.0), (2.0, 4.0, 16.0)] {
    ///     trace.samples.push(Sample { t, rate: 0.8 * e + 0.2 * i, mode: Mode::Macro });
    ///     trace.population_rates.extend([e, i]);
    /// }
    /// assert_eq!(trace.population_rates(1).collect::<Vec<_>>(), [8.0, 16.0]);
    /// ```
    pub fn population_rates(&self, alpha: usize) -> impl Iterator<Item = f64> + '_ {
        let p = self.per_sample();
        self.population_rates
            .iter()
            .skip(alpha)
            .step_by(p.max(1))
            .take(if alpha < p { self.samples.len() } else { 0 })
            .copied()
    }

    /// The fraction of each population that fired in multiple firing event `i` (of
    /// [`Trace::mfes`]); `None` for a network of one population (the event's `fraction`
    /// is its own) or an index past the events.
    pub fn mfe_fractions(&self, i: usize) -> Option<&[f64]> {
        let p = self.per_sample();
        (p > 0).then(|| self.mfe_fractions.get(i * p..(i + 1) * p))?
    }

    /// Population `alpha`'s part of the values of `snapshot` (its density on its own grid),
    /// for a network of several populations; `None` for one population (the values are
    /// its density) or an index past the populations.
    ///
    /// ```
    /// use multiscale::{DensitySnapshot, Mode, Trace};
    /// let mut trace = Trace::default();
    /// trace.populations = vec!["E".into(), "I".into()];
    /// trace.population_cells = vec![3, 2];
    /// let snapshot = DensitySnapshot { t: 0.0, mode: Mode::Macro, values: vec![1.0, 2.0, 3.0, 4.0, 5.0] };
    /// assert_eq!(trace.population_density(&snapshot, 1), Some(&[4.0, 5.0][..]));
    /// ```
    #[must_use]
    pub fn population_density<'a>(
        &self,
        snapshot: &'a DensitySnapshot,
        alpha: usize,
    ) -> Option<&'a [f64]> {
        let start: usize = self.population_cells.get(..alpha)?.iter().sum();
        let len = *self.population_cells.get(alpha)?;
        snapshot.values.get(start..start + len)
    }

    /// The time-weighted mean rate of population `alpha` over `(from, to]`, as
    /// [`Trace::mean_rate`] for the network; `None` for a network of one population or
    /// if no sample covers the window.
    #[must_use]
    pub fn mean_population_rate(&self, alpha: usize, from: f64, to: f64) -> Option<f64> {
        let (weighted, covered) = self
            .sample_spans()
            .zip(self.population_rates(alpha))
            .filter(|((start, end, _), _)| *end > from && *start < to)
            .fold((0.0, 0.0), |(w, c), ((start, end, _), rate)| {
                let d = end.min(to) - start.max(from);
                (w + rate * d, c + d)
            });
        (covered > 0.0).then(|| weighted / covered)
    }
}
