//! Recomputes a `reference.json` made by transformers (tokenizer ids, logits, hidden states,
//! losses, greedy and beam generations) and reports the differences per check.

use super::beam::beam_search;
use super::checkpoint::Checkpoint;
use super::error::{ModelError, ModelResult};
use super::generation_config::{EarlyStopping, GenerationSettings};
use super::greedy::greedy;
use super::network::{Network, TokenBatch};
use super::train_step::{TrainingBatch, adamw_step};
use super::weights::read_values;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// Logits and hidden states: max abs difference to the float64 reference at valid positions.
pub const TENSOR_TOLERANCE: f64 = 1e-4;
/// Losses: abs difference to the float64 reference.
pub const LOSS_TOLERANCE: f64 = 1e-5;

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// `tokenizer`, `logits`, `greedy.batched`, …
    pub name: String,
    /// Whether it is within tolerance (or exactly equal, for ids).
    pub passed: bool,
    /// Largest absolute difference (numeric checks).
    pub max_abs_diff: Option<f64>,
    /// The tolerance applied (numeric checks).
    pub tolerance: Option<f64>,
    /// What differed, for failures; what was compared, otherwise.
    pub detail: String,
}

impl CheckResult {
    fn numeric(name: &str, diff: f64, tolerance: f64, compared: usize) -> Self {
        Self {
            name: name.to_owned(),
            passed: diff <= tolerance,
            max_abs_diff: Some(diff),
            tolerance: Some(tolerance),
            detail: format!("{compared} values compared"),
        }
    }

    fn exact(name: &str, mismatches: Vec<String>, compared: usize) -> Self {
        Self {
            name: name.to_owned(),
            passed: mismatches.is_empty(),
            max_abs_diff: None,
            tolerance: None,
            detail: if mismatches.is_empty() {
                format!("{compared} sequences identical")
            } else {
                mismatches.join("; ")
            },
        }
    }
}

/// Reads `reference.json`.
pub fn read_reference(path: &Path) -> ModelResult<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ModelError::json(path, &e))
}

fn field<'a>(value: &'a Value, path: &str) -> ModelResult<&'a Value> {
    let mut current = value;
    for key in path.split('.') {
        current = current
            .get(key)
            .ok_or_else(|| ModelError::InvalidInput(format!("reference.json has no `{path}`")))?;
    }
    Ok(current)
}

fn int_rows(value: &Value) -> ModelResult<Vec<Vec<i64>>> {
    serde_json::from_value(value.clone()).map_err(|e| {
        ModelError::InvalidInput(format!("reference.json: expected integer rows: {e}"))
    })
}

fn flatten(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        Value::Number(n) => out.push(n.as_f64().unwrap_or(f64::NAN)),
        _ => out.push(f64::NAN),
    }
}

fn unpadded(ids: &[Vec<i64>], mask: &[Vec<i64>]) -> Vec<Vec<i64>> {
    ids.iter()
        .zip(mask)
        .map(|(row, m)| {
            row.iter()
                .zip(m)
                .filter(|&(_, &k)| k == 1)
                .map(|(&t, _)| t)
                .collect()
        })
        .collect()
}

/// Runs every check of `reference` against the network.
pub fn verify(
    checkpoint: &Checkpoint,
    network: &Network,
    reference: &Value,
) -> ModelResult<Vec<CheckResult>> {
    let ids = int_rows(field(reference, "inputs.input_ids")?)?;
    let mask = int_rows(field(reference, "inputs.attention_mask")?)?;
    let inputs = TokenBatch {
        ids: ids.clone(),
        mask: mask.clone(),
    };
    let mut results = vec![check_tokenizer(checkpoint, reference, &ids, &mask)?];
    let seq2seq = network.is_encoder_decoder();
    let decoder_ids = if seq2seq {
        Some(int_rows(field(reference, "inputs.decoder_input_ids")?)?)
    } else {
        None
    };
    let output = network.forward(&inputs, decoder_ids.as_deref())?;
    let valid = if seq2seq {
        int_rows(field(reference, "inputs.decoder_valid_mask")?)?
    } else {
        mask.clone()
    };
    let logits = read_values(output.logits)?;
    results.push(compare_tensor(
        "logits",
        &logits,
        field(reference, "float64.logits.data")?,
        &valid,
    ));
    let (hidden_name, hidden) = match output.encoder_hidden {
        Some(encoder) => ("encoder_last_hidden_state", encoder),
        None => ("last_hidden_state", output.last_hidden),
    };
    results.push(compare_tensor(
        hidden_name,
        &read_values(hidden)?,
        field(reference, &format!("float64.{hidden_name}.data"))?,
        &mask,
    ));
    let labels = int_rows(field(reference, "inputs.labels")?)?;
    results.push(check_loss(&logits, &labels, !seq2seq, reference)?);
    let inputs_for_generation = inputs.clone();
    for kind in ["greedy", "beam4"] {
        results.extend(check_generation(
            checkpoint,
            network,
            reference,
            kind,
            &inputs_for_generation,
        )?);
    }
    let batch = TrainingBatch {
        inputs,
        decoder_input_ids: decoder_ids,
        labels,
    };
    results.extend(check_training_step(checkpoint, network, reference, &batch)?);
    Ok(results)
}

