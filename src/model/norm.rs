//! LayerNorm (BART, GPT-2) and T5's RMSNorm, over the last axis.

use super::error::ModelResult;
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;

/// `(x - mean) / sqrt(var + eps) * weight + bias` (biased variance, as `torch.nn.LayerNorm`).
#[derive(Module, Debug)]
pub struct LayerNorm {
    /// Scale, `[width]`.
    pub weight: Param<Tensor<1>>,
    /// Shift, `[width]`.
    pub bias: Param<Tensor<1>>,
    /// Added to the variance.
    pub epsilon: f64,
}

impl LayerNorm {
    /// Loads `name.weight` and `name.bias`.
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        width: usize,
        epsilon: f64,
    ) -> ModelResult<Self> {
        Ok(Self {
            weight: reader.vector(&format!("{name}.weight"), width)?,
            bias: reader.vector(&format!("{name}.bias"), width)?,
            epsilon,
        })
    }

    /// Saves `name.weight` and `name.bias`.
    pub fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        writer.put(&format!("{name}.weight"), &self.weight)?;
        writer.put(&format!("{name}.bias"), &self.bias)
    }

    /// Normalises `[batch, time, width]`.
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let mean = input.clone().mean_dim(2);
        let centered = input - mean;
        let variance = centered.clone().square().mean_dim(2);
        let normalised = centered / variance.add_scalar(self.epsilon).sqrt();
        normalised * self.weight.val().unsqueeze::<3>() + self.bias.val().unsqueeze::<3>()
    }
}

/// T5's `T5LayerNorm`: `x / sqrt(mean(x²) + eps) * weight`, no mean subtraction, no bias.
#[derive(Module, Debug)]
pub struct RmsNorm {
    /// Scale, `[width]`.
    pub weight: Param<Tensor<1>>,
    /// Added to the mean square.
    pub epsilon: f64,
}

impl RmsNorm {
    /// Loads `name.weight`.
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        width: usize,
        epsilon: f64,
    ) -> ModelResult<Self> {
        Ok(Self {
            weight: reader.vector(&format!("{name}.weight"), width)?,
            epsilon,
        })
    }

    /// Saves `name.weight`.
    pub fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        writer.put(&format!("{name}.weight"), &self.weight)
    }

    /// Normalises `[batch, time, width]`.
    pub fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let mean_square = input.clone().square().mean_dim(2);
        let normalised = input / mean_square.add_scalar(self.epsilon).sqrt();
        normalised * self.weight.val().unsqueeze::<3>()
    }
}
