//! A run's generated texts scored in both counting modes: the records `predictions.jsonl`
//! holds and the scores `metrics.json` holds, from one pass so that they always agree.

use super::prediction::{CountsByMode, Prediction};
use crate::corpus::Document;
use crate::extract::{Extractor, PredictedRelation};
use crate::score::{CountingMode, GoldIndex, ScoreError, Scores, aggregate};
use crate::template::{TemplateSpec, render_source, target_relations};
use std::collections::BTreeMap;

/// The test outputs of a run, ready for [`RunWriter`](super::RunWriter).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// One record per test document, in document order.
    pub predictions: Vec<Prediction>,
    /// Scores with one-to-one matching.
    pub strict: Scores,
    /// Scores with the paper's counting.
    pub paper: Scores,
}

/// Scores `generated` (document id → generated text) against `test_docs` in both counting
/// modes, keeping each document's source, extraction, gold relations and counts.
pub fn evaluate(
    spec: &TemplateSpec,
    extractor: &Extractor,
    test_docs: &[Document],
    generated: &BTreeMap<String, String>,
) -> Result<Evaluation, ScoreError> {
    let gold = GoldIndex::for_predictions(spec, test_docs, generated)?;
    let strict = gold.score_documents(extractor, generated, CountingMode::Strict)?;
    let paper = gold.score_documents(extractor, generated, CountingMode::Paper)?;
    let mut predictions = Vec::with_capacity(test_docs.len());
    for ((doc, strict_doc), paper_doc) in test_docs.iter().zip(&strict).zip(&paper) {
        let gold = target_relations(spec, doc)?
            .iter()
            .map(|relation| PredictedRelation::expected(spec, relation))
            .collect();
        predictions.push(Prediction {
            id: doc.id.clone(),
            source: render_source(spec, doc)?,
            generated: generated.get(&doc.id).cloned().unwrap_or_default(),
            extracted: strict_doc.extraction.relations.clone(),
            unparseable: strict_doc.extraction.unparseable.clone(),
            gold,
            counts: CountsByMode {
                strict: strict_doc.micro(),
                paper: paper_doc.micro(),
            },
        });
    }
    Ok(Evaluation {
        predictions,
        strict: aggregate(spec, CountingMode::Strict, &strict),
        paper: aggregate(spec, CountingMode::Paper, &paper),
    })
}
