//! Batched beam search, step for step as transformers 5's vectorised `_beam_search`: the top
//! `2 · num_beams` continuations per source, finished hypotheses scored
//! `sum_logprobs / generated_len^length_penalty`, the heuristic early stop, and rows filled with
//! `pad_token_id or eos_token_id`. Scores are `f32`, as transformers computes them.

use super::error::ModelResult;
use super::generation_config::{EarlyStopping, GenerationSettings};
use super::greedy::{decoder_start, host_rows, initial_sequences, prompts_length};
use super::logits_process::{log_softmax, process_scores};
use super::network::{Network, TokenBatch};

/// Score given to impossible or excluded candidates.
const EXCLUDED: f32 = -1.0e9;

/// The best hypothesis per source.
#[derive(Debug, Clone, PartialEq)]
pub struct BeamOutput {
    /// New tokens per source, filled to a common length.
    pub new_tokens: Vec<Vec<i64>>,
    /// Length-normalised score of each returned hypothesis.
    pub scores: Vec<f32>,
}

#[derive(Debug, Clone)]
struct Running {
    sequence: Vec<i64>,
    score: f32,
}

#[derive(Debug, Clone)]
struct Finished {
    generated: Vec<i64>,
    score: f32,
    done: bool,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f32,
    beam: usize,
    token: i64,
}

/// Indices of the `k` largest values, descending, earlier index first on ties. A partial
/// selection (linear in `values.len()`) then a sort of the `k` kept: the candidates of a beam
/// step are `beams × vocab` long and only a handful are kept.
fn top_indices(values: &[f32], k: usize) -> Vec<usize> {
    let by_score = |a: &usize, b: &usize| values[*b].total_cmp(&values[*a]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..values.len()).collect();
    if k == 0 {
        return Vec::new();
    }
    if k < order.len() {
        order.select_nth_unstable_by(k - 1, by_score);
        order.truncate(k);
    }
    order.sort_unstable_by(by_score);
    order
}

fn length_divisor(length: usize, penalty: f32) -> f32 {
    (length as f64).powf(f64::from(penalty)) as f32
}

/// Runs beam search with `settings.num_beams` beams per prompt row.
pub fn beam_search(
    network: &Network,
    prompts: &TokenBatch,
    settings: &GenerationSettings,
) -> ModelResult<BeamOutput> {
    let beams = settings.num_beams.max(1);
    let sources = prompts.rows();
    if settings.max_new_tokens == 0 {
        return Ok(BeamOutput {
            new_tokens: vec![Vec::new(); sources],
            scores: vec![0.0; sources],
        });
    }
    let start = decoder_start(network, settings)?;
    let (mut state, mut logits) =
        network.start_decoding(prompts, beams, start, settings.max_new_tokens)?;
    let initial = initial_sequences(network, &prompts.repeat_rows(beams), start);
    let prompt_length = prompts_length(&initial);
    let max_length = prompt_length + settings.max_new_tokens;
    let keep = (1 + settings.eos_token_ids.len()).max(2) * beams;
    let mut running: Vec<Vec<Running>> = (0..sources)
        .map(|s| {
            (0..beams)
                .map(|j| Running {
                    sequence: initial[s * beams + j].clone(),
                    score: if j == 0 { 0.0 } else { EXCLUDED },
                })
                .collect()
        })
        .collect();
    let mut finished: Vec<Vec<Finished>> = vec![
        vec![
            Finished {
                generated: Vec::new(),
                score: EXCLUDED,
                done: false,
            };
            beams
        ];
        sources
    ];
    let mut improvable = vec![true; sources];
    let mut length = prompt_length;
    loop {
        let scores = host_rows(logits)?;
        let mut all_hit = true;
        let mut sources_of_rows = Vec::with_capacity(sources * beams);
        let mut next_tokens = Vec::with_capacity(sources * beams);
        for s in 0..sources {
            let candidates = best_continuations(
                &running[s],
                &scores[s * beams..(s + 1) * beams],
                max_length,
                settings,
                keep,
            );
            let hits: Vec<bool> = candidates
                .iter()
                .map(|c| settings.eos_token_ids.contains(&c.token) || length + 1 >= max_length)
                .collect();
            all_hit &= hits.iter().all(|&h| h);

            // The best candidates that have not finished keep running.
            let running_scores: Vec<f32> = candidates
                .iter()
                .zip(&hits)
                .map(|(c, &hit)| c.score + if hit { EXCLUDED } else { 0.0 })
                .collect();
            let mut next_running = Vec::with_capacity(beams);
            for k in top_indices(&running_scores, beams) {
                let candidate = candidates[k];
                let mut sequence = running[s][candidate.beam].sequence.clone();
                sequence.push(candidate.token);
                sources_of_rows.push(s * beams + candidate.beam);
                next_tokens.push(candidate.token);
                next_running.push(Running {
                    sequence,
                    score: running_scores[k],
                });
            }

            // Finished candidates among the top `beams` compete with earlier finished ones.
            let divisor = length_divisor(length + 1 - prompt_length, settings.length_penalty);
            let full = finished[s].iter().all(|f| f.done)
                && settings.early_stopping == EarlyStopping::WhenFull;
            let mut merged = finished[s].clone();
            for (k, (candidate, &hit)) in candidates.iter().zip(&hits).enumerate() {
                let done = hit && k < beams;
                let mut score = candidate.score / divisor;
                if full {
                    score += EXCLUDED;
                }
                if !improvable[s] {
                    score += EXCLUDED;
                }
                if !done {
                    score += EXCLUDED;
                }
                let mut generated = running[s][candidate.beam].sequence[prompt_length..].to_vec();
                generated.push(candidate.token);
                merged.push(Finished {
                    generated,
                    score,
                    done,
                });
            }
            let merged_scores: Vec<f32> = merged.iter().map(|f| f.score).collect();
            finished[s] = top_indices(&merged_scores, beams)
                .into_iter()
                .map(|i| merged[i].clone())
                .collect();
            running[s] = next_running;
        }
        length += 1;
        for s in 0..sources {
            improvable[s] &= can_improve(
                &running[s],
                &finished[s],
                length,
                prompt_length,
                max_length,
                settings,
            );
        }
        let all_full = settings.early_stopping == EarlyStopping::WhenFull
            && finished.iter().flatten().all(|f| f.done);
        if !improvable.iter().any(|&i| i) || all_full || all_hit {
            break;
        }
        network.select_rows(&mut state, &sources_of_rows);
        logits = network.decode_step(&mut state, &next_tokens)?;
    }
    Ok(best_hypotheses(&finished, settings.beam_fill()))
}

