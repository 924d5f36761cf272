//! Logits processors applied before choosing tokens, as transformers orders them:
//! no-repeat-n-gram, then forced EOS at the last position.

use super::generation_config::GenerationSettings;

/// Edits one row of scores for the sequence generated so far (`sequence` includes the decoder
/// start or the prompt, as transformers' `input_ids` do); `max_length` counts the same way.
pub fn process_scores(
    scores: &mut [f32],
    sequence: &[i64],
    max_length: usize,
    settings: &GenerationSettings,
) {
    let n = settings.no_repeat_ngram_size;
    if n > 0 && sequence.len() + 1 >= n {
        for token in banned_by_ngrams(sequence, n) {
            if let Some(score) = usize::try_from(token).ok().and_then(|t| scores.get_mut(t)) {
                *score = f32::NEG_INFINITY;
            }
        }
    }
    if let Some(eos) = settings.forced_eos_token_id
        && sequence.len() + 1 == max_length
        && let Ok(eos) = usize::try_from(eos)
        && eos < scores.len()
    {
        scores.fill(f32::NEG_INFINITY);
        scores[eos] = 0.0;
    }
}

/// Tokens that would complete an n-gram already present in `sequence`.
fn banned_by_ngrams(sequence: &[i64], n: usize) -> Vec<i64> {
    let prefix = &sequence[sequence.len() + 1 - n..];
    sequence
        .windows(n)
        .filter(|gram| gram[..n - 1] == *prefix)
        .map(|gram| gram[n - 1])
        .collect()
}

/// Index of the largest score, the first on ties (as `torch.argmax`).
pub fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, &score) in scores.iter().enumerate() {
        if score > scores[best] {
            best = i;
        }
    }
    best
}

/// `log_softmax` of one row in `f32`.
pub fn log_softmax(scores: &[f32]) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = scores.iter().map(|&s| (s - max).exp()).sum();
    let log_sum = sum.ln();
    scores.iter().map(|&s| s - max - log_sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::generation_config::EarlyStopping;

    fn settings(n: usize, forced: Option<i64>) -> GenerationSettings {
        GenerationSettings {
            max_new_tokens: 5,
            num_beams: 1,
            length_penalty: 1.0,
            early_stopping: EarlyStopping::Heuristic,
            no_repeat_ngram_size: n,
            eos_token_ids: vec![2],
            pad_token_id: Some(1),
            decoder_start_token_id: Some(2),
            forced_eos_token_id: forced,
        }
    }

    #[test]
    fn repeated_bigram_is_banned() {
        let mut scores = vec![0.0; 6];
        process_scores(&mut scores, &[2, 3, 4, 3], 10, &settings(2, None));
        assert_eq!(scores[4], f32::NEG_INFINITY);
        assert_eq!(scores[3], 0.0);
    }

    #[test]
    fn eos_is_forced_at_the_last_position() {
        let mut scores = vec![1.0; 4];
        process_scores(&mut scores, &[2, 3], 3, &settings(0, Some(2)));
        assert_eq!(
            scores,
            vec![f32::NEG_INFINITY, f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY]
        );
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }
}
