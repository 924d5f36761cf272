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
    let mut walk = Walk {
        words: words_longest_first,
        text,
        captured: Vec::new(),
        found: Vec::new(),
    };
    walk.segments(segments, 0);
    walk.found
        .into_iter()
        .map(|captured| {
            let mut split = Split {
                label: None,
                roles: vec![""; roles.len()],
            };
            for (kind, value) in captured {
                match kind {
                    SegmentKind::Role(role) => {
                        if let Some(index) = roles.iter().position(|r| *r == role) {
                            split.roles[index] = value;
                        }
                    }
                    SegmentKind::Label => split.label = Some(value),
                    SegmentKind::Literal(_) => {}
                }
            }
            split
        })
        .collect()
}

/// A depth-first walk over segments, recording the variables captured on the way.
struct Walk<'w, 't> {
    words: &'w [String],
    text: &'t str,
    captured: Vec<(SegmentKind, &'t str)>,
    found: Vec<Vec<(SegmentKind, &'t str)>>,
}

impl<'t> Walk<'_, 't> {
    fn segments(&mut self, segments: &[Segment], position: usize) {
        if self.found.len() >= MAX_SPLITS {
            return;
        }
        let Some((segment, rest)) = segments.split_first() else {
            if position == self.text.len() {
                self.found.push(self.captured.clone());
            }
            return;
        };
        let remaining = &self.text[position..];
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
                }
            }
            SegmentKind::Role(_) => {
                for end in role_ends(self.text, position, rest.first()) {
                    self.capture(&segment.kind, rest, position, end);
                }
            }
        }
    }

    fn capture(&mut self, kind: &SegmentKind, rest: &[Segment], start: usize, end: usize) {
        self.captured.push((kind.clone(), &self.text[start..end]));
        self.segments(rest, end);
        self.captured.pop();
    }
}

/// Where a non-empty role starting at `start` may end, shortest first: before each occurrence of
/// the literal that follows it, or at the end of the text when it is last.
fn role_ends(text: &str, start: usize, next: Option<&Segment>) -> Vec<usize> {
    let first_char = text[start..].chars().next().map_or(0, char::len_utf8);
    if first_char == 0 {
        return Vec::new();
    }
    let after_first = start + first_char;
    match next.map(|segment| &segment.kind) {
        None => vec![text.len()],
        Some(SegmentKind::Literal(literal)) => occurrences(text, after_first, literal),
        // Validation forbids adjacent variables; should one slip through, try every boundary.
        Some(_) => (after_first..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect(),
    }
}

/// Byte offsets of every (possibly overlapping) occurrence of `needle` in `text` at or after `from`.
pub fn occurrences(text: &str, from: usize, needle: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut search = from;
    while let Some(offset) = text.get(search..).and_then(|rest| rest.find(needle)) {
        let at = search + offset;
        found.push(at);
        search = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    found
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
