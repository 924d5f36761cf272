//! A Hugging Face checkpoint folder: `config.json`, `model.safetensors` (or sharded with
//! `model.safetensors.index.json`), `tokenizer.json`, and `generation_config.json` if present.

use super::config::ModelConfig;
use super::error::{ModelError, ModelResult};
use super::generation_config::GenerationSettings;
use super::network::Network;
use super::safetensors_file::{TensorMap, read_checkpoint_tensors, write_safetensors};
use super::weights::{WeightReader, WeightWriter};
use burn::tensor::{Device, FloatDType};
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// The files of a checkpoint folder, read and validated (weights still on the host).
pub struct Checkpoint {
    /// The folder.
    pub folder: PathBuf,
    /// `config.json`.
    pub config: ModelConfig,
    /// Generation defaults.
    pub generation: GenerationSettings,
    /// `tokenizer.json`.
    pub tokenizer: Tokenizer,
    /// Every tensor, by Hugging Face name.
    pub tensors: TensorMap,
}

impl Checkpoint {
    /// Reads every file of `folder`; any missing or malformed file is an error naming it.
    pub fn open(folder: &Path) -> ModelResult<Self> {
        let config = ModelConfig::read(&folder.join("config.json"))?;
        let generation = GenerationSettings::read(folder, &config)?;
        let tokenizer = read_tokenizer(&folder.join("tokenizer.json"))?;
        let tensors = read_checkpoint_tensors(folder)?;
        Ok(Self {
            folder: folder.to_owned(),
            config,
            generation,
            tokenizer,
            tensors,
        })
    }

    /// Builds the network on `device`; a missing, extra or mis-shaped tensor is an error.
    pub fn network(&self, device: &Device) -> ModelResult<Network> {
        self.network_as(device, FloatDType::F32)
    }

    /// Builds the network on `device` with every parameter in `dtype`.
    pub fn network_as(&self, device: &Device, dtype: FloatDType) -> ModelResult<Network> {
        let mut reader =
            WeightReader::new(self.tensors.clone(), self.folder.clone(), device.clone())
                .with_dtype(dtype);
        let network = Network::load(&self.config, &mut reader, &self.folder.join("config.json"))?;
        reader.finish()?;
        Ok(network)
    }

    /// Parameters in the checkpoint (tied tensors once).
    pub fn parameter_count(&self) -> usize {
        self.tensors
            .values()
            .map(|t| t.shape.iter().product::<usize>())
            .sum()
    }
}

/// Loads `tokenizer.json` with the `tokenizers` crate.
pub fn read_tokenizer(path: &Path) -> ModelResult<Tokenizer> {
    if !path.is_file() {
        return Err(ModelError::Tokenizer {
            path: path.to_owned(),
            message: "file not found".into(),
        });
    }
    Tokenizer::from_file(path).map_err(|e| ModelError::Tokenizer {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Writes the network's weights as `model.safetensors` under their Hugging Face names.
pub fn save_weights(network: &Network, path: &Path) -> ModelResult<()> {
    let mut writer = WeightWriter::default();
    network.save(&mut writer)?;
    write_safetensors(path, &writer.into_tensors())
}
