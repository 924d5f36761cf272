//! What an encoder-decoder keeps between decoding steps.

use super::attention::{KvCache, int_vector};
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

    /// Repeats every source row `copies` times in place (source `r` becomes rows
    /// `r · copies` to `r · copies + copies - 1`), so that that many decoder rows (beams) attend
    /// to one source encoded once.
    pub fn repeat_sources(&mut self, copies: usize) {
        if copies <= 1 {
            return;
        }
        let sources = self.encoder_bias.dims()[0] as i64;
        let rows: Vec<i64> = (0..sources)
            .flat_map(|source| std::iter::repeat_n(source, copies))
            .collect();
        let rows = int_vector(&rows, &self.encoder_bias.device());
        self.cross_attention = std::mem::take(&mut self.cross_attention)
            .into_iter()
            .map(|cache| cache.select_rows(&rows))
            .collect();
        self.encoder_bias = self.encoder_bias.clone().select(0, rows);
    }

    /// Keeps rows `rows` of the self-attention cache, for beam search. Cross-attention rows are
    /// left alone: beams only move within one source, whose rows are identical.
    pub fn select_rows(&mut self, rows: &Tensor<1, Int>) {
        for layer in &mut self.self_attention {
            *layer = layer.take().map(|cache| cache.select_rows(rows));
        }
    }
}
