//! `model NAME { family, checkpoint, tags, generation }`.

use super::fields::{self, Fields};
use super::study::{Family, Generation, Model};
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{Block, ValueKind};
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
    let checkpoint = fields
        .require("checkpoint", "\"t5-small\"")
        .and_then(|f| fields::string(&f.value, diagnostics).map(|s| (s, f)));
    let tags = fields
        .get("tags")
        .map(|f| tags(&f.value, diagnostics))
        .unwrap_or_default();
    let generation = fields
        .get("generation")
        .and_then(|f| generation(&f.value, diagnostics));
    fields.finish(diagnostics);

    let (checkpoint_name, field) = checkpoint?;
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
    Some(Model {
        family: family?,
        checkpoint: path,
        checkpoint_name,
        available,
        tags,
        generation: generation.unwrap_or_default(),
        span: block.span,
    })
}

fn family(value: &crate::syntax::ast::Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Family> {
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

fn tags(
    value: &crate::syntax::ast::Value,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
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

fn generation(
    value: &crate::syntax::ast::Value,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Generation> {
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
