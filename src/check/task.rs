//! Cross-checks of templates and tasks: template texts parse, relation templates can be
//! inverted, label words are consistent, explicit extractor patterns capture what the template
//! needs, and source templates use only variables the task's dataset provides.

use super::study::{Study, Task, Template};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::extract::{ExtractError, Extractor};
use crate::source::{Sources, Span};
use crate::syntax::ast::{Block, Value, ValueKind};
use crate::template::{TemplateError, TemplatePart};

/// Reports every problem of a template's texts, label words and extractor pattern, and every
/// example its extractor does not read as declared.
pub fn check_template(
    name: &str,
    template: &Template,
    block: &Block,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let errors = crate::template::validate(&template.spec);
    for error in &errors {
        diagnostics.push(template_error(name, error, block, sources));
    }
    // The extractor is derived from a valid template only; its own errors concern the pattern.
    if errors.is_empty() {
        match Extractor::derive(&template.spec) {
            Ok(extractor) => {
                super::example_check::check(name, &template.examples, &extractor, diagnostics);
            }
            Err(error) if template.spec.extractor.is_some() => {
                diagnostics.extend(extractor_error(name, &error, block));
            }
            Err(_) => {}
        }
    }
}

fn template_error(
    name: &str,
    error: &TemplateError,
    block: &Block,
    sources: &Sources,
) -> Diagnostic {
    let (part, mut message, at) = match error {
        TemplateError::Syntax {
            part,
            offset,
            line,
            column,
            message,
        } => (*part, message.clone(), Some((*offset, *line, *column))),
        TemplateError::Invalid { part, message } => (*part, message.clone(), None),
        other => (TemplatePart::Relation, other.to_string(), None),
    };
    let code = match part {
        TemplatePart::Source => Code::TemplateSyntax,
        TemplatePart::Labels | TemplatePart::MergeLabels => Code::LabelMap,
        _ => Code::RelationTemplate,
    };
    let key = match part {
        TemplatePart::MergeLabels => "merge".to_string(),
        other => other.to_string(),
    };
    let span = match field_value(block, &key) {
        None => block.name_span(),
        Some(value) => match (&value.kind, at) {
            (ValueKind::String(_), Some((offset, _, _))) => {
                // minijinja places "unexpected end of input" at the last token; it belongs at the end.
                let offset = if message.contains("end of input") {
                    usize::MAX
                } else {
                    offset
                };
                text_span(value.span, offset, sources)
            }
            (ValueKind::Object(fields), Some((_, line, column))) => {
                // A template file: name the place in the file, point at its name.
                let file = fields.iter().find(|f| f.key.node == "file");
                if let Some(ValueKind::String(path)) = file.map(|f| &f.value.kind) {
                    message = format!("{message} (`{path}`, line {line}, column {column})");
                }
                file.map_or(value.span, |f| f.value.span)
            }
            _ => value.span,
        },
    };
    let help = match code {
        Code::TemplateSyntax => Some(
            "templates are minijinja (Jinja2) text: `{{ variable }}`, `{% if … %}…{% endif %}`, `{% for … %}…{% endfor %}`",
        ),
        Code::RelationTemplate if part == TemplatePart::Relation => Some(
            "a relation template is literal text with one `{{ role }}` per argument (and `{{ label }}` when there are several labels), with text between them: \"{{ chemical }} induces {{ disease }}\"",
        ),
        _ => None,
    };
    Diagnostic::new(code, format!("template `{name}`: {message}"))
        .at(span, format!("in `{key}`"))
        .maybe_help(help.map(str::to_string))
}

fn extractor_error(name: &str, error: &ExtractError, block: &Block) -> Option<Diagnostic> {
    let span = field_value(block, "extractor").map_or(block.name_span(), |v| v.span);
    let diagnostic = match error {
        ExtractError::InvalidTemplate(_) => return None, // reported by `check_template`
        ExtractError::Pattern { message, .. } => Diagnostic::new(
            Code::ExtractorPattern,
            format!("template `{name}`: the extractor pattern is not a valid regular expression"),
        )
        .at(span, "does not compile")
        .note(message.clone()),
        ExtractError::MissingGroup { .. } | ExtractError::UnknownGroup { .. } => Diagnostic::new(
            Code::ExtractorPattern,
            format!("template `{name}`: {error}"),
        )
        .at(span, "in `extractor`"),
    };
    Some(diagnostic.help(
        "name a group `(?P<role>…)` for each role of `arguments`, and `(?P<label>…)` when there are several labels; or leave `extractor` out to derive it from `relation`",
    ))
}

