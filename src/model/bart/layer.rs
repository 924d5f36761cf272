//! BART's attention and its post-LayerNorm encoder and decoder layers.

use crate::model::activation::activate;
use crate::model::attention::{KvCache, attend, cached_self_attention, merge_heads, split_heads};
use crate::model::config::FeedForwardActivation;
use crate::model::dense::Dense;
use crate::model::error::ModelResult;
use crate::model::norm::LayerNorm;
use crate::model::weights::{WeightReader, WeightWriter};
use burn::module::Module;
use burn::tensor::Tensor;

const LAYER_NORM_EPSILON: f64 = 1e-5;

/// BART attention: biased projections, scores scaled by `1/sqrt(head_dim)`.
#[derive(Module, Debug)]
pub struct BartAttention {
    /// `q_proj`.
    pub q_proj: Dense,
    /// `k_proj`.
    pub k_proj: Dense,
    /// `v_proj`.
    pub v_proj: Dense,
    /// `out_proj`.
    pub out_proj: Dense,
    /// Heads.
    pub heads: usize,
}

impl BartAttention {
    fn load(reader: &mut WeightReader, name: &str, d: usize, heads: usize) -> ModelResult<Self> {
        let load = |reader: &mut WeightReader, part: &str| {
            Dense::load_linear(reader, &format!("{name}.{part}"), d, d, true)
        };
        Ok(Self {
            q_proj: load(reader, "q_proj")?,
            k_proj: load(reader, "k_proj")?,
            v_proj: load(reader, "v_proj")?,
            out_proj: load(reader, "out_proj")?,
            heads,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.q_proj.save_linear(writer, &format!("{name}.q_proj"))?;
        self.k_proj.save_linear(writer, &format!("{name}.k_proj"))?;
        self.v_proj.save_linear(writer, &format!("{name}.v_proj"))?;
        self.out_proj
            .save_linear(writer, &format!("{name}.out_proj"))
    }

    fn scale(&self, query: &Tensor<4>) -> f64 {
        (query.dims()[3] as f64).powf(-0.5)
    }

    /// Self-attention over `input` appended to `cache`.
    pub fn self_attention(
        &self,
        input: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
    ) -> Tensor<3> {
        let query = split_heads(self.q_proj.forward(input.clone()), self.heads);
        let key = split_heads(self.k_proj.forward(input.clone()), self.heads);
        let value = split_heads(self.v_proj.forward(input), self.heads);
        let scale = self.scale(&query);
        let context = cached_self_attention(query, key, value, cache, bias, scale);
        self.out_proj.forward(context)
    }

    /// Keys and values of the encoder output.
    pub fn cross_keys(&self, encoder: Tensor<3>) -> KvCache {
        KvCache::contiguous(
            split_heads(self.k_proj.forward(encoder.clone()), self.heads),
            split_heads(self.v_proj.forward(encoder), self.heads),
        )
    }

    /// Cross-attention over precomputed encoder keys and values.
    pub fn cross_attention(&self, input: Tensor<3>, keys: &KvCache, bias: Tensor<4>) -> Tensor<3> {
        let query = split_heads(self.q_proj.forward(input), self.heads);
        let scale = self.scale(&query);
        let context = attend(
            query,
            keys.key.clone(),
            keys.value.clone(),
            Some(bias),
            scale,
        );
        self.out_proj.forward(merge_heads(context))
    }
}

/// `fc2(act(fc1 x))`.
#[derive(Module, Debug)]
pub struct BartFeedForward {
    /// `fc1`.
    pub fc1: Dense,
    /// `fc2`.
    pub fc2: Dense,
    /// The activation.
    #[module(skip)]
    pub activation: FeedForwardActivation,
}

impl BartFeedForward {
    fn load(
        reader: &mut WeightReader,
        name: &str,
        d: usize,
        ffn: usize,
        activation: FeedForwardActivation,
    ) -> ModelResult<Self> {
        Ok(Self {
            fc1: Dense::load_linear(reader, &format!("{name}.fc1"), d, ffn, true)?,
            fc2: Dense::load_linear(reader, &format!("{name}.fc2"), ffn, d, true)?,
            activation,
        })
    }

    fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.fc1.save_linear(writer, &format!("{name}.fc1"))?;
        self.fc2.save_linear(writer, &format!("{name}.fc2"))
    }

    fn forward(&self, input: Tensor<3>) -> Tensor<3> {
        self.fc2
            .forward(activate(self.activation, self.fc1.forward(input)))
    }
}

/// Sizes shared by the layers of one stack.
#[derive(Debug, Clone, Copy)]
pub struct LayerShape {
    /// Residual width.
    pub d_model: usize,
    /// Heads.
    pub heads: usize,
    /// Feed-forward width.
    pub ffn: usize,
    /// Feed-forward activation.
    pub activation: FeedForwardActivation,
}

/// Encoder layer (post-LN) or decoder layer (post-LN, with cross-attention).
#[derive(Module, Debug)]
pub struct BartLayer {
    /// `self_attn`.
    pub self_attn: BartAttention,
    /// `self_attn_layer_norm`.
    pub self_attn_layer_norm: LayerNorm,
    /// `encoder_attn` (decoder).
    pub encoder_attn: Option<BartAttention>,
    /// `encoder_attn_layer_norm` (decoder).
    pub encoder_attn_layer_norm: Option<LayerNorm>,
    /// `fc1`/`fc2`.
    pub feed_forward: BartFeedForward,
    /// `final_layer_norm`.
    pub final_layer_norm: LayerNorm,
}

impl BartLayer {
    /// Loads layer `name` (`model.encoder.layers.0`, …).
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        shape: LayerShape,
        decoder: bool,
    ) -> ModelResult<Self> {
        let d = shape.d_model;
        let norm = |reader: &mut WeightReader, part: &str| {
            LayerNorm::load(reader, &format!("{name}.{part}"), d, LAYER_NORM_EPSILON)
        };
        let (encoder_attn, encoder_attn_layer_norm) = if decoder {
            (
                Some(BartAttention::load(
                    reader,
                    &format!("{name}.encoder_attn"),
                    d,
                    shape.heads,
                )?),
                Some(norm(reader, "encoder_attn_layer_norm")?),
            )
        } else {
            (None, None)
        };
        Ok(Self {
            self_attn: BartAttention::load(reader, &format!("{name}.self_attn"), d, shape.heads)?,
            self_attn_layer_norm: norm(reader, "self_attn_layer_norm")?,
            encoder_attn,
            encoder_attn_layer_norm,
            feed_forward: BartFeedForward::load(reader, name, d, shape.ffn, shape.activation)?,
            final_layer_norm: norm(reader, "final_layer_norm")?,
        })
    }

