//! BioGPT (`BioGptForCausalLM`): token embeddings scaled by `sqrt(hidden_size)` (when
//! `scale_embedding`), learned positions offset by 2, pre-LN blocks with BART-style biased
//! attention scaled by `1/sqrt(head_dim)`, exact gelu, a final `biogpt.layer_norm`, and
//! `output_projection` tied to `embed_tokens`. Every LayerNorm uses epsilon 1e-5, as transformers
//! builds them, whatever `layer_norm_eps` says.

use super::activation::activate;
use super::attention::{KvCache, causal_bias, int_matrix};
use super::causal_lm::{CausalLm, embed_tokens, vocabulary_logits};
use super::config::{BioGptConfig, FeedForwardActivation};
use super::dense::Dense;
use super::error::{ModelError, ModelResult};
use super::norm::LayerNorm;
use super::self_attention::{AttentionLayout, SelfAttention};
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;
use burn::tensor::module::embedding;
use std::path::Path;

/// BioGPT's learned positions start at row 2 of the table.
const POSITION_OFFSET: i64 = 2;
/// `torch.nn.LayerNorm`'s default, which transformers' BioGPT uses for every norm.
const LAYER_NORM_EPSILON: f64 = 1e-5;
/// The key prefix `BioGptForCausalLM.save_pretrained` writes.
const PREFIX: &str = "biogpt";

fn attention_layout(config: &BioGptConfig) -> AttentionLayout {
    let head_width = config.hidden_size / config.num_attention_heads.max(1);
    AttentionLayout {
        projections: ["q_proj", "k_proj", "v_proj", "out_proj"],
        width: config.hidden_size,
        heads: config.num_attention_heads,
        kv_heads: config.num_attention_heads,
        head_width,
        projection_bias: true,
        output_bias: true,
        scale: (head_width as f64).powf(-0.5),
    }
}

/// One pre-LN BioGPT layer.
#[derive(Module, Debug)]
pub struct BioGptLayer {
    /// `self_attn_layer_norm`.
    pub self_attn_layer_norm: LayerNorm,
    /// `self_attn`.
    pub self_attn: SelfAttention,
    /// `final_layer_norm` (before the feed-forward block).
    pub final_layer_norm: LayerNorm,
    /// `fc1`.
    pub fc1: Dense,
    /// `fc2`.
    pub fc2: Dense,
    /// Feed-forward activation.
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl BioGptLayer {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &BioGptConfig,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, ffn) = (config.hidden_size, config.intermediate_size);
        let norm = |reader: &mut WeightReader, part: &str| {
            LayerNorm::load(reader, &format!("{name}.{part}"), d, LAYER_NORM_EPSILON)
        };
        Ok(Self {
            self_attn_layer_norm: norm(reader, "self_attn_layer_norm")?,
            self_attn: SelfAttention::load(
                reader,
                &format!("{name}.self_attn"),
                &attention_layout(config),
            )?,
            final_layer_norm: norm(reader, "final_layer_norm")?,
            fc1: Dense::load_linear(reader, &format!("{name}.fc1"), d, ffn, true)?,
            fc2: Dense::load_linear(reader, &format!("{name}.fc2"), ffn, d, true)?,
            activation,
        })
    }

    fn save(
        &self,
        writer: &mut WeightWriter,
        name: &str,
        layout: &AttentionLayout,
    ) -> ModelResult<()> {
        self.self_attn_layer_norm
            .save(writer, &format!("{name}.self_attn_layer_norm"))?;
        self.self_attn
            .save(writer, &format!("{name}.self_attn"), layout)?;
        self.final_layer_norm
            .save(writer, &format!("{name}.final_layer_norm"))?;
        self.fc1.save_linear(writer, &format!("{name}.fc1"))?;
        self.fc2.save_linear(writer, &format!("{name}.fc2"))
    }

    fn forward(
        &self,
        hidden: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
    ) -> Tensor<3> {
        let attended = self.self_attn.forward(
            self.self_attn_layer_norm.forward(hidden.clone()),
            bias,
            cache,
            None,
        );
        let hidden = hidden + attended;
        let transformed = self.fc2.forward(activate(
            self.activation,
            self.fc1
                .forward(self.final_layer_norm.forward(hidden.clone())),
        ));
        hidden + transformed
    }
}

