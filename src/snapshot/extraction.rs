//! The `extraction` snapshot: the round trip of every gold target of the corpus, and the
//! relations read back from the sampled documents' targets.

use super::task::{Sample, TaskSubject};
use crate::check::example::{describe_relations, describe_unparseable};
use crate::extract::{ExtractError, Extractor, roundtrip};
use crate::template::{known_strings, render_target};
use std::fmt::Write;

/// Failures listed per split in the round-trip table (the count is always complete).
const FAILURES_SHOWN: usize = 5;

/// The round-trip table (with its first failures), then each sampled target's relations.
pub fn content(
    subject: &TaskSubject<'_>,
    extractor: &Extractor,
    sample: &Sample<'_>,
) -> Result<String, ExtractError> {
    let spec = &subject.template.spec;
    let mut out = format!(
        "task {} · round trip of every gold target (rendered, then extracted back)\n\
         {:<10} {:>9} {:>9} {:>9} {:>9}\n",
        subject.task, "split", "documents", "relations", "recovered", "failures"
    );
    let mut failures = String::new();
    for (split, documents) in [
        ("train", &subject.splits.train),
        ("validation", &subject.splits.validation),
        ("test", &subject.splits.test),
    ] {
        let result = roundtrip(spec, documents)?;
        let _ = writeln!(
            out,
            "{split:<10} {:>9} {:>9} {:>9} {:>9}",
            result.documents,
            result.relations,
            result.recovered,
            result.failures.len()
        );
        for failure in result.failures.iter().take(FAILURES_SHOWN) {
            let _ = writeln!(
                failures,
                "  {split} {}: {}",
                failure.document_id, failure.reason
            );
        }
        if result.failures.len() > FAILURES_SHOWN {
            let more = result.failures.len() - FAILURES_SHOWN;
            let _ = writeln!(failures, "  {split}: … and {more} more");
        }
    }
    if !failures.is_empty() {
        let _ = write!(out, "failures:\n{failures}");
    }
    out.push_str("\nrelations read back from the sampled targets (as scoring reads them):\n");
    for (split, documents) in &sample.splits {
        for document in documents {
            let _ = writeln!(out, "── {split} · {} ──", document.id);
            let target = match render_target(spec, document) {
                Ok(target) => target,
                Err(error) => {
                    let _ = writeln!(out, "  cannot render: {error}");
                    continue;
                }
            };
            let extraction = extractor.extract_in(&target, &known_strings(spec, document));
            for relation in &extraction.relations {
                let _ = writeln!(out, "  {}", describe_relations([relation]));
            }
            if extraction.relations.is_empty() {
                out.push_str("  none\n");
            }
            if !extraction.unparseable.is_empty() {
                let _ = writeln!(
                    out,
                    "  unparseable: {}",
                    describe_unparseable(&extraction.unparseable)
                );
            }
        }
    }
    Ok(out)
}
