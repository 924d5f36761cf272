//! A Hugging Face checkpoint folder: `config.json`, `model.safetensors` (or sharded with
//! `model.safetensors.index.json`), the tokenizer (`tokenizer.json`, or BioGPT's `vocab.json` +
//! `merges.txt`), and `generation_config.json` if present.

use super::config::ModelConfig;
use super::error::ModelResult;
use super::generation_config::GenerationSettings;
use super::network::Network;
use super::safetensors_file::{TensorMap, read_checkpoint_tensors, write_safetensors};
use super::text_tokenizer::TextTokenizer;
use super::weights::{WeightReader, WeightWriter};
use burn::tensor::{Device, FloatDType};
use std::path::{Path, PathBuf};

/// The files of a checkpoint folder, read and validated (weights still on the host).
pub struct Checkpoint {
    /// The folder.
    pub folder: PathBuf,
    /// `config.json`.
    pub config: ModelConfig,
    /// Generation defaults.
    pub generation: GenerationSettings,
    /// The tokenizer (`tokenizer.json`, or BioGPT's `vocab.json` + `merges.txt`).
    pub tokenizer: TextTokenizer,
    /// Every tensor, by Hugging Face name.
    pub tensors: TensorMap,
}

impl Checkpoint {
    /// Reads every file of `folder`; any missing or malformed file is an error naming it.
    pub fn open(folder: &Path) -> ModelResult<Self> {
        let config = ModelConfig::read(&folder.join("config.json"))?;
        let generation = GenerationSettings::read(folder, &config)?;
        let tokenizer = TextTokenizer::read(folder)?;
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
            WeightReader::new(&self.tensors, self.folder.clone(), device.clone()).with_dtype(dtype);
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

/// Writes the network's weights as `model.safetensors` under their Hugging Face names.
pub fn save_weights(network: &Network, path: &Path) -> ModelResult<()> {
    let mut writer = WeightWriter::default();
    network.save(&mut writer)?;
    write_safetensors(path, &writer.into_tensors())
}
