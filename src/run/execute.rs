//! One run from start to finish, through the run store's protocol: begin, train (logging every
//! optimiser step and every validation), generate on the test split, evaluate, write the
//! predictions, finish. The run is done only when `finish` returns.

use super::encode::{Encoder, Example, Shape};
use super::error::RunError;
use super::generate::{Prompt, generate, run_settings};
use super::scratch::initial_checkpoint;
use super::train::{PadIds, StepReport, Trainer};
use crate::backend::check_dtype;
use crate::check::study::{LoraParams, Precision, Selection};
use crate::corpus::{Document, load_dataset, sample_ids};
use crate::extract::Extractor;
use crate::model::lora::{self, LoraConfig};
use crate::model::{Checkpoint, GenerationSettings, Network, TextTokenizer, save_weights};
use crate::plan::{Run, Weights, hash_ids};
use crate::score::{CountingMode, GoldIndex};
use crate::store::{LogEvent, Metrics, RunStore, RunWriter, Timing, evaluate};
use crate::template::TemplateSpec;
use burn::module::Module;
use burn::tensor::{Device, FloatDType};
use std::path::Path;
use std::time::Instant;

/// Prompts generated together.
pub const GENERATION_BATCH: usize = 16;

/// The subfolder of a kept checkpoint that holds the LoRA adapters alone, in PEFT's layout.
pub const ADAPTER_FOLDER: &str = "adapter";

/// Files copied from the original checkpoint next to the finetuned weights.
const CHECKPOINT_FILES: [&str; 7] = [
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "vocab.json",
    "merges.txt",
    "tokenizer_config.json",
    "special_tokens_map.json",
];

/// What a run reports while it works.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress<'a> {
    /// Training starts.
    Training {
        /// Epochs to run.
        epochs: u32,
        /// Optimiser steps in all.
        total_steps: u64,
        /// Training documents.
        documents: usize,
        /// Parameter values that train (fewer than `parameters` with LoRA).
        trainable: usize,
        /// Parameter values in all.
        parameters: usize,
    },
    /// An optimiser step finished.
    Step(&'a StepReport),
    /// An epoch's validation score.
    Validation {
        /// 1-based epoch.
        epoch: u32,
        /// Strict micro F1.
        f1: f64,
    },
    /// Generation progress on a split (`validation` or `test`).
    Generating {
        /// The split.
        split: &'static str,
        /// Prompts done.
        done: usize,
        /// Prompts in all.
        total: usize,
    },
}

/// Choices of the command line that do not change a run's result.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where tensors live.
    pub device: Device,
    /// Save the finetuned model in Hugging Face format into the run's checkpoint folder (LoRA
    /// runs: merged weights, and the adapters alone in its [`ADAPTER_FOLDER`]).
    pub keep_checkpoints: bool,
}

/// What a finished run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The metrics written to the store.
    pub metrics: Metrics,
    /// The epoch whose weights were kept.
    pub selected_epoch: u32,
}

/// Everything a run reads, prepared before its folder is begun.
struct Inputs {
    device: Device,
    checkpoint: Checkpoint,
    extractor: Extractor,
    encoder: Encoder,
    settings: GenerationSettings,
    pads: PadIds,
    train: Vec<Document>,
    validation: Vec<Document>,
    test: Vec<Document>,
}

