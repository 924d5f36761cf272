//! Batched greedy decoding, token for token as transformers' `generate(do_sample=False,
//! num_beams=1)`: finished rows are filled with the pad id, and the loop stops when every row
//! has produced EOS or the length limit is reached.

use super::error::{ModelError, ModelResult};
use super::generation_config::GenerationSettings;
use super::logits_process::{argmax, process_scores};
use super::network::{Network, TokenBatch};
use super::weights::read_values;
use burn::tensor::Tensor;

/// Generates up to `settings.max_new_tokens` per prompt row; returns the new tokens per row
/// (all rows equally long, finished rows filled).
pub fn greedy(
    network: &Network,
    prompts: &TokenBatch,
    settings: &GenerationSettings,
) -> ModelResult<Vec<Vec<i64>>> {
    let rows = prompts.rows();
    if settings.max_new_tokens == 0 {
        return Ok(vec![Vec::new(); rows]);
    }
    let start = decoder_start(network, settings)?;
    let (mut state, mut logits) =
        network.start_decoding(prompts, 1, start, settings.max_new_tokens)?;
    let mut sequences = initial_sequences(network, prompts, start);
    let max_length = prompts_length(&sequences) + settings.max_new_tokens;
    let fill = settings.greedy_fill();
    let mut unfinished = vec![true; rows];
    let mut generated = vec![Vec::new(); rows];
    loop {
        let scores = host_rows(logits)?;
        let mut next = Vec::with_capacity(rows);
        for (row, mut row_scores) in scores.into_iter().enumerate() {
            process_scores(&mut row_scores, &sequences[row], max_length, settings);
            let token = if unfinished[row] {
                argmax(&row_scores) as i64
            } else {
                fill
            };
            if settings.eos_token_ids.contains(&token) {
                unfinished[row] = false;
            }
            sequences[row].push(token);
            generated[row].push(token);
            next.push(token);
        }
        let length = sequences.first().map_or(0, Vec::len);
        if length >= max_length || !unfinished.iter().any(|&u| u) {
            return Ok(generated);
        }
        logits = network.decode_step(&mut state, &next)?;
    }
}

/// The decoder start token (seq2seq), or 0 (unused) for decoder-only networks.
pub fn decoder_start(network: &Network, settings: &GenerationSettings) -> ModelResult<i64> {
    if network.is_encoder_decoder() {
        settings.decoder_start_token_id.ok_or_else(|| {
            ModelError::InvalidInput("no decoder_start_token_id in the checkpoint".into())
        })
    } else {
        Ok(0)
    }
}

/// What transformers calls `input_ids` at the start: the decoder start token per row, or the
/// (left-padded) prompt.
pub fn initial_sequences(network: &Network, prompts: &TokenBatch, start: i64) -> Vec<Vec<i64>> {
    if network.is_encoder_decoder() {
        vec![vec![start]; prompts.rows()]
    } else {
        prompts.ids.clone()
    }
}

/// Length of the initial sequences (all rows are equally long).
pub fn prompts_length(sequences: &[Vec<i64>]) -> usize {
    sequences.first().map_or(0, Vec::len)
}

/// Copies `[rows, vocab]` logits to the host, one `Vec` per row.
pub fn host_rows(logits: Tensor<2>) -> ModelResult<Vec<Vec<f32>>> {
    let [_, vocab] = logits.dims();
    let values = read_values(logits)?;
    Ok(values.chunks(vocab.max(1)).map(<[f32]>::to_vec).collect())
}
