//! The gold side of a document set, prepared once and scored against any number of prediction
//! sets: each document's gold relations as both counting modes count them and the strings it
//! mentions. Model selection scores the same validation documents every epoch; only the
//! generated texts change.

use super::error::ScoreError;
use super::gold_table::{GoldRuns, GoldTable, GoldTableBuilder};
use super::known_table::{KnownIn, KnownRun, KnownTable};
use super::scorer::{DocumentScore, correct};
use super::scores::{CountingMode, Counts, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extraction, Extractor, RelationsRead};
use crate::template::{TemplateError, TemplateSpec, mention_strings};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// The gold documents of one split under one template, ready to score predictions against.
#[derive(Debug, Clone)]
pub struct GoldIndex {
    /// The template's labels (after merging), sorted (they are a map's keys).
    labels: Vec<String>,
    /// Whether relations are sets (a template with a single list role).
    is_set: bool,
    /// One entry per gold document, in the order given.
    documents: Vec<GoldDocument>,
    /// Positions in `documents`, ordered by document id (to pair them with predictions).
    by_id: Vec<usize>,
    /// Every document's id, one after the other.
    ids: String,
    /// The strings each document mentions (`template::known_strings`).
    known: KnownTable,
    /// Every document's gold relations.
    gold: GoldTable,
}

/// One gold document as the scorer reads it.
#[derive(Debug, Clone)]
struct GoldDocument {
    /// Where its id lies in the index's `ids`.
    id: Range<usize>,
    /// Its strings in the index's [`KnownTable`].
    known: KnownRun,
    /// Its relations in the index's [`GoldTable`].
    gold: GoldRuns,
}

/// Predicted relations with their labels and strings as positions (`None`: not a label of the
/// template, not a string of the document), reused from document to document.
#[derive(Debug, Default)]
struct ResolvedPredictions {
    labels: Vec<Option<usize>>,
    /// Where each relation's arguments end in `arguments`.
    ends: Vec<usize>,
    arguments: Vec<Option<usize>>,
}

impl ResolvedPredictions {
    /// Resolves `predicted` against the template's `labels` (sorted) and a document's `known`
    /// strings.
    fn resolve(&mut self, labels: &[String], known: &KnownIn<'_>, predicted: &RelationsRead) {
        self.labels.clear();
        self.ends.clear();
        self.arguments.clear();
        for (label, arguments) in predicted.iter() {
            let position = labels.binary_search_by(|known| known.as_str().cmp(label));
            self.labels.push(position.ok());
            self.arguments
                .extend(arguments.iter().map(|&argument| known.position(argument)));
            self.ends.push(self.arguments.len());
        }
    }

    /// The label and arguments of relation `index`.
    fn get(&self, index: usize) -> (Option<usize>, &[Option<usize>]) {
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous]);
        (self.labels[index], &self.arguments[start..self.ends[index]])
    }
}

/// Counts per label: the template's labels by position, any other label by name.
struct LabelCounts<'i> {
    labels: &'i [String],
    counts: Vec<Counts>,
    others: BTreeMap<String, Counts>,
}

impl<'i> LabelCounts<'i> {
    fn new(labels: &'i [String]) -> Self {
        Self {
            labels,
            counts: vec![Counts::default(); labels.len()],
            others: BTreeMap::new(),
        }
    }

    /// Applies `change` to the counts of the label at `position` of the template's labels, or,
    /// when it has none, of `label`.
    fn add(&mut self, position: Option<usize>, label: &str, change: impl FnOnce(&mut Counts)) {
        match position {
            Some(position) => change(&mut self.counts[position]),
            None => change(self.others.entry(label.to_owned()).or_default()),
        }
    }

    /// Every label's counts, the template's labels included.
    fn into_map(self) -> BTreeMap<String, Counts> {
        let mut map = self.others;
        map.extend(self.labels.iter().cloned().zip(self.counts));
        map
    }
}

