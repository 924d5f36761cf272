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
    /// `x · sigmoid(x)` (Llama's `silu`).
    Silu,
}

impl FeedForwardActivation {
    /// Parses an activation name as transformers' `ACT2FN` spells it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Self::Relu),
            "gelu" => Some(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" => Some(Self::GeluNew),
            "silu" | "swish" => Some(Self::Silu),
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

/// A token id or a list of them, as `config.json` may give `eos_token_id` (Llama 3 lists
/// several).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TokenIds {
    /// One id.
    One(i64),
    /// Several ids.
    Many(Vec<i64>),
}

impl TokenIds {
    /// The ids as a list.
    pub fn to_vec(&self) -> Vec<i64> {
        match self {
            Self::One(id) => vec![*id],
            Self::Many(ids) => ids.clone(),
        }
    }
}

/// GPT-Neo (`GPTNeoForCausalLM`).
#[derive(Debug, Clone, Deserialize)]
pub struct GptNeoConfig {
    /// Rows of the token embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Blocks.
    pub num_layers: usize,
    /// Attention heads.
    pub num_heads: usize,
    /// Learned positions.
    pub max_position_embeddings: usize,
    /// Layer kinds as `[[kinds, repeats], …]`, expanded in order (`[[["global", "local"], 12]]`
    /// gives 24 alternating layers).
    #[serde(default = "default_attention_types")]
    pub attention_types: Vec<(Vec<String>, usize)>,
    /// How many positions back (the query's own included) a `local` layer sees.
    #[serde(default = "default_window_size")]
    pub window_size: usize,
    /// Feed-forward width (`null` means `4 * hidden_size`).
    #[serde(default)]
    pub intermediate_size: Option<usize>,
    /// Feed-forward activation.
    #[serde(default = "default_gelu_new")]
    pub activation_function: String,
    /// LayerNorm epsilon.
    #[serde(default = "default_gpt2_eps")]
    pub layer_norm_epsilon: f64,
    /// Whether the head is `wte` (otherwise `lm_head.weight` is loaded).
    #[serde(default = "default_true")]
    pub tie_word_embeddings: bool,
    /// Beginning-of-sequence token.
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    /// End-of-sequence token(s).
    #[serde(default)]
    pub eos_token_id: Option<TokenIds>,
    /// Padding token.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
}

fn default_attention_types() -> Vec<(Vec<String>, usize)> {
    vec![(vec!["global".to_owned(), "local".to_owned()], 12)]
}
fn default_window_size() -> usize {
    256
}

/// Which keys a GPT-Neo layer attends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttentionSpan {
    /// Every earlier position (plain causal).
    Global,
    /// The last `window_size` positions.
    Local,
}

impl GptNeoConfig {
    /// Feed-forward width.
    pub fn inner_dim(&self) -> usize {
        self.intermediate_size.unwrap_or(4 * self.hidden_size)
    }

    /// The span of each layer, expanded from `attention_types` as transformers does; an unknown
    /// kind or a count other than `num_layers` is an error naming the field.
    pub fn attention_spans(&self, path: &Path) -> ModelResult<Vec<AttentionSpan>> {
        let mut spans = Vec::with_capacity(self.num_layers);
        for (kinds, repeats) in &self.attention_types {
            for _ in 0..*repeats {
                for kind in kinds {
                    spans.push(match kind.as_str() {
                        "global" => AttentionSpan::Global,
                        "local" => AttentionSpan::Local,
                        other => {
                            return Err(ModelError::Unsupported {
                                path: path.to_owned(),
                                message: format!(
                                    "attention_types names `{other}` (expected global or local)"
                                ),
                            });
                        }
                    });
                }
            }
        }
        if spans.len() != self.num_layers {
            return Err(ModelError::Json {
                path: path.to_owned(),
                message: format!(
                    "attention_types expands to {} layers, but num_layers is {}",
                    spans.len(),
                    self.num_layers
                ),
            });
        }
        Ok(spans)
    }
}

/// BioGPT (`BioGptForCausalLM`). `layer_norm_eps` is deliberately not read: transformers builds
/// every BioGPT LayerNorm with `torch.nn.LayerNorm`'s default epsilon 1e-5 whatever the file says
/// (microsoft/biogpt says 1e-12).
#[derive(Debug, Clone, Deserialize)]
pub struct BioGptConfig {
    /// Rows of the token embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Blocks.
    pub num_hidden_layers: usize,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// Feed-forward width.
    pub intermediate_size: usize,
    /// Learned positions (the table has two more rows).
    pub max_position_embeddings: usize,
    /// Feed-forward activation (`gelu` is the exact erf form).
    #[serde(default = "default_gelu")]
    pub hidden_act: String,
    /// Multiply token embeddings by `sqrt(hidden_size)`.
    #[serde(default = "default_true")]
    pub scale_embedding: bool,
    /// Padding token; its embedding row gets no gradient from the input lookup.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
    /// Beginning-of-sequence token.
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    /// End-of-sequence token(s).
    #[serde(default)]
    pub eos_token_id: Option<TokenIds>,
}

