//! The regular expression of a relation template: literal text escaped, each role a lazy capture
//! group named after it, `{{ label }}` an alternation of the label words (longest first, the empty
//! word included), anchored at both ends.

use crate::template::{Segment, SegmentKind, segments::LABEL_VARIABLE};

/// The pattern that full-matches one relation sentence of `segments`.
pub fn relation_pattern(segments: &[Segment], words_longest_first: &[String]) -> String {
    let mut pattern = String::from("(?s)^");
    for segment in segments {
        match &segment.kind {
            SegmentKind::Literal(text) => pattern.push_str(&regex::escape(text)),
            SegmentKind::Role(role) => pattern.push_str(&format!("(?P<{role}>.+?)")),
            SegmentKind::Label => {
                let words: Vec<String> = words_longest_first
                    .iter()
                    .map(|w| regex::escape(w))
                    .collect();
                pattern.push_str(&format!("(?P<{LABEL_VARIABLE}>{})", words.join("|")));
            }
        }
    }
    pattern.push('$');
    pattern
}

/// An explicit pattern anchored so that it must match a whole piece.
pub fn anchored(explicit: &str) -> String {
    format!("^(?:{explicit})$")
}

/// Label words ordered as the alternation tries them: longest first, then alphabetically.
pub fn words_longest_first<'a>(words: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut words: Vec<String> = words.into_iter().cloned().collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    words
}
