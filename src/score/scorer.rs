//! Scoring generated texts against gold documents.

use super::error::ScoreError;
use super::matching::{matches, maximum_matching};
use super::scores::{CountingMode, Counts, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extraction, Extractor, PredictedRelation};
use crate::template::{GoldDedup, GoldRelation, TemplateSpec, known_strings, target_relations};
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
    let documents = score_documents(spec, extractor, gold_docs, predictions, mode)?;
    Ok(aggregate(spec, mode, &documents))
}

/// The counts of every gold document, in `gold_docs` order, as [`score`] counts them.
pub fn score_documents(
    spec: &TemplateSpec,
    extractor: &Extractor,
    gold_docs: &[Document],
    predictions: &BTreeMap<String, String>,
    mode: CountingMode,
) -> Result<Vec<DocumentScore>, ScoreError> {
    let gold_ids: std::collections::HashSet<&str> =
        gold_docs.iter().map(|doc| doc.id.as_str()).collect();
    let unknown: Vec<String> = predictions
        .keys()
        .filter(|id| !gold_ids.contains(id.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(ScoreError::UnknownDocuments { ids: unknown });
    }
    let is_set = spec.list_role().is_some();
    let mut documents = Vec::with_capacity(gold_docs.len());
    for doc in gold_docs {
        let gold = gold_for(spec, mode, target_relations(spec, doc)?);
        let prediction = predictions.get(&doc.id);
        let extraction = prediction
            .map(|text| extractor.extract_in(text, &known_strings(spec, doc)))
            .unwrap_or_default();
        let mut labels: BTreeMap<String, Counts> = spec
            .labels
            .keys()
            .map(|l| (l.clone(), Counts::default()))
            .collect();
        let predicted = &extraction.relations;
        for relation in &gold {
            labels.entry(relation.label.clone()).or_default().gold += 1;
        }
        for relation in predicted {
            labels.entry(relation.label.clone()).or_default().predicted += 1;
        }
        for index in correct(mode, is_set, predicted, &gold) {
            labels
                .entry(predicted[index].label.clone())
                .or_default()
                .true_positives += 1;
        }
        documents.push(DocumentScore {
            id: doc.id.clone(),
            has_prediction: prediction.is_some(),
            extraction,
            labels,
        });
    }
    Ok(documents)
}

/// The scores of documents counted in `mode` by [`score_documents`]: micro, and per label for
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

/// Indices of the predictions counted as true positives.
fn correct(
    mode: CountingMode,
    is_set: bool,
    predicted: &[PredictedRelation],
    gold: &[GoldRelation],
) -> Vec<usize> {
    let edge = |p: usize, g: usize| matches(is_set, &predicted[p], &gold[g]);
    match mode {
        CountingMode::Strict => maximum_matching(predicted.len(), gold.len(), edge)
            .iter()
            .enumerate()
            .filter_map(|(p, partner)| partner.map(|_| p))
            .collect(),
        CountingMode::Paper => (0..predicted.len())
            .filter(|&p| (0..gold.len()).any(|g| edge(p, g)))
            .collect(),
    }
}

/// The gold relations a mode counts. Strict: relations the target writes identically are one
/// statement, counted once, accepting the strings of each (CDR: a composite mention names two
/// entities). Paper: de-duplicated as the template's `paper_gold_dedup`, the first kept.
fn gold_for(spec: &TemplateSpec, mode: CountingMode, gold: Vec<GoldRelation>) -> Vec<GoldRelation> {
    let is_set = spec.list_role().is_some();
    let lowercase = match (mode, spec.paper_gold_dedup) {
        (CountingMode::Paper, GoldDedup::None) => return gold,
        (CountingMode::Paper, GoldDedup::Lowercase) => true,
        (CountingMode::Strict | CountingMode::Paper, _) => false,
    };
    let key = |relation: &GoldRelation| {
        let case = |text: &str| {
            if lowercase {
                text.to_lowercase()
            } else {
                text.to_owned()
            }
        };
        let mut arguments: Vec<String> = relation
            .arguments
            .iter()
            .map(|a| case(&a.rendered))
            .collect();
        if is_set {
            arguments.sort();
        }
        (case(&relation.label), arguments)
    };
    let mut kept: Vec<((String, Vec<String>), GoldRelation)> = Vec::new();
    for relation in gold {
        let relation_key = key(&relation);
        match kept.iter_mut().find(|(seen, _)| *seen == relation_key) {
            Some((_, first)) if mode == CountingMode::Strict => {
                merge_accepted(first, relation, is_set)
            }
            Some(_) => {}
            None => kept.push((relation_key, relation)),
        }
    }
    kept.into_iter().map(|(_, relation)| relation).collect()
}

/// Adds the accepted strings of `other`, written like `into`, to `into`'s arguments.
fn merge_accepted(into: &mut GoldRelation, other: GoldRelation, is_set: bool) {
    for (index, argument) in other.arguments.into_iter().enumerate() {
        let target = if is_set {
            into.arguments
                .iter_mut()
                .find(|a| a.rendered == argument.rendered)
        } else {
            into.arguments.get_mut(index)
        };
        if let Some(target) = target {
            target.accepted.extend(argument.accepted);
        }
    }
}
