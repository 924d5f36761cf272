//! Causal self-attention with separate query, key, value and output projections, as GPT-Neo,
//! Llama and BioGPT store it: optional biases, any score scale, optional rotary positions, and
//! grouped-query attention (fewer key/value heads than query heads).

use super::attention::{KvCache, cached_self_attention, split_heads};
use super::dense::Dense;
use super::error::ModelResult;
use super::rotary::RotaryAngles;
use super::weights::{WeightReader, WeightWriter};
use burn::module::Module;
use burn::tensor::Tensor;

/// How one family stores and shapes its attention block.
#[derive(Debug, Clone, Copy)]
pub struct AttentionLayout {
    /// Names of the query, key, value and output projections under the block's name.
    pub projections: [&'static str; 4],
    /// Width of the residual stream.
    pub width: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (equal to `heads` without grouped-query attention).
    pub kv_heads: usize,
    /// Width of one head.
    pub head_width: usize,
    /// Whether the query, key and value projections have biases.
    pub projection_bias: bool,
    /// Whether the output projection has a bias.
    pub output_bias: bool,
    /// Multiplier of the scores `q · k` (`head_width^-0.5`, or 1 for GPT-Neo).
    pub scale: f64,
}

/// Self-attention over the cached keys and values of earlier positions.
#[derive(Module, Debug)]
pub struct SelfAttention {
    /// Query projection, `[width, heads · head_width]`.
    pub query: Dense,
    /// Key projection, `[width, kv_heads · head_width]`.
    pub key: Dense,
    /// Value projection, `[width, kv_heads · head_width]`.
    pub value: Dense,
    /// Output projection, `[heads · head_width, width]`.
    pub output: Dense,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Multiplier of the scores.
    pub scale: f64,
}

impl SelfAttention {
    /// Loads the four `torch.nn.Linear` projections of block `name` (e.g.
    /// `model.layers.0.self_attn`).
    pub fn load(
        reader: &mut WeightReader,
        name: &str,
        layout: &AttentionLayout,
    ) -> ModelResult<Self> {
        let [query, key, value, output] = layout.projections;
        let inner = layout.heads * layout.head_width;
        let kv_inner = layout.kv_heads * layout.head_width;
        let mut load = |part: &str, input: usize, output: usize, bias: bool| {
            Dense::load_linear(reader, &format!("{name}.{part}"), input, output, bias)
        };
        Ok(Self {
            query: load(query, layout.width, inner, layout.projection_bias)?,
            key: load(key, layout.width, kv_inner, layout.projection_bias)?,
            value: load(value, layout.width, kv_inner, layout.projection_bias)?,
            output: load(output, inner, layout.width, layout.output_bias)?,
            heads: layout.heads,
            kv_heads: layout.kv_heads,
            scale: layout.scale,
        })
    }

    /// Saves the projections under block `name` with the layout's names.
    pub fn save(
        &self,
        writer: &mut WeightWriter,
        name: &str,
        layout: &AttentionLayout,
    ) -> ModelResult<()> {
        let [query, key, value, output] = layout.projections;
        self.query.save_linear(writer, &format!("{name}.{query}"))?;
        self.key.save_linear(writer, &format!("{name}.{key}"))?;
        self.value.save_linear(writer, &format!("{name}.{value}"))?;
        self.output.save_linear(writer, &format!("{name}.{output}"))
    }

    /// Attends `input` `[rows, time, width]` over itself and `cache` under the additive `bias`
    /// (`[rows or 1, 1, time, keys]`), rotating queries and keys by `rotary` when given.
    pub fn forward(
        &self,
        input: Tensor<3>,
        bias: Tensor<4>,
        cache: &mut Option<KvCache>,
        rotary: Option<&RotaryAngles>,
    ) -> Tensor<3> {
        let query = split_heads(self.query.forward(input.clone()), self.heads);
        let key = split_heads(self.key.forward(input.clone()), self.kv_heads);
        let value = split_heads(self.value.forward(input), self.kv_heads);
        let (query, key) = match rotary {
            Some(angles) => (angles.rotate(query), angles.rotate(key)),
            None => (query, key),
        };
        let context = cached_self_attention(query, key, value, cache, bias, self.scale);
        self.output.forward(context)
    }
}