impl GoldIndex {
    /// Prepares `documents` for scoring with `spec`: the first document whose gold relations the
    /// template cannot render is an error.
    pub fn new(spec: &TemplateSpec, documents: &[Document]) -> Result<Self, TemplateError> {
        let mut known = KnownTable::default();
        let mut gold = GoldTableBuilder::new(spec);
        let mut mention_positions = Vec::new();
        let mut ids = String::new();
        let mut gold_documents = Vec::with_capacity(documents.len());
        for doc in documents {
            mention_positions.clear();
            let known_run = known.add(mention_strings(spec, doc), &mut mention_positions);
            let id_start = ids.len();
            ids.push_str(&doc.id);
            gold_documents.push(GoldDocument {
                id: id_start..ids.len(),
                known: known_run,
                gold: gold.add(doc, &mention_positions, &known)?,
            });
        }
        let mut by_id: Vec<usize> = (0..gold_documents.len()).collect();
        // Documents sharing an id are all paired with its text, in any order.
        let id = |position: usize| &ids[gold_documents[position].id.clone()];
        by_id.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        Ok(Self {
            labels: spec.labels.keys().cloned().collect(),
            is_set: spec.list_role().is_some(),
            documents: gold_documents,
            by_id,
            ids,
            known,
            gold: gold.finish(),
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
        match Self::new(spec, documents) {
            Ok(index) => {
                let unknown = index.pair(predictions).1;
                if unknown.is_empty() {
                    Ok(index)
                } else {
                    Err(ScoreError::UnknownDocuments { ids: unknown })
                }
            }
            Err(error) => {
                let ids: HashSet<&str> = documents.iter().map(|doc| doc.id.as_str()).collect();
                let unknown: Vec<String> = predictions
                    .keys()
                    .filter(|id| !ids.contains(id.as_str()))
                    .cloned()
                    .collect();
                Err(if unknown.is_empty() {
                    error.into()
                } else {
                    ScoreError::UnknownDocuments { ids: unknown }
                })
            }
        }
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
        let mut labels = LabelCounts::new(&self.labels);
        let mut without_prediction = 0;
        let mut unparseable = 0;
        let mut relations = RelationsRead::default();
        let mut resolved = ResolvedPredictions::default();
        for (document, text) in self.documents.iter().zip(texts) {
            let known = self.known.strings(&document.known);
            match text {
                Some(text) => {
                    extractor.read_in(text, &known, &mut relations, |_| unparseable += 1);
                }
                None => {
                    without_prediction += 1;
                    relations.clear();
                }
            }
            resolved.resolve(&self.labels, &known, &relations);
            self.count(document, &relations, &resolved, mode, &mut labels);
        }
        let labels = labels.into_map();
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

    /// The counts of every gold document, in document order, as [`super::score`] counts them.
    pub fn score_documents(
        &self,
        extractor: &Extractor,
        predictions: &BTreeMap<String, String>,
        mode: CountingMode,
    ) -> Result<Vec<DocumentScore>, ScoreError> {
        let texts = self.texts(predictions)?;
        let mut relations = RelationsRead::default();
        let mut resolved = ResolvedPredictions::default();
        let scored = self.documents.iter().zip(texts).map(|(document, text)| {
            let mut unparseable = Vec::new();
            relations.clear();
            let known = self.known.strings(&document.known);
            if let Some(text) = text {
                extractor.read_in(text, &known, &mut relations, |piece| {
                    unparseable.push(piece.to_owned());
                });
            }
            resolved.resolve(&self.labels, &known, &relations);
            let mut labels = LabelCounts::new(&self.labels);
            self.count(document, &relations, &resolved, mode, &mut labels);
            DocumentScore {
                id: self.ids[document.id.clone()].to_owned(),
                has_prediction: text.is_some(),
                extraction: Extraction {
                    relations: relations.to_predicted(),
                    unparseable,
                },
                labels: labels.into_map(),
            }
        });
        Ok(scored.collect())
    }

    /// Adds what `document` contributes, with `predicted` read from its text and `resolved`
    /// from that, to `labels`.
    fn count(
        &self,
        document: &GoldDocument,
        predicted: &RelationsRead<'_, '_>,
        resolved: &ResolvedPredictions,
        mode: CountingMode,
        labels: &mut LabelCounts<'_>,
    ) {
        let gold = document.gold.relations(mode);
        for relation in gold.clone() {
            labels.add(Some(self.gold.label(relation)), "", |counts| {
                counts.gold += 1
            });
        }
        let label_of = |index: usize| (resolved.labels[index], predicted.get(index).0);
        for index in 0..predicted.len() {
            let (position, label) = label_of(index);
            labels.add(position, label, |counts| counts.predicted += 1);
        }
        let edge = |p: usize, g: usize| {
            let (label, arguments) = resolved.get(p);
            self.gold
                .matches(gold.start + g, self.is_set, label, arguments)
        };
        correct(mode, predicted.len(), gold.len(), edge, |index| {
            let (position, label) = label_of(index);
            labels.add(position, label, |counts| counts.true_positives += 1);
        });
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
            .map(|&position| (&self.ids[self.documents[position].id.clone()], position))
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
