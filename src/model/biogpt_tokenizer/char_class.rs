//! The character classes the Moses rules test, as sacremoses defines them: its snapshot of Perl's
//! Unicode properties (`perl_classes.rs`, generated), Python's `\s`, and sacremoses' CJK ranges.
//! Today's Unicode properties differ (CJK ideographs are alphabetic in Rust but not `IsAlnum`
//! here; Perl's `IsN` stops at U+FF19), so `char::is_alphanumeric` and friends cannot stand in.

use super::perl_classes::{IS_ALNUM, IS_ALPHA, IS_LOWER, IS_N, IS_SC, VIRAMAS_AND_NUKTAS};
use std::cmp::Ordering;

/// sacremoses' `is_cjk` ranges (Hangul Jamo, CJK blocks, Hangul syllables, …), inclusive.
const CJK: &[(char, char)] = &[
    ('\u{1100}', '\u{11ff}'),
    ('\u{2e80}', '\u{a4cf}'),
    ('\u{a840}', '\u{a87f}'),
    ('\u{ac00}', '\u{d7af}'),
    ('\u{f900}', '\u{faff}'),
    ('\u{fe30}', '\u{fe4f}'),
    ('\u{ff65}', '\u{ffdc}'),
    ('\u{17000}', '\u{18aff}'),
    ('\u{1b000}', '\u{1b12f}'),
    ('\u{1b170}', '\u{1b2ff}'),
    ('\u{20000}', '\u{2ffff}'),
];

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(first, last)| {
            if last < c {
                Ordering::Less
            } else if first > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// The tokenizer's `IsAlnum`: Perl's, plus the Indic viramas and nuktas sacremoses adds.
pub(super) fn is_word_char(c: char) -> bool {
    in_ranges(IS_ALNUM, c) || in_ranges(VIRAMAS_AND_NUKTAS, c)
}

/// The tokenizer's `IsAlpha`: Perl's, plus the Indic viramas and nuktas sacremoses adds.
pub(super) fn is_letter(c: char) -> bool {
    in_ranges(IS_ALPHA, c) || in_ranges(VIRAMAS_AND_NUKTAS, c)
}

/// The detokenizer's `IsAlpha`: Perl's alone (sacremoses adds nothing there).
pub(super) fn is_perl_alpha(c: char) -> bool {
    in_ranges(IS_ALPHA, c)
}

/// Perl's `IsN`.
pub(super) fn is_number(c: char) -> bool {
    in_ranges(IS_N, c)
}

/// Perl's `IsLower`.
pub(super) fn is_lower(c: char) -> bool {
    in_ranges(IS_LOWER, c)
}

/// Perl's `IsSc` (currency symbols).
pub(super) fn is_currency(c: char) -> bool {
    in_ranges(IS_SC, c)
}

/// sacremoses' `is_cjk`.
pub(super) fn is_cjk(c: char) -> bool {
    in_ranges(CJK, c)
}

/// Python's `\s` and `str.split()`: Unicode White_Space plus the separators U+001C–U+001F.
pub(super) fn is_python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `text.split()` as Python does it: runs of whitespace separate, none are kept.
pub(super) fn split_python_whitespace(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_python_whitespace)
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::Path;

    fn json(path: &Path) -> Value {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [
            IS_ALNUM,
            IS_ALPHA,
            IS_N,
            IS_LOWER,
            IS_SC,
            VIRAMAS_AND_NUKTAS,
            CJK,
        ] {
            for pair in table.windows(2) {
                assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
            }
        }
    }

    #[test]
    fn classes_agree_on_familiar_characters() {
        assert!(is_word_char('a') && is_word_char('9') && is_word_char('β') && is_word_char('ï'));
        assert!(!is_word_char('细') && !is_word_char('³') && !is_word_char('-'));
        assert!(is_number('³') && !is_number('a') && !is_number('\u{1d7ce}'));
        assert!(
            is_lower('a') && !is_lower('A') && is_letter('\u{94d}') && !is_perl_alpha('\u{94d}')
        );
        assert!(is_currency('$') && is_currency('€') && !is_currency('%'));
        assert!(is_cjk('细') && is_cjk('\u{ac00}') && !is_cjk('\u{fe5f}'));
    }

    #[test]
    fn whitespace_is_pythons() {
        let golden = json(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/biogpt_tokenizer/golden.json"),
        );
        let python: Vec<u32> = serde_json::from_value(golden["python_whitespace"].clone()).unwrap();
        let ours: Vec<u32> = (0..=0x10_ffff_u32)
            .filter(|&cp| char::from_u32(cp).is_some_and(is_python_whitespace))
            .collect();
        assert_eq!(ours, python);
    }

    /// The reference's membership table for every character its cases use (`IsSo` is not used
    /// by the tokenizer's rules and is not ported).
    #[test]
    fn classes_match_the_fixture_reference() {
        let Some(root) = std::env::var_os("EXPC_FIXTURES") else {
            println!("skipped: EXPC_FIXTURES is not set");
            return;
        };
        let reference = json(&Path::new(&root).join("tokenizers/biogpt-bpe/reference.json"));
        let rows = reference["char_classes"].as_array().unwrap();
        assert!(rows.len() > 100);
        for row in rows {
            let c = row[0].as_str().unwrap().chars().next().unwrap();
            let has = |name: &str| row[2].as_array().unwrap().iter().any(|n| n == name);
            assert_eq!(is_word_char(c), has("IsAlnum"), "IsAlnum {c:?}");
            assert_eq!(is_letter(c), has("IsAlpha"), "IsAlpha {c:?}");
            assert_eq!(is_number(c), has("IsN"), "IsN {c:?}");
            assert_eq!(is_lower(c), has("IsLower"), "IsLower {c:?}");
            assert_eq!(is_currency(c), has("IsSc"), "IsSc {c:?}");
        }
    }
}
