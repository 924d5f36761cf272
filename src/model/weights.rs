//! Moving checkpoint tensors into parameters (with shape checks and a record of what was used)
//! and back out under their Hugging Face names.

use super::error::{ModelError, ModelResult};
use super::init::Initializer;
use super::safetensors_file::{HostTensor, TensorMap};
use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Hands out checkpoint tensors as parameters, checking each shape against the configuration.
pub struct WeightReader {
    tensors: TensorMap,
    used: BTreeSet<String>,
    folder: PathBuf,
    device: Device,
    /// Makes the tensors that are asked for, when there is no checkpoint.
    initializer: Option<Initializer>,
}

impl WeightReader {
    /// Wraps the tensors of the checkpoint in `folder`; parameters are created on `device`.
    pub fn new(tensors: TensorMap, folder: PathBuf, device: Device) -> Self {
        Self {
            tensors,
            used: BTreeSet::new(),
            folder,
            device,
            initializer: None,
        }
    }

    /// Hands out freshly initialised tensors instead of a checkpoint's.
    pub fn initialising(initializer: Initializer, device: Device) -> Self {
        Self {
            initializer: Some(initializer),
            ..Self::new(
                TensorMap::new(),
                PathBuf::from("(random initialisation)"),
                device,
            )
        }
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
            self.tensors.insert(name.to_owned(), tensor);
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
        let data = TensorData::new(values, [len]);
        Ok(Param::from_tensor(Tensor::from_data(data, &self.device)))
    }

    /// A matrix parameter stored as it is in the file.
    pub fn matrix(&mut self, name: &str, shape: [usize; 2]) -> ModelResult<Param<Tensor<2>>> {
        let values = self.host(name, &shape)?.values.clone();
        let data = TensorData::new(values, shape);
        Ok(Param::from_tensor(Tensor::from_data(data, &self.device)))
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
        let data = TensorData::new(transposed, [input, output]);
        Ok(Param::from_tensor(Tensor::from_data(data, &self.device)))
    }

    /// Every tensor handed out or held, by name (the made ones, when initialising).
    pub fn into_tensors(self) -> TensorMap {
        self.tensors
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

/// Collects parameters under their Hugging Face names for saving.
#[derive(Default)]
pub struct WeightWriter {
    tensors: TensorMap,
}

impl WeightWriter {
    /// Stores a parameter as it is.
    pub fn put<const D: usize>(&mut self, name: &str, param: &Param<Tensor<D>>) -> ModelResult<()> {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let values = read_values(tensor)?;
        self.insert(name, shape, values);
        Ok(())
    }

    /// Stores an `[in, out]` parameter as a `torch.nn.Linear` weight (`[out, in]`).
    pub fn put_linear_weight(&mut self, name: &str, param: &Param<Tensor<2>>) -> ModelResult<()> {
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
}

/// Copies a tensor's values to the host as `f32`.
pub fn read_values<const D: usize>(tensor: Tensor<D>) -> ModelResult<Vec<f32>> {
    tensor
        .try_into_vec_as::<f32>()
        .map_err(|e| ModelError::Backend(format!("{e:?}")))
}

/// Transposes a row-major `[rows, cols]` matrix.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
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
}
