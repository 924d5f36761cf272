//! Every way a piece of text can be read as one relation sentence, in the order the generated
//! regular expression prefers them (roles as short as possible from the left, label words longest
//! first): the first split is the regex's own match, the others are its alternatives.

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
    let mut walk = Walk::new(words_longest_first, text, MAX_SPLITS, usize::MAX);
    walk.segments(segments, 0);
    walk.found
        .iter()
        .map(|captured| split_of(roles, captured))
        .collect()
}

/// What [`first_split`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstSplit<'t> {
    /// The first split of [`relation_splits`]: the generated regex's own match.
    Found(Split<'t>),
    /// The text is no relation sentence: the generated regex does not match it.
    NoSplit,
    /// The walk took more than its budget of steps without deciding.
    OutOfBudget,
}

/// The first split of `text` (as [`relation_splits`] orders them), deciding within `budget`
/// steps (one step per segment tried at a position): the generated regex's own match, found
/// without running the regex when the walk is short, as it is for ordinary sentences.
pub fn first_split<'t>(
    segments: &[Segment],
    roles: &[String],
    words_longest_first: &[String],
    text: &'t str,
    budget: usize,
) -> FirstSplit<'t> {
    let mut walk = Walk::new(words_longest_first, text, 1, budget);
    walk.segments(segments, 0);
    match walk.found.first() {
        Some(captured) => FirstSplit::Found(split_of(roles, captured)),
        None if walk.steps_left == 0 => FirstSplit::OutOfBudget,
        None => FirstSplit::NoSplit,
    }
}

/// The split of the variables captured along one path of the walk.
fn split_of<'t>(roles: &[String], captured: &[(&SegmentKind, &'t str)]) -> Split<'t> {
    let mut split = Split {
        label: None,
        roles: vec![""; roles.len()],
    };
    for &(kind, value) in captured {
        match kind {
            SegmentKind::Role(role) => {
                if let Some(index) = roles.iter().position(|r| r == role) {
                    split.roles[index] = value;
                }
            }
            SegmentKind::Label => split.label = Some(value),
            SegmentKind::Literal(_) => {}
        }
    }
    split
}

/// A depth-first walk over segments, recording the variables captured on the way.
struct Walk<'w, 't> {
    words: &'w [String],
    text: &'t str,
    captured: Vec<(&'w SegmentKind, &'t str)>,
    found: Vec<Vec<(&'w SegmentKind, &'t str)>>,
    /// The walk stops once it has found this many splits.
    wanted: usize,
    /// Steps it may still take; at 0 it stops, undecided.
    steps_left: usize,
}

impl<'w, 't> Walk<'w, 't> {
    fn new(words: &'w [String], text: &'t str, wanted: usize, budget: usize) -> Self {
        Self {
            words,
            text,
            captured: Vec::new(),
            found: Vec::new(),
            wanted,
            steps_left: budget,
        }
    }

    /// Whether the walk has found enough splits or run out of steps.
    fn stopped(&self) -> bool {
        self.found.len() >= self.wanted || self.steps_left == 0
    }

    fn segments(&mut self, segments: &'w [Segment], position: usize) {
        if self.stopped() {
            return;
        }
        self.steps_left -= 1;
        let Some((segment, rest)) = segments.split_first() else {
            if position == self.text.len() {
                self.found.push(self.captured.clone());
            }
            return;
        };
        let text = self.text;
        let remaining = &text[position..];
        match &segment.kind {
            SegmentKind::Literal(literal) => {
                if remaining.starts_with(literal.as_str()) {
                    self.segments(rest, position + literal.len());
                }
            }
            SegmentKind::Label => {
                for word in self.words {
                    if remaining.starts_with(word.as_str()) {
                        self.capture(&segment.kind, rest, position, position + word.len());
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
                match rest.first().map(|next| &next.kind) {
                    None => self.capture(&segment.kind, rest, position, text.len()),
                    // It ends before each occurrence of the literal that follows it.
                    Some(SegmentKind::Literal(literal)) => {
                        for end in Occurrences::new(text, after_first, literal) {
                            self.capture(&segment.kind, rest, position, end);
                            if self.stopped() {
                                return;
                            }
                        }
                    }
                    // Validation forbids adjacent variables; should one slip through, try every
                    // boundary.
                    Some(_) => {
                        for end in (after_first..=text.len()).filter(|&i| text.is_char_boundary(i))
                        {
                            self.capture(&segment.kind, rest, position, end);
                            if self.stopped() {
                                return;
                            }
                        }
                    }
                }
            }
        }
    }

    fn capture(&mut self, kind: &'w SegmentKind, rest: &'w [Segment], start: usize, end: usize) {
        self.captured.push((kind, &self.text[start..end]));
        self.segments(rest, end);
        self.captured.pop();
    }
}

/// Byte offsets of every (possibly overlapping) occurrence of `needle` in `text` at or after `from`.
pub fn occurrences(text: &str, from: usize, needle: &str) -> Vec<usize> {
    Occurrences::new(text, from, needle).collect()
}

/// The occurrences of [`occurrences`], found one at a time.
struct Occurrences<'t, 'n> {
    text: &'t str,
    needle: &'n str,
    /// Where the search for the next one starts (`None`: done).
    search: Option<usize>,
}

impl<'t, 'n> Occurrences<'t, 'n> {
    fn new(text: &'t str, from: usize, needle: &'n str) -> Self {
        Self {
            text,
            needle,
            search: Some(from),
        }
    }
}

impl Iterator for Occurrences<'_, '_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let search = self.search?;
        let found = self
            .text
            .get(search..)
            .and_then(|rest| rest.find(self.needle));
        self.search = found.map(|offset| {
            let at = search + offset;
            at + self.text[at..].chars().next().map_or(1, char::len_utf8)
        });
        found.map(|offset| search + offset)
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

    #[test]
    fn finds_overlapping_occurrences() {
        assert_eq!(occurrences("aaaa", 0, "aa"), vec![0, 1, 2]);
        assert_eq!(occurrences("é and é", 2, " and "), vec![2]);
    }
}
