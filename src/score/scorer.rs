//! Scoring generated texts against gold documents.

use super::error::ScoreError;
use super::gold_index::GoldIndex;
use super::matching::{greedy_pairs, maximum_matching};
use super::scores::{CountingMode, Counts, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extraction, Extractor};
use crate::template::TemplateSpec;
use std::collections::BTreeMap;

/// What one gold document contributes to the scores.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentScore {
    /// The document's id.
    pub id: String,
    /// Whether a generated text was given for it (without one it predicts nothing).
    pub has_prediction: bool,
    /// The relations read from its generated text.
    pub extraction: Extraction,
    /// Counts per label (every label of the template, and any other label seen).
    pub labels: BTreeMap<String, Counts>,
}

impl DocumentScore {
    /// The document's counts over all labels.
    pub fn micro(&self) -> Counts {
        self.labels.values().copied().sum()
    }
}

/// Scores `predictions` (document id → generated text) against `gold_docs`.
///
/// Each text is read with `extractor.extract_in` and the document's own strings; a document
/// without a prediction predicts nothing; a prediction for a document not among `gold_docs` is an
/// error. A prediction matches a gold relation when labels are equal and arguments equal (see
/// [`matches`]); `mode` decides how matches are counted.
pub fn score(
    spec: &TemplateSpec,
    extractor: &Extractor,
    gold_docs: &[Document],
    predictions: &BTreeMap<String, String>,
    mode: CountingMode,
) -> Result<Scores, ScoreError> {
    GoldIndex::for_predictions(spec, gold_docs, predictions)?.score(extractor, predictions, mode)
}

/// The scores of documents counted in `mode` by [`GoldIndex::score_documents`]: micro, and per label for
/// every label of the template.
pub fn aggregate(spec: &TemplateSpec, mode: CountingMode, documents: &[DocumentScore]) -> Scores {
    let mut labels: BTreeMap<String, Counts> = spec
        .labels
        .keys()
        .map(|l| (l.clone(), Counts::default()))
        .collect();
    for document in documents {
        for (label, counts) in &document.labels {
            let total = labels.entry(label.clone()).or_default();
            *total = *total + *counts;
        }
    }
    Scores {
        mode,
        documents: documents.len(),
        documents_without_prediction: documents.iter().filter(|d| !d.has_prediction).count(),
        unparseable: documents
            .iter()
            .map(|d| d.extraction.unparseable.len())
            .sum(),
        micro: labels.values().copied().sum::<Counts>().scores(),
        labels: labels
            .iter()
            .map(|(label, counts)| (label.clone(), counts.scores()))
            .collect(),
    }
}

/// Calls `on_correct` with the index of each of `predicted` relations counted as a true positive
/// against `gold` relations, `edge(p, g)` saying whether prediction `p` names gold relation `g`.
///
/// In strict mode any largest one-to-one matching gives the same count per label (a prediction
/// only matches gold relations of its own label), so the greedy pairing is taken whenever it is
/// a largest matching and the search runs only when it may not be.
pub(super) fn correct(
    mode: CountingMode,
    predicted: usize,
    gold: usize,
    edge: impl Fn(usize, usize) -> bool,
    on_correct: impl FnMut(usize),
) {
    match mode {
        CountingMode::Strict => match greedy_pairs(predicted, gold, &edge) {
            Some(paired) => (0..predicted)
                .filter(|&p| paired & (1 << p) != 0)
                .for_each(on_correct),
            None => maximum_matching(predicted, gold, edge)
                .iter()
                .enumerate()
                .filter_map(|(p, partner)| partner.map(|_| p))
                .for_each(on_correct),
        },
        CountingMode::Paper => (0..predicted)
            .filter(|&p| (0..gold).any(|g| edge(p, g)))
            .for_each(on_correct),
    }
}