/// Llama (`LlamaForCausalLM`).
#[derive(Debug, Clone, Deserialize)]
pub struct LlamaConfig {
    /// Rows of the token embedding table.
    pub vocab_size: usize,
    /// Width of the residual stream.
    pub hidden_size: usize,
    /// Width of the gated feed-forward block.
    pub intermediate_size: usize,
    /// Blocks.
    pub num_hidden_layers: usize,
    /// Query heads.
    pub num_attention_heads: usize,
    /// Key/value heads (grouped-query attention; `null` means one per query head).
    #[serde(default)]
    pub num_key_value_heads: Option<usize>,
    /// Width of one head (`null` means `hidden_size / num_attention_heads`).
    #[serde(default)]
    pub head_dim: Option<usize>,
    /// Activation of the gate projection.
    #[serde(default = "default_silu")]
    pub hidden_act: String,
    /// Positions trained on (the reference length of dynamic RoPE scaling).
    #[serde(default = "default_llama_positions")]
    pub max_position_embeddings: usize,
    /// RMSNorm epsilon.
    #[serde(default = "default_llama_eps")]
    pub rms_norm_eps: f64,
    /// Whether the head is `embed_tokens` (otherwise `lm_head.weight` is loaded).
    #[serde(default)]
    pub tie_word_embeddings: bool,
    /// Biases on the q/k/v/o projections.
    #[serde(default)]
    pub attention_bias: bool,
    /// Biases on the gate/up/down projections.
    #[serde(default)]
    pub mlp_bias: bool,
    /// RoPE base (classic layout).
    #[serde(default)]
    pub rope_theta: Option<f64>,
    /// RoPE scaling (classic layout; `null` for none).
    #[serde(default)]
    pub rope_scaling: Option<Box<RopeParameters>>,
    /// RoPE base and scaling in one object (the layout transformers 5 writes).
    #[serde(default)]
    pub rope_parameters: Option<Box<RopeParameters>>,
    /// Padding token; its embedding row gets no gradient from the input lookup.
    #[serde(default)]
    pub pad_token_id: Option<i64>,
    /// Beginning-of-sequence token.
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    /// End-of-sequence token(s).
    #[serde(default)]
    pub eos_token_id: Option<TokenIds>,
}

fn default_silu() -> String {
    "silu".to_owned()
}
fn default_llama_positions() -> usize {
    2048
}
fn default_llama_eps() -> f64 {
    1e-6
}

/// A RoPE object of `config.json` (`rope_scaling` or `rope_parameters`), fields as transformers
/// names them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RopeParameters {
    /// `default`, `linear`, `dynamic`, `llama3`, `yarn`, …
    #[serde(default)]
    pub rope_type: Option<String>,
    /// The older spelling of `rope_type`.
    #[serde(default, rename = "type")]
    pub legacy_type: Option<String>,
    /// RoPE base (`rope_parameters` only).
    #[serde(default)]
    pub rope_theta: Option<f64>,
    /// Scaling factor.
    #[serde(default)]
    pub factor: Option<f64>,
    /// `llama3`: wavelengths above `original / low_freq_factor` are divided by `factor`.
    #[serde(default)]
    pub low_freq_factor: Option<f64>,
    /// `llama3`: wavelengths below `original / high_freq_factor` are kept.
    #[serde(default)]
    pub high_freq_factor: Option<f64>,
    /// `llama3`: the context length of pretraining.
    #[serde(default)]
    pub original_max_position_embeddings: Option<f64>,
    /// Fraction of each head that is rotated (only 1 is supported).
    #[serde(default)]
    pub partial_rotary_factor: Option<f64>,
}

/// How RoPE frequencies are scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RopeScaling {
    /// Plain RoPE.
    None,
    /// Positions divided by `factor` (frequencies divided by it).
    Linear {
        /// The divisor.
        factor: f64,
    },
    /// Dynamic NTK: beyond `max_position_embeddings` the base grows with the sequence length.
    Dynamic {
        /// The NTK factor.
        factor: f64,
    },
    /// Llama 3.1's frequency-band scaling.
    Llama3 {
        /// Divisor of the low frequencies.
        factor: f64,
        /// Low-frequency band edge (as a divisor of the original context).
        low_freq_factor: f64,
        /// High-frequency band edge (as a divisor of the original context).
        high_freq_factor: f64,
        /// Pretraining context length.
        original_max_position_embeddings: f64,
    },
}