/// The value of field `key` in a block.
fn field_value<'b>(block: &'b Block, key: &str) -> Option<&'b Value> {
    block
        .fields
        .iter()
        .find(|f| f.key.node == key)
        .map(|f| &f.value)
}

/// The span of byte `offset` of a template text written as the string literal at `literal`,
/// covering the `{{ … }}` or `{% … %}` tag that starts there; the whole literal when escapes
/// make the mapping inexact.
fn text_span(literal: Span, offset: usize, sources: &Sources) -> Span {
    let Some((start, text)) = literal_text(literal, sources) else {
        return literal;
    };
    let offset = offset.min(text.len());
    let Some(rest) = text.get(offset..) else {
        return literal;
    };
    let start = start + offset;
    Span::new(
        literal.file,
        start,
        start + tag_len(rest).unwrap_or_else(|| rest.chars().next().map_or(0, char::len_utf8)),
    )
}

/// Where the text of a string literal starts (absolute offset) and the text, when it equals
/// what the literal means: no escapes in `"…"`; `"""…"""` without its first newline.
fn literal_text(literal: Span, sources: &Sources) -> Option<(usize, &str)> {
    let written = sources.text_of(literal);
    let (open, inner) = if let Some(inner) = written
        .strip_prefix("\"\"\"")
        .and_then(|w| w.strip_suffix("\"\"\""))
    {
        let skip = if inner.starts_with("\r\n") {
            2
        } else {
            usize::from(inner.starts_with('\n'))
        };
        (3 + skip, &inner[skip..])
    } else {
        let inner = written.strip_prefix('"')?.strip_suffix('"')?;
        if inner.contains('\\') {
            return None;
        }
        (1, inner)
    };
    Some((literal.start + open, inner))
}

/// The length of the `{{ … }}` or `{% … %}` tag at the start of `text`, if one starts there.
fn tag_len(text: &str) -> Option<usize> {
    let close = if text.starts_with("{{") {
        "}}"
    } else if text.starts_with("{%") {
        "%}"
    } else {
        return None;
    };
    Some(text[2..].find(close).map_or(2, |i| i + 4))
}

/// The first `{{ … }}` or `{% … %}` tag of the source literal at `literal` that names
/// `variable`; the whole literal when there is none (a template file, escapes).
fn variable_span(literal: Span, variable: &str, sources: &Sources) -> Span {
    let Some((start, text)) = literal_text(literal, sources) else {
        return literal;
    };
    let mut from = 0;
    while let Some(open) = text[from..].find(['{']).map(|i| from + i) {
        from = open + 1;
        let Some(len) = tag_len(&text[open..]) else {
            continue;
        };
        if names_variable(&text[open..open + len], variable) {
            return Span::new(literal.file, start + open, start + open + len);
        }
    }
    literal
}

/// Whether `tag` contains `variable` as a whole name (not as an attribute `x.variable`).
fn names_variable(tag: &str, variable: &str) -> bool {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_';
    tag.match_indices(variable).any(|(i, _)| {
        let before = tag[..i].chars().next_back();
        let after = tag[i + variable.len()..].chars().next();
        !before.is_some_and(|c| is_name_char(c) || c == '.') && !after.is_some_and(is_name_char)
    })
}

/// Reports source-template variables that the task's dataset format does not provide.
pub fn check_task_variables(
    task_name: &str,
    task: &Task,
    study: &Study,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (Some(dataset), Some(template)) = (
        study.datasets.get(&task.dataset),
        study.templates.get(&task.template),
    ) else {
        return;
    };
    let Ok(variables) = crate::template::source_variables(&template.spec.source) else {
        return; // a syntax error, reported with the template
    };
    let provided = dataset.spec.format.template_fields();
    let mut missing: Vec<(Span, &String)> = variables
        .iter()
        .filter(|v| !provided.contains(&v.as_str()))
        .map(|v| (variable_span(template.source_span, v, sources), v))
        .collect();
    missing.sort_by_key(|(span, _)| span.start);
    for (span, variable) in missing {
        diagnostics.push(
            Diagnostic::new(
                Code::UndeclaredVariable,
                format!(
                    "template `{}` uses `{variable}`, which `{}` documents do not provide",
                    task.template, dataset.spec.format
                ),
            )
            .at(span, format!("`{variable}` is not provided"))
            .also(
                task.span,
                format!(
                    "task `{task_name}` pairs it with dataset `{}`",
                    task.dataset
                ),
            )
            .maybe_help(did_you_mean(variable, provided.iter().copied()))
            .note(format!(
                "`{}` documents provide: {}",
                dataset.spec.format,
                provided.join(", ")
            )),
        );
    }
}
