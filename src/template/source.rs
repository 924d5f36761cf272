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
    render(
        TemplatePart::Source,
        &spec.source,
        &doc.id,
        source_context(doc),
    )
}

/// The variables a source template reads from its context (minijinja's undeclared variables),
/// or the syntax error that stops it from parsing, located within `text`.
pub fn source_variables(text: &str) -> Result<BTreeSet<String>, TemplateError> {
    let env = environment();
    let template = env
        .template_from_str(text)
        .map_err(|error| syntax_error(TemplatePart::Source, text, &error))?;
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
    let mut context: BTreeMap<String, Value> = doc
        .fields
        .iter()
        .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
        .collect();
    let entities: Vec<EntityView<'_>> = doc
        .entities
        .iter()
        .map(|entity| {
            let mentions: Vec<&str> = entity.mentions.iter().map(|m| m.text.as_str()).collect();
            let text = mentions.first().copied().unwrap_or_default();
            EntityView {
                id: &entity.id,
                kind: &entity.kind,
                mentions,
                text,
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::document::{Entity, Mention, Relation};

    fn spec(source: &str) -> TemplateSpec {
        TemplateSpec {
            source: source.into(),
            relation: "{{ a }} and {{ b }}".into(),
            arguments: vec!["a".into(), "b".into()],
            labels: BTreeMap::from([("R".into(), String::new())]),
            merge_labels: BTreeMap::new(),
            separator: "; ".into(),
            terminator: ".".into(),
            null: "None.".into(),
            list: super::super::spec::ListStyle::default(),
            mention: super::super::spec::MentionChoice::First,
            matching: super::super::spec::MentionMatch::Rendered,
            lowercase: false,
            decoder_join: "\n\n".into(),
            paper_gold_dedup: super::super::spec::GoldDedup::Exact,
            extractor: None,
        }
    }

    fn doc() -> Document {
        let mention = |text: &str| Mention {
            text: text.into(),
            spans: vec![],
        };
        Document {
            id: "d1".into(),
            text: "X binds Y.".into(),
            fields: BTreeMap::from([
                ("title".into(), "A title".into()),
                ("text".into(), "ignored".into()),
            ]),
            entities: vec![
                Entity {
                    id: "e1".into(),
                    kind: "Chemical".into(),
                    mentions: vec![mention("X"), mention("x")],
                },
                Entity {
                    id: "e2".into(),
                    kind: "Gene".into(),
                    mentions: vec![mention("Y")],
                },
            ],
            relations: vec![Relation {
                label: "R".into(),
                arguments: vec![0, 1],
                unordered: false,
            }],
        }
    }

    #[test]
    fn sees_fields_entities_and_relations_and_keeps_trailing_newlines() {
        let source = "{{ title }}|{{ text }}|{{ id }}|{{ entities[0].text }}|{{ entities[0].mentions|join(',') }}|{{ entities[1].kind }}|{{ relations[0].arguments|join('-') }}\n\n";
        let rendered = render_source(&spec(source), &doc());
        assert_eq!(
            rendered,
            Ok("A title|X binds Y.|d1|X|X,x|Gene|e1-e2\n\n".into())
        );
    }

    #[test]
    fn an_undefined_variable_is_an_error_naming_the_document() {
        let rendered = render_source(&spec("{{ titel }}"), &doc()).map_err(|e| e.to_string());
        assert_eq!(
            rendered,
            Err("document `d1`: cannot render the source template: undefined value at `titel`, line 1".into())
        );
    }

    #[test]
    fn lists_variables_and_locates_syntax_errors() {
        let variables =
            source_variables("{{ title }} {% for e in entities %}{{ e.text }}{% endfor %}");
        assert_eq!(
            variables,
            Ok(BTreeSet::from(["entities".to_owned(), "title".to_owned()]))
        );
        let error = source_variables("line one\n{{ text }\n").map_err(|e| e.to_string());
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.starts_with("source template, line 2, column ")),
            "{error:?}"
        );
    }
}