/// Gradient norm: relative difference to the float64 reference.
pub const GRADIENT_TOLERANCE: f64 = 1e-5;

fn check_training_step(
    checkpoint: &Checkpoint,
    network: &Network,
    reference: &Value,
    batch: &TrainingBatch,
) -> ModelResult<Vec<CheckResult>> {
    let number = |path: &str| -> ModelResult<f64> {
        field(reference, path)?
            .as_f64()
            .ok_or_else(|| ModelError::InvalidInput(format!("{path} is not a number")))
    };
    let learning_rate = number("training_step.optimizer.lr")?;
    let trainable = checkpoint.network(&network.device().autodiff())?;
    let (_, report) = adamw_step(trainable, batch, learning_rate)?;
    let want_norm = number("training_step.float64.grad_l2_norm")?;
    let mut norm = CheckResult::numeric(
        "train.grad_l2_norm_rel",
        (report.grad_l2_norm - want_norm).abs() / want_norm.abs().max(f64::MIN_POSITIVE),
        GRADIENT_TOLERANCE,
        1,
    );
    norm.detail = format!("relative; {} vs {want_norm}", report.grad_l2_norm);
    Ok(vec![
        CheckResult::numeric(
            "train.loss_before",
            (report.loss_before - number("training_step.float64.loss_before")?).abs(),
            LOSS_TOLERANCE,
            1,
        ),
        norm,
        CheckResult::numeric(
            "train.loss_after_adamw",
            (report.loss_after - number("training_step.float64.loss_after")?).abs(),
            LOSS_TOLERANCE,
            1,
        ),
    ])
}

fn check_tokenizer(
    checkpoint: &Checkpoint,
    reference: &Value,
    ids: &[Vec<i64>],
    mask: &[Vec<i64>],
) -> ModelResult<CheckResult> {
    let mut expected: Vec<(String, Vec<i64>)> = Vec::new();
    let sources: Vec<String> = serde_json::from_value(field(reference, "texts.source")?.clone())
        .map_err(|e| ModelError::InvalidInput(format!("texts.source: {e}")))?;
    for (text, row) in sources.iter().zip(unpadded(ids, mask)) {
        expected.push((text.clone(), row));
    }
    if let Ok(targets) = field(reference, "inputs.labels_unpadded") {
        let targets = int_rows(targets)?;
        let texts: Vec<String> = serde_json::from_value(field(reference, "texts.target")?.clone())
            .map_err(|e| ModelError::InvalidInput(format!("texts.target: {e}")))?;
        expected.extend(texts.into_iter().zip(targets));
    }
    let mut mismatches = Vec::new();
    for (text, want) in &expected {
        let ids = checkpoint.tokenizer.encode(text, true)?;
        let got: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
        if &got != want {
            mismatches.push(format!("{text:?}: got {got:?}, want {want:?}"));
        }
    }
    Ok(CheckResult::exact("tokenizer", mismatches, expected.len()))
}

/// Max abs difference over positions where `valid` is 1 (`ours` is `[batch, time, width]`).
fn compare_tensor(name: &str, ours: &[f32], reference: &Value, valid: &[Vec<i64>]) -> CheckResult {
    let mut theirs = Vec::new();
    flatten(reference, &mut theirs);
    let positions: usize = valid.iter().map(Vec::len).sum();
    if theirs.len() != ours.len() || positions == 0 || !ours.len().is_multiple_of(positions) {
        return CheckResult {
            name: name.to_owned(),
            passed: false,
            max_abs_diff: None,
            tolerance: Some(TENSOR_TOLERANCE),
            detail: format!("{} values, reference has {}", ours.len(), theirs.len()),
        };
    }
    let width = ours.len() / positions;
    let mut diff = 0.0f64;
    let mut compared = 0;
    for (position, &keep) in valid.iter().flatten().enumerate() {
        if keep != 1 {
            continue;
        }
        let range = position * width..(position + 1) * width;
        for (a, b) in ours[range.clone()].iter().zip(&theirs[range]) {
            let d = (f64::from(*a) - b).abs();
            diff = if d.is_nan() {
                f64::INFINITY
            } else {
                diff.max(d)
            };
            compared += 1;
        }
    }
    CheckResult::numeric(name, diff, TENSOR_TOLERANCE, compared)
}

