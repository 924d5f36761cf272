//! The round trip of a template over a corpus: render each gold target, extract it back, and
//! compare with the gold relations (`extract(render(gold)) == gold`).

use super::error::ExtractError;
use super::extractor::Extractor;
use super::relation::PredictedRelation;
use crate::corpus::document::Document;
use crate::template::{
    TemplateError, TemplateSpec, known_strings, render_target, target_relations,
};
use serde::Serialize;

/// How well a template's extractor recovers the template's own targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RoundTrip {
    /// Documents rendered.
    pub documents: usize,
    /// Distinct gold relations (as the target writes them).
    pub relations: usize,
    /// Of those, how many were extracted back.
    pub recovered: usize,
    /// Every problem, one per relation lost, piece unparseable, relation invented or render error.
    pub failures: Vec<RoundTripFailure>,
}

/// One problem of a round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundTripFailure {
    /// The document's id.
    pub document_id: String,
    /// What went wrong.
    pub reason: String,
}

impl RoundTrip {
    /// The fraction of relations recovered (1 when there are none).
    pub fn recovery(&self) -> f64 {
        if self.relations == 0 {
            1.0
        } else {
            self.recovered as f64 / self.relations as f64
        }
    }
}

/// Renders each document's gold target with `spec`, extracts it back (resolving ambiguity with
/// the document's own strings) and compares the result with the gold relations.
pub fn roundtrip(spec: &TemplateSpec, docs: &[Document]) -> Result<RoundTrip, ExtractError> {
    let extractor = Extractor::derive(spec)?;
    let mut result = RoundTrip {
        documents: docs.len(),
        ..RoundTrip::default()
    };
    for doc in docs {
        let fail = |reason: String| RoundTripFailure {
            document_id: doc.id.clone(),
            reason,
        };
        let (target, expected) = match gold_of(spec, doc) {
            Ok(gold) => gold,
            Err(error) => {
                result.relations += doc.relations.len();
                result.failures.push(fail(error.to_string()));
                continue;
            }
        };
        let extraction = extractor.extract_in(&target, &known_strings(spec, doc));
        result.relations += expected.len();
        for relation in &expected {
            if extraction.relations.contains(relation) {
                result.recovered += 1;
            } else {
                result
                    .failures
                    .push(fail(format!("not recovered: {}", describe(relation))));
            }
        }
        for relation in extraction
            .relations
            .iter()
            .filter(|r| !expected.contains(r))
        {
            result.failures.push(fail(format!(
                "extracted but not gold: {}",
                describe(relation)
            )));
        }
        for piece in &extraction.unparseable {
            result
                .failures
                .push(fail(format!("unparseable piece: {piece:?}")));
        }
    }
    Ok(result)
}

/// The target of `doc` and its distinct gold relations as a perfect extraction yields them.
fn gold_of(
    spec: &TemplateSpec,
    doc: &Document,
) -> Result<(String, Vec<PredictedRelation>), TemplateError> {
    let target = render_target(spec, doc)?;
    let mut expected: Vec<PredictedRelation> = Vec::new();
    for gold in target_relations(spec, doc)? {
        let relation = PredictedRelation::expected(spec, &gold);
        if !expected.contains(&relation) {
            expected.push(relation);
        }
    }
    Ok((target, expected))
}

fn describe(relation: &PredictedRelation) -> String {
    format!("{} {:?}", relation.label, relation.arguments)
}
