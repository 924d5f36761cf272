//! Relations read back from generated text.

use crate::template::{GoldRelation, TemplateSpec};
use serde::{Deserialize, Serialize};

/// One relation read from generated text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PredictedRelation {
    /// The label (after `merge_labels`), mapped back from its word.
    pub label: String,
    /// The argument strings in role order; for a set relation, its members sorted, each once.
    pub arguments: Vec<String>,
}

/// What an extractor reads from one generated text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// The relations, each once, in the order first written.
    pub relations: Vec<PredictedRelation>,
    /// Pieces of the text that match no relation sentence (trimmed), kept so they can be counted.
    pub unparseable: Vec<String>,
}

impl PredictedRelation {
    /// The relation a perfect extraction of `gold`'s rendered strings yields.
    pub fn expected(spec: &TemplateSpec, gold: &GoldRelation) -> Self {
        let mut arguments: Vec<String> =
            gold.arguments.iter().map(|a| a.rendered.clone()).collect();
        if spec.list_role().is_some() {
            arguments.sort();
            arguments.dedup();
        }
        Self {
            label: gold.label.clone(),
            arguments,
        }
    }
}

/// The relations read from one text, borrowing the label from the extractor and the argument
/// strings from the text: what [`Extraction::relations`] holds, without allocating per relation.
/// Cleared and reused from text to text.
#[derive(Debug, Clone, Default)]
pub struct RelationsRead<'e, 't> {
    /// Each relation's label and the end of its arguments in `arguments`.
    relations: Vec<(&'e str, usize)>,
    /// The arguments of every relation, one relation after the other.
    arguments: Vec<&'t str>,
}

impl<'e, 't> RelationsRead<'e, 't> {
    /// Forgets every relation (keeping the memory).
    pub fn clear(&mut self) {
        self.relations.clear();
        self.arguments.clear();
    }

    /// The number of relations.
    pub fn len(&self) -> usize {
        self.relations.len()
    }

    /// Whether there is no relation.
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }

    /// The label and arguments of relation `index`.
    ///
    /// # Panics
    /// When `index` is not below [`Self::len`].
    pub fn get(&self, index: usize) -> (&'e str, &[&'t str]) {
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.relations[previous].1);
        let (label, end) = self.relations[index];
        (label, &self.arguments[start..end])
    }

    /// Every relation's label and arguments, in the order first read.
    pub fn iter(&self) -> impl Iterator<Item = (&'e str, &[&'t str])> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }

    /// Adds the relation of `label` and `arguments` (for a set relation: its members sorted, each
    /// once) unless an equal one was read before.
    pub(crate) fn push_unique(&mut self, label: &'e str, arguments: &[&'t str], is_set: bool) {
        let start = self.arguments.len();
        self.arguments.extend_from_slice(arguments);
        if is_set {
            let members = &mut self.arguments[start..];
            members.sort_unstable();
            let unique = dedup_sorted(members);
            self.arguments.truncate(start + unique);
        }
        let added = &self.arguments[start..];
        if self
            .iter()
            .any(|(seen_label, seen)| seen_label == label && seen == added)
        {
            self.arguments.truncate(start);
        } else {
            self.relations.push((label, self.arguments.len()));
        }
    }

    /// The relations as owned [`PredictedRelation`]s.
    pub fn to_predicted(&self) -> Vec<PredictedRelation> {
        self.iter()
            .map(|(label, arguments)| PredictedRelation {
                label: label.to_owned(),
                arguments: arguments.iter().map(|&a| a.to_owned()).collect(),
            })
            .collect()
    }
}

/// Moves the distinct values of sorted `values` to its front, in order; their number. (A slice
/// that is the tail of a longer vector is de-duplicated without touching what comes before.)
pub(crate) fn dedup_sorted<T: PartialEq + Copy>(values: &mut [T]) -> usize {
    let mut kept = 0;
    for index in 0..values.len() {
        if kept == 0 || values[index] != values[kept - 1] {
            values[kept] = values[index];
            kept += 1;
        }
    }
    kept
}
