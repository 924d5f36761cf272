//! `model NAME { family, checkpoint | init, tags, generation }`.

use super::fields::{self, Fields};
use super::study::{Family, Generation, Model, ModelSource, ScratchModel};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::scratch::scratch_config;
use crate::syntax::ast::{Block, Value, ValueKind};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks a model block; `model_root` is where checkpoint folders are looked up.
pub fn check(
    block: &Block,
    name: &str,
    model_root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Model> {
    let mut fields = Fields::new(
        &block.fields,
        format!("model `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let family = fields
        .require("family", "\"t5\"")
        .and_then(|f| family(&f.value, diagnostics));
    let init = fields.get("init");
    let checkpoint = if init.is_some() {
        fields.get("checkpoint")
    } else {
        fields.require("checkpoint", "\"t5-small\"")
    };
    let checkpoint = checkpoint.and_then(|f| fields::string(&f.value, diagnostics).map(|s| (s, f)));
    let tags = fields
        .get("tags")
        .map(|f| tags(&f.value, diagnostics))
        .unwrap_or_default();
    let generation = fields
        .get("generation")
        .and_then(|f| generation(&f.value, diagnostics));
    fields.finish(diagnostics);

    let source = match (checkpoint, init) {
        (Some((_, checkpoint)), Some(init)) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::ModelSource,
                    format!("model `{name}` has both a checkpoint and an `init` block"),
                )
                .at(init.key.span, "built from scratch here")
                .also(checkpoint.key.span, "and loaded from a checkpoint here")
                .help("keep `checkpoint` to finetune pretrained weights, or `init` to start from random weights"),
            );
            return None;
        }
        (None, Some(init)) => ModelSource::Scratch(scratch(&init.value, family?, diagnostics)?),
        (Some((checkpoint_name, field)), None) => {
            let path = super::load::normalize(&model_root.join(&checkpoint_name));
            let available = path.is_dir();
            if !available {
                diagnostics.push(
                    Diagnostic::new(Code::MissingCheckpoint, format!("checkpoint folder of model `{name}` not found"))
                        .at(field.value.span, "no such folder")
                        .note(format!("resolved path: {}", path.display()))
                        .help("the study still plans; runs of this model are blocked until the folder exists (set the model root with --model-root or EXPC_MODELS)"),
                );
            }
            ModelSource::Checkpoint { path, available }
        }
        (None, None) => return None,
    };
    Some(Model {
        family: family?,
        source,
        tags,
        generation: generation.unwrap_or_default(),
        span: block.span,
    })
}

/// `init { seed, config { … }, tokenizer { vocab_size, min_frequency } }`.
fn scratch(
    value: &Value,
    family: Family,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ScratchModel> {
    let entries = fields::object(value, diagnostics)?;
    let mut fields = Fields::new(entries, "`init`", value.span, diagnostics);
    let seed = fields
        .require("seed", "1")
        .and_then(|f| fields::integer(&f.value, 0, i64::MAX, diagnostics));
    let config = fields.require("config", "{ d_model = 128, … }");
    let tokenizer = fields
        .require("tokenizer", "{ vocab_size = 2000 }")
        .and_then(|f| tokenizer(&f.value, diagnostics));
    fields.finish(diagnostics);
    let config_field = config?;
    let declared = config_object(&config_field.value, diagnostics)?;
    let (vocab_size, min_frequency) = tokenizer?;
    let config = match scratch_config(family.name(), &declared, vocab_size as usize) {
        Ok(config) => config,
        Err(message) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::ModelConfig,
                    format!("invalid configuration for a {family} model: {message}"),
                )
                .at(config_field.value.span, "this configuration")
                .note("fields are those of the family's Hugging Face `config.json`"),
            );
            return None;
        }
    };
    Some(ScratchModel {
        config,
        seed: u64::try_from(seed?).ok()?,
        vocab_size,
        min_frequency,
    })
}

fn tokenizer(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<(u32, u32)> {
    let entries = fields::object(value, diagnostics)?;
    let mut fields = Fields::new(entries, "`tokenizer`", value.span, diagnostics);
    let vocab_size = fields
        .require("vocab_size", "2000")
        .and_then(|f| fields::count(&f.value, 8, diagnostics));
    let min_frequency = match fields.get("min_frequency") {
        Some(f) => fields::count(&f.value, 1, diagnostics),
        None => Some(2),
    };
    fields.finish(diagnostics);
    Some((vocab_size?, min_frequency?))
}

/// The `config` object as JSON: strings, numbers, booleans and lists of them.
fn config_object(
    value: &Value,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let entries = fields::object(value, diagnostics)?;
    let mut config = serde_json::Map::new();
    let mut valid = true;
    for entry in entries {
        if config.contains_key(&entry.key.node) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!("`{}` is given twice", entry.key.node),
                )
                .at(entry.key.span, "given again here"),
            );
            valid = false;
            continue;
        }
        match json_value(&entry.value, diagnostics) {
            Some(json) => {
                config.insert(entry.key.node.clone(), json);
            }
            None => valid = false,
        }
    }
    valid.then_some(config)
}

