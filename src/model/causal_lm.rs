//! What the decoder-only families (GPT-2, GPT-Neo, Llama, BioGPT) share: the interface that the
//! forward pass, generation and training use, the token lookup, and the vocabulary head (tied to
//! the token embeddings or a separate `lm_head`).

use super::attention::KvCache;
use super::dense::{Dense, rows_linear};
use super::error::ModelResult;
use super::weights::{WeightReader, WeightWriter};
use burn::module::Param;
use burn::tensor::module::embedding;
use burn::tensor::{Int, Tensor};

/// A decoder-only language model run over a per-layer key/value cache.
pub trait CausalLm {
    /// Runs `ids` `[rows, time]` at `positions` after `past` cached positions. `key_bias` is
    /// `[rows, 1, 1, past + time]` (padding of every key so far); the model adds its causal
    /// masks. Returns the hidden states after the final norm.
    fn forward(
        &self,
        ids: &[Vec<i64>],
        positions: &[Vec<i64>],
        key_bias: Tensor<4>,
        past: usize,
        caches: &mut [Option<KvCache>],
    ) -> Tensor<3>;

    /// Vocabulary logits of final hidden states.
    fn logits(&self, hidden: Tensor<3>) -> Tensor<3>;

    /// Blocks (one cache each).
    fn layers(&self) -> usize;
}

/// Token embeddings `[rows, time, width]` of `ids` (host rows, `device_ids` the same on the
/// device). Rows of `padding_id` get no gradient from this lookup, as with
/// `torch.nn.Embedding(padding_idx=…)`.
pub fn embed_tokens(
    table: &Param<Tensor<2>>,
    ids: &[Vec<i64>],
    device_ids: Tensor<2, Int>,
    padding_id: Option<i64>,
) -> Tensor<3> {
    let looked_up = embedding(table.val(), device_ids.clone());
    match padding_id {
        Some(pad) if ids.iter().flatten().any(|&id| id == pad) => {
            let frozen = embedding(table.val().detach(), device_ids.clone());
            let is_padding = device_ids
                .equal_elem(pad)
                .unsqueeze_dim::<3>(2)
                .expand(looked_up.dims());
            looked_up.mask_where(is_padding, frozen)
        }
        _ => looked_up,
    }
}

/// Loads the vocabulary head: `None` when it is tied to the token embeddings (a stored
/// `lm_head.weight` copy is then ignored), else the `lm_head` projection without bias.
pub fn load_head(
    reader: &mut WeightReader,
    tied: bool,
    width: usize,
    vocab: usize,
) -> ModelResult<Option<Dense>> {
    if tied {
        reader.ignore("lm_head.weight");
        Ok(None)
    } else {
        Dense::load_linear(reader, "lm_head", width, vocab, false).map(Some)
    }
}

/// Saves an untied head as `lm_head.weight` (a tied head has nothing of its own).
pub fn save_head(head: Option<&Dense>, writer: &mut WeightWriter) -> ModelResult<()> {
    match head {
        Some(dense) => dense.save_linear(writer, "lm_head"),
        None => Ok(()),
    }
}

/// Vocabulary logits through `head`, or through the transposed token table when tied.
pub fn vocabulary_logits(
    hidden: Tensor<3>,
    table: &Param<Tensor<2>>,
    head: Option<&Dense>,
) -> Tensor<3> {
    match head {
        Some(dense) => dense.forward(hidden),
        None => rows_linear(hidden, table.val().transpose(), None),
    }
}

/// `prefix` when the checkpoint's keys carry it, else the empty string (GPT-2 and GPT-Neo
/// checkpoints are saved with `transformer.` or, as the base model, without). `bare_probe` is a
/// key without the prefix.
pub fn optional_prefix(reader: &WeightReader, bare_probe: &str, prefix: &str) -> String {
    if reader.contains(bare_probe) {
        String::new()
    } else {
        prefix.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::read_values;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn padding_rows_get_no_gradient_from_the_lookup() {
        let device = Device::flex().autodiff();
        let table = Param::from_tensor(Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]),
            &device,
        ));
        let ids = vec![vec![0, 1, 1]];
        let device_ids = Tensor::from_data(TensorData::new(vec![0i64, 1, 1], [1, 3]), &device);
        let embedded = embed_tokens(&table, &ids, device_ids, Some(1));
        let values = read_values(embedded.clone()).unwrap();
        assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 3.0, 4.0]);
        let gradients = embedded.sum().backward();
        let gradient = read_values(table.val().grad(&gradients).unwrap()).unwrap();
        assert_eq!(gradient, [1.0, 1.0, 0.0, 0.0]);
    }
}
