//! Feed-forward activations, written out so each matches transformers' formula exactly.

use super::config::FeedForwardActivation;
use burn::tensor::activation::{gelu, relu, silu};
use burn::tensor::{Device, Tensor};

/// `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, transformers' `gelu_new`.
pub fn gelu_new<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let sqrt_2_over_pi = (2.0 / std::f64::consts::PI).sqrt();
    let cube = input.clone() * input.clone() * input.clone();
    let inner = (input.clone() + cube.mul_scalar(0.044715)).mul_scalar(sqrt_2_over_pi);
    (input * inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

/// `0.5 x (1 + erf(x / sqrt 2))`, the exact gelu. On the CPU backend this is burn's `gelu`,
/// one fused pass forward and one backward, both exact. Elsewhere it is written out, because
/// burn 0.22.1's default `gelu` backward is the derivative of the tanh approximation, which
/// moves BART's gradients by 2e-5; `erf`'s own backward is exact.
pub fn gelu_exact<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    if input.device().without_autodiff() == Device::flex() {
        return gelu(input);
    }
    let cdf = input
        .clone()
        .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)
        .erf()
        .add_scalar(1.0);
    (input * cdf).mul_scalar(0.5)
}

/// Applies `activation`.
pub fn activate<const D: usize>(activation: FeedForwardActivation, input: Tensor<D>) -> Tensor<D> {
    match activation {
        FeedForwardActivation::Relu => relu(input),
        FeedForwardActivation::Gelu => gelu_exact(input),
        FeedForwardActivation::GeluNew => gelu_new(input),
        FeedForwardActivation::Silu => silu(input),
    }
}
