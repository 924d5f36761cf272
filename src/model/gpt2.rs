//! GPT-2 (`GPT2LMHeadModel`): pre-LN blocks, fused `c_attn` (q|k|v), `Conv1D` weights stored
//! `[in, out]`, `gelu_new`, tied head. Keys may carry the `transformer.` prefix or not.

use super::activation::activate;
use super::attention::{KvCache, cached_self_attention, causal_bias, int_matrix, split_heads};
use super::causal_lm::{CausalLm, optional_prefix, vocabulary_logits};
use super::config::{FeedForwardActivation, Gpt2Config};
use super::dense::Dense;
use super::error::{ModelError, ModelResult};
use super::norm::LayerNorm;
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;
use burn::tensor::module::embedding;
use std::path::Path;

/// One pre-LN GPT-2 block.
#[derive(Module, Debug)]
pub struct Gpt2Block {
    /// `ln_1`.
    pub ln_1: LayerNorm,
    /// `attn.c_attn`: `[d, 3d]`, q|k|v.
    pub c_attn: Dense,
    /// `attn.c_proj`.
    pub attn_proj: Dense,
    /// `ln_2`.
    pub ln_2: LayerNorm,
    /// `mlp.c_fc`.
    pub c_fc: Dense,
    /// `mlp.c_proj`.
    pub mlp_proj: Dense,
    /// Heads.
    pub heads: usize,
    /// Feed-forward activation.
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl Gpt2Block {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &Gpt2Config,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, eps, inner) = (config.n_embd, config.layer_norm_epsilon, config.inner_dim());
        reader.ignore(&format!("{name}.attn.bias"));
        reader.ignore(&format!("{name}.attn.masked_bias"));
        Ok(Self {
            ln_1: LayerNorm::load(reader, &format!("{name}.ln_1"), d, eps)?,
            c_attn: Dense::load_conv1d(reader, &format!("{name}.attn.c_attn"), d, 3 * d)?,
            attn_proj: Dense::load_conv1d(reader, &format!("{name}.attn.c_proj"), d, d)?,
            ln_2: LayerNorm::load(reader, &format!("{name}.ln_2"), d, eps)?,
            c_fc: Dense::load_conv1d(reader, &format!("{name}.mlp.c_fc"), d, inner)?,
            mlp_proj: Dense::load_conv1d(reader, &format!("{name}.mlp.c_proj"), inner, d)?,
            heads: config.n_head,
            activation,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.ln_1.save(writer, &format!("{name}.ln_1"))?;
        self.c_attn
            .save_conv1d(writer, &format!("{name}.attn.c_attn"))?;
        self.attn_proj
            .save_conv1d(writer, &format!("{name}.attn.c_proj"))?;
        self.ln_2.save(writer, &format!("{name}.ln_2"))?;
        self.c_fc.save_conv1d(writer, &format!("{name}.mlp.c_fc"))?;
        self.mlp_proj
            .save_conv1d(writer, &format!("{name}.mlp.c_proj"))
    }

    fn forward(
        &self,
        hidden: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
    ) -> Tensor<3> {
        let fused = self.c_attn.forward(self.ln_1.forward(hidden.clone()));
        let width = fused.dims()[2] / 3;
        let query = fused.clone().narrow(2, 0, width);
        let key = fused.clone().narrow(2, width, width);
        let value = fused.narrow(2, 2 * width, width);
        let scale = ((width / self.heads) as f64).powf(-0.5);
        let context = cached_self_attention(
            split_heads(query, self.heads),
            split_heads(key, self.heads),
            split_heads(value, self.heads),
            cache,
            bias,
            scale,
        );
        let hidden = hidden + self.attn_proj.forward(context);
        let transformed = self.mlp_proj.forward(activate(
            self.activation,
            self.c_fc.forward(self.ln_2.forward(hidden.clone())),
        ));
        hidden + transformed
    }
}

/// GPT-2 with its tied language-model head.
#[derive(Module, Debug)]
pub struct Gpt2Model {
    /// `wte.weight`, `[vocab, d]`.
    pub wte: Param<Tensor<2>>,
    /// `wpe.weight`, `[positions, d]`.
    pub wpe: Param<Tensor<2>>,
    /// `h.N`.
    pub blocks: Vec<Gpt2Block>,
    /// `ln_f`.
    pub ln_f: LayerNorm,
    /// `transformer.` when the checkpoint's keys carry it (as `save_pretrained` writes).
    pub prefix: String,
}

impl Gpt2Model {
    /// Loads every tensor of a GPT-2 checkpoint (with or without the `transformer.` prefix).
    pub fn load(
        reader: &mut WeightReader,
        config: &Gpt2Config,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let activation =
            FeedForwardActivation::parse(&config.activation_function).ok_or_else(|| {
                ModelError::Unsupported {
                    path: config_path.to_owned(),
                    message: format!("activation_function `{}`", config.activation_function),
                }
            })?;
        let prefix = optional_prefix(reader, "wte.weight", "transformer.");
        let d = config.n_embd;
        let mut blocks = Vec::with_capacity(config.n_layer);
        for i in 0..config.n_layer {
            blocks.push(Gpt2Block::load(
                reader,
                &format!("{prefix}h.{i}"),
                config,
                activation,
            )?);
        }
        reader.ignore("lm_head.weight");
        Ok(Self {
            wte: reader.matrix(&format!("{prefix}wte.weight"), [config.vocab_size, d])?,
            wpe: reader.matrix(&format!("{prefix}wpe.weight"), [config.n_positions, d])?,
            blocks,
            ln_f: LayerNorm::load(
                reader,
                &format!("{prefix}ln_f"),
                d,
                config.layer_norm_epsilon,
            )?,
            prefix,
        })
    }

    /// Saves under the Hugging Face names (with the prefix the checkpoint had).
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        let prefix = &self.prefix;
        writer.put(&format!("{prefix}wte.weight"), &self.wte)?;
        writer.put(&format!("{prefix}wpe.weight"), &self.wpe)?;
        for (i, block) in self.blocks.iter().enumerate() {
            block.save(writer, &format!("{prefix}h.{i}"))?;
        }
        self.ln_f.save(writer, &format!("{prefix}ln_f"))
    }

    /// Longest sequence the position table covers.
    pub fn max_positions(&self) -> usize {
        self.wpe.val().dims()[0]
    }
}

impl CausalLm for Gpt2Model {
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
        let mut hidden = embedding(self.wte.val(), int_matrix(ids, &device))
            + embedding(self.wpe.val(), int_matrix(positions, &device));
        let bias = key_bias + causal_bias(time, past + time, past, &device);
        for (block, cache) in self.blocks.iter().zip(caches.iter_mut()) {
            hidden = block.forward(hidden, bias.clone(), cache);
        }
        self.ln_f.forward(hidden)
    }

    fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        vocabulary_logits(hidden, &self.wte, None)
    }

    fn layers(&self) -> usize {
        self.blocks.len()
    }
}
