//! Moving checkpoint tensors into parameters (with shape checks and a record of what was used)
//! and back out under their Hugging Face names.

use super::error::{ModelError, ModelResult};
use super::init::Initializer;
use super::lora::Adapter;
use super::safetensors_file::{HostTensor, TensorMap};
use burn::module::{Param, ParamId};
use burn::tensor::{DType, Device, FloatDType, Tensor, TensorData};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Hands out checkpoint tensors as parameters, checking each shape against the configuration.
/// It borrows the checkpoint's tensors (a network is built without a second host copy of them)
/// or owns the ones it makes when initialising.
pub struct WeightReader<'a> {
    tensors: Cow<'a, TensorMap>,
    used: BTreeSet<String>,
    folder: PathBuf,
    device: Device,
    /// Makes the tensors that are asked for, when there is no checkpoint.
    initializer: Option<Initializer>,
    dtype: FloatDType,
}

impl<'a> WeightReader<'a> {
    /// Reads the tensors of the checkpoint in `folder`; parameters are created on `device`, in
    /// `f32`.
    pub fn new(tensors: &'a TensorMap, folder: PathBuf, device: Device) -> Self {
        Self {
            tensors: Cow::Borrowed(tensors),
            used: BTreeSet::new(),
            folder,
            device,
            initializer: None,
            dtype: FloatDType::F32,
        }
    }

    /// Hands out freshly initialised tensors instead of a checkpoint's.
    pub fn initialising(initializer: Initializer, device: Device) -> Self {
        Self {
            tensors: Cow::Owned(TensorMap::new()),
            used: BTreeSet::new(),
            folder: PathBuf::from("(random initialisation)"),
            device,
            initializer: Some(initializer),
            dtype: FloatDType::F32,
        }
    }

    /// Creates every parameter in `dtype` (each converted as it is created, so the device never
    /// holds an `f32` copy of a half-precision network).
    pub fn with_dtype(mut self, dtype: FloatDType) -> Self {
        self.dtype = dtype;
        self
    }

    fn param<const D: usize>(&self, values: Vec<f32>, shape: [usize; D]) -> Param<Tensor<D>> {
        let data = TensorData::new(values, shape);
        Param::from_tensor(Tensor::from_data(
            data,
            (&self.device, DType::from(self.dtype)),
        ))
    }

    /// Whether the checkpoint has a tensor of this name.
    pub fn contains(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// Marks a tensor as deliberately unused (a buffer or a tied duplicate), if present.
    pub fn ignore(&mut self, name: &str) {
        if self.tensors.contains_key(name) {
            self.used.insert(name.to_owned());
        }
    }

    fn host(&mut self, name: &str, expected: &[usize]) -> ModelResult<&HostTensor> {
        if let Some(initializer) = &self.initializer
            && !self.tensors.contains_key(name)
        {
            let tensor = initializer.tensor(name, expected);
            self.tensors.to_mut().insert(name.to_owned(), tensor);
        }
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| ModelError::MissingTensor {
                name: name.to_owned(),
                folder: self.folder.clone(),
            })?;
        if tensor.shape != expected {
            return Err(ModelError::ShapeMismatch {
                name: name.to_owned(),
                expected: expected.to_vec(),
                found: tensor.shape.clone(),
            });
        }
        self.used.insert(name.to_owned());
        Ok(tensor)
    }

    /// A vector parameter.
    pub fn vector(&mut self, name: &str, len: usize) -> ModelResult<Param<Tensor<1>>> {
        let values = self.host(name, &[len])?.values.clone();
        Ok(self.param(values, [len]))
    }

    /// A matrix parameter stored as it is in the file.
    pub fn matrix(&mut self, name: &str, shape: [usize; 2]) -> ModelResult<Param<Tensor<2>>> {
        let values = self.host(name, &shape)?.values.clone();
        Ok(self.param(values, shape))
    }

    /// A `torch.nn.Linear` weight (`[out, in]` in the file) as an `[in, out]` parameter.
    pub fn linear_weight(
        &mut self,
        name: &str,
        input: usize,
        output: usize,
    ) -> ModelResult<Param<Tensor<2>>> {
        let values = &self.host(name, &[output, input])?.values;
        let transposed = transpose(values, output, input);
        Ok(self.param(transposed, [input, output]))
    }

    /// Every tensor handed out or held, by name (the made ones, when initialising).
    pub fn into_tensors(self) -> TensorMap {
        self.tensors.into_owned()
    }

    /// Fails with the names of checkpoint tensors nothing asked for.
    pub fn finish(self) -> ModelResult<()> {
        let unused: Vec<String> = self
            .tensors
            .keys()
            .filter(|name| !self.used.contains(*name))
            .cloned()
            .collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(ModelError::UnexpectedTensors {
                names: unused,
                folder: self.folder,
            })
        }
    }
}

