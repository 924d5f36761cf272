//! The checked study: every declaration resolved, typed and validated. Input of planning.

use super::example::TemplateExample;
use crate::corpus::DatasetSpec;
use crate::source::Span;
use crate::template::spec::TemplateSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// A study after checking.
#[derive(Debug, Clone)]
pub struct Study {
    /// The study's name (its `name` field, or the file stem).
    pub name: String,
    /// The root `.exp` file.
    pub path: PathBuf,
    /// Where results are written.
    pub results: PathBuf,
    /// Models by name.
    pub models: BTreeMap<String, Model>,
    /// Datasets by name.
    pub datasets: BTreeMap<String, Dataset>,
    /// Templates by name.
    pub templates: BTreeMap<String, Template>,
    /// Training profiles by name.
    pub trainings: BTreeMap<String, Training>,
    /// Tasks by name.
    pub tasks: BTreeMap<String, Task>,
    /// Experiments in declaration order.
    pub experiments: Vec<Experiment>,
}

/// The architecture families expc knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// T5 v1.0 and v1.1 (Flan-T5, SciFive): encoder-decoder.
    T5,
    /// BART (BioBART, In-BoXBART): encoder-decoder.
    Bart,
    /// GPT-2 (BioMedLM): decoder-only.
    Gpt2,
    /// GPT-Neo: decoder-only.
    GptNeo,
    /// BioGPT: decoder-only.
    Biogpt,
    /// Llama: decoder-only.
    Llama,
}

impl Family {
    /// Every family, in order.
    pub const ALL: [Family; 6] = [
        Family::T5,
        Family::Bart,
        Family::Gpt2,
        Family::GptNeo,
        Family::Biogpt,
        Family::Llama,
    ];

    /// The name used in `.exp` files.
    pub fn name(self) -> &'static str {
        match self {
            Family::T5 => "t5",
            Family::Bart => "bart",
            Family::Gpt2 => "gpt2",
            Family::GptNeo => "gpt-neo",
            Family::Biogpt => "biogpt",
            Family::Llama => "llama",
        }
    }

    /// Whether the model reads the source with an encoder and writes the target with a decoder.
    pub fn is_encoder_decoder(self) -> bool {
        matches!(self, Family::T5 | Family::Bart)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Decoding settings of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Beam width (1 = greedy).
    pub beams: u32,
    /// Forbid repeating n-grams of this size (0 = off).
    pub no_repeat_ngram: u32,
    /// Maximum number of generated tokens.
    pub max_new_tokens: u32,
    /// Beam score length penalty exponent.
    pub length_penalty: f64,
    /// Stop beam search when `beams` hypotheses are finished.
    pub early_stopping: bool,
}

impl Default for Generation {
    fn default() -> Self {
        Self {
            beams: 1,
            no_repeat_ngram: 0,
            max_new_tokens: 512,
            length_penalty: 1.0,
            early_stopping: false,
        }
    }
}

/// `model NAME { … }`.
#[derive(Debug, Clone)]
pub struct Model {
    /// Architecture family.
    pub family: Family,
    /// Where the weights come from.
    pub source: ModelSource,
    /// Descriptive tags for reports.
    pub tags: BTreeMap<String, String>,
    /// Decoding settings.
    pub generation: Generation,
    /// The declaration.
    pub span: Span,
}

/// A pretrained checkpoint folder, or a model built from scratch.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// `checkpoint = "…"`.
    Checkpoint {
        /// Absolute checkpoint folder.
        path: PathBuf,
        /// Whether the folder exists.
        available: bool,
    },
    /// `init { … }`.
    Scratch(ScratchModel),
}

/// A model initialised from scratch: configuration, seeded random weights, and a tokenizer
/// learned from the training split of each run's dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScratchModel {
    /// The complete `config.json`: the family's defaults, the declared fields, and the
    /// tokenizer's special token ids and `vocab_size`.
    pub config: serde_json::Map<String, serde_json::Value>,
    /// Seed of the random weights.
    pub seed: u64,
    /// Tokens of the learned tokenizer, special tokens included (an upper bound: a small corpus
    /// may yield fewer).
    pub vocab_size: u32,
    /// Pairs seen fewer times than this are not merged.
    pub min_frequency: u32,
}

/// `dataset NAME { … }`.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Format and absolute paths.
    pub spec: DatasetSpec,
    /// Paths the dataset reads that do not exist.
    pub missing: Vec<PathBuf>,
    /// The declaration.
    pub span: Span,
}

/// `template NAME { … }`.
#[derive(Debug, Clone)]
pub struct Template {
    /// The checked template.
    pub spec: TemplateSpec,
    /// Example outputs with the relations the extractor must read from them; not part of the
    /// spec, so they never change a run's identity.
    pub examples: Vec<TemplateExample>,
    /// Template files read (absolute), whose content is part of run identity through the texts.
    pub files: Vec<PathBuf>,
    /// Where the source template text is written (for variable errors).
    pub source_span: Span,
    /// The declaration.
    pub span: Span,
}

