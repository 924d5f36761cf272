//! Feed-forward activations, written out so each matches transformers' formula exactly.

use super::config::FeedForwardActivation;
use burn::tensor::activation::{gelu, relu, silu};
use burn::tensor::{DType, Device, Tensor, TensorData};
use rayon::prelude::*;

/// `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, transformers' `gelu_new`.
///
/// On the CPU backend in `f32` the values are computed on the host in one pass, with one `tanh`
/// per element, on every core ([`gelu_new_on_host`]); elsewhere it is the composed formula.
pub fn gelu_new<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    if on_cpu_backend(&input)
        && input.dtype() == DType::F32
        && let Ok(values) = input
            .clone()
            .without_autodiff()
            .into_data()
            .try_into_vec::<f32>()
    {
        return gelu_new_on_host(input, &values);
    }
    gelu_new_composed(input)
}

/// `gelu_new` from ops: nine passes, and under autodiff as many more backward, `tanh`
/// recomputed.
fn gelu_new_composed<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let cube = input.clone() * input.clone() * input.clone();
    let inner = (input.clone() + cube.mul_scalar(GELU_CUBIC)).mul_scalar(SQRT_2_OVER_PI);
    (input * inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

/// Whether `input` lives on the CPU backend (with or without autodiff).
fn on_cpu_backend<const D: usize>(input: &Tensor<D>) -> bool {
    input.device().without_autodiff() == Device::flex()
}

const GELU_CUBIC: f32 = 0.044715;
const SQRT_2_OVER_PI: f32 = 0.797_884_6;

/// `gelu_new` of `values` (the input's own values) computed on the host: the values, and under
/// autodiff the derivative `0.5 (1 + t) + 0.5 x (1 − t²) sqrt(2/π) (1 + 3 · 0.044715 x²)` in
/// the same pass. The result enters the graph as `y + y' · (x − x̄)`, `x̄` the input's detached
/// value: equal to `y`, with gradient `y'`, so the backward pass is one product.
fn gelu_new_on_host<const D: usize>(input: Tensor<D>, values: &[f32]) -> Tensor<D> {
    const CHUNK: usize = 1 << 14;
    let device = input.device().without_autodiff();
    let shape = input.shape();
    let tanh_of = |x: f32| (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh();
    let value = |x: f32, t: f32| 0.5 * x * (1.0 + t);
    let mut output = vec![0.0f32; values.len()];
    if !input.is_autodiff() {
        output
            .par_chunks_mut(CHUNK)
            .zip(values.par_chunks(CHUNK))
            .for_each(|(out, xs)| {
                for (y, &x) in out.iter_mut().zip(xs) {
                    *y = value(x, tanh_of(x));
                }
            });
        return Tensor::from_data(TensorData::new(output, shape), &device);
    }
    let mut slope = vec![0.0f32; values.len()];
    output
        .par_chunks_mut(CHUNK)
        .zip(slope.par_chunks_mut(CHUNK))
        .zip(values.par_chunks(CHUNK))
        .for_each(|((out, slopes), xs)| {
            for ((y, dy), &x) in out.iter_mut().zip(slopes.iter_mut()).zip(xs) {
                let t = tanh_of(x);
                *y = value(x, t);
                *dy = 0.5 * (1.0 + t)
                    + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
            }
        });
    let output: Tensor<D> = Tensor::from_data(TensorData::new(output, shape.clone()), &device);
    let slope: Tensor<D> = Tensor::from_data(TensorData::new(slope, shape), &device);
    (input.clone() - input.detach()) * slope + output
}

/// `0.5 x (1 + erf(x / sqrt 2))`, the exact gelu. On the CPU backend this is burn's `gelu`,
/// one fused pass forward and one backward, both exact. Elsewhere it is written out, because
/// burn 0.22.1's default `gelu` backward is the derivative of the tanh approximation, which
/// moves BART's gradients by 2e-5; `erf`'s own backward is exact.
pub fn gelu_exact<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    if on_cpu_backend(&input) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::read_values;

    /// The values of `f` over inputs spread across where gelu bends, and the gradient of a
    /// weighted sum of them with respect to the inputs.
    fn value_and_gradient(f: impl Fn(Tensor<2>) -> Tensor<2>) -> (Vec<f32>, Vec<f32>) {
        let device = Device::flex().autodiff();
        let inputs: Vec<f32> = (0..64).map(|i| (i as f32 - 32.0) / 6.0).collect();
        let weights: Vec<f32> = (0..64).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
        let x: Tensor<2> =
            Tensor::from_data(TensorData::new(inputs, [8, 8]), &device).require_grad();
        let weights: Tensor<2> = Tensor::from_data(TensorData::new(weights, [8, 8]), &device);
        let y = f(x.clone());
        let grads = (y.clone() * weights).sum().backward();
        let gradient = x.grad(&grads).expect("the input's gradient");
        (read_values(y).unwrap(), read_values(gradient).unwrap())
    }

    fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn gelu_new_on_the_host_has_the_composed_values_and_gradient() {
        let (host_values, host_gradient) = value_and_gradient(gelu_new);
        let (values, gradient) = value_and_gradient(gelu_new_composed);
        assert!(largest_difference(&host_values, &values) < 1e-6);
        assert!(largest_difference(&host_gradient, &gradient) < 1e-5);
        // Not a vacuous comparison: the gradient is neither 0 nor the weights.
        assert!(gradient.iter().any(|g| g.abs() > 0.5));
    }
}
