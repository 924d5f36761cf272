//! Multi-head attention pieces shared by the families: head splitting, additive masks, the
//! key/value cache, and the attention call itself.

use burn::tensor::activation::softmax;
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
        if dtype == DType::F16 {
            b.clamp_min(MASKED_F16).cast(dtype)
        } else {
            b.cast(dtype)
        }
    });
    if query.is_autodiff() {
        return attend_differentiably(query, key, value, bias, scale);
    }
    let bias = bias.map(|b| b.expand([batch, heads, query_len, key_len]));
    let options = AttentionModuleOptions {
        scale: Some(scale),
        softcap: None,
        is_causal: false,
    };
    attention(query, key, value, None, bias, options)
}

/// [`attend`] for training. burn's attention under autodiff is built from separate ops: it
/// scales the scores even by 1 (T5), takes a tracked maximum, and its softmax runs `exp` and
/// four more element-wise passes over `[batch, heads, queries, keys]` on one thread, then
/// recomputes `exp` in the backward pass. Here the query is scaled (when the scale is not 1)
/// and the softmax is [`softmax_last_axis`].
fn attend_differentiably(
    query: Tensor<4>,
    key: Tensor<4>,
    value: Tensor<4>,
    bias: Option<Tensor<4>>,
    scale: f64,
) -> Tensor<4> {
    let query = if scale == 1.0 {
        query
    } else {
        query.mul_scalar(scale)
    };
    let scores = query.matmul(key.swap_dims(2, 3));
    let scores = match bias {
        Some(bias) => scores + bias,
        None => scores,
    };
    softmax_last_axis(scores).matmul(value)
}

/// Softmax over the last axis whose values come from the CPU backend's fused kernel, run
/// outside the autodiff graph, and whose gradient is written out: with `p` those values and `c`
/// the input minus its own detached value (0, with the input's gradient),
/// `p · (1 + c − Σ p c)` equals `p` and has the softmax's Jacobian `p (δ − p)`. That is two
/// products, a row sum and a subtraction forward and about as many passes backward, with no
/// `exp` recomputed; burn's composed softmax takes five passes forward, `exp` among them,
/// and recomputes `exp` backward. Without autodiff it is the fused softmax alone.
fn softmax_last_axis<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    if !input.is_autodiff() {
        return softmax(input, D - 1);
    }
    let probabilities = softmax(input.clone().without_autodiff(), D - 1);
    let centred = input.clone() - input.detach();
    let mean = (centred.clone() * probabilities.clone()).sum_dim(D - 1);
    (centred - mean).add_scalar(1.0) * probabilities
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
    /// A cache over keys and values that every decoding step reads (cross-attention), laid
    /// out contiguously once: the attention op copies any other layout (the strided view
    /// [`split_heads`] gives) on every call.
    pub fn contiguous(key: Tensor<4>, value: Tensor<4>) -> Self {
        Self {
            key: contiguous(key),
            value: contiguous(value),
        }
    }

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

/// `input` laid out contiguously in row-major order: a reshape to one axis can only be a view
/// of a contiguous tensor, so any other layout is copied (once).
fn contiguous<const D: usize>(input: Tensor<D>) -> Tensor<D> {
    let dims = input.dims();
    input
        .reshape([dims.iter().product::<usize>()])
        .reshape(dims)
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
    windowed_causal_bias(queries, keys, offset, usize::MAX, device)
}

/// `[1, 1, queries, keys]`: query `i` (at cache index `offset + i`) sees key `j` only if
/// `0 ≤ offset + i - j < window` (GPT-Neo's local attention; indices count cached positions,
/// padding included, as transformers' mask buffer does).
pub fn windowed_causal_bias(
    queries: usize,
    keys: usize,
    offset: usize,
    window: usize,
    device: &Device,
) -> Tensor<4> {
    let mut values = Vec::with_capacity(queries * keys);
    for i in 0..queries {
        let query = offset + i;
        for j in 0..keys {
            let visible = j <= query && query - j < window;
            values.push(if visible { 0.0 } else { MASKED });
        }
    }
    Tensor::from_data(TensorData::new(values, [1, 1, queries, keys]), device)
}

