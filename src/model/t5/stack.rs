//! A T5 encoder or decoder stack: blocks sharing the relative position bias of block 0, and a
//! final RMSNorm.

use super::block::T5Block;
use super::relative_position::bucket_matrix;
use crate::model::attention::{KvCache, causal_bias};
use crate::model::config::T5Config;
use crate::model::error::ModelResult;
use crate::model::norm::RmsNorm;
use crate::model::weights::{WeightReader, WeightWriter};
use burn::module::{Module, Param};
use burn::tensor::module::embedding;
use burn::tensor::{Int, Tensor, TensorData};

/// The encoder (bidirectional position buckets) or decoder (causal buckets) of T5.
#[derive(Module, Debug)]
pub struct T5Stack {
    /// Blocks in order.
    pub blocks: Vec<T5Block>,
    /// `[buckets, heads]`, stored in block 0's self-attention.
    pub relative_attention_bias: Param<Tensor<2>>,
    /// Norm after the last block.
    pub final_norm: RmsNorm,
    /// Whether this is the decoder (causal, with cross-attention).
    pub decoder: bool,
    /// Relative position buckets.
    pub num_buckets: usize,
    /// Distance beyond which positions share a bucket.
    pub max_distance: usize,
}

impl T5Stack {
    /// Loads `encoder` or `decoder`.
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &T5Config,
        decoder: bool,
        feed_forward: (bool, crate::model::config::FeedForwardActivation),
    ) -> ModelResult<Self> {
        let layers = if decoder {
            config.decoder_layers()
        } else {
            config.num_layers
        };
        let mut blocks = Vec::with_capacity(layers);
        for i in 0..layers {
            blocks.push(T5Block::load(
                reader,
                &format!("{name}.block.{i}"),
                config,
                decoder,
                feed_forward,
            )?);
        }
        reader.ignore(&format!("{name}.embed_tokens.weight"));
        Ok(Self {
            blocks,
            relative_attention_bias: reader.matrix(
                &Self::bias_name(name),
                [config.relative_attention_num_buckets, config.num_heads],
            )?,
            final_norm: RmsNorm::load(
                reader,
                &format!("{name}.final_layer_norm"),
                config.d_model,
                config.layer_norm_epsilon,
            )?,
            decoder,
            num_buckets: config.relative_attention_num_buckets,
            max_distance: config.relative_attention_max_distance,
        })
    }

    fn bias_name(name: &str) -> String {
        format!("{name}.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
    }

    /// Saves the stack under `name`.
    pub fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        for (i, block) in self.blocks.iter().enumerate() {
            block.save(writer, &format!("{name}.block.{i}"))?;
        }
        writer.put(&Self::bias_name(name), &self.relative_attention_bias)?;
        self.final_norm
            .save(writer, &format!("{name}.final_layer_norm"))
    }

    /// `[1, heads, queries, keys]` position bias for queries at `first_query..`.
    fn position_bias(&self, first_query: usize, queries: usize, keys: usize) -> Tensor<4> {
        let table = self.relative_attention_bias.val();
        let device = table.device();
        let ids = bucket_matrix(
            first_query,
            queries,
            keys,
            !self.decoder,
            self.num_buckets,
            self.max_distance,
        );
        let ids: Tensor<2, Int> = Tensor::from_data(TensorData::new(ids, [queries, keys]), &device);
        // [queries, keys, heads] → [heads, queries, keys] → [1, heads, queries, keys]
        embedding(table, ids)
            .swap_dims(0, 2)
            .swap_dims(1, 2)
            .unsqueeze::<4>()
    }

    /// Encodes embedded tokens `[batch, time, d_model]`; `padding` is `[batch, 1, 1, time]`.
    pub fn encode(&self, embedded: Tensor<3>, padding: Tensor<4>) -> Tensor<3> {
        let time = embedded.dims()[1];
        let position = self.position_bias(0, time, time);
        let bias = padding.cast(position.dtype()) + position;
        let mut hidden = embedded;
        for block in &self.blocks {
            hidden = block.forward(hidden, bias.clone(), &mut None, None);
        }
        self.final_norm.forward(hidden)
    }

    /// Decodes embedded tokens after `past` cached positions.
    pub fn decode(
        &self,
        embedded: Tensor<3>,
        past: usize,
        self_attention: &mut [Option<KvCache>],
        cross_attention: &[KvCache],
        encoder_bias: &Tensor<4>,
    ) -> Tensor<3> {
        let time = embedded.dims()[1];
        let device = embedded.device();
        let position = self.position_bias(past, time, past + time);
        let bias = causal_bias(time, past + time, past, &device).cast(position.dtype()) + position;
        let mut hidden = embedded;
        for ((block, cache), keys) in self
            .blocks
            .iter()
            .zip(self_attention.iter_mut())
            .zip(cross_attention)
        {
            hidden = block.forward(
                hidden,
                bias.clone(),
                cache,
                Some((keys, encoder_bias.clone())),
            );
        }
        self.final_norm.forward(hidden)
    }

    /// Cross-attention keys and values of every decoder block.
    pub fn cross_keys(&self, encoder: &Tensor<3>) -> Vec<KvCache> {
        self.blocks
            .iter()
            .filter_map(|block| block.cross_attention.as_ref())
            .map(|attention| attention.cross_keys(encoder.clone()))
            .collect()
    }
}
