//! The prompt: a document rendered through the `source` template, and what that template reads.

use super::engine::{environment, render, syntax_error};
use super::error::{TemplateError, TemplatePart};
use super::spec::TemplateSpec;
use crate::corpus::document::Document;
use minijinja::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Renders the prompt of `doc`.
///
/// The template sees `id`, `text`, `entities` (each `{id, kind, mentions: [text…], text}`, where
/// `text` is the first mention), `relations` (each `{label, arguments: [entity id…], unordered}`)
/// and every key of `doc.fields`; the four fixed names win over a field of the same name.
pub fn render_source(spec: &TemplateSpec, doc: &Document) -> Result<String, TemplateError> {
    render(TemplatePart::Source, &spec.source, &doc.id, source_context(doc))
}

/// The variables a source template reads from its context (minijinja's undeclared variables),
/// or the syntax error that stops it from parsing, located within `text`.
pub fn source_variables(text: &str) -> Result<BTreeSet<String>, TemplateError> {
    let env = environment();
    let template =
        env.template_from_str(text).map_err(|error| syntax_error(TemplatePart::Source, text, &error))?;
    Ok(template.undeclared_variables(false).into_iter().collect())
}

/// An entity as a source template sees it.
#[derive(Serialize)]
struct EntityView<'a> {
    id: &'a str,
    kind: &'a str,
    mentions: Vec<&'a str>,
    text: &'a str,
}

/// A gold relation as a source template sees it.
#[derive(Serialize)]
struct RelationView<'a> {
    label: &'a str,
    arguments: Vec<&'a str>,
    unordered: bool,
}

fn source_context(doc: &Document) -> BTreeMap<String, Value> {
    let mut context: BTreeMap<String, Value> =
        doc.fields.iter().map(|(key, value)| (key.clone(), Value::from(value.as_str()))).collect();
    let entities: Vec<EntityView<'_>> = doc
        .entities
        .iter()
        .map(|entity| {
            let mentions: Vec<&str> = entity.mentions.iter().map(|m| m.text.as_str()).collect();
            let text = mentions.first().copied().unwrap_or_default();
            EntityView { id: &entity.id, kind: &entity.kind, mentions, text }
        })
        .collect();
    let relations: Vec<RelationView<'_>> = doc
        .relations
        .iter()
        .map(|relation| RelationView {
            label: &relation.label,
            arguments: relation
                .arguments
                .iter()
                .filter_map(|&index| doc.entities.get(index).map(|entity| entity.id.as_str()))
                .collect(),
            unordered: relation.unordered,
        })
        .collect();
    context.insert("id".into(), Value::from(doc.id.as_str()));
    context.insert("text".into(), Value::from(doc.text.as_str()));
    context.insert("entities".into(), Value::from_serialize(&entities));
    context.insert("relations".into(), Value::from_serialize(&relations));
    context
}
