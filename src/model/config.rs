//! Typed `config.json` of each supported family. Unknown fields are tolerated; a missing
//! required field is an error that names the field and the file.

use super::error::{ModelError, ModelResult};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// T5 v1.0 and v1.1/Flan (`T5ForConditionalGeneration`).
#[derive(Debug, Clone, Deserialize)]
pub struct T5Config {
    /// Rows of the embedding table (may exceed the tokenizer's size).
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Width of one attention head.
    pub d_kv: usize,
    /// Hidden width of the feed-forward block.
    pub d_ff: usize,
    /// Encoder blocks.
    pub num_layers: usize,
    /// Decoder blocks (defaults to `num_layers`).
    #[serde(default)]
    pub num_decoder_layers: Option<usize>,
    /// Attention heads.
    pub num_heads: usize,
    /// Buckets of the relative position bias.
    pub relative_attention_num_buckets: usize,
    /// Distance beyond which all positions share a bucket.
    #[serde(default = "default_max_distance")]
    pub relative_attention_max_distance: usize,
    /// RMSNorm epsilon.
    #[serde(default = "default_t5_eps")]
    pub layer_norm_epsilon: f64,
    /// `relu`, `gated-gelu`, `gated-relu`, `gelu`, …
    #[serde(default = "default_feed_forward_proj")]
    pub feed_forward_proj: String,
    /// Whether `lm_head` is `shared` (v1.0), with the `d_model^-0.5` output scaling.
    #[serde(default = "default_true")]
    pub tie_word_embeddings: bool,
    /// Padding token.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
    /// End-of-sequence token.
    #[serde(default)]
    pub eos_token_id: Option<i64>,
    /// First decoder token.
    #[serde(default)]
    pub decoder_start_token_id: Option<i64>,
}

fn default_max_distance() -> usize {
    128
}
fn default_t5_eps() -> f64 {
    1e-6
}
fn default_feed_forward_proj() -> String {
    "relu".to_owned()
}
fn default_true() -> bool {
    true
}

/// The activation of a T5 feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedForwardActivation {
    /// `max(0, x)`.
    Relu,
    /// The exact (erf) gelu.
    Gelu,
    /// The tanh approximation (`gelu_new`).
    GeluNew,
}

impl FeedForwardActivation {
    /// Parses an activation name as transformers' `ACT2FN` spells it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Self::Relu),
            "gelu" => Some(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" => Some(Self::GeluNew),
            _ => None,
        }
    }
}

impl T5Config {
    /// Decoder blocks.
    pub fn decoder_layers(&self) -> usize {
        self.num_decoder_layers.unwrap_or(self.num_layers)
    }

    /// `(gated, activation)` as transformers derives them from `feed_forward_proj`.
    pub fn feed_forward(&self, path: &Path) -> ModelResult<(bool, FeedForwardActivation)> {
        let spec = self.feed_forward_proj.as_str();
        let (gated, name) = match spec.split_once('-') {
            Some(("gated", name)) => (true, name),
            None => (false, spec),
            Some(_) => (false, "?"),
        };
        let name = if spec == "gated-gelu" {
            "gelu_new"
        } else {
            name
        };
        let activation =
            FeedForwardActivation::parse(name).ok_or_else(|| ModelError::Unsupported {
                path: path.to_owned(),
                message: format!("feed_forward_proj `{spec}`"),
            })?;
        Ok((gated, activation))
    }
}

/// BART (`BartForConditionalGeneration`).
#[derive(Debug, Clone, Deserialize)]
pub struct BartConfig {
    /// Rows of the embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub d_model: usize,
    /// Encoder blocks.
    pub encoder_layers: usize,
    /// Decoder blocks.
    pub decoder_layers: usize,
    /// Encoder attention heads.
    pub encoder_attention_heads: usize,
    /// Decoder attention heads.
    pub decoder_attention_heads: usize,
    /// Encoder feed-forward width.
    pub encoder_ffn_dim: usize,
    /// Decoder feed-forward width.
    pub decoder_ffn_dim: usize,
    /// Learned positions (the table has two more rows).
    pub max_position_embeddings: usize,
    /// Feed-forward activation (`gelu` is the exact erf form).
    #[serde(default = "default_gelu")]
    pub activation_function: String,
    /// Multiply token embeddings by `sqrt(d_model)`.
    #[serde(default)]
    pub scale_embedding: bool,
    /// Padding token.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
    /// Beginning-of-sequence token.
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    /// End-of-sequence token.
    #[serde(default)]
    pub eos_token_id: Option<i64>,
    /// First decoder token.
    #[serde(default)]
    pub decoder_start_token_id: Option<i64>,
    /// Token forced at the last position of generation.
    #[serde(default)]
    pub forced_eos_token_id: Option<i64>,
}

