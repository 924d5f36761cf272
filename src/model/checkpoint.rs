//! A Hugging Face checkpoint folder: `config.json`, `model.safetensors` (or sharded with
//! `model.safetensors.index.json`), `tokenizer.json`, and `generation_config.json` if present.
//! BioGPT folders carry `vocab.json` + `merges.txt` (Moses + BPE) instead of `tokenizer.json`;
//! they open without a tokenizer until that tokenizer is implemented.

use super::config::ModelConfig;
use super::error::{ModelError, ModelResult};
use super::generation_config::GenerationSettings;
use super::network::Network;
use super::safetensors_file::{TensorMap, read_checkpoint_tensors, write_safetensors};
use super::weights::{WeightReader, WeightWriter};
use burn::tensor::Device;
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
    /// `tokenizer.json`; `None` only for a BioGPT folder without one (see [`Self::tokenizer`]).
    pub tokenizer: Option<Tokenizer>,
    /// Every tensor, by Hugging Face name.
    pub tensors: TensorMap,
}

impl Checkpoint {
    /// Reads every file of `folder`; any missing or malformed file is an error naming it.
    pub fn open(folder: &Path) -> ModelResult<Self> {
        let config = ModelConfig::read(&folder.join("config.json"))?;
        let generation = GenerationSettings::read(folder, &config)?;
        let tokenizer_path = folder.join("tokenizer.json");
        let tokenizer = match config {
            ModelConfig::BioGpt(_) if !tokenizer_path.exists() => None,
            _ => Some(read_tokenizer(&tokenizer_path)?),
        };
        let tensors = read_checkpoint_tensors(folder)?;
        Ok(Self {
            folder: folder.to_owned(),
            config,
            generation,
            tokenizer,
            tensors,
        })
    }

    /// The tokenizer, or an error naming the files of a BioGPT tokenizer, which is not
    /// implemented yet.
    pub fn tokenizer(&self) -> ModelResult<&Tokenizer> {
        self.tokenizer
            .as_ref()
            .ok_or_else(|| ModelError::Tokenizer {
                path: self.folder.join("vocab.json"),
                message:
                    "the BioGPT tokenizer (Moses + BPE from vocab.json and merges.txt) is not \
                      supported yet"
                        .into(),
            })
    }

    /// Builds the network on `device`; a missing, extra or mis-shaped tensor is an error.
    pub fn network(&self, device: &Device) -> ModelResult<Network> {
        let mut reader =
            WeightReader::new(self.tensors.clone(), self.folder.clone(), device.clone());
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
