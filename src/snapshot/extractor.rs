//! The `extractor` snapshot: the patterns of the task's extractor and how a text is cut.

use super::task::TaskSubject;
use crate::extract::Extractor;
use std::fmt::Write;

/// The patterns, null sentence, separator, terminator, label words and list joiners.
pub fn content(subject: &TaskSubject<'_>, extractor: &Extractor) -> String {
    let spec = &subject.template.spec;
    let origin = if spec.extractor.is_some() {
        "explicit (the template's `extractor`)"
    } else {
        "derived from the relation template"
    };
    let mut out = format!(
        "task {} · template {} · {origin}\n",
        subject.task, subject.template_name
    );
    for pattern in extractor.patterns() {
        let _ = writeln!(out, "pattern:    {pattern}");
    }
    let _ = writeln!(out, "null:       {:?}", spec.null);
    let _ = writeln!(
        out,
        "separator:  {:?} (also its trimmed form)",
        spec.separator
    );
    let _ = writeln!(
        out,
        "terminator: {:?} (one, stripped from the end)",
        spec.terminator
    );
    for (label, word) in &spec.labels {
        let _ = writeln!(out, "label:      {word:?} → {label}");
    }
    for (label, merged) in &spec.merge_labels {
        let _ = writeln!(out, "merged:     {label} → {merged}");
    }
    if let Some(role) = spec.list_role() {
        let _ = writeln!(
            out,
            "list role:  {role} split on {:?}, {:?}, {:?}",
            spec.list.last, spec.list.separator, spec.list.pair
        );
    }
    out
}