/// The `keep` best (beam, token) continuations of one source by accumulated log-probability.
fn best_continuations(
    running: &[Running],
    scores: &[Vec<f32>],
    max_length: usize,
    settings: &GenerationSettings,
    keep: usize,
) -> Vec<Candidate> {
    let vocab = scores.first().map_or(0, Vec::len);
    let mut flat = Vec::with_capacity(running.len() * vocab);
    for (beam, row_scores) in running.iter().zip(scores) {
        let mut log_probs = log_softmax(row_scores);
        process_scores(&mut log_probs, &beam.sequence, max_length, settings);
        flat.extend(log_probs.iter().map(|&lp| lp + beam.score));
    }
    top_indices(&flat, keep)
        .into_iter()
        .map(|i| Candidate {
            score: flat[i],
            beam: i / vocab,
            token: (i % vocab) as i64,
        })
        .collect()
}

/// transformers' `_check_early_stop_heuristic` for one source, after `length` grew.
fn can_improve(
    running: &[Running],
    finished: &[Finished],
    length: usize,
    prompt_length: usize,
    max_length: usize,
    settings: &GenerationSettings,
) -> bool {
    let hypothetical =
        if settings.early_stopping == EarlyStopping::Never && settings.length_penalty > 0.0 {
            max_length - prompt_length
        } else {
            length - prompt_length
        };
    let best_running = running.first().map_or(EXCLUDED, |r| r.score)
        / length_divisor(hypothetical, settings.length_penalty);
    let worst_finished = finished
        .iter()
        .map(|f| f.score)
        .fold(f32::INFINITY, f32::min);
    finished
        .iter()
        .any(|f| best_running > if f.done { worst_finished } else { EXCLUDED })
}

fn best_hypotheses(finished: &[Vec<Finished>], fill: i64) -> BeamOutput {
    let best: Vec<&Finished> = finished.iter().filter_map(|f| f.first()).collect();
    let width = best.iter().map(|f| f.generated.len()).max().unwrap_or(0);
    BeamOutput {
        new_tokens: best
            .iter()
            .map(|f| {
                let mut row = f.generated.clone();
                row.resize(width, fill);
                row
            })
            .collect(),
        scores: best.iter().map(|f| f.score).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::top_indices;

    #[test]
    fn top_indices_are_descending_and_stable() {
        assert_eq!(top_indices(&[1.0, 3.0, 3.0, 2.0], 3), vec![1, 2, 3]);
        assert_eq!(top_indices(&[1.0, 3.0], 5), vec![1, 0]);
        assert_eq!(top_indices(&[1.0, 3.0], 0), Vec::<usize>::new());
    }

    #[test]
    fn top_indices_agree_with_a_full_sort() {
        // Many ties and a long tail, as in a beam step over a vocabulary.
        let values: Vec<f32> = (0..5000u32).map(|i| ((i * 7919) % 97) as f32).collect();
        let mut sorted: Vec<usize> = (0..values.len()).collect();
        sorted.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        for k in [1, 2, 8, 97, 300] {
            assert_eq!(top_indices(&values, k), sorted[..k].to_vec(), "k = {k}");
        }
    }
}
