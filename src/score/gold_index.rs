//! The gold side of a document set, prepared once and scored against any number of prediction
//! sets: each document's gold relations as both counting modes count them and the strings it
//! mentions. Model selection scores the same validation documents every epoch; only the
//! generated texts change.

use super::error::ScoreError;
use super::scorer::{DocumentScore, correct};
use super::scores::{CountingMode, Counts, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extractor, PredictedRelation};
use crate::template::{
    GoldDedup, GoldRelation, TemplateError, TemplateSpec, known_strings, target_relations,
};
use std::collections::{BTreeMap, HashSet};

/// The gold documents of one split under one template, ready to score predictions against.
#[derive(Debug, Clone)]
pub struct GoldIndex {
    /// The template's labels (after merging), in order.
    labels: Vec<String>,
    /// Whether relations are sets (a template with a single list role).
    is_set: bool,
    /// One entry per gold document, in the order given.
    documents: Vec<GoldDocument>,
    /// Positions in `documents`, ordered by document id (to pair them with predictions).
    by_id: Vec<usize>,
}

/// One gold document as the scorer reads it.
#[derive(Debug, Clone)]
struct GoldDocument {
    id: String,
    /// The strings the document mentions (`template::known_strings`).
    known: HashSet<String>,
    /// Gold relations as strict counting counts them.
    strict: Vec<GoldRelation>,
    /// Gold relations as the paper's counting counts them.
    paper: Vec<GoldRelation>,
}

impl GoldDocument {
    fn gold(&self, mode: CountingMode) -> &[GoldRelation] {
        match mode {
            CountingMode::Strict => &self.strict,
            CountingMode::Paper => &self.paper,
        }
    }
}

impl GoldIndex {
    /// Prepares `documents` for scoring with `spec`: the first document whose gold relations the
    /// template cannot render is an error.
    pub fn new(spec: &TemplateSpec, documents: &[Document]) -> Result<Self, TemplateError> {
        let gold_documents = documents
            .iter()
            .map(|doc| {
                let gold = target_relations(spec, doc)?;
                Ok(GoldDocument {
                    id: doc.id.clone(),
                    known: known_strings(spec, doc).into_iter().collect(),
                    strict: gold_for(spec, CountingMode::Strict, gold.clone()),
                    paper: gold_for(spec, CountingMode::Paper, gold),
                })
            })
            .collect::<Result<Vec<_>, TemplateError>>()?;
        let mut by_id: Vec<usize> = (0..gold_documents.len()).collect();
        by_id.sort_by(|&a, &b| gold_documents[a].id.cmp(&gold_documents[b].id));
        Ok(Self {
            labels: spec.labels.keys().cloned().collect(),
            is_set: spec.list_role().is_some(),
            documents: gold_documents,
            by_id,
        })
    }