fn json_value(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<serde_json::Value> {
    Some(match &value.kind {
        ValueKind::String(s) => s.clone().into(),
        ValueKind::Int(i) => (*i).into(),
        ValueKind::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(number) => number.into(),
            None => {
                diagnostics.push(fields::out_of_range(value, "a finite number"));
                return None;
            }
        },
        ValueKind::Bool(b) => (*b).into(),
        ValueKind::List(items) => items
            .iter()
            .map(|item| json_value(item, diagnostics))
            .collect::<Option<Vec<_>>>()?
            .into(),
        ValueKind::Object(_) | ValueKind::Reference(_) => {
            diagnostics.push(fields::wrong_type(
                value,
                "a string, number, boolean or list (a `config.json` value)",
            ));
            return None;
        }
    })
}

fn family(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Family> {
    let (ValueKind::String(word) | ValueKind::Reference(word)) = &value.kind else {
        diagnostics.push(fields::wrong_type(value, "a model family"));
        return None;
    };
    if let Some(family) = Family::ALL.into_iter().find(|f| f.name() == word) {
        return Some(family);
    }
    let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
    diagnostics.push(
        Diagnostic::new(
            Code::UnsupportedFamily,
            format!("model family `{word}` is not supported"),
        )
        .at(value.span, "unsupported family")
        .maybe_help(
            encoder_only(word)
                .or_else(|| crate::diagnostic::did_you_mean(word, names.iter().copied())),
        )
        .note(format!("supported families: {}", names.join(", "))),
    );
    None
}

/// Why an encoder-only family (BERT and its kin) cannot be used, rather than a look-alike name.
fn encoder_only(word: &str) -> Option<String> {
    let encoders = [
        "bert",
        "roberta",
        "deberta",
        "electra",
        "albert",
        "distilbert",
        "biobert",
        "pubmedbert",
        "scibert",
    ];
    encoders.contains(&word.to_ascii_lowercase().as_str()).then(|| {
        format!("`{word}` is an encoder-only architecture: it cannot generate text; expc needs an encoder-decoder (t5, bart) or a decoder-only model (gpt2, gpt-neo, biogpt, llama)")
    })
}

fn tags(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let Some(entries) = fields::object(value, diagnostics) else {
        return tags;
    };
    // Tags are free-form: any key is allowed, so only duplicates and types are checked.
    for (i, entry) in entries.iter().enumerate() {
        if entries[..i].iter().any(|e| e.key.node == entry.key.node) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!("tag `{}` is given twice", entry.key.node),
                )
                .at(entry.key.span, "given again here"),
            );
            continue;
        }
        let text = match &entry.value.kind {
            ValueKind::String(s) | ValueKind::Reference(s) => s.clone(),
            ValueKind::Int(i) => i.to_string(),
            ValueKind::Float(f) => f.to_string(),
            ValueKind::Bool(b) => b.to_string(),
            _ => {
                diagnostics.push(fields::wrong_type(
                    &entry.value,
                    "a string, number or boolean",
                ));
                continue;
            }
        };
        tags.insert(entry.key.node.clone(), text);
    }
    tags
}

fn generation(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Generation> {
    let entries = fields::object(value, diagnostics)?;
    let mut fields = Fields::new(entries, "`generation`", value.span, diagnostics);
    let mut generation = Generation::default();
    if let Some(f) = fields.get("beams") {
        generation.beams = fields::count(&f.value, 1, diagnostics).unwrap_or(generation.beams);
    }
    if let Some(f) = fields.get("no_repeat_ngram") {
        generation.no_repeat_ngram = fields::count(&f.value, 0, diagnostics).unwrap_or(0);
    }
    if let Some(f) = fields.get("max_new_tokens") {
        generation.max_new_tokens =
            fields::count(&f.value, 1, diagnostics).unwrap_or(generation.max_new_tokens);
    }
    if let Some(f) = fields.get("length_penalty") {
        generation.length_penalty =
            fields::number(&f.value, fields::Bound::Any, diagnostics).unwrap_or(1.0);
    }
    if let Some(f) = fields.get("early_stopping") {
        generation.early_stopping = fields::boolean(&f.value, diagnostics).unwrap_or(false);
    }
    fields.finish(diagnostics);
    Some(generation)
}
