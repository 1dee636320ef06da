//! The rate map of a network, `N ↦ F(N)` with `F_α(N) = ν_α / (1 + τ_α ν_α)` and
//! `ν_α(N) = ν(μ_α(N), a_α(N); V_F,α, V_R,α)` (`τ_α` the mean refractory period of `α`,
//! docs/model.md §11; without one `F_α = ν_α`), its fixed-point defect, and its Jacobian.

use super::{Network, NetworkError};
use crate::stationary::{QUAD_RTOL, log_isi, siegert_partials};

/// The constant inputs `I_α` of the populations.
///
/// # Errors
///
/// `populations[α].input` for an input that depends on time (the stationary states exist
/// only for `None` and `Constant`).
pub(super) fn stationary_currents(network: &Network) -> Result<Vec<f64>, NetworkError> {
    network
        .populations
        .iter()
        .enumerate()
        .map(|(alpha, population)| {
            population.input.stationary_current().ok_or_else(|| {
                NetworkError::invalid(
                    format!("populations[{alpha}].input"),
                    "the stationary states need a constant input (None or Constant)",
                )
            })
        })
        .collect()
}

/// The network at constant inputs: what the search evaluates.
pub(super) struct RateMap<'a> {
    pub(super) network: &'a Network,
    pub(super) currents: Vec<f64>,
}

impl RateMap<'_> {
    /// The mean input `μ_α = Σ_β coupling[α][β] N_β + I_α` and noise `a_α` of population
    /// `alpha` at the rates `rates`.
    fn drive(&self, alpha: usize, rates: &[f64]) -> (f64, f64) {
        let mu = self.network.recurrent_input(alpha, rates) + self.currents[alpha];
        (mu, self.network.diffusion(alpha, rates))
    }

    /// `ln(1/ν_α)` (no refractory period) at the rates `rates`, to relative accuracy
    /// `rtol`.
    fn log_isi_nu(&self, alpha: usize, rates: &[f64], rtol: f64) -> Result<f64, NetworkError> {
        let (mu, a) = self.drive(alpha, rates);
        let population = &self.network.populations[alpha];
        log_isi(mu, a, population.v_f, population.v_r, rtol)
            .map_err(|e| NetworkError::in_population(alpha, e))
    }

    /// The mean refractory period `τ_α`.
    fn tau(&self, alpha: usize) -> f64 {
        self.network.populations[alpha].refractory.mean_time()
    }

    /// `ln(1/F_α) = ln(τ_α + 1/ν_α)` at the rates `rates`, to relative accuracy `rtol`:
    /// `ln(1/ν_α) + ln_1p(τ_α ν_α)`, and `ln(1/ν_α)` itself without refractory period.
    pub(super) fn log_isi(
        &self,
        alpha: usize,
        rates: &[f64],
        rtol: f64,
    ) -> Result<f64, NetworkError> {
        let log = self.log_isi_nu(alpha, rates, rtol)?;
        let tau = self.tau(alpha);
        Ok(if tau == 0.0 {
            log
        } else {
            log + (tau * (-log).exp()).ln_1p()
        })
    }

    /// The relative defect `φ_α = N_α / F_α(N) - 1` of population `alpha`, formed as
    /// `expm1(ln N_α + ln(1/ν_α)) + N_α τ_α` from the logarithm `ln_rate` of its rate
    /// (finite where the rate underflows), so that near a zero it is as accurate as
    /// `ln(1/ν_α)` (the defect of `stationary_states_refractory`, and of
    /// `stationary_states` without refractory period).
    pub(super) fn excess(
        &self,
        alpha: usize,
        rates: &[f64],
        ln_rate: f64,
        rtol: f64,
    ) -> Result<f64, NetworkError> {
        let defect = (ln_rate + self.log_isi_nu(alpha, rates, rtol)?).exp_m1();
        let tau = self.tau(alpha);
        Ok(if tau == 0.0 {
            defect
        } else {
            rates[alpha] * tau + defect
        })
    }

    /// The Jacobian `J[α][β] = ∂F_α/∂N_β = (coupling[α][β] ∂ν/∂μ + a1[α][β] ∂ν/∂a) /
    /// (1 + τ_α ν_α)²` of the rate map at `rates` (the partial derivatives of the Siegert
    /// rate in closed form; a term with a zero coefficient is zero; the factor is 1
    /// without refractory period).
    pub(super) fn jacobian(&self, rates: &[f64]) -> Result<Vec<Vec<f64>>, NetworkError> {
        let p = self.network.len();
        (0..p)
            .map(|alpha| {
                let (mu, a) = self.drive(alpha, rates);
                let population = &self.network.populations[alpha];
                let (d_mu, d_a) = siegert_partials(mu, a, population.v_f, population.v_r)
                    .map_err(|e| NetworkError::in_population(alpha, e))?;
                let tau = self.tau(alpha);
                // 1 / (1 + τ ν)² = e^{-2 ln_1p(τ ν)}.
                let factor = if tau == 0.0 {
                    1.0
                } else {
                    let log = self.log_isi_nu(alpha, rates, QUAD_RTOL)?;
                    (-2.0 * (tau * (-log).exp()).ln_1p()).exp()
                };
                Ok((0..p)
                    .map(|beta| {
                        let (b, a1) = (
                            self.network.coupling[alpha][beta],
                            self.network.a1_entry(alpha, beta),
                        );
                        let drift = if b == 0.0 { 0.0 } else { b * d_mu };
                        let noise = if a1 == 0.0 { 0.0 } else { a1 * d_a };
                        if tau == 0.0 {
                            drift + noise
                        } else {
                            (drift + noise) * factor
                        }
                    })
                    .collect())
            })
            .collect()
    }
}
