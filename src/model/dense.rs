//! A dense (affine) layer with an `[in, out]` weight, loaded from `torch.nn.Linear` (`[out, in]`)
//! or GPT-2's `Conv1D` (`[in, out]`) checkpoints. Its weight may carry a LoRA
//! [`Adapter`](super::lora::Adapter), attached by [`lora::attach`](super::lora::attach).

use super::error::ModelResult;
use super::lora::Adapter;
use super::weights::{DenseLayout, WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;

/// `y = x W + b` with `W` of shape `[in, out]`.
#[derive(Module, Debug)]
pub struct Dense {
    /// `[in, out]`.
    pub weight: Param<Tensor<2>>,
    /// `[out]`, when the layer has one.
    pub bias: Option<Param<Tensor<1>>>,
}

impl Dense {
    /// Loads a `torch.nn.Linear` named `name` (`name.weight`, and `name.bias` when `bias`).
    pub fn load_linear(
        reader: &mut WeightReader,
        name: &str,
        input: usize,
        output: usize,
        bias: bool,
    ) -> ModelResult<Self> {
        let weight = reader.linear_weight(&format!("{name}.weight"), input, output)?;
        let bias = if bias {
            Some(reader.vector(&format!("{name}.bias"), output)?)
        } else {
            None
        };
        Ok(Self { weight, bias })
    }

    /// Loads a GPT-2 `Conv1D` named `name` (weight already `[in, out]`, with a bias).
    pub fn load_conv1d(
        reader: &mut WeightReader,
        name: &str,
        input: usize,
        output: usize,
    ) -> ModelResult<Self> {
        Ok(Self {
            weight: reader.matrix(&format!("{name}.weight"), [input, output])?,
            bias: Some(reader.vector(&format!("{name}.bias"), output)?),
        })
    }

    /// Saves as a `torch.nn.Linear` (`[out, in]`), an adapter merged in.
    pub fn save_linear(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        writer.put_dense(name, &self.weight, DenseLayout::Linear)?;
        self.save_bias(writer, name)
    }

    /// Saves as a GPT-2 `Conv1D` (`[in, out]`), an adapter merged in.
    pub fn save_conv1d(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        writer.put_dense(name, &self.weight, DenseLayout::Conv1d)?;
        self.save_bias(writer, name)
    }

    fn save_bias(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        match &self.bias {
            Some(bias) => writer.put(&format!("{name}.bias"), bias),
            None => Ok(()),
        }
    }

    /// Applies the layer to the last axis: `x W + b`, plus `scale · dropout(x) A B` when an
    /// adapter is attached (the low-rank path runs in the adapter's precision, `W` is never
    /// merged).
    pub fn forward<const D: usize>(&self, input: Tensor<D>) -> Tensor<D> {
        let bias = self.bias.as_ref().map(Param::val);
        match self.weight.reparameterization::<Adapter>() {
            None => rows_linear(input, self.weight.val(), bias),
            Some(adapter) => {
                let base = rows_linear(input.clone(), self.weight.base(), bias);
                let dtype = base.dtype();
                base + adapter.forward(input).cast(dtype)
            }
        }
    }
}

/// `x W + b` over the last axis, as one 2-D product over every leading row. burn's `linear`
/// keeps `[batch, time, in]` as a batch of products when `time` is a multiple of 32, re-packing
/// `W` for each, and reshapes `W` for it, which copies a transposed view (a `[out, in]` token
/// table used as the output head, passed as `table.transpose()`) on every call; the 2-D
/// product reads such a view in place.
pub fn rows_linear<const D: usize>(
    input: Tensor<D>,
    weight: Tensor<2>,
    bias: Option<Tensor<1>>,
) -> Tensor<D> {
    let mut dims = input.dims();
    let width = dims[D - 1];
    let rows = input
        .reshape([dims.iter().product::<usize>() / width.max(1), width])
        .matmul(weight);
    let rows = match bias {
        Some(bias) => rows + bias.unsqueeze_dim(0),
        None => rows,
    };
    dims[D - 1] = rows.dims()[1];
    rows.reshape(dims)
}
