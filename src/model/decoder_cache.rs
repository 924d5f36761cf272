//! What an encoder-decoder keeps between decoding steps.

use super::attention::KvCache;
use burn::tensor::{Int, Tensor};

/// The decoder's self-attention cache per layer, the cross-attention keys and values computed
/// once from the encoder output, the encoder padding bias, and the number of decoded positions.
#[derive(Debug, Clone)]
pub struct DecoderCache {
    /// Self-attention keys and values per decoder layer (empty before the first step).
    pub self_attention: Vec<Option<KvCache>>,
    /// Cross-attention keys and values per decoder layer.
    pub cross_attention: Vec<KvCache>,
    /// `[rows, 1, 1, source]` additive bias hiding padded source positions.
    pub encoder_bias: Tensor<4>,
    /// Decoder positions already processed.
    pub past: usize,
}

impl DecoderCache {
    /// Starts a cache over the given cross-attention keys and values.
    pub fn new(cross_attention: Vec<KvCache>, encoder_bias: Tensor<4>) -> Self {
        Self {
            self_attention: vec![None; cross_attention.len()],
            cross_attention,
            encoder_bias,
            past: 0,
        }
    }

    /// Keeps rows `rows` of the self-attention cache, for beam search. Cross-attention rows are
    /// left alone: beams only move within one source, whose rows are identical.
    pub fn select_rows(&mut self, rows: &Tensor<1, Int>) {
        for layer in &mut self.self_attention {
            *layer = layer.take().map(|cache| cache.select_rows(rows));
        }
    }
}
