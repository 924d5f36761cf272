//! T5 v1.0 and v1.1/Flan (`T5ForConditionalGeneration`).

mod block;
mod relative_position;
mod stack;

pub use block::{T5Attention, T5Block, T5FeedForward};
pub use stack::T5Stack;

use super::attention::{int_matrix, padding_bias};
use super::config::T5Config;
use super::decoder_cache::DecoderCache;
use super::dense::rows_linear;
use super::error::ModelResult;
use super::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::Tensor;
use burn::tensor::module::embedding;
use std::path::Path;

/// T5 with its language-model head.
#[derive(Module, Debug)]
pub struct T5Model {
    /// `shared.weight`, `[vocab, d_model]`: the embedding of both stacks.
    pub shared: Param<Tensor<2>>,
    /// Encoder stack.
    pub encoder: T5Stack,
    /// Decoder stack.
    pub decoder: T5Stack,
    /// `lm_head.weight` `[vocab, d_model]` when untied (v1.1); `None` means `shared`, scaled.
    pub lm_head: Option<Param<Tensor<2>>>,
    /// Width of the residual stream (for the tied head's `d_model^-0.5`).
    pub d_model: usize,
}

impl T5Model {
    /// Loads every tensor of a T5 checkpoint.
    pub fn load(
        reader: &mut WeightReader,
        config: &T5Config,
        config_path: &Path,
    ) -> ModelResult<Self> {
        let feed_forward = config.feed_forward(config_path)?;
        let shared = reader.matrix("shared.weight", [config.vocab_size, config.d_model])?;
        let encoder = T5Stack::load(reader, "encoder", config, false, feed_forward)?;
        let decoder = T5Stack::load(reader, "decoder", config, true, feed_forward)?;
        let lm_head = if config.tie_word_embeddings {
            reader.ignore("lm_head.weight");
            None
        } else {
            Some(reader.matrix("lm_head.weight", [config.vocab_size, config.d_model])?)
        };
        Ok(Self {
            shared,
            encoder,
            decoder,
            lm_head,
            d_model: config.d_model,
        })
    }

    /// Saves under the Hugging Face names.
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        writer.put("shared.weight", &self.shared)?;
        self.encoder.save(writer, "encoder")?;
        self.decoder.save(writer, "decoder")?;
        match &self.lm_head {
            Some(head) => writer.put("lm_head.weight", head),
            None => Ok(()),
        }
    }

    /// Encodes padded `input_ids` with their `attention_mask`; returns the hidden states and
    /// the `[batch, 1, 1, time]` padding bias the decoder needs.
    pub fn encode(
        &self,
        input_ids: &[Vec<i64>],
        attention_mask: &[Vec<i64>],
    ) -> (Tensor<3>, Tensor<4>) {
        let device = self.shared.val().device();
        let embedded = embedding(self.shared.val(), int_matrix(input_ids, &device));
        let padding = padding_bias(attention_mask, &device);
        (self.encoder.encode(embedded, padding.clone()), padding)
    }

    /// A decoder cache over an encoder output.
    pub fn start_decoder(&self, encoder: &Tensor<3>, encoder_bias: Tensor<4>) -> DecoderCache {
        DecoderCache::new(self.decoder.cross_keys(encoder), encoder_bias)
    }

    /// Decodes `decoder_ids` after the cached positions; returns the final hidden states.
    pub fn decode(&self, decoder_ids: &[Vec<i64>], cache: &mut DecoderCache) -> Tensor<3> {
        let device = self.shared.val().device();
        let embedded = embedding(self.shared.val(), int_matrix(decoder_ids, &device));
        let hidden = self.decoder.decode(
            embedded,
            cache.past,
            &mut cache.self_attention,
            &cache.cross_attention,
            &cache.encoder_bias,
        );
        cache.past += decoder_ids.first().map_or(0, Vec::len);
        hidden
    }

    /// Vocabulary logits of decoder hidden states.
    pub fn logits(&self, hidden: Tensor<3>) -> Tensor<3> {
        match &self.lm_head {
            Some(head) => rows_linear(hidden, head.val().transpose(), None),
            None => {
                let scale = (self.d_model as f64).powf(-0.5);
                rows_linear(
                    hidden.mul_scalar(scale),
                    self.shared.val().transpose(),
                    None,
                )
            }
        }
    }
}
