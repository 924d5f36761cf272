//! AdamW with decoupled weight decay, as PyTorch's `torch.optim.AdamW` computes it, with the
//! update of each parameter fused into one pass on every core when it lives on the CPU backend.
//!
//! burn's AdamW writes the update as about fourteen tensor operations per parameter (moments,
//! bias corrections, square root, quotient, decay, step), each a pass over the parameter that
//! `flex` runs on one thread: a fifth of a bart-base step's serial time. Here the parameter, its
//! gradient and both moments are read once and written once, in place, by a rayon loop. Other
//! backends (and any tensor not in `f32`) take burn's AdamW with the same settings; both keep
//! burn's [`AdamWState`], so states and checkpoints do not depend on the path taken.

use super::host::{CHUNK, on_cpu_backend};
use burn::optim::{
    AdamW, AdamWConfig, AdamWState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
};
use burn::tensor::{DType, Device, Tensor, TensorData};
use rayon::prelude::*;

/// AdamW's settings (`amsgrad` is not offered: the study's training never uses it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWSettings {
    /// Decay of the first moment, β₁.
    pub beta_1: f32,
    /// Decay of the second moment, β₂.
    pub beta_2: f32,
    /// Added to the second moment's square root, ε.
    pub epsilon: f32,
    /// Decoupled weight decay (the parameter shrinks by `lr · weight_decay` each step).
    pub weight_decay: f32,
}

impl AdamWSettings {
    /// PyTorch's defaults (betas 0.9/0.999, eps 1e-8) with `weight_decay`; burn's own defaults
    /// differ (see BURN.md).
    pub fn torch(weight_decay: f32) -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            weight_decay,
        }
    }

    /// An optimiser for a whole module.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(FusedAdamW {
            settings: self,
            composed: self.burn_config().build(),
        })
    }

    /// burn's AdamW configured with these settings (no gradient clipping).
    fn burn_config(self) -> AdamWConfig {
        AdamWConfig::new()
            .with_beta_1(self.beta_1)
            .with_beta_2(self.beta_2)
            .with_epsilon(self.epsilon)
            .with_weight_decay(self.weight_decay)
            .with_cautious_weight_decay(false)
            .with_amsgrad(false)
    }
}

/// AdamW fused into one host pass per parameter on the CPU backend, burn's elsewhere.
#[derive(Clone)]
struct FusedAdamW {
    settings: AdamWSettings,
    /// burn's AdamW with the same settings, for tensors the fused pass does not take.
    composed: AdamW,
}

impl Optimizer for FusedAdamW {
    type State<const D: usize> = AdamWState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let fused = on_cpu_backend(&tensor)
            && [tensor.dtype(), grad.dtype()] == [DType::F32; 2]
            && state.as_ref().is_none_or(|state| {
                let momentum = &state.momentum;
                momentum.max_moment_2.is_none()
                    && [momentum.moment_1.dtype(), momentum.moment_2.dtype()] == [DType::F32; 2]
            });
        if !fused {
            return self.composed.step(lr, tensor, grad, state);
        }
        let device = tensor.device();
        let shape = tensor.shape();
        let (time, moments) = match state {
            Some(state) => {
                let momentum = state.momentum;
                (
                    momentum.time + 1,
                    [momentum.moment_1.into_data(), momentum.moment_2.into_data()],
                )
            }
            None => {
                let zeros = || TensorData::new(vec![0.0f32; shape.num_elements()], shape.clone());
                (1, [zeros(), zeros()])
            }
        };
        let [mut moment_1, mut moment_2] = moments;
        let mut values = tensor.into_data();
        let grad = grad.into_data();
        let updated = match (
            values.as_mut_slice::<f32>(),
            grad.as_slice::<f32>(),
            moment_1.as_mut_slice::<f32>(),
            moment_2.as_mut_slice::<f32>(),
        ) {
            (Ok(values), Ok(grad), Ok(moment_1), Ok(moment_2)) => {
                self.update(lr, time, values, grad, moment_1, moment_2);
                true
            }
            _ => false,
        };
        let tensor = |data: TensorData| Tensor::from_data(data, &device);
        if !updated {
            // Not reached for f32 data; kept so that no input can make the step panic.
            let previous = (time > 1).then(|| {
                AdamWState::new(AdaptiveMomentumState::new(
                    time - 1,
                    tensor(moment_1.clone()),
                    tensor(moment_2.clone()),
                ))
            });
            return self
                .composed
                .step(lr, tensor(values), tensor(grad), previous);
        }
        let state = AdamWState::new(AdaptiveMomentumState::new(
            time,
            tensor(moment_1),
            tensor(moment_2),
        ));
        (tensor(values), Some(state))
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.momentum = state.momentum.to_device(device);
        state
    }
}

