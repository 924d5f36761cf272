//! Every way a piece of text can be read as one relation sentence, in the order the generated
//! regular expression prefers them (roles as short as possible from the left, label words longest
//! first): the first split is the regex's own match, the others are its alternatives.

use super::needle::Needle;
use crate::template::{Segment, SegmentKind};

/// At most this many splits are enumerated per piece (ambiguity beyond this is pathological).
pub const MAX_SPLITS: usize = 64;

/// One reading of a relation sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'t> {
    /// The label word, when the sentence has one.
    pub label: Option<&'t str>,
    /// The text of each role, in role order.
    pub roles: Vec<&'t str>,
}

/// Every split of `text` by `segments`, in preference order; `roles` names the roles in order.
pub fn relation_splits<'t>(
    segments: &[Segment],
    roles: &[String],
    words_longest_first: &[String],
    text: &'t str,
) -> Vec<Split<'t>> {
    Splitter::new(segments, roles, words_longest_first).splits(text)
}

/// What [`Splitter::first_split`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstSplit<'t> {
    /// The first split of [`Splitter::splits`]: the generated regex's own match.
    Found(Split<'t>),
    /// The text is no relation sentence: the generated regex does not match it.
    NoSplit,
    /// The walk took more than its budget of steps without deciding.
    OutOfBudget,
}

/// A relation template's segments prepared for splitting many texts: the searcher of each
/// literal that ends a role is built once.
#[derive(Debug, Clone)]
pub struct Splitter {
    segments: Vec<Segment>,
    roles: Vec<String>,
    words: Vec<String>,
    /// For each segment, the literal that follows it when it is a role followed by one.
    role_ends: Vec<Option<Needle>>,
}

impl Splitter {
    /// Prepares `segments`, whose roles are `roles` in order and whose label words are
    /// `words_longest_first`.
    pub fn new(segments: &[Segment], roles: &[String], words_longest_first: &[String]) -> Self {
        let role_ends = segments
            .iter()
            .zip(segments.iter().skip(1).map(Some).chain([None]))
            .map(
                |(segment, next)| match (&segment.kind, next.map(|n| &n.kind)) {
                    (SegmentKind::Role(_), Some(SegmentKind::Literal(literal))) => {
                        Some(Needle::new(literal))
                    }
                    _ => None,
                },
            )
            .collect();
        Self {
            segments: segments.to_vec(),
            roles: roles.to_vec(),
            words: words_longest_first.to_vec(),
            role_ends,
        }
    }

    /// Every split of `text`, in preference order (at most [`MAX_SPLITS`]).
    pub fn splits<'t>(&self, text: &'t str) -> Vec<Split<'t>> {
        let mut walk = Walk::new(self, text, MAX_SPLITS, usize::MAX);
        walk.segments(0, 0);
        walk.found
    }

    /// The first split of `text` (as [`Self::splits`] orders them), deciding within `budget`
    /// steps (one step per segment tried at a position): the generated regex's own match, found
    /// without running the regex when the walk is short, as it is for ordinary sentences.
    pub fn first_split<'t>(&self, text: &'t str, budget: usize) -> FirstSplit<'t> {
        let mut walk = Walk::new(self, text, 1, budget);
        walk.segments(0, 0);
        match walk.found.pop() {
            Some(split) => FirstSplit::Found(split),
            None if walk.steps_left == 0 => FirstSplit::OutOfBudget,
            None => FirstSplit::NoSplit,
        }
    }

    /// The split of the variables captured along one path of the walk (segment index, text).
    fn split_of<'t>(&self, captured: &[(usize, &'t str)]) -> Split<'t> {
        let mut split = Split {
            label: None,
            roles: vec![""; self.roles.len()],
        };
        for &(index, value) in captured {
            match &self.segments[index].kind {
                SegmentKind::Role(role) => {
                    if let Some(position) = self.roles.iter().position(|r| r == role) {
                        split.roles[position] = value;
                    }
                }
                SegmentKind::Label => split.label = Some(value),
                SegmentKind::Literal(_) => {}
            }
        }
        split
    }
}

/// A depth-first walk over segments, recording the variables captured on the way.
struct Walk<'s, 't> {
    splitter: &'s Splitter,
    text: &'t str,
    /// The variables captured on the current path: segment index and text.
    captured: Vec<(usize, &'t str)>,
    /// The splits found so far, in order.
    found: Vec<Split<'t>>,
    /// The walk stops once it has found this many splits.
    wanted: usize,
    /// Steps it may still take; at 0 it stops, undecided.
    steps_left: usize,
}

impl<'s, 't> Walk<'s, 't> {
    fn new(splitter: &'s Splitter, text: &'t str, wanted: usize, budget: usize) -> Self {
        Self {
            splitter,
            text,
            captured: Vec::with_capacity(splitter.segments.len()),
            found: Vec::new(),
            wanted,
            steps_left: budget,
        }
    }