/// How a dense layer's weight is laid out in its checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenseLayout {
    /// `torch.nn.Linear`: `[out, in]`.
    Linear,
    /// GPT-2's `Conv1D`: `[in, out]`.
    Conv1d,
}

/// A dense layer met while saving: its Hugging Face module name, the id of its weight, the
/// weight's layout, and its LoRA adapter if it has one.
#[derive(Debug, Clone)]
pub struct DenseLayer {
    /// The module name (`encoder.block.0.layer.0.SelfAttention.q`).
    pub name: String,
    /// The id of the weight parameter.
    pub weight: ParamId,
    /// The weight's layout in the checkpoint.
    pub layout: DenseLayout,
    /// The adapter attached to the weight.
    pub adapter: Option<Adapter>,
}

/// Collects parameters under their Hugging Face names for saving, and the dense layers among
/// them. A writer made by [`WeightWriter::layers_only`] reads no values: saving a network into
/// it lists its dense layers by the names every family already writes, which is how LoRA finds
/// its targets in any family.
#[derive(Default)]
pub struct WeightWriter {
    tensors: TensorMap,
    layers: Vec<DenseLayer>,
    layers_only: bool,
}

impl WeightWriter {
    /// A writer that records the dense layers and skips every value.
    pub fn layers_only() -> Self {
        Self {
            layers_only: true,
            ..Self::default()
        }
    }

    /// Stores the weight of the dense layer `name` (`name.weight`) in `layout`; a LoRA adapter,
    /// if attached, is merged into the stored values.
    pub fn put_dense(
        &mut self,
        name: &str,
        weight: &Param<Tensor<2>>,
        layout: DenseLayout,
    ) -> ModelResult<()> {
        self.layers.push(DenseLayer {
            name: name.to_owned(),
            weight: weight.id,
            layout,
            adapter: weight.reparameterization::<Adapter>().cloned(),
        });
        let key = format!("{name}.weight");
        match layout {
            DenseLayout::Linear => self.put_linear_weight(&key, weight),
            DenseLayout::Conv1d => self.put(&key, weight),
        }
    }

    /// Stores a parameter as it is (with any reparameterization applied).
    pub fn put<const D: usize>(&mut self, name: &str, param: &Param<Tensor<D>>) -> ModelResult<()> {
        if self.layers_only {
            return Ok(());
        }
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let values = read_values(tensor)?;
        self.insert(name, shape, values);
        Ok(())
    }

    /// Stores an `[in, out]` parameter as a `torch.nn.Linear` weight (`[out, in]`).
    pub fn put_linear_weight(&mut self, name: &str, param: &Param<Tensor<2>>) -> ModelResult<()> {
        if self.layers_only {
            return Ok(());
        }
        let tensor = param.val();
        let [input, output] = tensor.dims();
        let values = read_values(tensor)?;
        self.insert(name, vec![output, input], transpose(&values, input, output));
        Ok(())
    }

    fn insert(&mut self, name: &str, shape: Vec<usize>, values: Vec<f32>) {
        self.tensors.insert(
            name.to_owned(),
            HostTensor {
                shape,
                values,
                stored_dtype: "F32".to_owned(),
            },
        );
    }

    /// The collected tensors.
    pub fn into_tensors(self) -> TensorMap {
        self.tensors
    }

    /// The dense layers, in the order they were saved.
    pub fn into_layers(self) -> Vec<DenseLayer> {
        self.layers
    }
}

/// Copies a tensor's values to the host as `f32`.
pub fn read_values<const D: usize>(tensor: Tensor<D>) -> ModelResult<Vec<f32>> {
    tensor
        .try_into_vec_as::<f32>()
        .map_err(|e| ModelError::Backend(format!("{e:?}")))
}

/// Transposes a row-major `[rows, cols]` matrix, in square tiles so that both the reads and
/// the writes of a tile stay within a few cache lines (a plain double loop writes one value
/// per cache line and was the largest cost of loading a checkpoint).
pub fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    const TILE: usize = 32;
    let mut out = vec![0.0; values.len()];
    for row_start in (0..rows).step_by(TILE) {
        let row_end = (row_start + TILE).min(rows);
        for col_start in (0..cols).step_by(TILE) {
            let col_end = (col_start + TILE).min(cols);
            for r in row_start..row_end {
                let source = &values[r * cols + col_start..r * cols + col_end];
                for (offset, &value) in source.iter().enumerate() {
                    out[(col_start + offset) * rows + r] = value;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::transpose;

    #[test]
    fn transpose_swaps_axes() {
        assert_eq!(
            transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[test]
    fn tiled_transpose_covers_ragged_edges() {
        let (rows, cols) = (45, 70);
        let values: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
        let out = transpose(&values, rows, cols);
        for r in 0..rows {
            for c in 0..cols {
                assert_eq!(out[c * rows + r], values[r * cols + c]);
            }
        }
        assert_eq!(transpose(&out, cols, rows), values);
    }
}