/// Self-attention of `query` `[rows, heads, time, width]` over `key` and `value` appended to
/// `cache`; returns the context with merged heads, `[rows, time, heads * width]`. Keys and values
/// may have fewer heads than the query (grouped-query attention): query head `h` then uses
/// key/value head `h / (heads / kv_heads)`, as transformers' `repeat_kv` does. The cache keeps
/// the un-repeated heads.
pub fn cached_self_attention(
    query: Tensor<4>,
    key: Tensor<4>,
    value: Tensor<4>,
    cache: &mut Option<KvCache>,
    bias: Tensor<4>,
    scale: f64,
) -> Tensor<3> {
    let keys = KvCache::extend(cache.take(), key, value);
    let groups = query.dims()[1] / keys.key.dims()[1].max(1);
    let context = attend(
        query,
        repeat_heads(keys.key.clone(), groups),
        repeat_heads(keys.value.clone(), groups),
        Some(bias),
        scale,
    );
    *cache = Some(keys);
    merge_heads(context)
}

/// `[rows, heads, time, width]` → `[rows, heads * copies, time, width]`, each head repeated
/// `copies` times in place (`repeat_interleave`, not tiling).
fn repeat_heads(input: Tensor<4>, copies: usize) -> Tensor<4> {
    if copies == 1 {
        return input;
    }
    let [rows, heads, time, width] = input.dims();
    input
        .unsqueeze_dim::<5>(2)
        .expand([rows, heads, copies, time, width])
        .reshape([rows, heads * copies, time, width])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::read_values;

    fn host(tensor: Tensor<4>) -> Vec<f32> {
        read_values(tensor).unwrap()
    }

    #[test]
    fn written_out_softmax_has_the_composed_values_and_gradient() {
        let device = Device::flex().autodiff();
        let run = |fused: bool| {
            let scores: Vec<f32> = (0..24).map(|i| ((i * 5) % 13) as f32 / 3.0 - 2.0).collect();
            let weights: Vec<f32> = (0..24).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
            let scores: Tensor<4> =
                Tensor::from_data(TensorData::new(scores, [1, 2, 3, 4]), &device).require_grad();
            let weights: Tensor<4> =
                Tensor::from_data(TensorData::new(weights, [1, 2, 3, 4]), &device);
            let probabilities = if fused {
                softmax_last_axis(scores.clone())
            } else {
                softmax(scores.clone(), 3)
            };
            let grads = (probabilities.clone() * weights).sum().backward();
            let gradient = scores.grad(&grads).expect("the scores' gradient");
            (host(probabilities), read_values(gradient).unwrap())
        };
        let (values, gradient) = run(true);
        let (want_values, want_gradient) = run(false);
        let largest = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(largest(&values, &want_values) < 1e-6);
        assert!(largest(&gradient, &want_gradient) < 1e-6);
        assert!(want_gradient.iter().any(|g| g.abs() > 0.1));
    }

    #[test]
    fn window_limits_how_far_back_a_query_sees() {
        let device = Device::flex();
        let bias = host(windowed_causal_bias(2, 5, 3, 2, &device));
        let visible: Vec<bool> = bias.iter().map(|&b| b == 0.0).collect();
        // Query 0 sits at index 3 and sees keys 2 and 3; query 1 at index 4 sees 3 and 4.
        assert_eq!(
            visible,
            [
                false, false, true, true, false, false, false, false, true, true
            ]
        );
        assert_eq!(
            host(causal_bias(2, 3, 1, &device)),
            host(windowed_causal_bias(2, 3, 1, 99, &device))
        );
    }

    #[test]
    fn key_value_heads_repeat_in_place() {
        let device = Device::flex();
        let heads: Tensor<4> =
            Tensor::from_data(TensorData::new(vec![1.0f32, 2.0], [1, 2, 1, 1]), &device);
        assert_eq!(host(repeat_heads(heads, 3)), [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    }
}