/// BioGPT with its tied output projection.
#[derive(Module, Debug)]
pub struct BioGptModel {
    /// `biogpt.embed_tokens.weight`, `[vocab, d]`.
    pub embed_tokens: Param<Tensor<2>>,
    /// `biogpt.embed_positions.weight`, `[max_positions + 2, d]`.
    pub embed_positions: Param<Tensor<2>>,
    /// `biogpt.layers.N`.
    pub layers: Vec<BioGptLayer>,
    /// `biogpt.layer_norm`.
    pub layer_norm: LayerNorm,
    /// Multiplier of the token embeddings (`sqrt(d)` or 1).
    pub embed_scale: f64,
    /// The padding token, whose embedding gets no gradient from the input lookup.
    #[module(skip)]
    pub padding_id: Option<i64>,
    /// The attention layout (for saving).
    #[module(skip)]
    pub layout: AttentionLayout,
}

impl BioGptModel {
    /// Loads every tensor of a BioGPT checkpoint (`biogpt.` keys).
    pub fn load(
        reader: &mut WeightReader,
        config: &BioGptConfig,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let activation = FeedForwardActivation::parse(&config.hidden_act).ok_or_else(|| {
            ModelError::Unsupported {
                path: config_path.to_owned(),
                message: format!("hidden_act `{}`", config.hidden_act),
            }
        })?;
        let d = config.hidden_size;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            layers.push(BioGptLayer::load(
                reader,
                &format!("{PREFIX}.layers.{i}"),
                config,
                activation,
            )?);
        }
        reader.ignore("output_projection.weight");
        Ok(Self {
            embed_tokens: reader.matrix(
                &format!("{PREFIX}.embed_tokens.weight"),
                [config.vocab_size, d],
            )?,
            embed_positions: reader.matrix(
                &format!("{PREFIX}.embed_positions.weight"),
                [config.max_position_embeddings + POSITION_OFFSET as usize, d],
            )?,
            layers,
            layer_norm: LayerNorm::load(
                reader,
                &format!("{PREFIX}.layer_norm"),
                d,
                LAYER_NORM_EPSILON,
            )?,
            embed_scale: if config.scale_embedding {
                (d as f64).sqrt()
            } else {
                1.0
            },
            padding_id: config.pad_token_id,
            layout: attention_layout(config),
        })
    }

    /// Saves under the Hugging Face names.
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        writer.put(&format!("{PREFIX}.embed_tokens.weight"), &self.embed_tokens)?;
        writer.put(
            &format!("{PREFIX}.embed_positions.weight"),
            &self.embed_positions,
        )?;
        for (i, layer) in self.layers.iter().enumerate() {
            layer.save(writer, &format!("{PREFIX}.layers.{i}"), &self.layout)?;
        }
        self.layer_norm
            .save(writer, &format!("{PREFIX}.layer_norm"))
    }

    /// Longest sequence the position table covers.
    pub fn max_positions(&self) -> usize {
        self.embed_positions.val().dims()[0] - POSITION_OFFSET as usize
    }
}

impl CausalLm for BioGptModel {
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
        let rows: Vec<Vec<i64>> = positions
            .iter()
            .map(|row| row.iter().map(|p| p + POSITION_OFFSET).collect())
            .collect();
        let tokens = embed_tokens(
            &self.embed_tokens,
            ids,
            int_matrix(ids, &device),
            self.padding_id,
        );
        let mut hidden = tokens.mul_scalar(self.embed_scale)
            + embedding(self.embed_positions.val(), int_matrix(&rows, &device));
        let bias = key_bias + causal_bias(time, past + time, past, &device);
        for (layer, cache) in self.layers.iter().zip(caches.iter_mut()) {
            hidden = layer.forward(hidden, bias.clone(), cache);
        }
        self.layer_norm.forward(hidden)
    }

    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        vocabulary_logits(hidden, &self.embed_tokens, None)
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }
}
