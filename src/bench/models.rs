//! The network workloads, on the `flex` CPU backend with seeded random weights: one finetuning
//! step (forward, backward, AdamW), batched greedy generation and 4-beam search with the KV
//! cache, and loading a checkpoint folder. The shapes are written as `config.json` files that
//! the PyTorch reference reads too, so both sides build the same networks.

use super::{Measurement, peak_rss_mib, time_median};
use crate::corpus::SplitMix64;
use crate::model::adamw::AdamWSettings;
use crate::model::beam::beam_search;
use crate::model::config::ModelConfig;
use crate::model::generation_config::{EarlyStopping, GenerationSettings};
use crate::model::greedy::greedy;
use crate::model::init::Initializer;
use crate::model::safetensors_file::read_checkpoint_tensors;
use crate::model::scratch::scratch_config;
use crate::model::train_step::{TrainingBatch, token_loss};
use crate::model::weights::{WeightReader, read_values};
use crate::model::{Network, TokenBatch};
use anyhow::Context as _;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A model shape and the batch it is measured with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    /// `t5_small`, `bart_base`, `gpt2_medium`, `t5_base` (or `tiny_*` for tests).
    pub name: String,
    /// `t5`, `bart` or `gpt2`.
    pub family: String,
    /// The complete `config.json`.
    pub config: Map<String, Value>,
    /// Rows per batch.
    pub batch: usize,
    /// Source (encoder, or prompt) tokens per row.
    pub source_tokens: usize,
    /// Target (decoder, or continuation) tokens per row.
    pub target_tokens: usize,
}

fn shape(
    name: &str,
    family: &str,
    declared: &Value,
    vocab: usize,
    (batch, source_tokens, target_tokens): (usize, usize, usize),
) -> Shape {
    let declared = declared.as_object().cloned().unwrap_or_default();
    let config = scratch_config(family, &declared, vocab).expect("a valid benchmark shape");
    Shape {
        name: name.into(),
        family: family.into(),
        config,
        batch,
        source_tokens,
        target_tokens,
    }
}

