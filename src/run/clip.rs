//! Clipping the gradients by their global L2 norm, as PyTorch's `clip_grad_norm_` does (burn's
//! own `GradientClipping::Norm` clips each parameter by its own norm instead).

use crate::model::ModelResult;
use crate::model::weights::read_values;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    sum: f64,
    failure: Option<crate::model::ModelError>,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.get::<D>(param.id) {
            // Summed on the host in f64, as `expc model verify` does (flex sums in f32).
            match read_values(grad) {
                Ok(values) => self.sum += values.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>(),
                Err(error) => self.failure = Some(error),
            }
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    factor: f64,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, grad.mul_scalar(self.factor));
        }
    }
}

/// The global L2 norm of `grads` over the parameters of `module` (tied parameters once).
pub fn gradient_norm<M: Module>(module: &M, grads: &GradientsParams) -> ModelResult<f64> {
    let mut visitor = SquaredNorm {
        grads,
        sum: 0.0,
        failure: None,
    };
    module.visit(&mut visitor);
    match visitor.failure {
        Some(error) => Err(error),
        None => Ok(visitor.sum.sqrt()),
    }
}

/// Scales `grads` so that their global norm is at most `max_norm` (PyTorch: by
/// `max_norm / (norm + 1e-6)` when that is below 1); returns the norm before clipping.
/// A `max_norm` of 0 or less turns clipping off.
pub fn clip_by_global_norm<M: Module>(
    module: &M,
    grads: &mut GradientsParams,
    max_norm: f64,
) -> ModelResult<f64> {
    let norm = gradient_norm(module, grads)?;
    let factor = max_norm / (norm + 1e-6);
    if max_norm > 0.0 && factor < 1.0 {
        module.visit(&mut Scale { grads, factor });
    }
    Ok(norm)
}
