//! The strings every gold document mentions, kept in one buffer: each document's strings sorted
//! and each once, found by binary search, so preparing a document set allocates per set rather
//! than per string.

use crate::extract::KnownStrings;
use std::ops::Range;

/// The known strings of many documents.
#[derive(Debug, Clone, Default)]
pub struct KnownTable {
    /// Every string, one after the other.
    text: String,
    /// Where each string lies in `text`; a document's strings are a sorted run of these.
    spans: Vec<Range<usize>>,
}

/// One document's strings in a [`KnownTable`]: the run of its spans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownRun(Range<usize>);

impl KnownTable {
    /// Adds one document's `strings` (in any order, repeats allowed); the run that finds them.
    /// Appends to `positions` each string's position in the table, in the order given: equal
    /// strings share one.
    pub fn add<S: AsRef<str>>(
        &mut self,
        strings: impl IntoIterator<Item = S>,
        positions: &mut Vec<usize>,
    ) -> KnownRun {
        let first = self.spans.len();
        for string in strings {
            let start = self.text.len();
            self.text.push_str(string.as_ref());
            self.spans.push(start..self.text.len());
        }
        let given = &self.spans[first..];
        let text = &self.text;
        let mut order: Vec<usize> = (0..given.len()).collect();
        order.sort_unstable_by(|&a, &b| text[given[a].clone()].cmp(&text[given[b].clone()]));
        let mut unique: Vec<Range<usize>> = Vec::with_capacity(given.len());
        let placed = positions.len();
        positions.resize(placed + given.len(), 0);
        for &index in &order {
            let span = &given[index];
            if unique
                .last()
                .is_none_or(|last| text[last.clone()] != text[span.clone()])
            {
                unique.push(span.clone());
            }
            positions[placed + index] = first + unique.len() - 1;
        }
        self.spans.truncate(first);
        self.spans.extend(unique);
        KnownRun(first..self.spans.len())
    }

    /// The string at `position` (one [`add`](Self::add) gave).
    pub fn string(&self, position: usize) -> &str {
        &self.text[self.spans[position].clone()]
    }

    /// The strings of `run`, answering membership.
    pub fn strings(&self, run: &KnownRun) -> KnownIn<'_> {
        KnownIn {
            text: &self.text,
            first: run.0.start,
            spans: &self.spans[run.0.clone()],
        }
    }
}

/// One document's strings, borrowed from a [`KnownTable`].
#[derive(Debug, Clone, Copy)]
pub struct KnownIn<'a> {
    text: &'a str,
    /// The table position of the first of `spans`.
    first: usize,
    /// Sorted by the strings they cover, each string once.
    spans: &'a [Range<usize>],
}

impl KnownIn<'_> {
    /// The table position of `text`, when it is one of these strings.
    pub fn position(&self, text: &str) -> Option<usize> {
        self.spans
            .binary_search_by(|span| self.text[span.clone()].cmp(text))
            .ok()
            .map(|index| self.first + index)
    }
}

impl KnownStrings for KnownIn<'_> {
    fn is_known(&self, text: &str) -> bool {
        self.position(text).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_documents_own_strings() {
        let mut table = KnownTable::default();
        let mut positions = Vec::new();
        let first = table.add(["b", "a", "b", ""], &mut positions);
        let second = table.add(["c"], &mut positions);
        assert_eq!(positions, [2, 1, 2, 0, 3]);
        assert_eq!(table.string(2), "b");
        assert_eq!(table.strings(&second).position("c"), Some(3));
        let known = table.strings(&first);
        assert!(known.is_known("a") && known.is_known("b") && known.is_known(""));
        assert!(!known.is_known("c"));
        assert!(table.strings(&second).is_known("c"));
        assert!(!table.strings(&second).is_known("a"));
        assert_eq!(first.0.len(), 3);
    }
}