    /// Saves layer `name`.
    pub fn save(&self, writer: &mut WeightWriter, name: &str) -> ModelResult<()> {
        self.self_attn.save(writer, &format!("{name}.self_attn"))?;
        self.self_attn_layer_norm
            .save(writer, &format!("{name}.self_attn_layer_norm"))?;
        if let (Some(attention), Some(norm)) = (&self.encoder_attn, &self.encoder_attn_layer_norm) {
            attention.save(writer, &format!("{name}.encoder_attn"))?;
            norm.save(writer, &format!("{name}.encoder_attn_layer_norm"))?;
        }
        self.feed_forward.save(writer, name)?;
        self.final_layer_norm
            .save(writer, &format!("{name}.final_layer_norm"))
    }

    /// Runs the layer; `cross` is the encoder keys/values and padding bias (decoder only).
    pub fn forward(
        &self,
        hidden: Tensor<3>,
        self_bias: Tensor<4>,
        cache: &mut Option<KvCache>,
        cross: Option<(&KvCache, Tensor<4>)>,
    ) -> Tensor<3> {
        let attended = self
            .self_attn
            .self_attention(hidden.clone(), self_bias, cache);
        let mut hidden = self.self_attn_layer_norm.forward(hidden + attended);
        if let (Some(attention), Some(norm), Some((keys, bias))) =
            (&self.encoder_attn, &self.encoder_attn_layer_norm, cross)
        {
            let attended = attention.cross_attention(hidden.clone(), keys, bias);
            hidden = norm.forward(hidden + attended);
        }
        let transformed = self.feed_forward.forward(hidden.clone());
        self.final_layer_norm.forward(hidden + transformed)
    }
}
