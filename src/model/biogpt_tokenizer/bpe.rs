//! fastBPE-style byte-pair encoding of one Moses token, with the merge table of `merges.txt`.

use super::char_class::split_python_whitespace;
use crate::model::error::{ModelError, ModelResult};
use std::collections::HashMap;
use std::path::Path;

/// Marks the last character of a word.
pub(super) const END_OF_WORD: &str = "</w>";

/// The merges of `merges.txt`: the rank of each pair (lower merges first).
#[derive(Debug, Clone, Default)]
pub(super) struct Merges {
    /// left piece → right piece → rank.
    ranks: HashMap<String, HashMap<String, usize>>,
}

impl Merges {
    /// Reads `merges.txt` as `BioGptTokenizer` does: lines `left right [count]`, where the text
    /// after the last newline is dropped (a file without a final newline loses its last merge)
    /// and a pair listed twice keeps its later rank. A line with one field is an error.
    pub(super) fn parse(text: &str, path: &Path) -> ModelResult<Self> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut lines: Vec<&str> = text.split('\n').collect();
        lines.pop();
        let mut ranks: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (rank, line) in lines.into_iter().enumerate() {
            let mut fields = split_python_whitespace(line);
            match (fields.next(), fields.next()) {
                (Some(left), Some(right)) => {
                    ranks
                        .entry(left.to_owned())
                        .or_default()
                        .insert(right.to_owned(), rank);
                }
                (Some(_), None) => {
                    return Err(ModelError::Tokenizer {
                        path: path.to_owned(),
                        message: format!(
                            "line {}: a merge needs two pieces, found {line:?}",
                            rank + 1
                        ),
                    });
                }
                _ => {}
            }
        }
        Ok(Self { ranks })
    }

    fn rank(&self, left: &str, right: &str) -> Option<usize> {
        self.ranks.get(left)?.get(right).copied()
    }

    /// The pieces of `word`: its characters, the last one with `</w>`, merged pair by pair, the
    /// lowest-ranked adjacent pair first (all its occurrences, left to right), until no adjacent
    /// pair is in the table.
    pub(super) fn apply(&self, word: &str) -> Vec<String> {
        let mut pieces: Vec<String> = word.chars().map(String::from).collect();
        match pieces.last_mut() {
            Some(last) => last.push_str(END_OF_WORD),
            None => return pieces,
        }
        while pieces.len() > 1 {
            let best = pieces
                .windows(2)
                .filter_map(|pair| self.rank(&pair[0], &pair[1]).map(|rank| (rank, pair)))
                .min_by_key(|&(rank, _)| rank);
            let Some((_, pair)) = best else { break };
            let (left, right) = (pair[0].clone(), pair[1].clone());
            let mut merged = Vec::with_capacity(pieces.len());
            let mut i = 0;
            while i < pieces.len() {
                if i + 1 < pieces.len() && pieces[i] == left && pieces[i + 1] == right {
                    merged.push(format!("{left}{right}"));
                    i += 2;
                } else {
                    merged.push(std::mem::take(&mut pieces[i]));
                    i += 1;
                }
            }
            pieces = merged;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::Merges;
    use std::path::Path;

    fn merges(text: &str) -> Merges {
        Merges::parse(text, Path::new("merges.txt")).unwrap()
    }

    fn pair_count(merges: &Merges) -> usize {
        merges.ranks.values().map(|rights| rights.len()).sum()
    }

    #[test]
    fn the_lowest_ranked_pair_merges_first_everywhere() {
        let table = merges("a b 10\nab a</w> 5\nb a 3\n");
        assert_eq!(table.apply("abab"), ["ab", "a", "b</w>"]);
        assert_eq!(table.apply("aba"), ["aba</w>"]);
        assert_eq!(table.apply("abba"), ["ab", "b", "a</w>"]);
        assert_eq!(table.apply("x"), ["x</w>"]);
    }

    #[test]
    fn text_after_the_last_newline_is_dropped() {
        assert_eq!(pair_count(&merges("a b 1\nc d 1")), 1);
        assert_eq!(pair_count(&merges("a b 1")), 0);
        assert_eq!(pair_count(&merges("a b\r\nc d\r\n")), 2);
    }

    #[test]
    fn a_repeated_pair_keeps_its_later_rank() {
        let table = merges("a b\nb c</w>\na b\n");
        assert_eq!(table.apply("abc"), ["a", "bc</w>"]);
    }

    #[test]
    fn a_line_with_one_piece_is_an_error_naming_the_line() {
        let error = Merges::parse("a b\nc\n", Path::new("merges.txt")).unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