/// RoPE base and scaling resolved from either config layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RopeSettings {
    /// The base of the frequencies (`rope_theta`).
    pub theta: f64,
    /// The scaling rule.
    pub scaling: RopeScaling,
}

impl LlamaConfig {
    /// Key/value heads.
    pub fn kv_heads(&self) -> usize {
        self.num_key_value_heads.unwrap_or(self.num_attention_heads)
    }

    /// Width of one head.
    pub fn head_width(&self) -> usize {
        self.head_dim
            .unwrap_or(self.hidden_size / self.num_attention_heads.max(1))
    }

    /// RoPE base and scaling from `rope_parameters` (transformers 5) or `rope_theta` +
    /// `rope_scaling` (classic); a kind this crate does not implement is an error naming it.
    pub fn rope(&self, path: &Path) -> ModelResult<RopeSettings> {
        let parameters = self
            .rope_parameters
            .as_deref()
            .or(self.rope_scaling.as_deref())
            .cloned()
            .unwrap_or_default();
        let theta = parameters
            .rope_theta
            .or(self.rope_theta)
            .unwrap_or(10_000.0);
        let unsupported = |message: String| ModelError::Unsupported {
            path: path.to_owned(),
            message,
        };
        if parameters
            .partial_rotary_factor
            .is_some_and(|fraction| fraction != 1.0)
        {
            return Err(unsupported(
                "RoPE partial_rotary_factor other than 1".into(),
            ));
        }
        let kind = parameters
            .rope_type
            .clone()
            .or(parameters.legacy_type.clone())
            .unwrap_or_else(|| "default".to_owned());
        let required = |value: Option<f64>, field: &str| {
            value.ok_or_else(|| ModelError::Json {
                path: path.to_owned(),
                message: format!("RoPE type `{kind}` needs `{field}`"),
            })
        };
        let scaling = match kind.as_str() {
            "default" => RopeScaling::None,
            "linear" => RopeScaling::Linear {
                factor: required(parameters.factor, "factor")?,
            },
            "dynamic" => RopeScaling::Dynamic {
                factor: required(parameters.factor, "factor")?,
            },
            "llama3" => RopeScaling::Llama3 {
                factor: required(parameters.factor, "factor")?,
                low_freq_factor: required(parameters.low_freq_factor, "low_freq_factor")?,
                high_freq_factor: required(parameters.high_freq_factor, "high_freq_factor")?,
                original_max_position_embeddings: parameters
                    .original_max_position_embeddings
                    .unwrap_or(self.max_position_embeddings as f64),
            },
            other => {
                return Err(unsupported(format!(
                    "RoPE type `{other}` (supported: default, linear, dynamic, llama3)"
                )));
            }
        };
        Ok(RopeSettings { theta, scaling })
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
    /// GPT-Neo.
    GptNeo(GptNeoConfig),
    /// Llama.
    Llama(LlamaConfig),
    /// BioGPT.
    BioGpt(BioGptConfig),
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
            "gpt_neo" => Ok(Self::GptNeo(parse(path, &text)?)),
            "llama" => Ok(Self::Llama(parse(path, &text)?)),
            "biogpt" => Ok(Self::BioGpt(parse(path, &text)?)),
            other => Err(ModelError::Unsupported {
                path: path.to_owned(),
                message: format!(
                    "model_type `{other}` (supported: t5, bart, gpt2, gpt_neo, llama, biogpt)"
                ),
            }),
        }
    }

    /// The family name, as `config.json`'s `model_type` spells it (`t5`, `bart`, `gpt2`,
    /// `gpt_neo`, `llama`, `biogpt`).
    pub fn family(&self) -> &'static str {
        match self {
            Self::T5(_) => "t5",
            Self::Bart(_) => "bart",
            Self::Gpt2(_) => "gpt2",
            Self::GptNeo(_) => "gpt_neo",
            Self::Llama(_) => "llama",
            Self::BioGpt(_) => "biogpt",
        }
    }

    /// Whether the model has an encoder (T5, BART) rather than being decoder-only.
    pub fn is_encoder_decoder(&self) -> bool {
        match self {
            Self::T5(_) | Self::Bart(_) => true,
            Self::Gpt2(_) | Self::GptNeo(_) | Self::Llama(_) | Self::BioGpt(_) => false,
        }
    }

    /// Rows of the output vocabulary.
    pub fn vocab_size(&self) -> usize {
        match self {
            Self::T5(c) => c.vocab_size,
            Self::Bart(c) => c.vocab_size,
            Self::Gpt2(c) => c.vocab_size,
            Self::GptNeo(c) => c.vocab_size,
            Self::Llama(c) => c.vocab_size,
            Self::BioGpt(c) => c.vocab_size,
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
