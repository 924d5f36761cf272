//! GPT-Neo (`GPTNeoForCausalLM`): GPT-2's pre-LN layout with `torch.nn.Linear` weights, no
//! q/k/v biases, scores **not** scaled by `1/sqrt(head_dim)`, and layers alternating between
//! global (causal) and local (sliding window) attention as `attention_types` says. Keys carry the
//! `transformer.` prefix or not; the head is tied unless `tie_word_embeddings` is false.

use super::activation::activate;
use super::attention::{KvCache, causal_bias, int_matrix, windowed_causal_bias};
use super::causal_lm::{
    CausalLm, embed_tokens, load_head, optional_prefix, save_head, vocabulary_logits,
};
use super::config::{AttentionSpan, FeedForwardActivation, GptNeoConfig};
use super::dense::Dense;
use super::error::{ModelError, ModelResult};
use super::norm::LayerNorm;
use super::self_attention::{AttentionLayout, SelfAttention};
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;
use burn::tensor::module::embedding;
use std::path::Path;

fn attention_layout(config: &GptNeoConfig) -> AttentionLayout {
    AttentionLayout {
        projections: ["q_proj", "k_proj", "v_proj", "out_proj"],
        width: config.hidden_size,
        heads: config.num_heads,
        kv_heads: config.num_heads,
        head_width: config.hidden_size / config.num_heads.max(1),
        projection_bias: false,
        output_bias: true,
        scale: 1.0,
    }
}

/// One pre-LN GPT-Neo block.
#[derive(Module, Debug)]
pub struct GptNeoBlock {
    /// `ln_1`.
    pub ln_1: LayerNorm,
    /// `attn.attention`.
    pub attention: SelfAttention,
    /// Global or local attention.
    #[module(skip)]
    pub span: AttentionSpan,
    /// `ln_2`.
    pub ln_2: LayerNorm,
    /// `mlp.c_fc`.
    pub c_fc: Dense,
    /// `mlp.c_proj`.
    pub c_proj: Dense,
    /// Feed-forward activation.
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl GptNeoBlock {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &GptNeoConfig,
        span: AttentionSpan,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, eps, inner) = (
            config.hidden_size,
            config.layer_norm_epsilon,
            config.inner_dim(),
        );
        // Mask buffers that older transformers versions saved.
        reader.ignore(&format!("{name}.attn.attention.bias"));
        reader.ignore(&format!("{name}.attn.attention.masked_bias"));
        Ok(Self {
            ln_1: LayerNorm::load(reader, &format!("{name}.ln_1"), d, eps)?,
            attention: SelfAttention::load(
                reader,
                &format!("{name}.attn.attention"),
                &attention_layout(config),
            )?,
            span,
            ln_2: LayerNorm::load(reader, &format!("{name}.ln_2"), d, eps)?,
            c_fc: Dense::load_linear(reader, &format!("{name}.mlp.c_fc"), d, inner, true)?,
            c_proj: Dense::load_linear(reader, &format!("{name}.mlp.c_proj"), inner, d, true)?,
            activation,
        })
    }

    fn save(
        &self,
        writer: &mut WeightWriter,
        name: &str,
        layout: &AttentionLayout,
    ) -> ModelResult<()> {
        self.ln_1.save(writer, &format!("{name}.ln_1"))?;
        self.attention
            .save(writer, &format!("{name}.attn.attention"), layout)?;
        self.ln_2.save(writer, &format!("{name}.ln_2"))?;
        self.c_fc.save_linear(writer, &format!("{name}.mlp.c_fc"))?;
        self.c_proj
            .save_linear(writer, &format!("{name}.mlp.c_proj"))
    }

    fn forward(
        &self,
        hidden: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
    ) -> Tensor<3> {
        let attended = self
            .attention
            .forward(self.ln_1.forward(hidden.clone()), bias, cache, None);
        let hidden = hidden + attended;
        let transformed = self.c_proj.forward(activate(
            self.activation,
            self.c_fc.forward(self.ln_2.forward(hidden.clone())),
        ));
        hidden + transformed
    }
}

