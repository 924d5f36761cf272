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
    pub fn add<S: AsRef<str>>(&mut self, strings: impl IntoIterator<Item = S>) -> KnownRun {
        let first = self.spans.len();
        for string in strings {
            let start = self.text.len();
            self.text.push_str(string.as_ref());
            self.spans.push(start..self.text.len());
        }
        let text = &self.text;
        let run = &mut self.spans[first..];
        run.sort_unstable_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
        let unique = distinct_prefix(run, |a, b| text[a.clone()] == text[b.clone()]);
        self.spans.truncate(first + unique);
        KnownRun(first..self.spans.len())
    }

    /// The strings of `run`, answering membership.
    pub fn strings(&self, run: &KnownRun) -> KnownIn<'_> {
        KnownIn {
            text: &self.text,
            spans: &self.spans[run.0.clone()],
        }
    }
}

/// Moves the first of each group of `same` neighbours of `items` to its front, in order; their
/// number.
fn distinct_prefix<T: Clone>(items: &mut [T], same: impl Fn(&T, &T) -> bool) -> usize {
    let mut kept = 0;
    for index in 0..items.len() {
        if kept == 0 || !same(&items[index], &items[kept - 1]) {
            items[kept] = items[index].clone();
            kept += 1;
        }
    }
    kept
}

/// One document's strings, borrowed from a [`KnownTable`].
#[derive(Debug, Clone, Copy)]
pub struct KnownIn<'a> {
    text: &'a str,
    /// Sorted by the strings they cover, each string once.
    spans: &'a [Range<usize>],
}

impl KnownStrings for KnownIn<'_> {
    fn is_known(&self, text: &str) -> bool {
        self.spans
            .binary_search_by(|span| self.text[span.clone()].cmp(text))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_documents_own_strings() {
        let mut table = KnownTable::default();
        let first = table.add(["b", "a", "b", ""]);
        let second = table.add(["c"]);
        let known = table.strings(&first);
        assert!(known.is_known("a") && known.is_known("b") && known.is_known(""));
        assert!(!known.is_known("c"));
        assert!(table.strings(&second).is_known("c"));
        assert!(!table.strings(&second).is_known("a"));
        assert_eq!(first.0.len(), 3);
    }
}
