//! Multi-head attention pieces shared by the families: head splitting, additive masks, the
//! key/value cache, and the attention call itself.

use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{DType, Device, Int, Tensor, TensorData};

/// Added to the score of a key a query must not see. Finite, so a fully masked row (a padded
/// query) gives a uniform distribution instead of NaNs that would reach valid positions.
pub const MASKED: f32 = -1.0e9;

/// [`MASKED`] in `f16`: far below any real score, yet a score plus it stays finite.
pub const MASKED_F16: f32 = -3.0e4;

/// `[batch, time, heads * width]` → `[batch, heads, time, width]`.
pub fn split_heads(input: Tensor<3>, heads: usize) -> Tensor<4> {
    let [batch, time, total] = input.dims();
    input
        .reshape([batch, time, heads, total / heads])
        .swap_dims(1, 2)
}

/// `[batch, heads, time, width]` → `[batch, time, heads * width]`.
pub fn merge_heads(input: Tensor<4>) -> Tensor<3> {
    let [batch, heads, time, width] = input.dims();
    input.swap_dims(1, 2).reshape([batch, time, heads * width])
}

/// `softmax(q kᵀ · scale + bias) v` with `bias` broadcast to `[batch, heads, q, k]`. The bias
/// (built in `f32` on the host) is cast to the dtype of the queries; in `f16`, whose range ends
/// at 65504, [`MASKED`] is clamped to [`MASKED_F16`] so that masked scores stay finite.
pub fn attend(
    query: Tensor<4>,
    key: Tensor<4>,
    value: Tensor<4>,
    bias: Option<Tensor<4>>,
    scale: f64,
) -> Tensor<4> {
    let [batch, heads, query_len, _] = query.dims();
    let key_len = key.dims()[2];
    let dtype = query.dtype();
    let bias = bias.map(|b| {
        let b = if dtype == DType::F16 {
            b.clamp_min(MASKED_F16)
        } else {
            b
        };
        b.cast(dtype).expand([batch, heads, query_len, key_len])
    });
    let options = AttentionModuleOptions {
        scale: Some(scale),
        softcap: None,
        is_causal: false,
    };
    attention(query, key, value, None, bias, options)
}

/// Keys and values of the positions seen so far, `[rows, heads, time, width]` each.
#[derive(Debug, Clone)]
pub struct KvCache {
    /// Keys.
    pub key: Tensor<4>,
    /// Values.
    pub value: Tensor<4>,
}

impl KvCache {
    /// Appends new keys and values along time (or starts the cache).
    pub fn extend(cache: Option<Self>, key: Tensor<4>, value: Tensor<4>) -> Self {
        match cache {
            Some(old) => Self {
                key: Tensor::cat(vec![old.key, key], 2),
                value: Tensor::cat(vec![old.value, value], 2),
            },
            None => Self { key, value },
        }
    }

    /// Keeps rows `rows` (in that order), for beam search.
    pub fn select_rows(self, rows: &Tensor<1, Int>) -> Self {
        Self {
            key: self.key.select(0, rows.clone()),
            value: self.value.select(0, rows.clone()),
        }
    }
}

/// `[rows, 1, 1, keys]`: 0 where `mask` is 1, [`MASKED`] where it is 0.
pub fn padding_bias(mask: &[Vec<i64>], device: &Device) -> Tensor<4> {
    let rows = mask.len();
    let keys = mask.first().map_or(0, Vec::len);
    let values: Vec<f32> = mask
        .iter()
        .flat_map(|row| row.iter().map(|&m| if m == 0 { MASKED } else { 0.0 }))
        .collect();
    Tensor::from_data(TensorData::new(values, [rows, 1, 1, keys]), device)
}

/// `[1, 1, queries, keys]`: query `i` (at absolute position `offset + i`) sees keys `≤` it.
pub fn causal_bias(queries: usize, keys: usize, offset: usize, device: &Device) -> Tensor<4> {
    let mut values = Vec::with_capacity(queries * keys);
    for i in 0..queries {
        for j in 0..keys {
            values.push(if j > offset + i { MASKED } else { 0.0 });
        }
    }
    Tensor::from_data(TensorData::new(values, [1, 1, queries, keys]), device)
}

/// An integer tensor `[rows, cols]` from host rows of equal length.
pub fn int_matrix(rows: &[Vec<i64>], device: &Device) -> Tensor<2, Int> {
    let cols = rows.first().map_or(0, Vec::len);
    let values: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(values, [rows.len(), cols]), device)
}

/// An integer vector.
pub fn int_vector(values: &[i64], device: &Device) -> Tensor<1, Int> {
    Tensor::from_data(TensorData::new(values.to_vec(), [values.len()]), device)
}