fn default_gelu() -> String {
    "gelu".to_owned()
}

/// GPT-2 (`GPT2LMHeadModel`).
#[derive(Debug, Clone, Deserialize)]
pub struct Gpt2Config {
    /// Rows of the token embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Blocks.
    pub n_layer: usize,
    /// Attention heads.
    pub n_head: usize,
    /// Learned positions.
    pub n_positions: usize,
    /// Feed-forward width (`null` means `4 * n_embd`).
    #[serde(default)]
    pub n_inner: Option<usize>,
    /// Feed-forward activation.
    #[serde(default = "default_gelu_new")]
    pub activation_function: String,
    /// LayerNorm epsilon.
    #[serde(default = "default_gpt2_eps")]
    pub layer_norm_epsilon: f64,
    /// Beginning-of-sequence token.
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    /// End-of-sequence token.
    #[serde(default)]
    pub eos_token_id: Option<i64>,
    /// Padding token.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
}

fn default_gelu_new() -> String {
    "gelu_new".to_owned()
}
fn default_gpt2_eps() -> f64 {
    1e-5
}

impl Gpt2Config {
    /// Feed-forward width.
    pub fn inner_dim(&self) -> usize {
        self.n_inner.unwrap_or(4 * self.n_embd)
    }
}

/// The family of a checkpoint and its typed configuration.
#[derive(Debug, Clone)]
pub enum ModelConfig {
    /// T5 v1.0 or v1.1.
    T5(T5Config),
    /// BART.
    Bart(BartConfig),
    /// GPT-2.
    Gpt2(Gpt2Config),
}

#[derive(Deserialize)]
struct FamilyProbe {
    model_type: Option<String>,
}

impl ModelConfig {
    /// Reads `config.json`, choosing the family from `model_type`.
    pub fn read(path: &Path) -> ModelResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
        let probe: FamilyProbe =
            serde_json::from_str(&text).map_err(|e| ModelError::json(path, &e))?;
        let model_type = probe.model_type.ok_or_else(|| ModelError::Json {
            path: path.to_owned(),
            message: "missing field `model_type`".to_owned(),
        })?;
        match model_type.as_str() {
            "t5" => Ok(Self::T5(parse(path, &text)?)),
            "bart" => Ok(Self::Bart(parse(path, &text)?)),
            "gpt2" => Ok(Self::Gpt2(parse(path, &text)?)),
            other => Err(ModelError::Unsupported {
                path: path.to_owned(),
                message: format!("model_type `{other}` (supported: t5, bart, gpt2)"),
            }),
        }
    }

    /// The family name (`t5`, `bart`, `gpt2`).
    pub fn family(&self) -> &'static str {
        match self {
            Self::T5(_) => "t5",
            Self::Bart(_) => "bart",
            Self::Gpt2(_) => "gpt2",
        }
    }

    /// Rows of the output vocabulary.
    pub fn vocab_size(&self) -> usize {
        match self {
            Self::T5(c) => c.vocab_size,
            Self::Bart(c) => c.vocab_size,
            Self::Gpt2(c) => c.vocab_size,
        }
    }
}

fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> ModelResult<T> {
    serde_json::from_str(text).map_err(|e| ModelError::json(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gated_gelu_means_gelu_new() {
        let config: T5Config = serde_json::from_str(
            r#"{"vocab_size":8,"d_model":4,"d_kv":2,"d_ff":8,"num_layers":1,"num_heads":2,
                "relative_attention_num_buckets":4,"feed_forward_proj":"gated-gelu","extra":1}"#,
        )
        .unwrap();
        let path = Path::new("config.json");
        assert_eq!(
            config.feed_forward(path).unwrap(),
            (true, FeedForwardActivation::GeluNew)
        );
        assert_eq!(config.decoder_layers(), 1);
    }

    #[test]
    fn missing_field_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"model_type":"gpt2","vocab_size":8}"#).unwrap();
        let message = ModelConfig::read(&path).unwrap_err().to_string();
        assert!(message.contains("n_embd"), "{message}");
        assert!(message.contains("config.json"), "{message}");
    }
}
