//! The one error type of checkpoint loading, saving and running.

use std::path::PathBuf;

/// Why a checkpoint folder could not be loaded, saved or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// A JSON file is malformed or misses a required field (serde names the field).
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// serde's message, which names a missing or mistyped field.
        message: String,
    },
    /// `config.json` describes a model this crate does not implement.
    #[error("{path}: unsupported model: {message}")]
    Unsupported {
        /// The `config.json` file.
        path: PathBuf,
        /// What is unsupported.
        message: String,
    },
    /// A safetensors file is not valid (truncated, bad header, unknown dtype).
    #[error("{path}: corrupt safetensors file: {message}")]
    CorruptWeights {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A tensor the model needs is not in the checkpoint.
    #[error("missing tensor `{name}` in {folder}")]
    MissingTensor {
        /// The Hugging Face tensor name.
        name: String,
        /// The checkpoint folder.
        folder: PathBuf,
    },
    /// A tensor has a shape other than the configuration implies.
    #[error("tensor `{name}` has shape {found:?}, expected {expected:?} (from config.json)")]
    ShapeMismatch {
        /// The Hugging Face tensor name.
        name: String,
        /// The shape the configuration implies.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// The checkpoint holds tensors the model does not use.
    #[error("unexpected tensors in {folder}: {}", names.join(", "))]
    UnexpectedTensors {
        /// The unused Hugging Face tensor names.
        names: Vec<String>,
        /// The checkpoint folder.
        folder: PathBuf,
    },
    /// A tokenizer file is missing or cannot be parsed, or the tokenizer failed.
    #[error("{path}: tokenizer: {message}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// LoRA target modules that name no dense layer of the network.
    #[error(
        "LoRA targets match no layer: {}; the network's dense layers are named …{}",
        quoted(unmatched),
        available.join(", …")
    )]
    LoraTargets {
        /// The targets that matched nothing.
        unmatched: Vec<String>,
        /// The distinct last components of the dense layers' names.
        available: Vec<String>,
    },
    /// A request the model cannot serve (empty batch, sequence too long, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A backend failed to run or read back a tensor.
    #[error("backend: {0}")]
    Backend(String),
}

impl ModelError {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps a JSON error with the file it concerns.
    pub fn json(path: impl Into<PathBuf>, error: &serde_json::Error) -> Self {
        Self::Json {
            path: path.into(),
            message: error.to_string(),
        }
    }
}

fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "(no targets given)".to_owned();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result type of the model module.
pub type ModelResult<T> = Result<T, ModelError>;