/// GPT-Neo with its language-model head.
#[derive(Module, Debug)]
pub struct GptNeoModel {
    /// `wte.weight`, `[vocab, d]`.
    pub wte: Param<Tensor<2>>,
    /// `wpe.weight`, `[positions, d]`.
    pub wpe: Param<Tensor<2>>,
    /// `h.N`.
    pub blocks: Vec<GptNeoBlock>,
    /// `ln_f`.
    pub ln_f: LayerNorm,
    /// `lm_head` when not tied to `wte`.
    pub lm_head: Option<Dense>,
    /// Positions a local layer sees.
    pub window_size: usize,
    /// `transformer.` when the checkpoint's keys carry it.
    pub prefix: String,
    /// The attention layout (for saving).
    #[module(skip)]
    pub layout: AttentionLayout,
}

impl GptNeoModel {
    /// Loads every tensor of a GPT-Neo checkpoint.
    pub fn load(
        reader: &mut WeightReader,
        config: &GptNeoConfig,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let activation =
            FeedForwardActivation::parse(&config.activation_function).ok_or_else(|| {
                ModelError::Unsupported {
                    path: config_path.to_owned(),
                    message: format!("activation_function `{}`", config.activation_function),
                }
            })?;
        let spans = config.attention_spans(config_path)?;
        let prefix = optional_prefix(reader, "wte.weight", "transformer.");
        let d = config.hidden_size;
        let mut blocks = Vec::with_capacity(config.num_layers);
        for (i, span) in spans.into_iter().enumerate() {
            blocks.push(GptNeoBlock::load(
                reader,
                &format!("{prefix}h.{i}"),
                config,
                span,
                activation,
            )?);
        }
        Ok(Self {
            wte: reader.matrix(&format!("{prefix}wte.weight"), [config.vocab_size, d])?,
            wpe: reader.matrix(
                &format!("{prefix}wpe.weight"),
                [config.max_position_embeddings, d],
            )?,
            blocks,
            ln_f: LayerNorm::load(
                reader,
                &format!("{prefix}ln_f"),
                d,
                config.layer_norm_epsilon,
            )?,
            lm_head: load_head(reader, config.tie_word_embeddings, d, config.vocab_size)?,
            window_size: config.window_size,
            prefix,
            layout: attention_layout(config),
        })
    }

    /// Saves under the Hugging Face names (with the prefix the checkpoint had).
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        let prefix = &self.prefix;
        writer.put(&format!("{prefix}wte.weight"), &self.wte)?;
        writer.put(&format!("{prefix}wpe.weight"), &self.wpe)?;
        for (i, block) in self.blocks.iter().enumerate() {
            block.save(writer, &format!("{prefix}h.{i}"), &self.layout)?;
        }
        self.ln_f.save(writer, &format!("{prefix}ln_f"))?;
        save_head(self.lm_head.as_ref(), writer)
    }

    /// Longest sequence the position table covers.
    pub fn max_positions(&self) -> usize {
        self.wpe.val().dims()[0]
    }
}

impl CausalLm for GptNeoModel {
    fn forward(
        &self,
        ids: &[Vec<i64>],
        positions: &[Vec<i64>],
        key_bias: Tensor<4>,
        past: usize,
        caches: &mut [Option<KvCache>],
    ) -> Tensor<3> {
        let device = self.wte.val().device();
        let time = ids.first().map_or(0, Vec::len);
        let keys = past + time;
        let mut hidden = embed_tokens(&self.wte, ids, int_matrix(ids, &device), None)
            + embedding(self.wpe.val(), int_matrix(positions, &device));
        let global = key_bias.clone() + causal_bias(time, keys, past, &device);
        let local = key_bias + windowed_causal_bias(time, keys, past, self.window_size, &device);
        for (block, cache) in self.blocks.iter().zip(caches.iter_mut()) {
            let bias = match block.span {
                AttentionSpan::Global => global.clone(),
                AttentionSpan::Local => local.clone(),
            };
            hidden = block.forward(hidden, bias, cache);
        }
        self.ln_f.forward(hidden)
    }

    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        vocabulary_logits(hidden, &self.wte, self.lm_head.as_ref())
    }

    fn layers(&self) -> usize {
        self.blocks.len()
    }
}
