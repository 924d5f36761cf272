//! The `prompts` snapshot: the source and target texts of the sampled documents.

use super::task::{SAMPLE_SEED, Sample, TaskSubject, visible};
use crate::template::{render_source, render_target};
use std::fmt::Write;

/// The header, then each sampled document's source and target, line ends marked.
pub fn content(subject: &TaskSubject<'_>, sample: &Sample<'_>) -> String {
    let mut out = format!(
        "task {} · template {} · dataset {}\n\
         sample: {n} documents per split, seed {SAMPLE_SEED} (the train sample is what a {n}-shot run with seed {SAMPLE_SEED} trains on)\n",
        subject.task,
        subject.template_name,
        subject.dataset_name,
        n = sample.per_split,
    );
    let spec = &subject.template.spec;
    for (split, documents) in &sample.splits {
        if documents.is_empty() {
            let _ = write!(out, "\n── {split}: no documents ──\n");
        }
        for document in documents {
            let _ = write!(out, "\n── {split} · {} ──\n", document.id);
            for (part, rendered) in [
                ("source", render_source(spec, document)),
                ("target", render_target(spec, document)),
            ] {
                match rendered {
                    Ok(text) => {
                        let _ = writeln!(out, "{part}:\n{}", visible(&text));
                    }
                    Err(error) => {
                        let _ = writeln!(out, "{part}: cannot render: {error}");
                    }
                }
            }
        }
    }
    out
}
