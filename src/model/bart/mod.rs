//! BART (`BartForConditionalGeneration`): post-LN encoder and decoder, learned positions
//! offset by 2, `layernorm_embedding`, tied head plus `final_logits_bias`.

mod layer;

pub use layer::{BartAttention, BartFeedForward, BartLayer, LayerShape};

use super::attention::{KvCache, causal_bias, int_matrix, padding_bias};
use super::config::{BartConfig, FeedForwardActivation};
use super::decoder_cache::DecoderCache;
use super::dense::rows_linear;
use super::error::{ModelError, ModelResult};
use super::norm::LayerNorm;
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::module::embedding;
use burn::tensor::{Int, Tensor, TensorData};
use std::path::Path;

/// BART's learned positions start at row 2 of the table.
const POSITION_OFFSET: usize = 2;

/// The embedding side and layers of one BART stack.
#[derive(Module, Debug)]
pub struct BartStack {
    /// `embed_positions.weight`, `[max_positions + 2, d_model]`.
    pub embed_positions: Param<Tensor<2>>,
    /// `layernorm_embedding`.
    pub layernorm_embedding: LayerNorm,
    /// `layers`.
    pub layers: Vec<BartLayer>,
}

impl BartStack {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &BartConfig,
        layer_count: usize,
        shape: LayerShape,
        decoder: bool,
    ) -> ModelResult<Self> {
        let d = config.d_model;
        let mut layers = Vec::with_capacity(layer_count);
        for i in 0..layer_count {
            layers.push(BartLayer::load(
                reader,
                &format!("{name}.layers.{i}"),
                shape,
                decoder,
            )?);
        }
        reader.ignore(&format!("{name}.embed_tokens.weight"));
        Ok(Self {
            embed_positions: reader.matrix(
                &format!("{name}.embed_positions.weight"),
                [config.max_position_embeddings + POSITION_OFFSET, d],
            )?,
            layernorm_embedding: LayerNorm::load(
                reader,
                &format!("{name}.layernorm_embedding"),
                d,
                1e-5,
            )?,
            layers,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        writer.put(
            &format!("{name}.embed_positions.weight"),
            &self.embed_positions,
        )?;
        self.layernorm_embedding
            .save(writer, &format!("{name}.layernorm_embedding"))?;
        for (i, layer) in self.layers.iter().enumerate() {
            layer.save(writer, &format!("{name}.layers.{i}"))?;
        }
        Ok(())
    }

    /// Token embeddings plus positions `past..past + time`, then `layernorm_embedding`.
    fn embed(&self, tokens: Tensor<3>, past: usize) -> Tensor<3> {
        let time = tokens.dims()[1];
        let device = tokens.device();
        let rows: Vec<i64> = (past..past + time)
            .map(|p| (p + POSITION_OFFSET) as i64)
            .collect();
        let ids: Tensor<2, Int> = Tensor::from_data(TensorData::new(rows, [1, time]), &device);
        let positions = embedding(self.embed_positions.val(), ids);
        self.layernorm_embedding.forward(tokens + positions)
    }
}

/// BART with its language-model head.
#[derive(Module, Debug)]
pub struct BartModel {
    /// `model.shared.weight`, `[vocab, d_model]`.
    pub shared: Param<Tensor<2>>,
    /// Encoder.
    pub encoder: BartStack,
    /// Decoder.
    pub decoder: BartStack,
    /// `final_logits_bias`, `[1, vocab]` (a buffer: not trained).
    pub final_logits_bias: Param<Tensor<2>>,
    /// `sqrt(d_model)` when `scale_embedding`, else 1.
    pub embed_scale: f64,
    /// Longest position the tables cover.
    pub max_positions: usize,
}

impl BartModel {
    /// Loads every tensor of a BART checkpoint.
    pub fn load(
        reader: &mut WeightReader,
        config: &BartConfig,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let activation =
            FeedForwardActivation::parse(&config.activation_function).ok_or_else(|| {
                ModelError::Unsupported {
                    path: config_path.to_owned(),
                    message: format!("activation_function `{}`", config.activation_function),
                }
            })?;
        let d = config.d_model;
        let encoder_shape = LayerShape {
            d_model: d,
            heads: config.encoder_attention_heads,
            ffn: config.encoder_ffn_dim,
            activation,
        };
        let decoder_shape = LayerShape {
            heads: config.decoder_attention_heads,
            ffn: config.decoder_ffn_dim,
            ..encoder_shape
        };
        reader.ignore("lm_head.weight");
        Ok(Self {
            shared: reader.matrix("model.shared.weight", [config.vocab_size, d])?,
            encoder: BartStack::load(
                reader,
                "model.encoder",
                config,
                config.encoder_layers,
                encoder_shape,
                false,
            )?,
            decoder: BartStack::load(
                reader,
                "model.decoder",
                config,
                config.decoder_layers,
                decoder_shape,
                true,
            )?,
            final_logits_bias: reader
                .matrix("final_logits_bias", [1, config.vocab_size])?
                .set_require_grad(false),
            embed_scale: if config.scale_embedding {
                (d as f64).sqrt()
            } else {
                1.0
            },
            max_positions: config.max_position_embeddings,
        })
    }

    /// Saves under the Hugging Face names.
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        writer.put("model.shared.weight", &self.shared)?;
        self.encoder.save(writer, "model.encoder")?;
        self.decoder.save(writer, "model.decoder")?;
        writer.put("final_logits_bias", &self.final_logits_bias)
    }

    fn embed_tokens(&self, ids: &[Vec<i64>]) -> Tensor<3> {
        let device = self.shared.val().device();
        embedding(self.shared.val(), int_matrix(ids, &device)).mul_scalar(self.embed_scale)
    }

    /// Encodes padded `input_ids`; returns hidden states and the `[batch, 1, 1, time]` padding
    /// bias.
    pub fn encode(
        &self,
        input_ids: &[Vec<i64>],
        attention_mask: &[Vec<i64>],
    ) -> (Tensor<3>, Tensor<4>) {
        let padding = padding_bias(attention_mask, &self.shared.val().device());
        let mut hidden = self.encoder.embed(self.embed_tokens(input_ids), 0);
        for layer in &self.encoder.layers {
            hidden = layer.forward(hidden, padding.clone(), &mut None, None);
        }
        (hidden, padding)
    }

    /// A decoder cache over an encoder output.
    pub fn start_decoder(&self, encoder: &Tensor<3>, encoder_bias: Tensor<4>) -> DecoderCache {
        let cross: Vec<KvCache> = self
            .decoder
            .layers
            .iter()
            .filter_map(|layer| layer.encoder_attn.as_ref())
            .map(|attention| attention.cross_keys(encoder.clone()))
            .collect();
        DecoderCache::new(cross, encoder_bias)
    }

    /// Decodes `decoder_ids` after the cached positions; returns the last hidden states.
    pub fn decode(&self, decoder_ids: &[Vec<i64>], cache: &mut DecoderCache) -> Tensor<3> {
        let time = decoder_ids.first().map_or(0, Vec::len);
        let past = cache.past;
        let device = self.shared.val().device();
        let bias = causal_bias(time, past + time, past, &device);
        let mut hidden = self.decoder.embed(self.embed_tokens(decoder_ids), past);
        for ((layer, self_cache), keys) in self
            .decoder
            .layers
            .iter()
            .zip(cache.self_attention.iter_mut())
            .zip(&cache.cross_attention)
        {
            hidden = layer.forward(
                hidden,
                bias.clone(),
                self_cache,
                Some((keys, cache.encoder_bias.clone())),
            );
        }
        cache.past += time;
        hidden
    }

    /// Vocabulary logits: tied head plus `final_logits_bias`.
    pub fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        let bias = self.final_logits_bias.val().squeeze_dim::<1>(0);
        rows_linear(hidden, self.shared.val().transpose(), Some(bias))
    }
}
