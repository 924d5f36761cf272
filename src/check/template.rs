//! `template NAME { source, relation, arguments, labels, … }`.

use super::example_check;
use super::fields::{self, Fields};
use super::study::Template;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{Block, Field, Value, ValueKind};
use crate::template::spec::{GoldDedup, ListStyle, MentionChoice, MentionMatch, TemplateSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Checks a template block; template files are relative to `dir`, the declaring file's folder.
pub fn check(
    block: &Block,
    name: &str,
    dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Template> {
    let mut fields = Fields::new(
        &block.fields,
        format!("template `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let mut files = Vec::new();
    let source_field = fields.require("source", "\"{{ text }}\"");
    let source = source_field.and_then(|f| text(&f.value, dir, &mut files, diagnostics));
    let relation = fields
        .require("relation", "\"{{ head }} causes {{ tail }}\"")
        .and_then(|f| text(&f.value, dir, &mut files, diagnostics));
    let arguments = fields
        .require("arguments", "[head, tail]")
        .and_then(|f| arguments(&f.value, diagnostics));
    let labels = fields
        .require("labels", "{ CID = \"\" }")
        .map(|f| string_map(&f.value, diagnostics))
        .unwrap_or_default();
    let merge_labels = fields
        .get("merge")
        .map(|f| string_map(&f.value, diagnostics))
        .unwrap_or_default();
    let null = fields
        .require("null", "\"No relations.\"")
        .and_then(|f| fields::string(&f.value, diagnostics));
    let string_or = |fields: &mut Fields<'_>,
                     key: &'static str,
                     default: &str,
                     diagnostics: &mut Vec<Diagnostic>| {
        fields.get(key).map_or(Some(default.to_string()), |f| {
            fields::string(&f.value, diagnostics)
        })
    };
    let separator = string_or(&mut fields, "separator", "; ", diagnostics);
    let terminator = string_or(&mut fields, "terminator", ".", diagnostics);
    let decoder_join = string_or(&mut fields, "decoder_join", "\n\n", diagnostics);
    let list = fields.get("list").map_or(Some(ListStyle::default()), |f| {
        list_style(&f.value, diagnostics)
    });
    let mention = fields
        .get("mention")
        .map_or(Some(MentionChoice::First), |f| {
            fields::option(
                &f.value,
                "mention choice",
                &[
                    ("first", MentionChoice::First),
                    ("longest", MentionChoice::Longest),
                    ("largest", MentionChoice::Largest),
                ],
                diagnostics,
            )
        });
    let matching = fields
        .get("matching")
        .map_or(Some(MentionMatch::Rendered), |f| {
            fields::option(
                &f.value,
                "matching rule",
                &[
                    ("rendered", MentionMatch::Rendered),
                    ("any-mention", MentionMatch::AnyMention),
                ],
                diagnostics,
            )
        });
    let lowercase = fields
        .get("lowercase")
        .map_or(Some(false), |f| fields::boolean(&f.value, diagnostics));
    let paper_gold_dedup = fields
        .get("paper_gold_dedup")
        .map_or(Some(GoldDedup::Exact), |f| {
            fields::option(
                &f.value,
                "de-duplication rule",
                &[
                    ("none", GoldDedup::None),
                    ("exact", GoldDedup::Exact),
                    ("lowercase", GoldDedup::Lowercase),
                ],
                diagnostics,
            )
        });
    let extractor = fields
        .get("extractor")
        .map(|f| fields::string(&f.value, diagnostics));
    let examples = fields.get("examples");
    fields.finish(diagnostics);

    let spec = TemplateSpec {
        source: source?,
        relation: relation?,
        arguments: arguments?,
        labels,
        merge_labels,
        separator: separator?,
        terminator: terminator?,
        null: null?,
        list: list?,
        mention: mention?,
        matching: matching?,
        lowercase: lowercase?,
        decoder_join: decoder_join?,
        paper_gold_dedup: paper_gold_dedup?,
        extractor: extractor.map_or(Some(None), |e| e.map(Some))?,
    };
    let examples = examples
        .map(|f| example_check::read(&f.value, name, &spec, diagnostics))
        .unwrap_or_default();
    Some(Template {
        spec,
        examples,
        files,
        source_span: source_field.map_or(block.span, |f| f.value.span),
        span: block.span,
    })
}

/// A template text: an inline string, or `{ file = "…" }` relative to the declaring file.
fn text(
    value: &Value,
    dir: &Path,
    files: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &value.kind {
        ValueKind::String(s) => Some(s.clone()),
        ValueKind::Object(entries) => {
            let mut fields = Fields::new(entries, "a template text", value.span, diagnostics);
            let file = fields.require("file", "\"../templates/source.j2\"");
            fields.finish(diagnostics);
            let file = file?;
            let relative = fields::string(&file.value, diagnostics)?;
            let path = super::load::normalize(&dir.join(&relative));
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    files.push(path);
                    Some(text)
                }
                Err(error) => {
                    let message = if error.kind() == std::io::ErrorKind::NotFound {
                        format!("template file `{relative}` does not exist")
                    } else {
                        format!("cannot read template file `{relative}`: {error}")
                    };
                    // A path written relative to the working directory is the usual slip.
                    let help = if Path::new(&relative).is_file() {
                        format!(
                            "`{relative}` exists relative to the working directory, but template files are relative to the `.exp` file that names them"
                        )
                    } else {
                        "template files are relative to the `.exp` file that names them".to_string()
                    };
                    diagnostics.push(
                        Diagnostic::new(Code::TemplateFileNotFound, message)
                            .at(file.value.span, "named here")
                            .note(format!("resolved path: {}", path.display()))
                            .help(help),
                    );
                    None
                }
            }
        }
        _ => {
            diagnostics.push(fields::wrong_type(value, "a string or `{ file = \"…\" }`"));
            None
        }
    }
}

fn arguments(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
    let ValueKind::List(items) = &value.kind else {
        diagnostics.push(fields::wrong_type(value, "a list of role names"));
        return None;
    };
    if items.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::EmptyList,
                "a relation needs at least one argument role",
            )
            .at(value.span, "empty list"),
        );
        return None;
    }
    let mut roles: Vec<String> = Vec::new();
    for item in items {
        match &item.kind {
            ValueKind::String(s) | ValueKind::Reference(s) => {
                if roles.contains(s) {
                    diagnostics.push(
                        Diagnostic::new(Code::Duplicate, format!("role `{s}` is listed twice"))
                            .at(item.span, "listed again"),
                    );
                    return None;
                }
                roles.push(s.clone());
            }
            _ => {
                diagnostics.push(fields::wrong_type(item, "a role name"));
                return None;
            }
        }
    }
    Some(roles)
}

fn string_map(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Some(entries) = fields::object(value, diagnostics) else {
        return map;
    };
    for (i, entry) in entries.iter().enumerate() {
        if let Some(first) = entries[..i].iter().find(|e| e.key.node == entry.key.node) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!("label `{}` is given twice", entry.key.node),
                )
                .at(entry.key.span, "given again here")
                .also(first.key.span, "first given here"),
            );
            continue;
        }
        if let Some(word) = fields::string(&entry.value, diagnostics) {
            map.insert(entry.key.node.clone(), word);
        }
    }
    map
}

fn list_style(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<ListStyle> {
    let entries: &[Field] = fields::object(value, diagnostics)?;
    let mut fields = Fields::new(entries, "`list`", value.span, diagnostics);
    let mut style = ListStyle::default();
    for (key, slot) in [
        ("pair", &mut style.pair),
        ("separator", &mut style.separator),
        ("last", &mut style.last),
    ] {
        if let Some(f) = fields.get(key) {
            *slot = fields::string(&f.value, diagnostics)?;
        }
    }
    fields.finish(diagnostics);
    Some(style)
}
