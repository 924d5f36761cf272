//! The adapters alone in PEFT's folder layout: `adapter_config.json` and
//! `adapter_model.safetensors` with `base_model.model.NAME.lora_A.weight` `[r, in]` and
//! `lora_B.weight` `[out, r]`, as `peft` saves and loads them.

use super::{LoraConfig, attach_with, dense_layers};
use crate::model::error::{ModelError, ModelResult};
use crate::model::network::Network;
use crate::model::safetensors_file::{read_safetensors, write_safetensors};
use crate::model::weights::{DenseLayout, WeightWriter, transpose};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// PEFT's adapter weights file.
pub const ADAPTER_WEIGHTS: &str = "adapter_model.safetensors";
/// PEFT's adapter configuration file.
pub const ADAPTER_CONFIG: &str = "adapter_config.json";

/// PEFT's `adapter_config.json` (the fields expc reads and writes).
#[derive(Debug, Serialize, Deserialize)]
struct PeftConfig {
    peft_type: String,
    #[serde(default)]
    task_type: Option<String>,
    #[serde(default)]
    base_model_name_or_path: Option<String>,
    r: usize,
    lora_alpha: f64,
    #[serde(default)]
    lora_dropout: f64,
    target_modules: Vec<String>,
    #[serde(default)]
    fan_in_fan_out: bool,
    #[serde(default = "none")]
    bias: String,
    #[serde(default)]
    use_rslora: bool,
    #[serde(default)]
    use_dora: bool,
    #[serde(default)]
    inference_mode: bool,
}

fn none() -> String {
    "none".to_owned()
}

fn peft_key(module: &str, factor: &str) -> String {
    format!("base_model.model.{module}.lora_{factor}.weight")
}

/// Writes the adapters alone as PEFT does (`adapter_model.safetensors` with
/// `base_model.model.NAME.lora_A.weight` `[r, in]` and `lora_B.weight` `[out, r]`, and
/// `adapter_config.json`) into `folder`, naming `base_model` as the model they adapt.
pub fn save_adapters(
    network: &Network,
    config: &LoraConfig,
    base_model: &Path,
    folder: &Path,
) -> ModelResult<()> {
    let layers = dense_layers(network)?;
    let mut writer = WeightWriter::default();
    let mut fan_in_fan_out = false;
    for layer in &layers {
        if let Some(adapter) = &layer.adapter {
            writer.put_linear_weight(&peft_key(&layer.name, "A"), &adapter.a)?;
            writer.put_linear_weight(&peft_key(&layer.name, "B"), &adapter.b)?;
            fan_in_fan_out |= layer.layout == DenseLayout::Conv1d;
        }
    }
    let tensors = writer.into_tensors();
    if tensors.is_empty() {
        return Err(ModelError::InvalidInput(
            "the network has no LoRA adapters to save".into(),
        ));
    }
    std::fs::create_dir_all(folder).map_err(|e| ModelError::io(folder, e))?;
    write_safetensors(&folder.join(ADAPTER_WEIGHTS), &tensors)?;
    let peft = PeftConfig {
        peft_type: "LORA".to_owned(),
        task_type: Some(
            if network.is_encoder_decoder() {
                "SEQ_2_SEQ_LM"
            } else {
                "CAUSAL_LM"
            }
            .to_owned(),
        ),
        base_model_name_or_path: Some(base_model.display().to_string()),
        r: config.rank,
        lora_alpha: config.alpha,
        lora_dropout: config.dropout,
        target_modules: config.targets.clone(),
        fan_in_fan_out,
        bias: none(),
        use_rslora: false,
        use_dora: false,
        inference_mode: true,
    };
    let path = folder.join(ADAPTER_CONFIG);
    let text = serde_json::to_string_pretty(&peft).map_err(|e| ModelError::json(&path, &e))?;
    std::fs::write(&path, text + "\n").map_err(|e| ModelError::io(&path, e))
}

/// Attaches the adapters of a PEFT folder (as [`save_adapters`] writes it) to `network`; returns
/// the network and the configuration read. A missing, mis-shaped or unused tensor is an error.
pub fn load_adapters(network: Network, folder: &Path) -> ModelResult<(Network, LoraConfig)> {
    let path = folder.join(ADAPTER_CONFIG);
    let text = std::fs::read_to_string(&path).map_err(|e| ModelError::io(&path, e))?;
    let peft: PeftConfig = serde_json::from_str(&text).map_err(|e| ModelError::json(&path, &e))?;
    if peft.peft_type != "LORA" || peft.use_rslora || peft.use_dora || peft.bias != "none" {
        return Err(ModelError::Unsupported {
            path,
            message: "only plain LoRA (peft_type LORA, bias none, no rsLoRA, no DoRA)".into(),
        });
    }
    let config = LoraConfig {
        rank: peft.r,
        alpha: peft.lora_alpha,
        dropout: peft.lora_dropout,
        targets: peft.target_modules,
    };
    let weights = folder.join(ADAPTER_WEIGHTS);
    let tensors = read_safetensors(&weights)?;
    let mut used = BTreeSet::new();
    let rank = config.rank;
    let mut take = |key: String, shape: [usize; 2]| -> ModelResult<Vec<f32>> {
        let tensor = tensors.get(&key).ok_or_else(|| ModelError::MissingTensor {
            name: key.clone(),
            folder: folder.to_owned(),
        })?;
        if tensor.shape != shape {
            return Err(ModelError::ShapeMismatch {
                name: key,
                expected: shape.to_vec(),
                found: tensor.shape.clone(),
            });
        }
        used.insert(key);
        // Stored as `torch.nn.Linear` weights: transpose back to `[in, out]`.
        Ok(transpose(&tensor.values, shape[0], shape[1]))
    };
    let network = attach_with(network, &config, |name, input, output| {
        Ok((
            take(peft_key(name, "A"), [rank, input])?,
            take(peft_key(name, "B"), [output, rank])?,
        ))
    })?;
    let unused: Vec<String> = tensors
        .keys()
        .filter(|k| !used.contains(*k))
        .cloned()
        .collect();
    if !unused.is_empty() {
        return Err(ModelError::UnexpectedTensors {
            names: unused,
            folder: folder.to_owned(),
        });
    }
    Ok((network, config))
}
