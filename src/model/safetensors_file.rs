//! Reading and writing safetensors files (single or sharded) as host `f32` tensors.

use super::error::{ModelError, ModelResult};
use burn::tensor::{bf16, f16};
use safetensors::{Dtype, SafeTensors};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A tensor in host memory, converted to `f32`, with the dtype it had in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
    /// The dtype in the file (`F32`, `F16`, `BF16`, `F64`).
    pub stored_dtype: String,
}

/// Every tensor of a checkpoint, by Hugging Face name.
pub type TensorMap = BTreeMap<String, HostTensor>;

/// Reads `model.safetensors`, or the shards listed by `model.safetensors.index.json`.
pub fn read_checkpoint_tensors(folder: &Path) -> ModelResult<TensorMap> {
    let single = folder.join("model.safetensors");
    if single.is_file() {
        return read_safetensors(&single);
    }
    let index = folder.join("model.safetensors.index.json");
    if !index.is_file() {
        return Err(ModelError::io(
            &single,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "neither model.safetensors nor model.safetensors.index.json exists",
            ),
        ));
    }
    let text = std::fs::read_to_string(&index).map_err(|e| ModelError::io(&index, e))?;
    #[derive(serde::Deserialize)]
    struct ShardIndex {
        weight_map: BTreeMap<String, String>,
    }
    let parsed: ShardIndex =
        serde_json::from_str(&text).map_err(|e| ModelError::json(&index, &e))?;
    let shards: std::collections::BTreeSet<&String> = parsed.weight_map.values().collect();
    let mut tensors = TensorMap::new();
    for shard in shards {
        let shard_path = folder.join(shard);
        for (name, tensor) in read_safetensors(&shard_path)? {
            if parsed.weight_map.get(&name) == Some(shard) {
                tensors.insert(name, tensor);
            }
        }
    }
    for name in parsed.weight_map.keys() {
        if !tensors.contains_key(name) {
            return Err(ModelError::CorruptWeights {
                path: index.clone(),
                message: format!("tensor `{name}` is listed but not in its shard"),
            });
        }
    }
    Ok(tensors)
}

/// Reads one safetensors file; a malformed file is an error, never a panic.
pub fn read_safetensors(path: &Path) -> ModelResult<TensorMap> {
    let bytes = std::fs::read(path).map_err(|e| ModelError::io(path, e))?;
    let corrupt = |message: String| ModelError::CorruptWeights {
        path: path.to_owned(),
        message,
    };
    let file = SafeTensors::deserialize(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let mut tensors = TensorMap::new();
    for (name, view) in file.iter() {
        let values = decode_values(view.dtype(), view.data())
            .ok_or_else(|| corrupt(format!("tensor `{name}` has dtype {:?}", view.dtype())))?;
        tensors.insert(
            name.to_owned(),
            HostTensor {
                shape: view.shape().to_vec(),
                values,
                stored_dtype: format!("{:?}", view.dtype()),
            },
        );
    }
    Ok(tensors)
}

fn decode_values(dtype: Dtype, data: &[u8]) -> Option<Vec<f32>> {
    let values = match dtype {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| bf16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
            .collect(),
        _ => return None,
    };
    Some(values)
}

/// Writes tensors as one `f32` safetensors file with `{"format": "pt"}` metadata, as
/// transformers writes them.
pub fn write_safetensors(path: &Path, tensors: &TensorMap) -> ModelResult<()> {
    let buffers: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, tensor)| {
            let bytes = tensor.values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.clone(), tensor.shape.clone(), bytes)
        })
        .collect();
    let mut views = Vec::with_capacity(buffers.len());
    for (name, shape, bytes) in &buffers {
        let view = safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), bytes).map_err(
            |e| ModelError::CorruptWeights {
                path: PathBuf::from(path),
                message: format!("tensor `{name}`: {e}"),
            },
        )?;
        views.push((name.as_str(), view));
    }
    let metadata = std::collections::HashMap::from([("format".to_owned(), "pt".to_owned())]);
    let bytes =
        safetensors::serialize(views, Some(metadata)).map_err(|e| ModelError::CorruptWeights {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    std::fs::write(path, bytes).map_err(|e| ModelError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_is_bit_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        let mut tensors = TensorMap::new();
        tensors.insert(
            "a.weight".to_owned(),
            HostTensor {
                shape: vec![2, 2],
                values: vec![1.0, -0.0, f32::MIN_POSITIVE, 3.5e-12],
                stored_dtype: "F32".to_owned(),
            },
        );
        write_safetensors(&path, &tensors).unwrap();
        let back = read_safetensors(&path).unwrap();
        let bits = |t: &TensorMap| -> Vec<u32> {
            t["a.weight"].values.iter().map(|v| v.to_bits()).collect()
        };
        assert_eq!(bits(&back), bits(&tensors));
    }

    #[test]
    fn truncated_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, [8u8, 0, 0, 0, 0, 0, 0, 0, b'{']).unwrap();
        let error = read_safetensors(&path).unwrap_err().to_string();
        assert!(error.contains("corrupt safetensors"), "{error}");
    }
}
