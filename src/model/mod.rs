//! Generative language models on burn: T5 (v1.0, v1.1/Flan), BART, GPT-2, GPT-Neo, Llama and
//! BioGPT, loaded from unchanged Hugging Face checkpoint folders (in `f32`, `bf16` or `f16`) or
//! built from a configuration with seeded random weights ([`scratch`]), with batched greedy and
//! beam generation that reproduce transformers token for token, a check against transformers'
//! own numbers, and LoRA adapters on any family ([`lora`]).
//!
//! Stages: checkpoint folder → [`Checkpoint`] (typed config, tokenizer, host tensors) →
//! [`Network`] (parameters on a device) → logits / generated tokens → [`verify`] report.

pub mod activation;
pub mod adamw;
pub mod attention;
pub mod bart;
pub mod beam;
pub mod biogpt;
pub mod biogpt_tokenizer;
pub mod causal_lm;
pub mod checkpoint;
pub mod config;
pub mod decoder_cache;
pub mod dense;
pub mod error;
pub mod generation_config;
pub mod gpt2;
pub mod gpt_neo;
pub mod greedy;
pub mod host;
pub mod init;
pub mod llama;
pub mod logits_process;
pub mod lora;
pub mod network;
pub mod norm;
pub mod rotary;
pub mod safetensors_file;
pub mod scratch;
pub mod self_attention;
pub mod t5;
pub mod text_tokenizer;
pub mod tokenizer_training;
pub mod train_step;
pub mod verify;
pub mod weights;

pub use checkpoint::{Checkpoint, save_weights};
pub use config::ModelConfig;
pub use error::{ModelError, ModelResult};
pub use generation_config::GenerationSettings;
pub use network::{Network, TokenBatch};
pub use text_tokenizer::TextTokenizer;