    /// Prepares `documents` for scoring `predictions` once or more: predictions for documents
    /// not among them are an error, reported before any document the template cannot render
    /// (as [`super::score`] reports them).
    pub fn for_predictions(
        spec: &TemplateSpec,
        documents: &[Document],
        predictions: &BTreeMap<String, String>,
    ) -> Result<Self, ScoreError> {
        let ids: HashSet<&str> = documents.iter().map(|doc| doc.id.as_str()).collect();
        let unknown: Vec<String> = predictions
            .keys()
            .filter(|id| !ids.contains(id.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(ScoreError::UnknownDocuments { ids: unknown });
        }
        Ok(Self::new(spec, documents)?)
    }

    /// The number of gold documents.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether there are no gold documents.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Scores `predictions` (document id → generated text), as [`super::score`] does, without
    /// keeping each document's counts and extraction.
    pub fn score(
        &self,
        extractor: &Extractor,
        predictions: &BTreeMap<String, String>,
        mode: CountingMode,
    ) -> Result<Scores, ScoreError> {
        let texts = self.texts(predictions)?;
        let mut labels = self.empty_counts();
        let mut without_prediction = 0;
        let mut unparseable = 0;
        for (document, text) in self.documents.iter().zip(texts) {
            let Some(text) = text else {
                without_prediction += 1;
                self.count(document, &[], mode, &mut labels);
                continue;
            };
            let extraction = extractor.extract_in(text, &document.known);
            unparseable += extraction.unparseable.len();
            self.count(document, &extraction.relations, mode, &mut labels);
        }
        Ok(Scores {
            mode,
            documents: self.documents.len(),
            documents_without_prediction: without_prediction,
            unparseable,
            micro: labels.values().copied().sum::<Counts>().scores(),
            labels: labels
                .iter()
                .map(|(label, counts)| (label.clone(), counts.scores()))
                .collect(),
        })
    }

    /// The counts of every gold document, in document order, as [`super::score_documents`]
    /// counts them.
    pub fn score_documents(
        &self,
        extractor: &Extractor,
        predictions: &BTreeMap<String, String>,
        mode: CountingMode,
    ) -> Result<Vec<DocumentScore>, ScoreError> {
        let texts = self.texts(predictions)?;
        let scored = self.documents.iter().zip(texts).map(|(document, text)| {
            let extraction = text
                .map(|text| extractor.extract_in(text, &document.known))
                .unwrap_or_default();
            let mut labels = self.empty_counts();
            self.count(document, &extraction.relations, mode, &mut labels);
            DocumentScore {
                id: document.id.clone(),
                has_prediction: text.is_some(),
                extraction,
                labels,
            }
        });
        Ok(scored.collect())
    }

    /// Zero counts for every label of the template.
    fn empty_counts(&self) -> BTreeMap<String, Counts> {
        self.labels
            .iter()
            .map(|label| (label.clone(), Counts::default()))
            .collect()
    }

    /// Adds what `document` contributes, with `predicted` read from its text, to `labels`.
    fn count(
        &self,
        document: &GoldDocument,
        predicted: &[PredictedRelation],
        mode: CountingMode,
        labels: &mut BTreeMap<String, Counts>,
    ) {
        let gold = document.gold(mode);
        for relation in gold {
            add_to(labels, &relation.label, |counts| counts.gold += 1);
        }
        for relation in predicted {
            add_to(labels, &relation.label, |counts| counts.predicted += 1);
        }
        for index in correct(mode, self.is_set, predicted, gold) {
            add_to(labels, &predicted[index].label, |counts| {
                counts.true_positives += 1;
            });
        }
    }

    /// Each document's generated text, in document order (`None`: not predicted); predictions
    /// for documents not in the index are an error.
    fn texts<'p>(
        &self,
        predictions: &'p BTreeMap<String, String>,
    ) -> Result<Vec<Option<&'p str>>, ScoreError> {
        let (texts, unknown) = self.pair(predictions);
        if unknown.is_empty() {
            Ok(texts)
        } else {
            Err(ScoreError::UnknownDocuments { ids: unknown })
        }
    }

    /// Each document's generated text (in document order; `None`: not predicted) and the
    /// predicted ids no gold document has, sorted: one walk over both sets in id order.
    fn pair<'p>(
        &self,
        predictions: &'p BTreeMap<String, String>,
    ) -> (Vec<Option<&'p str>>, Vec<String>) {
        let mut texts = vec![None; self.documents.len()];
        let mut unknown = Vec::new();
        let mut ids = self
            .by_id
            .iter()
            .map(|&position| (self.documents[position].id.as_str(), position))
            .peekable();
        for (id, text) in predictions {
            while ids.next_if(|(gold_id, _)| *gold_id < id.as_str()).is_some() {}
            let mut found = false;
            while let Some((_, position)) = ids.next_if(|(gold_id, _)| *gold_id == id.as_str()) {
                texts[position] = Some(text.as_str());
                found = true;
            }
            if !found {
                unknown.push(id.clone());
            }
        }
        (texts, unknown)
    }
}

/// Applies `change` to the counts of `label`, adding the label when it is not there yet.
fn add_to(labels: &mut BTreeMap<String, Counts>, label: &str, change: impl FnOnce(&mut Counts)) {
    if let Some(counts) = labels.get_mut(label) {
        change(counts);
    } else {
        change(labels.entry(label.to_owned()).or_default());
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