/// Few-shot sizes or the full training split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shots {
    /// `k` training documents sampled with the run's seed.
    Few(u32),
    /// The whole training split.
    Full,
}

impl fmt::Display for Shots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shots::Few(k) => write!(f, "{k}"),
            Shots::Full => f.write_str("full"),
        }
    }
}

impl Serialize for Shots {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Shots::Few(k) => serializer.serialize_u32(*k),
            Shots::Full => serializer.serialize_str("full"),
        }
    }
}

impl<'de> Deserialize<'de> for Shots {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum: no buffering of the value (plans hold one
        // `shots` per run).
        struct ShotsVisitor;
        impl serde::de::Visitor<'_> for ShotsVisitor {
            type Value = Shots;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or \"full\"")
            }
            fn visit_u64<E: serde::de::Error>(self, k: u64) -> Result<Shots, E> {
                u32::try_from(k)
                    .map(Shots::Few)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(k), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, k: i64) -> Result<Shots, E> {
                u32::try_from(k)
                    .map(Shots::Few)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(k), &self))
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Shots, E> {
                if word == "full" {
                    Ok(Shots::Full)
                } else {
                    Err(E::custom(format!(
                        "expected a number or \"full\", found {word:?}"
                    )))
                }
            }
        }
        deserializer.deserialize_any(ShotsVisitor)
    }
}

/// How the finetuned model of a run is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// The epoch with the best validation F1 (from generated text).
    BestValidation,
    /// The model after the last epoch.
    LastEpoch,
}

/// The precision a run keeps its frozen base weights in (adapters and optimiser state stay in
/// `f32`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats (no conversion).
    #[default]
    F32,
    /// bfloat16: `f32`'s range, 8 bits of mantissa.
    Bf16,
    /// IEEE half: 11 bits of mantissa, range up to 65504.
    F16,
}

impl Precision {
    /// Every precision with its name in `.exp` files.
    pub const NAMES: [(&'static str, Precision); 3] = [
        ("f32", Precision::F32),
        ("bf16", Precision::Bf16),
        ("f16", Precision::F16),
    ];

    /// Whether this is `f32`, the default, left out of run keys.
    pub fn is_f32(&self) -> bool {
        *self == Precision::F32
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Precision::NAMES
            .iter()
            .find(|(_, p)| p == self)
            .map_or("f32", |(n, _)| n);
        f.write_str(name)
    }
}

/// `lora { rank, alpha, dropout, targets }`: finetune low-rank adapters on the dense layers
/// whose Hugging Face module name ends with a target; every other weight stays frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoraParams {
    /// Rank `r` of the adapters.
    pub rank: u32,
    /// The adapters' output is scaled by `alpha / rank`.
    pub alpha: f64,
    /// Dropout probability on the adapters' input while training.
    pub dropout: f64,
    /// Target module names, sorted (their order means nothing).
    pub targets: Vec<String>,
}

/// Every training hyper-parameter of a run, after defaults and overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingParams {
    /// Passes over the training documents.
    pub epochs: u32,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Documents per forward pass.
    pub batch_size: u32,
    /// Forward passes per optimiser step.
    pub grad_accumulation: u32,
    /// Share of steps with linearly rising learning rate.
    pub warmup_ratio: f64,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// AdamW β₁.
    pub adam_beta1: f64,
    /// AdamW β₂.
    pub adam_beta2: f64,
    /// AdamW ε.
    pub adam_epsilon: f64,
    /// Gradient norm clipping threshold.
    pub max_grad_norm: f64,
    /// Source truncation length in tokens.
    pub max_source_tokens: u32,
    /// Target truncation length in tokens.
    pub max_target_tokens: u32,
    /// Model selection rule.
    pub selection: Selection,
    /// LoRA adapters to train instead of every weight (absent: full finetuning). Left out of
    /// the run key when absent, so runs without LoRA keep their ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lora: Option<LoraParams>,
    /// Precision of the frozen base weights (left out of the run key when `f32`).
    #[serde(default, skip_serializing_if = "Precision::is_f32")]
    pub precision: Precision,
}

impl Default for TrainingParams {
    /// transformers' `Trainer` defaults, as the paper used them.
    fn default() -> Self {
        Self {
            epochs: 3,
            learning_rate: 5e-5,
            batch_size: 8,
            grad_accumulation: 1,
            warmup_ratio: 0.0,
            weight_decay: 0.0,
            adam_beta1: 0.9,
            adam_beta2: 0.999,
            adam_epsilon: 1e-8,
            max_grad_norm: 1.0,
            max_source_tokens: 512,
            max_target_tokens: 512,
            selection: Selection::LastEpoch,
            lora: None,
            precision: Precision::F32,
        }
    }
}