/// Runs `run` to the end in `store`.
pub fn execute(
    run: &Run,
    store: &RunStore,
    options: &RunOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<RunOutcome, RunError> {
    if !run.blocked.is_empty() {
        return Err(RunError::Blocked(run.blocked.clone()));
    }
    let inputs = prepare(run, store.results(), options)?;
    let mut writer = store.begin(run)?;
    let started = Instant::now();
    let spec = &run.spec.template;
    let examples = inputs
        .train
        .iter()
        .map(|doc| inputs.encoder.example(spec, doc))
        .collect::<Result<Vec<_>, _>>()?;
    let (network, selected_epoch) = finetune(run, &inputs, &examples, &mut writer, progress)?;
    let training_seconds = started.elapsed().as_secs_f64();
    let generation_started = Instant::now();
    let generated = generate_split(&network, &inputs, spec, &inputs.test, "test", progress)?;
    let generation_seconds = generation_started.elapsed().as_secs_f64();
    let evaluation = evaluate(spec, &inputs.extractor, &inputs.test, &generated)?;
    if options.keep_checkpoints {
        let folder = writer.checkpoint_folder()?;
        save_finetuned(run, &inputs, &network, &folder)?;
        for name in CHECKPOINT_FILES {
            let from = inputs.checkpoint.folder.join(name);
            if from.is_file() {
                std::fs::copy(&from, folder.join(name)).map_err(|error| {
                    RunError::Invalid(format!("copy {}: {error}", from.display()))
                })?;
            }
        }
    }
    writer.write_predictions(&evaluation.predictions)?;
    let metrics = Metrics {
        strict: evaluation.strict,
        paper: evaluation.paper,
        timing: Timing {
            training_seconds,
            generation_seconds,
        },
    };
    writer.finish(metrics.clone())?;
    Ok(RunOutcome {
        metrics,
        selected_epoch,
    })
}

/// Reads the corpus, the checkpoint (built first for a model made from scratch) and the
/// template's extractor; picks the training documents.
fn prepare(run: &Run, results: &Path, options: &RunOptions) -> Result<Inputs, RunError> {
    let splits = load_dataset(&run.spec.dataset.spec)?;
    let folder = match &run.spec.model.weights {
        Weights::Checkpoint(folder) => folder.clone(),
        Weights::Init(scratch) => initial_checkpoint(
            results,
            run.spec.model.family,
            scratch,
            &run.spec.template,
            &splits.train,
        )?,
    };
    let train = match &run.spec.sample {
        None => splits.train,
        Some(sample) => {
            let ids: Vec<&str> = splits.train.iter().map(|d| d.id.as_str()).collect();
            let chosen = sample_ids(&ids, sample.count as usize, run.seed);
            if let Some(planned) = &sample.ids_hash {
                let found = hash_ids(&chosen);
                if &found != planned {
                    return Err(RunError::SampleChanged {
                        count: sample.count,
                        planned: planned.clone(),
                        found,
                    });
                }
            }
            let mut by_id: std::collections::HashMap<String, Document> = splits
                .train
                .into_iter()
                .map(|d| (d.id.clone(), d))
                .collect();
            chosen.iter().filter_map(|id| by_id.remove(id)).collect()
        }
    };
    if train.is_empty() {
        return Err(RunError::Invalid("no training documents".into()));
    }
    let training = &run.spec.training;
    if training.selection == Selection::BestValidation && splits.validation.is_empty() {
        return Err(RunError::Invalid(
            "selection = best-validation, but the validation split is empty".into(),
        ));
    }
    check_dtype(&options.device, dtype(training.precision)).map_err(RunError::Invalid)?;
    let checkpoint = Checkpoint::open(&folder)?;
    let family = run.spec.model.family;
    if family.is_encoder_decoder() != checkpoint.config.is_encoder_decoder() {
        return Err(RunError::Invalid(format!(
            "the study says family {family}, but {} holds a different architecture",
            checkpoint.folder.display()
        )));
    }
    let settings = run_settings(&checkpoint.generation, &run.spec.model.generation);
    let (shape, pads) = shape_and_pads(family.is_encoder_decoder(), &settings)?;
    let encoder = Encoder::new(
        &checkpoint.tokenizer,
        shape,
        training.max_source_tokens as usize,
        training.max_target_tokens as usize,
    )?;
    Ok(Inputs {
        device: options.device.clone(),
        extractor: Extractor::derive(&run.spec.template)?,
        checkpoint,
        encoder,
        settings,
        pads,
        train,
        validation: splits.validation,
        test: splits.test,
    })
}

fn shape_and_pads(
    encoder_decoder: bool,
    settings: &GenerationSettings,
) -> Result<(Shape, PadIds), RunError> {
    if encoder_decoder {
        let decoder_start = settings.decoder_start_token_id.ok_or_else(|| {
            RunError::Invalid("the checkpoint names no decoder_start_token_id".into())
        })?;
        let pad = settings.pad_token_id.unwrap_or(decoder_start);
        Ok((
            Shape::EncoderDecoder { decoder_start },
            PadIds {
                input: pad,
                decoder: pad,
            },
        ))
    } else {
        let eos = settings
            .eos_token_ids
            .first()
            .copied()
            .ok_or_else(|| RunError::Invalid("the checkpoint names no eos_token_id".into()))?;
        let pad = settings.greedy_fill();
        Ok((
            Shape::DecoderOnly { eos },
            PadIds {
                input: pad,
                decoder: pad,
            },
        ))
    }
}

/// Trains for the run's epochs; returns the selected weights (off the autodiff device) and
/// their epoch.
fn finetune(
    run: &Run,
    inputs: &Inputs,
    examples: &[Example],
    writer: &mut RunWriter,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Network, u32), RunError> {
    let params = &run.spec.training;
    let started = Instant::now();
    let mut network = inputs
        .checkpoint
        .network_as(&inputs.device.clone().autodiff(), dtype(params.precision))?;
    if let Some(settings) = &params.lora {
        network = lora::attach(network, &lora_config(settings), run.seed)?;
    }
    let summary = lora::parameter_summary(&network);
    let mut trainer = Trainer::new(params, examples.len(), run.seed, inputs.pads);
    progress(Progress::Training {
        epochs: params.epochs,
        total_steps: trainer.total_steps(),
        documents: examples.len(),
        trainable: summary.trainable,
        parameters: summary.parameters,
    });
    let mut best: Option<(f64, u32, Network)> = None;
    let mut validation_gold: Option<GoldIndex> = None;
    for epoch in 1..=params.epochs {
        network = trainer.train_epoch(network, epoch, examples, &mut |report| {
            writer.log(&LogEvent::Step {
                epoch: report.epoch,
                step: report.step,
                loss: report.loss,
                learning_rate: report.learning_rate,
                tokens_per_second: report.tokens_per_second,
                elapsed_seconds: started.elapsed().as_secs_f64(),
            })?;
            progress(Progress::Step(report));
            Ok(())
        })?;
        if params.selection == Selection::BestValidation {
            let candidate = network.valid();
            let spec = &run.spec.template;
            let generated = generate_split(
                &candidate,
                inputs,
                spec,
                &inputs.validation,
                "validation",
                progress,
            )?;
            // The validation gold is prepared at the first validation and reused after it.
            let gold = match &mut validation_gold {
                Some(gold) => gold,
                slot @ None => slot.insert(GoldIndex::new(spec, &inputs.validation)?),
            };
            let f1 = gold
                .score(&inputs.extractor, &generated, CountingMode::Strict)?
                .micro
                .f1;
            writer.log(&LogEvent::Validation {
                epoch,
                f1,
                elapsed_seconds: started.elapsed().as_secs_f64(),
            })?;
            progress(Progress::Validation { epoch, f1 });
            if best.as_ref().is_none_or(|(best_f1, _, _)| f1 > *best_f1) {
                best = Some((f1, epoch, candidate));
            }
        }
    }
    Ok(match best {
        Some((_, epoch, weights)) => (weights, epoch),
        None => (network.valid(), params.epochs),
    })
}

/// The burn dtype of a precision.
fn dtype(precision: Precision) -> FloatDType {
    match precision {
        Precision::F32 => FloatDType::F32,
        Precision::Bf16 => FloatDType::BF16,
        Precision::F16 => FloatDType::F16,
    }
}

/// The model layer's LoRA settings of a run's.
fn lora_config(settings: &LoraParams) -> LoraConfig {
    LoraConfig {
        rank: settings.rank as usize,
        alpha: settings.alpha,
        dropout: settings.dropout,
        targets: settings.targets.clone(),
    }
}

/// Writes the finetuned weights as `model.safetensors`. A LoRA run writes the adapters merged
/// into the `f32` checkpoint weights (adapters trained over a half-precision base are moved onto
/// the `f32` base first, so the export is not rounded to the training precision), and the
/// adapters alone in PEFT's layout under [`ADAPTER_FOLDER`].
fn save_finetuned(
    run: &Run,
    inputs: &Inputs,
    network: &Network,
    folder: &std::path::Path,
) -> Result<(), RunError> {
    let weights = folder.join("model.safetensors");
    let Some(settings) = &run.spec.training.lora else {
        return Ok(save_weights(network, &weights)?);
    };
    let config = lora_config(settings);
    lora::save_adapters(
        network,
        &config,
        &inputs.checkpoint.folder,
        &folder.join(ADAPTER_FOLDER),
    )?;
    if run.spec.training.precision.is_f32() {
        return Ok(save_weights(network, &weights)?);
    }
    let base = inputs.checkpoint.network(&inputs.device)?;
    let values = lora::adapter_values(network)?;
    let merged = lora::attach_values(base, &config, &values)?;
    Ok(save_weights(&merged, &weights)?)
}

fn generate_split(
    network: &Network,
    inputs: &Inputs,
    spec: &TemplateSpec,
    documents: &[Document],
    split: &'static str,
    progress: &mut dyn FnMut(Progress),
) -> Result<std::collections::BTreeMap<String, String>, RunError> {
    let prompts = documents
        .iter()
        .map(|doc| {
            Ok(Prompt {
                id: doc.id.clone(),
                ids: inputs.encoder.prompt(spec, doc)?,
            })
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    let total = prompts.len();
    progress(Progress::Generating {
        split,
        done: 0,
        total,
    });
    let tokenizer: &TextTokenizer = &inputs.checkpoint.tokenizer;
    generate(
        network,
        tokenizer,
        &inputs.settings,
        &prompts,
        GENERATION_BATCH,
        &mut |done| progress(Progress::Generating { split, done, total }),
    )
}
