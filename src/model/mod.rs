//! Generative language models on burn: T5 (v1.0, v1.1/Flan), BART and GPT-2, loaded from
//! unchanged Hugging Face checkpoint folders (in `f32`, `bf16` or `f16`), with batched greedy
//! and beam generation that reproduce transformers token for token, a check against
//! transformers' own numbers, and LoRA adapters on any family ([`lora`]).
//!
//! Stages: checkpoint folder → [`Checkpoint`] (typed config, tokenizer, host tensors) →
//! [`Network`] (parameters on a device) → logits / generated tokens → [`verify`] report.

pub mod activation;
pub mod attention;
pub mod bart;
pub mod beam;
pub mod checkpoint;
pub mod config;
pub mod decoder_cache;
pub mod dense;
pub mod error;
pub mod generation_config;
pub mod gpt2;
pub mod greedy;
pub mod logits_process;
pub mod lora;
pub mod network;
pub mod norm;
pub mod safetensors_file;
pub mod t5;
pub mod train_step;
pub mod verify;
pub mod weights;

pub use checkpoint::{Checkpoint, save_weights};
pub use config::ModelConfig;
pub use error::{ModelError, ModelResult};
pub use generation_config::GenerationSettings;
pub use network::{Network, TokenBatch};