impl FusedAdamW {
    /// Step `time` (1-based) of every element, in place, in the order of burn's and PyTorch's
    /// formulas: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, then
    /// `p ← p(1 − lr·λ) − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)`.
    fn update(
        &self,
        lr: LearningRate,
        time: usize,
        values: &mut [f32],
        grad: &[f32],
        moment_1: &mut [f32],
        moment_2: &mut [f32],
    ) {
        let AdamWSettings {
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
        } = self.settings;
        let time = i32::try_from(time).unwrap_or(i32::MAX);
        let correction_1 = 1.0 - beta_1.powi(time);
        let correction_2 = 1.0 - beta_2.powi(time);
        let decay_rate = lr * f64::from(weight_decay);
        let keep = (1.0 - decay_rate) as f32;
        let lr = lr as f32;
        values
            .par_chunks_mut(CHUNK)
            .zip(grad.par_chunks(CHUNK))
            .zip(moment_1.par_chunks_mut(CHUNK))
            .zip(moment_2.par_chunks_mut(CHUNK))
            .for_each(|(((values, grad), moment_1), moment_2)| {
                let elements = values.iter_mut().zip(grad).zip(moment_1).zip(moment_2);
                for (((value, &g), m), v) in elements {
                    *m = *m * beta_1 + g * (1.0 - beta_1);
                    *v = *v * beta_2 + g * g * (1.0 - beta_2);
                    let delta = (*m / correction_1) / ((*v / correction_2).sqrt() + epsilon);
                    let decayed = if decay_rate == 0.0 {
                        *value
                    } else {
                        *value * keep
                    };
                    *value = decayed - delta * lr;
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::read_values;
    use burn::module::{Module, Param};
    use burn::optim::GradientsParams;

    /// One parameter, enough to run an optimiser on.
    #[derive(Module, Debug)]
    struct Weights {
        values: Param<Tensor<1>>,
    }

    /// The parameter after three steps of `optimizer` on the loss `Σ w·c + Σ w²`.
    fn after_three_steps(mut optimizer: ModuleOptimizer) -> Vec<f32> {
        let device = Device::flex().autodiff();
        let start: Vec<f32> = (0..40_000)
            .map(|i| ((i % 97) as f32 - 48.0) / 25.0)
            .collect();
        let constants: Vec<f32> = (0..40_000).map(|i| ((i % 13) as f32 - 6.0) / 3.0).collect();
        let constants = Tensor::<1>::from_data(TensorData::new(constants, [40_000]), &device);
        let mut weights = Weights {
            values: Param::from_tensor(Tensor::from_data(
                TensorData::new(start, [40_000]),
                &device,
            )),
        };
        for _ in 0..3 {
            let value = weights.values.val();
            let loss = (value.clone() * constants.clone()).sum() + (value.clone() * value).sum();
            let grads = GradientsParams::from_grads(loss.backward(), &weights);
            weights = optimizer.step(1e-2, weights, grads);
        }
        read_values(weights.values.val()).unwrap_or_default()
    }

    #[test]
    fn the_fused_pass_steps_as_burns_adamw_does() {
        for weight_decay in [0.0, 0.1] {
            let settings = AdamWSettings::torch(weight_decay);
            let fused = after_three_steps(settings.init());
            let composed = after_three_steps(settings.burn_config().init());
            assert_eq!(fused.len(), 40_000);
            let largest = fused
                .iter()
                .zip(&composed)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(largest < 1e-6, "differs by {largest}");
            // Not vacuous: three steps of 0.01 moved the parameters.
            assert!(fused[0] - (-48.0 / 25.0) > 0.02);
        }
    }
}
