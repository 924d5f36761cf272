//! Feed-forward activations, written out so each matches transformers' formula exactly.

use super::config::FeedForwardActivation;
use burn::tensor::Tensor;
use burn::tensor::activation::{gelu, relu};

/// `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, transformers' `gelu_new`.
pub fn gelu_new<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let sqrt_2_over_pi = (2.0 / std::f64::consts::PI).sqrt();
    let cube = input.clone() * input.clone() * input.clone();
    let inner = (input.clone() + cube.mul_scalar(0.044715)).mul_scalar(sqrt_2_over_pi);
    (input * inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

/// Applies `activation`.
pub fn activate<const D: usize>(activation: FeedForwardActivation, input: Tensor<D>) -> Tensor<D> {
    match activation {
        FeedForwardActivation::Relu => relu(input),
        FeedForwardActivation::Gelu => gelu(input),
        FeedForwardActivation::GeluNew => gelu_new(input),
    }
}