/// The shapes of the issue: t5-small, bart-base and gpt2-medium (training), t5-base (loading);
/// `quick` gives tiny stand-ins of each family for tests.
pub fn shapes(quick: bool) -> Vec<Shape> {
    if quick {
        let small = json!({ "d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 4 });
        return vec![
            shape("tiny_t5", "t5", &small, 128, (2, 12, 6)),
            shape(
                "tiny_bart",
                "bart",
                &json!({ "d_model": 32, "encoder_layers": 1, "decoder_layers": 1,
                         "encoder_attention_heads": 4, "decoder_attention_heads": 4,
                         "encoder_ffn_dim": 64, "decoder_ffn_dim": 64 }),
                128,
                (2, 12, 6),
            ),
            shape(
                "tiny_gpt2",
                "gpt2",
                &json!({ "n_embd": 32, "n_layer": 2, "n_head": 4 }),
                128,
                (2, 12, 6),
            ),
        ];
    }
    vec![
        shape(
            "t5_small",
            "t5",
            &json!({ "d_model": 512, "d_ff": 2048, "num_layers": 6, "num_decoder_layers": 6,
                     "num_heads": 8 }),
            32128,
            (8, 256, 64),
        ),
        shape(
            "bart_base",
            "bart",
            &json!({ "d_model": 768, "encoder_layers": 6, "decoder_layers": 6,
                     "encoder_attention_heads": 12, "decoder_attention_heads": 12,
                     "encoder_ffn_dim": 3072, "decoder_ffn_dim": 3072 }),
            50265,
            (4, 256, 64),
        ),
        shape(
            "gpt2_medium",
            "gpt2",
            &json!({ "n_embd": 1024, "n_layer": 24, "n_head": 16 }),
            50257,
            (2, 256, 64),
        ),
    ]
}

/// t5-base (d_model 768, 12 + 12 layers, 12 heads, d_ff 3072), for the loading workload.
pub fn t5_base() -> Shape {
    shape(
        "t5_base",
        "t5",
        &json!({ "d_model": 768, "d_ff": 3072, "num_layers": 12, "num_decoder_layers": 12,
                 "num_heads": 12 }),
        32128,
        (1, 1, 1),
    )
}

/// Writes `config.json` of `shape` into `folder/<name>/`; returns that folder.
pub fn write_config(folder: &Path, shape: &Shape) -> anyhow::Result<PathBuf> {
    let dir = folder.join(&shape.name);
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_string_pretty(&shape.config)?;
    std::fs::write(dir.join("config.json"), text + "\n")?;
    Ok(dir)
}

fn network(folder: &Path, device: &Device) -> anyhow::Result<Network> {
    let path = folder.join("config.json");
    let config = ModelConfig::read(&path)?;
    let mut reader =
        WeightReader::initialising(Initializer::new(config.clone(), 0), device.clone());
    Ok(Network::load(&config, &mut reader, &path)?)
}

fn random_rows(rows: usize, width: usize, vocab: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = SplitMix64::new(seed);
    // Ids 3.. avoid the special tokens (pad, eos, unk) of every family's layout.
    (0..rows)
        .map(|_| {
            (0..width)
                .map(|_| 3 + (rng.next_u64() % (vocab as u64 - 3)) as i64)
                .collect()
        })
        .collect()
}

fn vocab(shape: &Shape) -> usize {
    shape.config["vocab_size"].as_u64().unwrap_or(100) as usize
}

/// One finetuning step (forward, backward, AdamW with torch's settings) on a batch of
/// `batch × (source + target)` tokens: `train_<shape>`, in tokens per second.
pub fn train_step(
    folder: &Path,
    shape: &Shape,
    repeats: usize,
    device: &Device,
) -> anyhow::Result<Measurement> {
    let device = device.clone().autodiff();
    let mut net = Some(network(folder, &device)?);
    let encoder_decoder = net.as_ref().is_some_and(Network::is_encoder_decoder);
    let vocab = vocab(shape);
    let batch = if encoder_decoder {
        let targets = random_rows(shape.batch, shape.target_tokens, vocab, 2);
        let decoder_inputs = targets
            .iter()
            .map(|row| {
                let mut shifted = vec![0];
                shifted.extend_from_slice(&row[..row.len() - 1]);
                shifted
            })
            .collect();
        TrainingBatch {
            inputs: TokenBatch::pad(
                &random_rows(shape.batch, shape.source_tokens, vocab, 1),
                0,
                false,
            ),
            decoder_input_ids: Some(decoder_inputs),
            labels: targets,
        }
    } else {
        let ids = random_rows(
            shape.batch,
            shape.source_tokens + shape.target_tokens,
            vocab,
            1,
        );
        TrainingBatch {
            inputs: TokenBatch::pad(&ids, 0, true),
            decoder_input_ids: None,
            labels: ids,
        }
    };
    let mut optimizer = AdamWSettings::torch(0.0).init();
    let mut loss_value = 0.0;
    let per_step = time_median(1, repeats, || -> anyhow::Result<()> {
        let network = net.take().context("network")?;
        let loss = token_loss(&network, &batch)?;
        let grads = GradientsParams::from_grads(loss.backward(), &network);
        let network = optimizer.step(1e-4, network, grads);
        // Reading one parameter forces the lazy backend to finish the step.
        loss_value = read_values(network.embedding_probe())?
            .first()
            .copied()
            .unwrap_or(0.0);
        net = Some(network);
        Ok(())
    })?;
    let tokens = shape.batch * (shape.source_tokens + shape.target_tokens);
    Ok(Measurement {
        workload: format!("train_{}", shape.name),
        metric: "tokens/s".into(),
        value: tokens as f64 / per_step,
        seconds: per_step,
        peak_rss_mib: peak_rss_mib(),
        detail: format!(
            "batch {} × {} + {} tokens, fwd+bwd+AdamW, {per_step:.3} s/step, median of {repeats}{}",
            shape.batch,
            shape.source_tokens,
            shape.target_tokens,
            if loss_value.is_finite() {
                ""
            } else {
                " (non-finite weights!)"
            }
        ),
    })
}

/// Batched greedy decoding (`beams == 1`) or beam search of exactly `shape.target_tokens` new
/// tokens per row (no end-of-sequence token, so no row stops early), with the KV cache:
/// `greedy_<shape>` or `beam<k>_<shape>`, in generated tokens per second (beams not counted).
pub fn generation(
    folder: &Path,
    shape: &Shape,
    beams: usize,
    repeats: usize,
    device: &Device,
) -> anyhow::Result<Measurement> {
    let network = network(folder, device)?;
    let vocab = vocab(shape);
    let encoder_decoder = network.is_encoder_decoder();
    let prompts = TokenBatch::pad(
        &random_rows(shape.batch, shape.source_tokens, vocab, 1),
        0,
        !encoder_decoder,
    );
    let settings = GenerationSettings {
        max_new_tokens: shape.target_tokens,
        num_beams: beams,
        length_penalty: 1.0,
        early_stopping: EarlyStopping::Heuristic,
        no_repeat_ngram_size: 0,
        eos_token_ids: Vec::new(),
        pad_token_id: Some(0),
        decoder_start_token_id: Some(0),
        forced_eos_token_id: None,
    };
    let mut produced = 0;
    let per_call = time_median(1, repeats, || -> anyhow::Result<()> {
        produced = if beams > 1 {
            beam_search(&network, &prompts, &settings)?
                .new_tokens
                .iter()
                .map(Vec::len)
                .sum()
        } else {
            greedy(&network, &prompts, &settings)?
                .iter()
                .map(Vec::len)
                .sum()
        };
        Ok(())
    })?;
    let expected = shape.batch * shape.target_tokens;
    anyhow::ensure!(
        produced == expected,
        "generated {produced} tokens, expected {expected}"
    );
    let name = if beams > 1 {
        format!("beam{beams}_{}", shape.name)
    } else {
        format!("greedy_{}", shape.name)
    };
    Ok(Measurement {
        workload: name,
        metric: "tokens/s".into(),
        value: expected as f64 / per_call,
        seconds: per_call,
        peak_rss_mib: peak_rss_mib(),
        detail: format!(
            "batch {} × {} prompt tokens, {} new tokens, {beams} beam(s), KV cache, median of {repeats}",
            shape.batch, shape.source_tokens, shape.target_tokens
        ),
    })
}

/// Loads the checkpoint folder `folder` (`config.json`, `model.safetensors`) into a network on
/// `device`: `load_<name>`, in seconds.
pub fn load(folder: &Path, name: &str, device: &Device) -> anyhow::Result<Measurement> {
    let start = Instant::now();
    let path = folder.join("config.json");
    let config = ModelConfig::read(&path)?;
    let tensors = read_checkpoint_tensors(folder)?;
    let parameters: usize = tensors
        .values()
        .map(|t| t.shape.iter().product::<usize>())
        .sum();
    let mut reader = WeightReader::new(&tensors, folder.to_owned(), device.clone());
    let network = Network::load(&config, &mut reader, &path)?;
    reader.finish()?;
    let _ = read_values(network.embedding_probe())?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(Measurement {
        workload: format!("load_{name}"),
        metric: "s".into(),
        value: seconds,
        seconds,
        peak_rss_mib: peak_rss_mib(),
        detail: format!(
            "{:.0} M parameters from model.safetensors (f32) into a network",
            parameters as f64 / 1e6
        ),
    })
}

/// Writes a random checkpoint of `shape` into `folder` (with expc's own writer), unless one is
/// there; returns the folder.
pub fn ensure_checkpoint(folder: &Path, shape: &Shape) -> anyhow::Result<PathBuf> {
    let dir = write_config(folder, shape)?;
    if !dir.join("model.safetensors").exists() {
        let net = network(&dir, &Device::flex())?;
        crate::model::save_weights(&net, &dir.join("model.safetensors"))?;
    }
    Ok(dir)
}
