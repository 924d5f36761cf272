//! Llama (`LlamaForCausalLM`): RMSNorm pre-norm blocks, rotary positions on queries and keys,
//! grouped-query attention (`num_key_value_heads`), the SwiGLU feed-forward
//! `down(silu(gate x) · up x)`, a final `model.norm`, and an untied `lm_head` (unless
//! `tie_word_embeddings`). No biases unless `attention_bias` / `mlp_bias` say so.

use super::activation::activate;
use super::attention::{KvCache, causal_bias, int_matrix};
use super::causal_lm::{CausalLm, embed_tokens, load_head, save_head, vocabulary_logits};
use super::config::{FeedForwardActivation, LlamaConfig};
use super::dense::Dense;
use super::error::{ModelError, ModelResult};
use super::norm::RmsNorm;
use super::rotary::{RotaryAngles, RotaryEmbedding};
use super::self_attention::{AttentionLayout, SelfAttention};
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;
use std::path::Path;

/// The key prefix `LlamaForCausalLM.save_pretrained` writes.
const PREFIX: &str = "model";

fn attention_layout(config: &LlamaConfig) -> AttentionLayout {
    let head_width = config.head_width();
    AttentionLayout {
        projections: ["q_proj", "k_proj", "v_proj", "o_proj"],
        width: config.hidden_size,
        heads: config.num_attention_heads,
        kv_heads: config.kv_heads(),
        head_width,
        projection_bias: config.attention_bias,
        output_bias: config.attention_bias,
        scale: (head_width as f64).powf(-0.5),
    }
}

/// The gated feed-forward block.
#[derive(Module, Debug)]
pub struct LlamaFeedForward {
    /// `gate_proj`.
    pub gate_proj: Dense,
    /// `up_proj`.
    pub up_proj: Dense,
    /// `down_proj`.
    pub down_proj: Dense,
    /// Activation of the gate (`silu`).
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl LlamaFeedForward {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &LlamaConfig,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, inner, bias) = (
            config.hidden_size,
            config.intermediate_size,
            config.mlp_bias,
        );
        let mut load = |part: &str, input: usize, output: usize| {
            Dense::load_linear(reader, &format!("{name}.{part}"), input, output, bias)
        };
        Ok(Self {
            gate_proj: load("gate_proj", d, inner)?,
            up_proj: load("up_proj", d, inner)?,
            down_proj: load("down_proj", inner, d)?,
            activation,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.gate_proj
            .save_linear(writer, &format!("{name}.gate_proj"))?;
        self.up_proj
            .save_linear(writer, &format!("{name}.up_proj"))?;
        self.down_proj
            .save_linear(writer, &format!("{name}.down_proj"))
    }

    fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let gate = activate(self.activation, self.gate_proj.forward(input.clone()));
        self.down_proj.forward(gate * self.up_proj.forward(input))
    }
}

/// One Llama decoder layer.
#[derive(Module, Debug)]
pub struct LlamaLayer {
    /// `input_layernorm`.
    pub input_layernorm: RmsNorm,
    /// `self_attn`.
    pub self_attn: SelfAttention,
    /// `post_attention_layernorm`.
    pub post_attention_layernorm: RmsNorm,
    /// `mlp`.
    pub mlp: LlamaFeedForward,
}

impl LlamaLayer {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &LlamaConfig,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, eps) = (config.hidden_size, config.rms_norm_eps);
        // The frequency buffer that older conversions saved; it is recomputed from the config.
        reader.ignore(&format!("{name}.self_attn.rotary_emb.inv_freq"));
        Ok(Self {
            input_layernorm: RmsNorm::load(reader, &format!("{name}.input_layernorm"), d, eps)?,
            self_attn: SelfAttention::load(
                reader,
                &format!("{name}.self_attn"),
                &attention_layout(config),
            )?,
            post_attention_layernorm: RmsNorm::load(
                reader,
                &format!("{name}.post_attention_layernorm"),
                d,
                eps,
            )?,
            mlp: LlamaFeedForward::load(reader, &format!("{name}.mlp"), config, activation)?,
        })
    }

    fn save(
        &self,
        writer: &mut WeightWriter,
        name: &str,
        layout: &AttentionLayout,
    ) -> ModelResult<()> {
        self.input_layernorm
            .save(writer, &format!("{name}.input_layernorm"))?;
        self.self_attn
            .save(writer, &format!("{name}.self_attn"), layout)?;
        self.post_attention_layernorm
            .save(writer, &format!("{name}.post_attention_layernorm"))?;
        self.mlp.save(writer, &format!("{name}.mlp"))
    }

    fn forward(
        &self,
        hidden: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
        angles: &RotaryAngles,
    ) -> Tensor<3> {
        let attended = self.self_attn.forward(
            self.input_layernorm.forward(hidden.clone()),
            bias,
            cache,
            Some(angles),
        );
        let hidden = hidden + attended;
        let transformed = self
            .mlp
            .forward(self.post_attention_layernorm.forward(hidden.clone()));
        hidden + transformed
    }
}

