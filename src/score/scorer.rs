//! Scoring generated texts against gold documents.

use super::error::ScoreError;
use super::matching::{matches, maximum_matching};
use super::scores::{CountingMode, LabelScores, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extractor, PredictedRelation};
use crate::template::{GoldDedup, GoldRelation, TemplateSpec, known_strings, target_relations};
use std::collections::BTreeMap;

/// Gold, predicted and true-positive counts of one label.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    gold: usize,
    predicted: usize,
    true_positives: usize,
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
    let unknown: Vec<String> = predictions
        .keys()
        .filter(|id| !gold_docs.iter().any(|doc| &doc.id == *id))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(ScoreError::UnknownDocuments { ids: unknown });
    }
    let mut tallies: BTreeMap<String, Tally> = spec
        .labels
        .keys()
        .map(|l| (l.clone(), Tally::default()))
        .collect();
    let mut documents_without_prediction = 0;
    let mut unparseable = 0;
    let is_set = spec.list_role().is_some();
    for doc in gold_docs {
        let gold = gold_for(spec, mode, target_relations(spec, doc)?);
        let extraction = match predictions.get(&doc.id) {
            Some(text) => extractor.extract_in(text, &known_strings(spec, doc)),
            None => {
                documents_without_prediction += 1;
                Default::default()
            }
        };
        unparseable += extraction.unparseable.len();
        let predicted = &extraction.relations;
        for relation in &gold {
            tallies.entry(relation.label.clone()).or_default().gold += 1;
        }
        for relation in predicted {
            tallies.entry(relation.label.clone()).or_default().predicted += 1;
        }
        for index in correct(mode, is_set, predicted, &gold) {
            tallies
                .entry(predicted[index].label.clone())
                .or_default()
                .true_positives += 1;
        }
    }
    let total = tallies.values().fold(Tally::default(), |sum, t| Tally {
        gold: sum.gold + t.gold,
        predicted: sum.predicted + t.predicted,
        true_positives: sum.true_positives + t.true_positives,
    });
    let scores = |t: &Tally| LabelScores::from_counts(t.gold, t.predicted, t.true_positives);
    Ok(Scores {
        mode,
        documents: gold_docs.len(),
        documents_without_prediction,
        unparseable,
        micro: scores(&total),
        labels: tallies
            .iter()
            .map(|(label, tally)| (label.clone(), scores(tally)))
            .collect(),
    })
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