    /// Whether the walk has found enough splits or run out of steps.
    fn stopped(&self) -> bool {
        self.found.len() >= self.wanted || self.steps_left == 0
    }

    /// Walks from segment `index` at byte `position` of the text.
    fn segments(&mut self, index: usize, position: usize) {
        if self.stopped() {
            return;
        }
        self.steps_left -= 1;
        let splitter = self.splitter;
        let Some(segment) = splitter.segments.get(index) else {
            if position == self.text.len() {
                self.found.push(splitter.split_of(&self.captured));
            }
            return;
        };
        let text = self.text;
        let remaining = &text[position..];
        match &segment.kind {
            SegmentKind::Literal(literal) => {
                if remaining.starts_with(literal.as_str()) {
                    self.segments(index + 1, position + literal.len());
                }
            }
            SegmentKind::Label => {
                for word in &splitter.words {
                    if remaining.starts_with(word.as_str()) {
                        self.capture(index, position, position + word.len());
                    }
                    if self.stopped() {
                        return;
                    }
                }
            }
            SegmentKind::Role(_) => {
                // A role is not empty: it ends after its first character at the earliest.
                let Some(first) = remaining.chars().next() else {
                    return;
                };
                let after_first = position + first.len_utf8();
                if let Some(literal) = &splitter.role_ends[index] {
                    // It ends before each occurrence of the literal that follows it.
                    for end in literal.occurrences(text, after_first) {
                        self.capture(index, position, end);
                        if self.stopped() {
                            return;
                        }
                    }
                } else if index + 1 == splitter.segments.len() {
                    self.capture(index, position, text.len());
                } else {
                    // Validation forbids adjacent variables; should one slip through, try every
                    // boundary.
                    for end in (after_first..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                        self.capture(index, position, end);
                        if self.stopped() {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Captures segment `index` as the text from `start` to `end` and walks on.
    fn capture(&mut self, index: usize, start: usize, end: usize) {
        self.captured.push((index, &self.text[start..end]));
        self.segments(index + 1, end);
        self.captured.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse_relation;
    use proptest::strategy::Strategy;

    #[test]
    fn enumerates_every_split_shortest_first() {
        let roles = vec!["chemical".to_owned(), "disease".to_owned()];
        let segments = parse_relation(
            "The relation between {{ chemical }} and {{ disease }} exists",
            &roles,
        )
        .unwrap_or_default();
        let splits = relation_splits(
            &segments,
            &roles,
            &[],
            "The relation between A and B and C exists",
        );
        let roles: Vec<Vec<&str>> = splits.into_iter().map(|s| s.roles).collect();
        assert_eq!(roles, vec![vec!["A", "B and C"], vec!["A and B", "C"]]);
    }

    /// A text made of pieces that often form (and nearly form) a relation sentence.
    fn sentence() -> impl proptest::strategy::Strategy<Value = String> {
        let token = proptest::sample::select(vec![
            "The relation between ",
            "the relation between ",
            " and ",
            " and/or ",
            "A",
            "B",
            "é",
            " is ",
            "effect",
            "advice",
            "",
            " exists",
            " ",
            "and",
        ]);
        proptest::collection::vec(token, 0..12).prop_map(|tokens| tokens.concat())
    }

    proptest::proptest! {
        #[test]
        fn the_first_split_is_the_regex_match(text in sentence()) {
            for (relation, words) in [
                ("The relation between {{ a }} and {{ b }} exists", vec![]),
                ("the relation between {{ a }} and {{ b }} is {{ label }}", vec!["effect", "advice", ""]),
                ("{{ a }} and {{ b }}", vec![]),
            ] {
                let roles = vec!["a".to_owned(), "b".to_owned()];
                let segments = parse_relation(relation, &roles).unwrap_or_default();
                let words = super::super::pattern::words_longest_first(&words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>());
                let pattern = super::super::pattern::relation_pattern(&segments, &words);
                let regex = regex::Regex::new(&pattern).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                let expected = regex.captures(&text).map(|c| Split {
                    label: c.name("label").map(|m| m.as_str()),
                    roles: ["a", "b"].iter().map(|r| c.name(r).map_or("", |m| m.as_str())).collect(),
                });
                let splits = relation_splits(&segments, &roles, &words, &text);
                proptest::prop_assert_eq!(splits.first().cloned(), expected, "{}", pattern);
            }
        }
    }
}
