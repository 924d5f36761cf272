//! The `examples` snapshot: each example of the template and what its extractor reads from it.

use super::task::TaskSubject;
use crate::check::example::{describe_relations, describe_unparseable};
use crate::extract::Extractor;
use std::fmt::Write;

/// Each example's output, what is extracted from it, and whether that is what it declares.
pub fn content(subject: &TaskSubject<'_>, extractor: &Extractor) -> String {
    let examples = &subject.template.examples;
    let runs: Vec<_> = examples
        .iter()
        .map(|example| (example, example.extract(extractor)))
        .collect();
    let holding = runs
        .iter()
        .filter(|(example, extraction)| example.holds(extraction))
        .count();
    let mut out = format!(
        "task {} · template {} · {} examples, {holding} hold\n",
        subject.task,
        subject.template_name,
        examples.len()
    );
    if examples.is_empty() {
        out.push_str("(a template's `examples` test its extractor on model outputs)\n");
    }
    for (index, (example, extraction)) in runs.iter().enumerate() {
        let note = example
            .note
            .as_ref()
            .map(|note| format!(" ({note})"))
            .unwrap_or_default();
        let verdict = if example.holds(extraction) {
            "holds"
        } else {
            "does not hold"
        };
        let _ = write!(
            out,
            "\nexample {}{note}: {verdict}\n  output:      {:?}\n",
            index + 1,
            example.output
        );
        if let Some(mentions) = &example.mentions {
            let quoted: Vec<String> = mentions.iter().map(|m| format!("{m:?}")).collect();
            let _ = writeln!(out, "  mentions:    {}", quoted.join(", "));
        }
        let _ = writeln!(
            out,
            "  extracted:   {}\n  unparseable: {}",
            describe_relations(&extraction.relations),
            describe_unparseable(&extraction.unparseable)
        );
        if !example.holds(extraction) {
            let _ = writeln!(
                out,
                "  declared:    {}\n  declared unparseable: {}",
                describe_relations(&example.relations),
                example.unparseable
            );
        }
    }
    out
}