/// Llama with its language-model head.
#[derive(Module, Debug)]
pub struct LlamaModel {
    /// `model.embed_tokens.weight`, `[vocab, d]`.
    pub embed_tokens: Param<Tensor<2>>,
    /// `model.layers.N`.
    pub layers: Vec<LlamaLayer>,
    /// `model.norm`.
    pub norm: RmsNorm,
    /// `lm_head` when not tied to `embed_tokens`.
    pub lm_head: Option<Dense>,
    /// Rotary frequencies.
    #[module(skip)]
    pub rotary: RotaryEmbedding,
    /// The padding token, whose embedding gets no gradient from the input lookup.
    #[module(skip)]
    pub padding_id: Option<i64>,
    /// The attention layout (for saving).
    #[module(skip)]
    pub layout: AttentionLayout,
}

impl LlamaModel {
    /// Loads every tensor of a Llama checkpoint (`model.` keys and `lm_head.weight`).
    pub fn load(
        reader: &mut WeightReader,
        config: &LlamaConfig,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let activation = FeedForwardActivation::parse(&config.hidden_act).ok_or_else(|| {
            ModelError::Unsupported {
                path: config_path.to_owned(),
                message: format!("hidden_act `{}`", config.hidden_act),
            }
        })?;
        let heads = config.num_attention_heads;
        if heads == 0 || config.kv_heads() == 0 || !heads.is_multiple_of(config.kv_heads()) {
            return Err(ModelError::Unsupported {
                path: config_path.to_owned(),
                message: format!(
                    "num_attention_heads {heads} is not a multiple of num_key_value_heads {}",
                    config.kv_heads()
                ),
            });
        }
        let rotary = RotaryEmbedding {
            head_width: config.head_width(),
            settings: config.rope(config_path)?,
            trained_positions: config.max_position_embeddings,
        };
        let d = config.hidden_size;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            layers.push(LlamaLayer::load(
                reader,
                &format!("{PREFIX}.layers.{i}"),
                config,
                activation,
            )?);
        }
        Ok(Self {
            embed_tokens: reader.matrix(
                &format!("{PREFIX}.embed_tokens.weight"),
                [config.vocab_size, d],
            )?,
            layers,
            norm: RmsNorm::load(reader, &format!("{PREFIX}.norm"), d, config.rms_norm_eps)?,
            lm_head: load_head(reader, config.tie_word_embeddings, d, config.vocab_size)?,
            rotary,
            padding_id: config.pad_token_id,
            layout: attention_layout(config),
        })
    }

    /// Saves under the Hugging Face names.
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        writer.put(&format!("{PREFIX}.embed_tokens.weight"), &self.embed_tokens)?;
        for (i, layer) in self.layers.iter().enumerate() {
            layer.save(writer, &format!("{PREFIX}.layers.{i}"), &self.layout)?;
        }
        self.norm.save(writer, &format!("{PREFIX}.norm"))?;
        save_head(self.lm_head.as_ref(), writer)
    }
}

impl CausalLm for LlamaModel {
    fn forward(
        &self,
        ids: &[Vec<i64>],
        positions: &[Vec<i64>],
        key_bias: Tensor<4>,
        past: usize,
        caches: &mut [Option<KvCache>],
    ) -> Tensor<3> {
        let device = self.embed_tokens.val().device();
        let time = ids.first().map_or(0, Vec::len);
        let mut hidden = embed_tokens(
            &self.embed_tokens,
            ids,
            int_matrix(ids, &device),
            self.padding_id,
        );
        let angles = self.rotary.angles(positions, &device);
        let bias = key_bias + causal_bias(time, past + time, past, &device);
        for (layer, cache) in self.layers.iter().zip(caches.iter_mut()) {
            hidden = layer.forward(hidden, bias.clone(), cache, &angles);
        }
        self.norm.forward(hidden)
    }

    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        vocabulary_logits(hidden, &self.embed_tokens, self.lm_head.as_ref())
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }
}