/// Some training hyper-parameters, as one profile or `when` clause sets them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingOverrides {
    /// See [`TrainingParams::epochs`].
    pub epochs: Option<u32>,
    /// See [`TrainingParams::learning_rate`].
    pub learning_rate: Option<f64>,
    /// See [`TrainingParams::batch_size`].
    pub batch_size: Option<u32>,
    /// See [`TrainingParams::grad_accumulation`].
    pub grad_accumulation: Option<u32>,
    /// See [`TrainingParams::warmup_ratio`].
    pub warmup_ratio: Option<f64>,
    /// See [`TrainingParams::weight_decay`].
    pub weight_decay: Option<f64>,
    /// See [`TrainingParams::adam_beta1`].
    pub adam_beta1: Option<f64>,
    /// See [`TrainingParams::adam_beta2`].
    pub adam_beta2: Option<f64>,
    /// See [`TrainingParams::adam_epsilon`].
    pub adam_epsilon: Option<f64>,
    /// See [`TrainingParams::max_grad_norm`].
    pub max_grad_norm: Option<f64>,
    /// See [`TrainingParams::max_source_tokens`].
    pub max_source_tokens: Option<u32>,
    /// See [`TrainingParams::max_target_tokens`].
    pub max_target_tokens: Option<u32>,
    /// See [`TrainingParams::selection`].
    pub selection: Option<Selection>,
    /// See [`TrainingParams::lora`].
    pub lora: Option<LoraParams>,
    /// See [`TrainingParams::precision`].
    pub precision: Option<Precision>,
}

impl TrainingOverrides {
    /// Writes every set field onto `params`.
    pub fn apply(&self, params: &mut TrainingParams) {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = self.$field { params.$field = v; })* };
        }
        set!(
            epochs,
            learning_rate,
            batch_size,
            grad_accumulation,
            warmup_ratio,
            weight_decay,
            adam_beta1,
            adam_beta2,
            adam_epsilon,
            max_grad_norm,
            max_source_tokens,
            max_target_tokens,
            selection,
            precision
        );
        if let Some(lora) = &self.lora {
            params.lora = Some(lora.clone());
        }
    }
}

/// The run coordinates a `when` clause tests; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Condition {
    /// Shot settings that match.
    pub shots: Option<Vec<Shots>>,
    /// Model names that match.
    pub models: Option<Vec<String>>,
    /// Task names that match.
    pub tasks: Option<Vec<String>>,
    /// Seeds that match.
    pub seeds: Option<Vec<u64>>,
}

impl Condition {
    /// Whether a run with these coordinates matches.
    pub fn matches(&self, model: &str, task: &str, shots: Shots, seed: u64) -> bool {
        self.shots.as_ref().is_none_or(|s| s.contains(&shots))
            && self
                .models
                .as_ref()
                .is_none_or(|m| m.iter().any(|x| x == model))
            && self
                .tasks
                .as_ref()
                .is_none_or(|t| t.iter().any(|x| x == task))
            && self.seeds.as_ref().is_none_or(|s| s.contains(&seed))
    }
}

/// `training NAME { … }`: a base profile and conditional overrides.
#[derive(Debug, Clone, Default)]
pub struct Training {
    /// Fields set in the block itself.
    pub base: TrainingOverrides,
    /// `when` clauses in order; later ones win.
    pub whens: Vec<(Condition, TrainingOverrides)>,
}

impl Training {
    /// The parameters of a run with these coordinates.
    pub fn resolve(&self, model: &str, task: &str, shots: Shots, seed: u64) -> TrainingParams {
        let mut params = TrainingParams::default();
        self.base.apply(&mut params);
        for (condition, overrides) in &self.whens {
            if condition.matches(model, task, shots, seed) {
                overrides.apply(&mut params);
            }
        }
        params
    }
}

/// `task NAME { dataset = …, template = … }`.
#[derive(Debug, Clone)]
pub struct Task {
    /// The dataset's name.
    pub dataset: String,
    /// The template's name.
    pub template: String,
    /// Where the task is named.
    pub span: Span,
}

/// `experiment NAME { … }`: a grid of runs.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The experiment's name.
    pub name: String,
    /// Models, in the order written.
    pub models: Vec<String>,
    /// Tasks, in the order written.
    pub tasks: Vec<String>,
    /// Shot settings, in the order written.
    pub shots: Vec<Shots>,
    /// Seeds, in the order written.
    pub seeds: Vec<u64>,
    /// The training profile's name (`None`: defaults).
    pub training: Option<String>,
    /// Where the experiment is named.
    pub span: Span,
}
