//! Feed-forward activations, written out so each matches transformers' formula exactly.

use super::config::FeedForwardActivation;
use super::host::{CHUNK, on_cpu_backend};
use burn::tensor::activation::{relu, silu};
use burn::tensor::{DType, Tensor, TensorData};
use rayon::prelude::*;
use std::f32::consts::FRAC_1_SQRT_2;

/// `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, transformers' `gelu_new`.
///
/// On the CPU backend in `f32` it is computed on the host ([`on_host`]), with one `tanh` per
/// element for the value and the derivative; elsewhere it is the composed formula.
pub fn gelu_new<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let tanh_of = |x: f32| (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh();
    let value = |x: f32, t: f32| 0.5 * x * (1.0 + t);
    on_host(
        input,
        |x| value(x, tanh_of(x)),
        |x| {
            let t = tanh_of(x);
            let slope = 0.5 * (1.0 + t)
                + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
            (value(x, t), slope)
        },
        gelu_new_composed,
    )
}

/// `gelu_new` from ops: nine passes, and under autodiff as many more backward, `tanh`
/// recomputed.
fn gelu_new_composed<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let cube = input.clone() * input.clone() * input.clone();
    let inner = (input.clone() + cube.mul_scalar(GELU_CUBIC)).mul_scalar(SQRT_2_OVER_PI);
    (input * inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

const GELU_CUBIC: f32 = 0.044715;
const SQRT_2_OVER_PI: f32 = 0.797_884_6;

/// `0.5 x (1 + erf(x / sqrt 2))`, the exact gelu.
///
/// On the CPU backend in `f32` it is computed on the host ([`on_host`]), value and derivative
/// `Φ(x) + x φ(x)` from one `erf`, with the same `erf` as burn's `gelu` there. Elsewhere it is
/// written out, because burn 0.22.1's default `gelu` backward is the derivative of the tanh
/// approximation, which moves BART's gradients by 2e-5; `erf`'s own backward is exact.
pub fn gelu_exact<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let cdf = |x: f32| 0.5 * (1.0 + libm::erff(x * FRAC_1_SQRT_2));
    on_host(
        input,
        |x| x * cdf(x),
        |x| {
            let cdf = cdf(x);
            let density = FRAC_1_SQRT_2PI * (-0.5 * x * x).exp();
            (x * cdf, cdf + x * density)
        },
        gelu_exact_composed,
    )
}

/// The exact gelu from ops, with `erf`'s exact backward.
fn gelu_exact_composed<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let cdf = input
        .clone()
        .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)
        .erf()
        .add_scalar(1.0);
    (input * cdf).mul_scalar(0.5)
}

/// `1 / sqrt(2π)`, the standard normal density at 0.
const FRAC_1_SQRT_2PI: f32 = 0.398_942_3;

/// An element-wise function computed on the host on every core, for an `f32` tensor of the CPU
/// backend (any other tensor goes to `composed`): `value(x)` for inference, and under autodiff
/// `value_and_slope(x)`, the value and derivative from one evaluation. The result then enters
/// the graph as `x · y' + (y − x̄ · y')`, `x̄` the input's value: equal to `y` (to rounding), with
/// gradient `y'`, so the forward pass adds two cheap tracked passes and the backward pass is one
/// product, instead of every step of the formula forward and backward.
fn on_host<const D: usize>(
    input: Tensor<D>,
    value: impl Fn(f32) -> f32 + Sync,
    value_and_slope: impl Fn(f32) -> (f32, f32) + Sync,
    composed: impl FnOnce(Tensor<D>) -> Tensor<D>,
) -> Tensor<D> {
    if !on_cpu_backend(&input) || input.dtype() != DType::F32 {
        return composed(input);
    }
    let Ok(values) = input
        .clone()
        .without_autodiff()
        .into_data()
        .try_into_vec::<f32>()
    else {
        return composed(input);
    };
    let device = input.device().without_autodiff();
    let shape = input.shape();
    let mut output = vec![0.0f32; values.len()];
    if !input.is_autodiff() {
        output
            .par_chunks_mut(CHUNK)
            .zip(values.par_chunks(CHUNK))
            .for_each(|(out, xs)| {
                for (y, &x) in out.iter_mut().zip(xs) {
                    *y = value(x);
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
            for ((offset, dy), &x) in out.iter_mut().zip(slopes.iter_mut()).zip(xs) {
                let (y, slope) = value_and_slope(x);
                *dy = slope;
                *offset = y - x * slope;
            }
        });
    let offset: Tensor<D> = Tensor::from_data(TensorData::new(output, shape.clone()), &device);
    let slope: Tensor<D> = Tensor::from_data(TensorData::new(slope, shape), &device);
    input * slope + offset
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
    use burn::tensor::Device;

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

    /// Asserts that `host` has `composed`'s values (1e-6) and gradient (1e-5).
    fn assert_same_values_and_gradient(
        host: impl Fn(Tensor<2>) -> Tensor<2>,
        composed: impl Fn(Tensor<2>) -> Tensor<2>,
    ) {
        let (host_values, host_gradient) = value_and_gradient(host);
        let (values, gradient) = value_and_gradient(composed);
        assert!(largest_difference(&host_values, &values) < 1e-6);
        assert!(largest_difference(&host_gradient, &gradient) < 1e-5);
        // Not a vacuous comparison: the gradient is neither 0 nor the weights.
        assert!(gradient.iter().any(|g| g.abs() > 0.5));
    }

    #[test]
    fn gelu_new_on_the_host_has_the_composed_values_and_gradient() {
        assert_same_values_and_gradient(gelu_new, gelu_new_composed);
    }

    #[test]
    fn exact_gelu_on_the_host_has_the_composed_values_and_gradient() {
        assert_same_values_and_gradient(gelu_exact, gelu_exact_composed);
    }

    #[test]
    fn host_activations_without_autodiff_give_the_values() {
        let inputs: Vec<f32> = (0..64).map(|i| (i as f32 - 32.0) / 6.0).collect();
        let x: Tensor<1> = Tensor::from_data(TensorData::new(inputs, [64]), &Device::flex());
        for (host, composed) in [
            (gelu_exact(x.clone()), gelu_exact_composed(x.clone())),
            (gelu_new(x.clone()), gelu_new_composed(x.clone())),
        ] {
            let (host, composed) = (read_values(host).unwrap(), read_values(composed).unwrap());
            assert!(largest_difference(&host, &composed) < 1e-6);
        }
    }
}
