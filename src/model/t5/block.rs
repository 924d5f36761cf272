//! T5's attention, feed-forward and block.

use crate::model::activation::activate;
use crate::model::attention::{KvCache, attend, cached_self_attention, merge_heads, split_heads};
use crate::model::config::{FeedForwardActivation, T5Config};
use crate::model::dense::Dense;
use crate::model::error::ModelResult;
use crate::model::norm::RmsNorm;
use crate::model::weights::{WeightReader, WeightWriter};
use burn::module::Module;
use burn::tensor::Tensor;

/// T5 attention: no bias, no `1/sqrt(d)` scaling.
#[derive(Module, Debug)]
pub struct T5Attention {
    /// Query projection.
    pub q: Dense,
    /// Key projection.
    pub k: Dense,
    /// Value projection.
    pub v: Dense,
    /// Output projection.
    pub o: Dense,
    /// Heads.
    pub heads: usize,
}

impl T5Attention {
    fn load(reader: &mut WeightReader, name: &str, config: &T5Config) -> ModelResult<Self> {
        let inner = config.num_heads * config.d_kv;
        let d = config.d_model;
        Ok(Self {
            q: Dense::load_linear(reader, &format!("{name}.q"), d, inner, false)?,
            k: Dense::load_linear(reader, &format!("{name}.k"), d, inner, false)?,
            v: Dense::load_linear(reader, &format!("{name}.v"), d, inner, false)?,
            o: Dense::load_linear(reader, &format!("{name}.o"), inner, d, false)?,
            heads: config.num_heads,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.q.save_linear(writer, &format!("{name}.q"))?;
        self.k.save_linear(writer, &format!("{name}.k"))?;
        self.v.save_linear(writer, &format!("{name}.v"))?;
        self.o.save_linear(writer, &format!("{name}.o"))
    }

    /// Self-attention over `input` appended to `cache`.
    pub fn self_attention(
        &self,
        input: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
    ) -> Tensor<3> {
        let query = split_heads(self.q.forward(input.clone()), self.heads);
        let key = split_heads(self.k.forward(input.clone()), self.heads);
        let value = split_heads(self.v.forward(input), self.heads);
        let context = cached_self_attention(query, key, value, cache, bias, 1.0);
        self.o.forward(context)
    }

    /// Keys and values of the encoder output, for cross-attention.
    pub fn cross_keys(&self, encoder: Tensor<3>) -> KvCache {
        KvCache::contiguous(
            split_heads(self.k.forward(encoder.clone()), self.heads),
            split_heads(self.v.forward(encoder), self.heads),
        )
    }

    /// Cross-attention of `input` over precomputed encoder keys and values.
    pub fn cross_attention(&self, input: Tensor<3>, keys: &KvCache, bias: Tensor<4>) -> Tensor<3> {
        let query = split_heads(self.q.forward(input), self.heads);
        let context = attend(query, keys.key.clone(), keys.value.clone(), Some(bias), 1.0);
        self.o.forward(merge_heads(context))
    }
}

/// `wo(act(wi x))`, or gated `wo(act(wi_0 x) * wi_1 x)`.
#[derive(Module, Debug)]
pub struct T5FeedForward {
    /// `wi` (plain) or `wi_0` (gated): the activated projection.
    pub activated: Dense,
    /// `wi_1` (gated only): the linear projection.
    pub linear: Option<Dense>,
    /// `wo`.
    pub output: Dense,
    /// The activation.
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl T5FeedForward {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &T5Config,
        gated: bool,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        let (d, ff) = (config.d_model, config.d_ff);
        let (activated, linear) = if gated {
            (
                Dense::load_linear(reader, &format!("{name}.wi_0"), d, ff, false)?,
                Some(Dense::load_linear(
                    reader,
                    &format!("{name}.wi_1"),
                    d,
                    ff,
                    false,
                )?),
            )
        } else {
            (
                Dense::load_linear(reader, &format!("{name}.wi"), d, ff, false)?,
                None,
            )
        };
        Ok(Self {
            activated,
            linear,
            output: Dense::load_linear(reader, &format!("{name}.wo"), ff, d, false)?,
            activation,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        match &self.linear {
            Some(linear) => {
                self.activated
                    .save_linear(writer, &format!("{name}.wi_0"))?;
                linear.save_linear(writer, &format!("{name}.wi_1"))?;
            }
            None => self.activated.save_linear(writer, &format!("{name}.wi"))?,
        }
        self.output.save_linear(writer, &format!("{name}.wo"))
    }

    fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        let hidden = activate(self.activation, self.activated.forward(input.clone()));
        let hidden = match &self.linear {
            Some(linear) => hidden * linear.forward(input),
            None => hidden,
        };
        self.output.forward(hidden)
    }
}

/// One T5 block: self-attention, cross-attention (decoder only) and feed-forward, each
/// pre-normalised with a residual connection.
#[derive(Module, Debug)]
pub struct T5Block {
    /// Norm before self-attention.
    pub self_norm: RmsNorm,
    /// Self-attention.
    pub self_attention: T5Attention,
    /// Norm before cross-attention (decoder).
    pub cross_norm: Option<RmsNorm>,
    /// Cross-attention (decoder).
    pub cross_attention: Option<T5Attention>,
    /// Norm before the feed-forward block.
    pub feed_forward_norm: RmsNorm,
    /// Feed-forward block.
    pub feed_forward: T5FeedForward,
}

impl T5Block {
    /// Loads block `name` (`encoder.block.0`, …).
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        config: &T5Config,
        decoder: bool,
        feed_forward: (bool, FeedForwardActivation),
    ) -> ModelResult<Self> {
        let (d, eps) = (config.d_model, config.layer_norm_epsilon);
        let self_norm = RmsNorm::load(reader, &format!("{name}.layer.0.layer_norm"), d, eps)?;
        let self_attention =
            T5Attention::load(reader, &format!("{name}.layer.0.SelfAttention"), config)?;
        let (cross_norm, cross_attention, ff_layer) = if decoder {
            (
                Some(RmsNorm::load(
                    reader,
                    &format!("{name}.layer.1.layer_norm"),
                    d,
                    eps,
                )?),
                Some(T5Attention::load(
                    reader,
                    &format!("{name}.layer.1.EncDecAttention"),
                    config,
                )?),
                2,
            )
        } else {
            (None, None, 1)
        };
        let ff_name = format!("{name}.layer.{ff_layer}");
        Ok(Self {
            self_norm,
            self_attention,
            cross_norm,
            cross_attention,
            feed_forward_norm: RmsNorm::load(reader, &format!("{ff_name}.layer_norm"), d, eps)?,
            feed_forward: T5FeedForward::load(
                reader,
                &format!("{ff_name}.DenseReluDense"),
                config,
                feed_forward.0,
                feed_forward.1,
            )?,
        })
    }

    /// Saves block `name`.
    pub fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.self_norm
            .save(writer, &format!("{name}.layer.0.layer_norm"))?;
        self.self_attention
            .save(writer, &format!("{name}.layer.0.SelfAttention"))?;
        let mut ff_layer = 1;
        if let (Some(norm), Some(attention)) = (&self.cross_norm, &self.cross_attention) {
            norm.save(writer, &format!("{name}.layer.1.layer_norm"))?;
            attention.save(writer, &format!("{name}.layer.1.EncDecAttention"))?;
            ff_layer = 2;
        }
        self.feed_forward_norm
            .save(writer, &format!("{name}.layer.{ff_layer}.layer_norm"))?;
        self.feed_forward
            .save(writer, &format!("{name}.layer.{ff_layer}.DenseReluDense"))
    }

    /// Runs the block. `cross` is the encoder keys/values and padding bias (decoder only).
    pub fn forward(
        &self,
        hidden: Tensor<3>,
        self_bias: Tensor<4>,
        cache: &mut Option<KvCache>,
        cross: Option<(&KvCache, Tensor<4>)>,
    ) -> Tensor<3> {
        let attended = self.self_attention.self_attention(
            self.self_norm.forward(hidden.clone()),
            self_bias,
            cache,
        );
        let mut hidden = hidden + attended;
        if let (Some(norm), Some(attention), Some((keys, bias))) =
            (&self.cross_norm, &self.cross_attention, cross)
        {
            hidden = hidden.clone() + attention.cross_attention(norm.forward(hidden), keys, bias);
        }
        hidden.clone()
            + self
                .feed_forward
                .forward(self.feed_forward_norm.forward(hidden))
    }
}
