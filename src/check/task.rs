//! Cross-checks of templates and tasks: template texts parse, relation templates can be
//! inverted, label words are consistent, and source templates use only variables the task's
//! dataset provides.

use super::study::{Study, Task, Template};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{Sources, Span};
use crate::syntax::ast::Block;
use crate::template::{TemplateError, TemplatePart};

/// Reports every problem of a template's texts and label words.
pub fn check_template(name: &str, template: &Template, block: &Block, sources: &Sources, diagnostics: &mut Vec<Diagnostic>) {
    for error in crate::template::validate(&template.spec) {
        diagnostics.push(template_error(name, &error, block, sources));
    }
}

fn template_error(name: &str, error: &TemplateError, block: &Block, sources: &Sources) -> Diagnostic {
    let (part, message, offset) = match error {
        TemplateError::Syntax { part, offset, message, .. } => (*part, message.clone(), Some(*offset)),
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
    let span = field_span(block, &key).map_or(block.span, |value| offset.map_or(value, |o| text_span(value, o, sources)));
    Diagnostic::new(code, format!("template `{name}`: {message}")).at(span, format!("in `{key}`"))
}

/// The span of field `key`'s value in a block.
fn field_span(block: &Block, key: &str) -> Option<Span> {
    block.fields.iter().find(|f| f.key.node == key).map(|f| f.value.span)
}

/// The span of byte `offset` of a template text written as the string literal at `literal`;
/// the whole literal when escapes make the mapping inexact.
fn text_span(literal: Span, offset: usize, sources: &Sources) -> Span {
    let written = sources.text_of(literal);
    let (open, close) = if written.starts_with("\"\"\"") { (3, 3) } else { (1, 1) };
    let Some(inner) = written.get(open..written.len().saturating_sub(close)) else { return literal };
    let skip = if open == 3 { inner.len() - inner.trim_start_matches(['\r', '\n']).len().max(inner.len().saturating_sub(2)) } else { 0 };
    if inner.contains('\\') && open == 1 {
        return literal;
    }
    let start = literal.start + open + skip + offset;
    let end = (start + 2).min(literal.end);
    Span::new(literal.file, start.min(literal.end), end)
}

/// Reports source-template variables that the task's dataset format does not provide.
pub fn check_task_variables(task_name: &str, task: &Task, study: &Study, diagnostics: &mut Vec<Diagnostic>) {
    let (Some(dataset), Some(template)) = (study.datasets.get(&task.dataset), study.templates.get(&task.template)) else {
        return;
    };
    let Ok(variables) = crate::template::source_variables(&template.spec.source) else {
        return; // a syntax error, reported with the template
    };
    let provided = dataset.spec.format.template_fields();
    for variable in variables.iter().filter(|v| !provided.contains(&v.as_str())) {
        diagnostics.push(
            Diagnostic::new(
                Code::UndeclaredVariable,
                format!("template `{}` uses `{variable}`, which `{}` documents do not provide", task.template, dataset.spec.format),
            )
            .at(template.source_span, format!("uses `{variable}`"))
            .also(task.span, format!("task `{task_name}` pairs it with dataset `{}`", task.dataset))
            .maybe_help(did_you_mean(variable, provided.iter().copied()))
            .note(format!("`{}` documents provide: {}", dataset.spec.format, provided.join(", "))),
        );
    }
}