/// Mean token cross-entropy over labels ≠ -100 (shifted by one for GPT-2), in f64 on the host.
fn check_loss(
    logits: &[f32],
    labels: &[Vec<i64>],
    shift: bool,
    reference: &Value,
) -> ModelResult<CheckResult> {
    let want = field(reference, "float64.loss")?
        .as_f64()
        .ok_or_else(|| ModelError::InvalidInput("float64.loss is not a number".into()))?;
    let time = labels.first().map_or(0, Vec::len);
    let positions = labels.len() * time;
    if positions == 0 || !logits.len().is_multiple_of(positions) {
        return Err(ModelError::InvalidInput(
            "labels do not match the logits".into(),
        ));
    }
    let vocab = logits.len() / positions;
    let (mut total, mut count) = (0.0f64, 0usize);
    for (b, row) in labels.iter().enumerate() {
        for t in 0..time {
            let (position, label) = if shift {
                if t + 1 >= time {
                    continue;
                }
                (t, row[t + 1])
            } else {
                (t, row[t])
            };
            let Ok(label) = usize::try_from(label) else {
                continue;
            };
            let start = (b * time + position) * vocab;
            let scores = &logits[start..start + vocab];
            let max = scores
                .iter()
                .map(|&s| f64::from(s))
                .fold(f64::NEG_INFINITY, f64::max);
            let log_sum = scores
                .iter()
                .map(|&s| (f64::from(s) - max).exp())
                .sum::<f64>()
                .ln()
                + max;
            total += log_sum - f64::from(scores.get(label).copied().unwrap_or(f32::NAN));
            count += 1;
        }
    }
    let loss = total / count.max(1) as f64;
    Ok(CheckResult::numeric(
        "loss",
        (loss - want).abs(),
        LOSS_TOLERANCE,
        count,
    ))
}

fn settings_for(checkpoint: &Checkpoint, kwargs: &Value) -> GenerationSettings {
    let mut settings = checkpoint.generation.clone();
    let get = |key: &str| kwargs.get(key);
    if let Some(n) = get("max_new_tokens").and_then(Value::as_u64) {
        settings.max_new_tokens = n as usize;
    }
    if let Some(n) = get("num_beams").and_then(Value::as_u64) {
        settings.num_beams = n as usize;
    }
    if let Some(p) = get("length_penalty").and_then(Value::as_f64) {
        settings.length_penalty = p as f32;
    }
    match get("early_stopping") {
        Some(Value::Bool(true)) => settings.early_stopping = EarlyStopping::WhenFull,
        Some(Value::Bool(false)) => settings.early_stopping = EarlyStopping::Heuristic,
        Some(Value::String(s)) if s == "never" => settings.early_stopping = EarlyStopping::Never,
        _ => {}
    }
    if let Some(n) = get("no_repeat_ngram_size").and_then(Value::as_u64) {
        settings.no_repeat_ngram_size = n as usize;
    }
    if let Some(pad) = get("pad_token_id").and_then(Value::as_i64) {
        settings.pad_token_id = Some(pad);
    }
    settings
}

/// Generated tokens as the reference stores `new_tokens`: for seq2seq, transformers counts the
/// decoder start token as output (it is `sequences` minus the empty decoder prompt).
fn generate(
    network: &Network,
    prompts: &TokenBatch,
    settings: &GenerationSettings,
) -> ModelResult<Vec<Vec<i64>>> {
    let generated = if settings.num_beams > 1 {
        beam_search(network, prompts, settings)?.new_tokens
    } else {
        greedy(network, prompts, settings)?
    };
    match settings.decoder_start_token_id {
        Some(start) if network.is_encoder_decoder() => Ok(generated
            .into_iter()
            .map(|row| std::iter::once(start).chain(row).collect())
            .collect()),
        _ => Ok(generated),
    }
}

fn check_generation(
    checkpoint: &Checkpoint,
    network: &Network,
    reference: &Value,
    kind: &str,
    inputs: &TokenBatch,
) -> ModelResult<Vec<CheckResult>> {
    let block = field(reference, &format!("generation.float64.{kind}"))?;
    let settings = settings_for(checkpoint, field(block, "kwargs")?);
    let pad = settings.greedy_fill();
    let seq2seq = network.is_encoder_decoder();
    let mut results = Vec::new();

    let singles = field(block, "single")?
        .as_array()
        .ok_or_else(|| ModelError::InvalidInput(format!("{kind}.single is not a list")))?;
    let prompts = unpadded(&inputs.ids, &inputs.mask);
    let mut mismatches = Vec::new();
    for (i, (single, prompt)) in singles.iter().zip(&prompts).enumerate() {
        let want = int_rows(field(single, "new_tokens")?)?;
        let batch = TokenBatch::pad(std::slice::from_ref(prompt), pad, !seq2seq);
        let got = generate(network, &batch, &settings)?;
        if got != want {
            mismatches.push(format!("text {i}: got {got:?}, want {want:?}"));
        }
    }
    results.push(CheckResult::exact(
        &format!("{kind}.single"),
        mismatches,
        singles.len(),
    ));

    let batched = field(block, "batched")?;
    let batch = if seq2seq {
        inputs.clone()
    } else {
        TokenBatch {
            ids: int_rows(field(batched, "input_ids")?)?,
            mask: int_rows(field(batched, "attention_mask")?)?,
        }
    };
    let want = int_rows(field(batched, "new_tokens")?)?;
    let got = generate(network, &batch, &settings)?;
    let mismatches = if got == want {
        Vec::new()
    } else {
        vec![format!("got {got:?}, want {want:?}")]
    };
    results.push(CheckResult::exact(
        &format!("{kind}.batched"),
        mismatches,
        want.len(),
    ));
    Ok(results)
}
