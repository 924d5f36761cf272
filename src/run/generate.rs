//! Generation on a split: prompts batched by length, greedy or beam search with the run's
//! decoding settings, and the new tokens decoded with special tokens skipped.

use super::error::RunError;
use crate::check::study::Generation;
use crate::model::beam::beam_search;
use crate::model::generation_config::EarlyStopping;
use crate::model::greedy::greedy;
use crate::model::{GenerationSettings, Network, TextTokenizer, TokenBatch};
use std::collections::BTreeMap;

/// The checkpoint's generation settings (special tokens) with the run's decoding choices.
pub fn run_settings(checkpoint: &GenerationSettings, run: &Generation) -> GenerationSettings {
    GenerationSettings {
        max_new_tokens: run.max_new_tokens as usize,
        num_beams: run.beams.max(1) as usize,
        length_penalty: run.length_penalty as f32,
        early_stopping: if run.early_stopping {
            EarlyStopping::WhenFull
        } else {
            EarlyStopping::Heuristic
        },
        no_repeat_ngram_size: run.no_repeat_ngram as usize,
        ..checkpoint.clone()
    }
}

/// One prompt to continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The document's id.
    pub id: String,
    /// The prompt's token ids.
    pub ids: Vec<i64>,
}

/// Generates a text for every prompt, `batch_size` prompts of similar length at a time;
/// `on_batch` sees the number of prompts done. Decoder-only prompts are padded on the left.
pub fn generate(
    network: &Network,
    tokenizer: &TextTokenizer,
    settings: &GenerationSettings,
    prompts: &[Prompt],
    batch_size: usize,
    on_batch: &mut dyn FnMut(usize),
) -> Result<BTreeMap<String, String>, RunError> {
    let mut order: Vec<&Prompt> = prompts.iter().collect();
    order.sort_by_key(|prompt| prompt.ids.len());
    let left = !network.is_encoder_decoder();
    let pad = settings.greedy_fill();
    let mut texts = BTreeMap::new();
    let mut done = 0;
    for batch in order.chunks(batch_size.max(1)) {
        let rows: Vec<Vec<i64>> = batch.iter().map(|p| p.ids.clone()).collect();
        let padded = TokenBatch::pad(&rows, pad, left);
        let new_tokens = if settings.num_beams > 1 {
            beam_search(network, &padded, settings)?.new_tokens
        } else {
            greedy(network, &padded, settings)?
        };
        for (prompt, tokens) in batch.iter().zip(new_tokens) {
            texts.insert(prompt.id.clone(), decode(tokenizer, &tokens, settings)?);
        }
        done += batch.len();
        on_batch(done);
    }
    Ok(texts)
}

/// The text of generated tokens: up to the first EOS, special tokens skipped.
fn decode(
    tokenizer: &TextTokenizer,
    tokens: &[i64],
    settings: &GenerationSettings,
) -> Result<String, RunError> {
    let ids: Vec<u32> = tokens
        .iter()
        .take_while(|token| !settings.eos_token_ids.contains(token))
        .filter_map(|&token| u32::try_from(token).ok())
        .collect();
    Ok(tokenizer.decode(&ids, true)?)
}
