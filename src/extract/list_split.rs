//! Every way a list role's text can be read as its members, "A", "A and B", "A, B, and C", in
//! preference order: the long form first (the leftmost `last` joiner, most members first), then
//! the pair form (leftmost `pair` joiner), then members joined by `separator` alone (a generation
//! that dropped the last joiner, "A, B, C"), then the whole text as one member.

use super::needle::Needle;
use super::split::MAX_SPLITS;
use crate::template::spec::ListStyle;

/// Beyond this many separators in one list, only the reading that cuts at all of them is tried.
const MAX_CUT_CHOICES: usize = 10;

/// Every reading of `text` as list members, most preferred first; never empty.
pub fn list_splits<'t>(style: &ListStyle, text: &'t str) -> Vec<Vec<&'t str>> {
    ListReader::new(style).readings(text).collect()
}

/// A list style prepared for reading many lists: the searchers of its joiners are built once.
#[derive(Debug, Clone)]
pub struct ListReader {
    style: ListStyle,
    last: Needle,
    pair: Needle,
    separator: Needle,
}

impl ListReader {
    /// Prepares `style`.
    pub fn new(style: &ListStyle) -> Self {
        Self {
            last: Needle::new(&style.last),
            pair: Needle::new(&style.pair),
            separator: Needle::new(&style.separator),
            style: style.clone(),
        }
    }

    /// The readings of [`list_splits`], computed only as far as they are consumed: the
    /// preferred reading settles most lists.
    pub fn readings<'s, 't: 's>(
        &'s self,
        text: &'t str,
    ) -> impl Iterator<Item = Vec<&'t str>> + 's {
        let style = &self.style;
        let long = self
            .last
            .occurrences(text, 0)
            .filter_map(move |at| {
                let (head, tail) = (&text[..at], &text[at + style.last.len()..]);
                (!tail.is_empty()).then_some((head, tail))
            })
            .flat_map(move |(head, tail)| {
                self.head_splits(head).into_iter().map(move |mut members| {
                    members.push(tail);
                    members
                })
            });
        let pairs = self.pair.occurrences(text, 0).filter_map(move |at| {
            let (first, second) = (&text[..at], &text[at + style.pair.len()..]);
            (!first.is_empty() && !second.is_empty()).then(|| vec![first, second])
        });
        let separated = std::iter::once(text).flat_map(move |text| self.head_splits(text));
        long.chain(pairs)
            .chain(separated)
            .take(MAX_SPLITS - 1)
            .chain(std::iter::once(vec![text]))
    }

    /// Readings of `head` as at least two non-empty members joined by the separator, cutting at
    /// every separator first.
    fn head_splits<'t>(&self, head: &'t str) -> Vec<Vec<&'t str>> {
        let separator = self.style.separator.as_str();
        let cuts: Vec<usize> = self.separator.occurrences(head, 0).collect();
        if cuts.len() > MAX_CUT_CHOICES {
            // Too many to choose among: only the reading that cuts at every separator.
            return members_at(head, separator, &cuts).into_iter().collect();
        }
        let mut found = Vec::new();
        let mut chosen = Vec::new();
        choose_cuts(head, separator, &cuts, &mut chosen, &mut found);
        found
    }
}

fn choose_cuts<'t>(
    head: &'t str,
    separator: &str,
    cuts: &[usize],
    chosen: &mut Vec<usize>,
    found: &mut Vec<Vec<&'t str>>,
) {
    if found.len() >= MAX_SPLITS {
        return;
    }
    let Some((&cut, rest)) = cuts.split_first() else {
        if let Some(members) = members_at(head, separator, chosen) {
            found.push(members);
        }
        return;
    };
    chosen.push(cut);
    choose_cuts(head, separator, rest, chosen, found);
    chosen.pop();
    choose_cuts(head, separator, rest, chosen, found);
}

/// The members of `head` cut at `cuts`, when there are at least two and none is empty.
fn members_at<'t>(head: &'t str, separator: &str, cuts: &[usize]) -> Option<Vec<&'t str>> {
    let mut members = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        members.push(head.get(start..cut).filter(|m| !m.is_empty())?);
        start = cut + separator.len();
    }
    members.push(head.get(start..).filter(|m| !m.is_empty())?);
    (members.len() >= 2).then_some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_canonical_reading() {
        let style = ListStyle::default();
        assert_eq!(list_splits(&style, "A")[0], vec!["A"]);
        assert_eq!(list_splits(&style, "A and B")[0], vec!["A", "B"]);
        assert_eq!(list_splits(&style, "A, B, and C")[0], vec!["A", "B", "C"]);
        assert_eq!(
            list_splits(&style, "A, B, C, and D")[0],
            vec!["A", "B", "C", "D"]
        );
    }

    #[test]
    fn offers_every_alternative() {
        let style = ListStyle::default();
        let splits = list_splits(&style, "A, B, C, and D");
        assert!(splits.contains(&vec!["A, B", "C", "D"]));
        assert!(splits.contains(&vec!["A", "B, C", "D"]));
        assert!(splits.contains(&vec!["A, B, C, and D"]));
        let pairs = list_splits(&style, "X and Y and Z");
        assert_eq!(
            pairs,
            vec![
                vec!["X", "Y and Z"],
                vec!["X and Y", "Z"],
                vec!["X and Y and Z"]
            ]
        );
    }
}
