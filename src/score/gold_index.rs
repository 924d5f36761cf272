//! The gold side of a document set, prepared once and scored against any number of prediction
//! sets: each document's gold relations as both counting modes count them and the strings it
//! mentions. Model selection scores the same validation documents every epoch; only the
//! generated texts change.

use super::error::ScoreError;
use super::known_table::{KnownRun, KnownTable};
use super::scorer::{DocumentScore, correct};
use super::scores::{CountingMode, Counts, Scores};
use crate::corpus::document::Document;
use crate::extract::{Extraction, Extractor, RelationsRead};
use crate::template::{
    GoldArgument, GoldDedup, GoldRelation, MentionMatch, TemplateError, TemplateSpec,
    mention_strings, target_relations,
};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

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
    /// Every document's id, one after the other.
    ids: String,
    /// The strings each document mentions (`template::known_strings`).
    known: KnownTable,
}

/// One gold document as the scorer reads it.
#[derive(Debug, Clone)]
struct GoldDocument {
    /// Where its id lies in the index's `ids`.
    id: Range<usize>,
    /// Its strings in the index's [`KnownTable`].
    known: KnownRun,
    /// Gold relations as strict counting counts them.
    strict: Vec<GoldRelation>,
    /// Gold relations as the paper's counting counts them; `None` when they are `strict`'s.
    paper: Option<Vec<GoldRelation>>,
}

impl GoldDocument {
    fn gold(&self, mode: CountingMode) -> &[GoldRelation] {
        match (mode, &self.paper) {
            (CountingMode::Paper, Some(paper)) => paper,
            (CountingMode::Strict | CountingMode::Paper, _) => &self.strict,
        }
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

    /// Applies `change` to the counts of `label`.
    fn add(&mut self, label: &str, change: impl FnOnce(&mut Counts)) {
        match self.labels.iter().position(|known| known == label) {
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
        let is_set = spec.list_role().is_some();
        let mut known = KnownTable::default();
        let mut ids = String::new();
        let mut gold_documents = Vec::with_capacity(documents.len());
        for doc in documents {
            let gold = target_relations(spec, doc)?;
            let paper = (!paper_counts_as_strict(spec, &gold, is_set))
                .then(|| gold_for(spec, CountingMode::Paper, gold.clone()));
            let id_start = ids.len();
            ids.push_str(&doc.id);
            gold_documents.push(GoldDocument {
                id: id_start..ids.len(),
                known: known.add(mention_strings(spec, doc)),
                strict: gold_for(spec, CountingMode::Strict, gold),
                paper,
            });
        }
        let mut by_id: Vec<usize> = (0..gold_documents.len()).collect();
        // Documents sharing an id are all paired with its text, in any order.
        let id = |position: usize| &ids[gold_documents[position].id.clone()];
        by_id.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        Ok(Self {
            labels: spec.labels.keys().cloned().collect(),
            is_set,
            documents: gold_documents,
            by_id,
            ids,
            known,
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
        for (document, text) in self.documents.iter().zip(texts) {
            match text {
                Some(text) => {
                    let known = self.known.strings(&document.known);
                    extractor.read_in(text, &known, &mut relations, |_| unparseable += 1);
                }
                None => {
                    without_prediction += 1;
                    relations.clear();
                }
            }
            self.count(document, &relations, mode, &mut labels);
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
        let scored = self.documents.iter().zip(texts).map(|(document, text)| {
            let mut unparseable = Vec::new();
            relations.clear();
            if let Some(text) = text {
                let known = self.known.strings(&document.known);
                extractor.read_in(text, &known, &mut relations, |piece| {
                    unparseable.push(piece.to_owned());
                });
            }
            let mut labels = LabelCounts::new(&self.labels);
            self.count(document, &relations, mode, &mut labels);
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

    /// Adds what `document` contributes, with `predicted` read from its text, to `labels`.
    fn count(
        &self,
        document: &GoldDocument,
        predicted: &RelationsRead<'_, '_>,
        mode: CountingMode,
        labels: &mut LabelCounts<'_>,
    ) {
        let gold = document.gold(mode);
        for relation in gold {
            labels.add(&relation.label, |counts| counts.gold += 1);
        }
        for (label, _) in predicted.iter() {
            labels.add(label, |counts| counts.predicted += 1);
        }
        correct(mode, self.is_set, predicted, gold, |index| {
            labels.add(predicted.get(index).0, |counts| {
                counts.true_positives += 1;
            });
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

/// Whether the paper's counting counts the same gold relations as strict counting: with exact
/// de-duplication and only the rendered string accepted (merging accepted strings then adds
/// nothing), or with exact or no de-duplication when no two relations are written alike.
fn paper_counts_as_strict(spec: &TemplateSpec, gold: &[GoldRelation], is_set: bool) -> bool {
    match spec.paper_gold_dedup {
        GoldDedup::Lowercase => false,
        GoldDedup::Exact if spec.matching == MentionMatch::Rendered => true,
        GoldDedup::Exact | GoldDedup::None => !gold.iter().enumerate().any(|(index, relation)| {
            gold[..index]
                .iter()
                .any(|seen| written_alike(seen, relation, is_set, false))
        }),
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
    let mut kept: Vec<GoldRelation> = Vec::with_capacity(gold.len());
    for relation in gold {
        match kept
            .iter_mut()
            .find(|seen| written_alike(seen, &relation, is_set, lowercase))
        {
            Some(first) if mode == CountingMode::Strict => merge_accepted(first, relation, is_set),
            Some(_) => {}
            None => kept.push(relation),
        }
    }
    kept
}

/// Whether `a` and `b` are written alike: the same label and arguments (a set relation's members
/// in any order), lower-cased first when `lowercase`.
fn written_alike(a: &GoldRelation, b: &GoldRelation, is_set: bool, lowercase: bool) -> bool {
    if lowercase {
        return statement_key(a, is_set, true) == statement_key(b, is_set, true);
    }
    let same_rendered = |x: &GoldArgument, y: &GoldArgument| x.rendered == y.rendered;
    a.label == b.label
        && a.arguments.len() == b.arguments.len()
        && if is_set {
            // A relation's members are written differently from each other (`target_relations`
            // keeps members written alike once), so as many members, each found in the other
            // relation, are the same sorted list.
            a.arguments
                .iter()
                .all(|x| b.arguments.iter().any(|y| same_rendered(x, y)))
        } else {
            a.arguments
                .iter()
                .zip(&b.arguments)
                .all(|(x, y)| same_rendered(x, y))
        }
}

/// The label and argument strings of `relation` as compared (lower-cased when `lowercase`; a set
/// relation's members sorted).
fn statement_key(relation: &GoldRelation, is_set: bool, lowercase: bool) -> (String, Vec<String>) {
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
