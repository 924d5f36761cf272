//! The target: a document's relations written as sentences, or the null sentence.

use super::engine::render;
use super::error::{TemplateError, TemplatePart};
use super::gold::{GoldRelation, target_relations};
use super::segments::LABEL_VARIABLE;
use super::spec::TemplateSpec;
use crate::corpus::document::Document;
use std::collections::BTreeMap;

/// Renders the target of `doc`: each distinct relation sentence once, in corpus order, joined by
/// `separator` and followed by `terminator`; `null` when the document has no relation.
///
/// Relations that would be written identically (e.g. two mention pairs of one ChemProt entity
/// pair) are written once: the text cannot tell them apart.
pub fn render_target(spec: &TemplateSpec, doc: &Document) -> Result<String, TemplateError> {
    let relations = target_relations(spec, doc)?;
    if relations.is_empty() {
        return Ok(spec.null.clone());
    }
    let mut sentences: Vec<String> = Vec::with_capacity(relations.len());
    for relation in &relations {
        let sentence = render_relation(spec, &doc.id, relation)?;
        if !sentences.contains(&sentence) {
            sentences.push(sentence);
        }
    }
    Ok(format!(
        "{}{}",
        sentences.join(&spec.separator),
        spec.terminator
    ))
}

/// The one sequence a decoder-only model reads: `source + decoder_join + target`.
pub fn decoder_text(spec: &TemplateSpec, source: &str, target: &str) -> String {
    format!("{source}{}{target}", spec.decoder_join)
}

/// Renders one relation sentence of document `document`.
pub fn render_relation(
    spec: &TemplateSpec,
    document: &str,
    relation: &GoldRelation,
) -> Result<String, TemplateError> {
    let mut context: BTreeMap<&str, String> = BTreeMap::new();
    let rendered: Vec<&str> = relation
        .arguments
        .iter()
        .map(|a| a.rendered.as_str())
        .collect();
    match spec.list_role() {
        Some(role) => {
            context.insert(role, spec.list.join(&rendered));
        }
        None => context.extend(
            spec.arguments
                .iter()
                .map(String::as_str)
                .zip(rendered.iter().map(|s| (*s).to_owned())),
        ),
    }
    let word = spec.label_word(&relation.label).unwrap_or_default();
    context.insert(LABEL_VARIABLE, word.to_owned());
    render(TemplatePart::Relation, &spec.relation, document, context)
}

/// The target's fixed wording, without any relation: each label's sentence with empty
/// arguments, and the null sentence. Text a tokenizer may learn from without seeing a label.
pub fn fixed_phrases(spec: &TemplateSpec) -> Result<Vec<String>, TemplateError> {
    let mut phrases = Vec::with_capacity(spec.labels.len() + 1);
    for word in spec.labels.values() {
        let mut context: BTreeMap<&str, String> = spec
            .arguments
            .iter()
            .map(|role| (role.as_str(), String::new()))
            .collect();
        context.insert(LABEL_VARIABLE, word.clone());
        let sentence = render(TemplatePart::Relation, &spec.relation, "", context)?;
        phrases.push(format!("{sentence}{}", spec.terminator));
    }
    phrases.push(spec.null.clone());
    Ok(phrases)
}
