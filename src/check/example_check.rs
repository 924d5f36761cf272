//! The `examples` field of a template: each example read (labels resolved, argument counts
//! checked), then run through the template's extractor; an example that does not hold is an
//! error located at its `output`.

use super::example::{TemplateExample, describe_relations, describe_unparseable};
use super::fields::{self, Fields};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::extract::{Extractor, PredictedRelation};
use crate::syntax::ast::{Value, ValueKind};
use crate::template::TemplateSpec;
use std::collections::BTreeSet;

/// Reads the examples of template `name` (a list of example objects; one object is a one-item
/// list).
pub fn read(
    value: &Value,
    name: &str,
    spec: &TemplateSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<TemplateExample> {
    fields::items(value)
        .into_iter()
        .filter_map(|item| read_example(item, name, spec, diagnostics))
        .collect()
}

fn read_example(
    value: &Value,
    name: &str,
    spec: &TemplateSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<TemplateExample> {
    let entries = fields::object(value, diagnostics)?;
    let what = format!("an example of template `{name}`");
    let mut fields = Fields::new(entries, what, value.span, diagnostics);
    let output = fields.require("output", "\"the model output\"");
    let relations = fields.require("relations", "[{ arguments = [\"A\", \"B\"] }]");
    let unparseable = fields.get("unparseable");
    let mentions = fields.get("mentions");
    let note = fields.get("note");
    fields.finish(diagnostics);

    let output_text = output.and_then(|f| fields::string(&f.value, diagnostics));
    let relations = relations.and_then(|f| {
        let read: Vec<Option<PredictedRelation>> = fields::items(&f.value)
            .into_iter()
            .map(|item| read_relation(item, name, spec, diagnostics))
            .collect();
        read.into_iter().collect::<Option<BTreeSet<_>>>()
    });
    let unparseable = unparseable.map_or(Some(0), |f| {
        fields::count(&f.value, 0, diagnostics).and_then(|n| usize::try_from(n).ok())
    });
    let mentions = mentions.map_or(Some(None), |f| {
        strings(&f.value, diagnostics).map(|strings| Some(strings.into_iter().collect()))
    });
    let note = note.map_or(Some(None), |f| {
        fields::string(&f.value, diagnostics).map(Some)
    });
    Some(TemplateExample {
        output: output_text?,
        relations: relations?,
        unparseable: unparseable?,
        mentions: mentions?,
        note: note?,
        span: output?.value.span,
    })
}

/// One expected relation: `{ label = "CPR:3", arguments = ["A", "B"] }`; `label` may be left
/// out when the template has one label.
fn read_relation(
    value: &Value,
    name: &str,
    spec: &TemplateSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PredictedRelation> {
    let entries = fields::object(value, diagnostics)?;
    let what = format!("a relation of an example of template `{name}`");
    let mut fields = Fields::new(entries, what, value.span, diagnostics);
    let single_label = match spec.labels.keys().collect::<Vec<_>>().as_slice() {
        [only] => Some((*only).clone()),
        _ => None,
    };
    let label = match &single_label {
        Some(_) => fields.get("label"),
        None => {
            let example = spec.labels.keys().next().map_or("LABEL", String::as_str);
            fields.require("label", &format!("{example:?}"))
        }
    };
    let arguments = fields.require("arguments", "[\"A\", \"B\"]");
    fields.finish(diagnostics);

    let label = match label {
        Some(f) => resolve_label(&f.value, name, spec, diagnostics),
        None => single_label,
    };
    let arguments = arguments.and_then(|f| read_arguments(&f.value, name, spec, diagnostics));
    Some(PredictedRelation {
        label: label?,
        arguments: arguments?,
    })
}

/// The arguments of an expected relation: one per role, or the members of a set (sorted, each
/// once).
fn read_arguments(
    value: &Value,
    name: &str,
    spec: &TemplateSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<String>> {
    let mut arguments = strings(value, diagnostics)?;
    if spec.list_role().is_some() {
        arguments.sort();
        arguments.dedup();
    } else if arguments.len() != spec.arguments.len() {
        diagnostics.push(
            Diagnostic::new(
                Code::OutOfRange,
                format!(
                    "an example relation lists {} arguments; template `{name}` relates {} ({})",
                    arguments.len(),
                    spec.arguments.len(),
                    spec.arguments.join(", ")
                ),
            )
            .at(
                value.span,
                format!("expected {} arguments", spec.arguments.len()),
            ),
        );
        return None;
    }
    Some(arguments)
}

/// A label of the template, or one it merges into one (written as a string or a bare name).
fn resolve_label(
    value: &Value,
    name: &str,
    spec: &TemplateSpec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let written = match &value.kind {
        ValueKind::String(s) | ValueKind::Reference(s) => s,
        _ => {
            diagnostics.push(fields::wrong_type(value, "a label"));
            return None;
        }
    };
    if let Some(label) = spec.merged_label(written) {
        return Some(label.to_owned());
    }
    let labels = spec.labels.keys().chain(spec.merge_labels.keys());
    diagnostics.push(
        Diagnostic::new(
            Code::UnknownOption,
            format!("template `{name}` has no label `{written}`"),
        )
        .at(value.span, "not a label of the template")
        .maybe_help(did_you_mean(written, labels.clone().map(String::as_str)))
        .note(format!(
            "labels: {}",
            labels.map(String::as_str).collect::<Vec<_>>().join(", ")
        )),
    );
    None
}

/// A list of strings; one string is a one-item list.
fn strings(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
    let read: Vec<Option<String>> = fields::items(value)
        .into_iter()
        .map(|item| fields::string(item, diagnostics))
        .collect();
    read.into_iter().collect()
}

/// Runs every example of template `name` through `extractor`; reports each that does not hold.
pub fn check(
    name: &str,
    examples: &[TemplateExample],
    extractor: &Extractor,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for example in examples {
        let extraction = example.extract(extractor);
        if example.holds(&extraction) {
            continue;
        }
        let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let unparseable = match extraction.unparseable.len() {
            0 => count(0, "unparseable piece"),
            n => format!(
                "{}: {}",
                count(n, "unparseable piece"),
                describe_unparseable(&extraction.unparseable)
            ),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::TemplateExample,
                format!("template `{name}`: an example does not extract as declared"),
            )
            .at(
                example.span,
                format!(
                    "extracts {} and {}",
                    count(extraction.relations.len(), "relation"),
                    count(extraction.unparseable.len(), "unparseable piece")
                ),
            )
            .note(format!(
                "declared:  {}; {}\nextracted: {}; {unparseable}",
                describe_relations(&example.relations),
                count(example.unparseable, "unparseable piece"),
                describe_relations(&extraction.relations),
            ))
            .help("if the extractor is right, declare what it reads in `relations` and `unparseable`; otherwise change the template (`relation`, `labels`, `separator`, `terminator`, `null`)"),
        );
    }
}
