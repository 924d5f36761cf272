//! The Moses tokenizer as BioGPT calls it: sacremoses' `MosesTokenizer(lang="en").tokenize(text,
//! aggressive_dash_splits=True, escape=True)`, rule for rule and in the same order.
//!
//! Each rule is a substitution over the whole text, scanning left to right and never reusing the
//! characters of a match, as Python's `re.sub` does; the rules look at one to three characters,
//! so each is written as a small matcher instead of a regex over sacremoses' huge classes.

use super::char_class::{
    is_letter, is_lower, is_number, is_python_whitespace, is_word_char, split_python_whitespace,
};
use std::collections::HashSet;

/// Moses' English nonbreaking prefixes, one a line (sacremoses 0.2.0's `nonbreaking_prefix.en`
/// without its comments and blank lines; MIT). `X #NUMERIC_ONLY#` marks a prefix that is kept
/// only before a number.
const ENGLISH_NONBREAKING_PREFIXES: &str = include_str!("nonbreaking_prefix.en");

/// Marks the numeric-only entries of the prefix list.
const NUMERIC_ONLY_MARK: &str = " #NUMERIC_ONLY#";

/// The English Moses tokenizer with aggressive dash splits and XML escaping.
#[derive(Debug, Clone)]
pub struct MosesTokenizer {
    /// Prefixes whose final period never splits off.
    nonbreaking: HashSet<&'static str>,
    /// Prefixes whose final period stays only before a token starting with a digit.
    numeric_only: HashSet<&'static str>,
}

impl MosesTokenizer {
    /// The tokenizer with Moses' English nonbreaking prefixes.
    pub fn english() -> Self {
        let mut nonbreaking = HashSet::new();
        let mut numeric_only = HashSet::new();
        for entry in ENGLISH_NONBREAKING_PREFIXES.lines() {
            match entry.strip_suffix(NUMERIC_ONLY_MARK) {
                Some(prefix) => numeric_only.insert(prefix),
                None => nonbreaking.insert(entry),
            };
        }
        Self {
            nonbreaking,
            numeric_only,
        }
    }

    /// The Moses tokens of `text`, XML-escaped (`&apos;s`, `&lt;`, …); empty for blank text.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let text: Vec<char> = text.chars().collect();
        let text = collapse_whitespace(&text);
        let text: Vec<char> = text.into_iter().filter(|&c| c >= ' ').collect();
        let text = strip(&text);
        let text = pad_non_word_chars(text);
        let text = split_hyphens(&text);
        let text = mark_dot_runs(&text);
        let text = separate_commas(&text);
        let text = split_apostrophes(&text);
        let text = self.split_final_periods(&text);
        let text = collapse_whitespace(&text);
        let text = split_trailing_dot_quote(strip(&text).to_vec());
        let text = restore_dot_runs(&text);
        split_python_whitespace(&escape_xml(&text))
            .map(str::to_owned)
            .collect()
    }

    /// Splits the period off every token that ends with one, unless the token is an
    /// abbreviation: it has an inner period and a letter (`U.S.`), it is a nonbreaking prefix
    /// (`Dr.`), the next token starts lowercase, or it is a numeric-only prefix before a number
    /// (`No. 5`).
    fn split_final_periods(&self, text: &[char]) -> Vec<char> {
        let text: String = text.iter().collect();
        let tokens: Vec<&str> = split_python_whitespace(&text).collect();
        let mut out: Vec<String> = Vec::with_capacity(tokens.len());
        for (i, token) in tokens.iter().enumerate() {
            let next = tokens.get(i + 1);
            let prefix = match token.strip_suffix('.') {
                Some(prefix) if !prefix.is_empty() => prefix,
                _ => {
                    out.push((*token).to_owned());
                    continue;
                }
            };
            let abbreviation = prefix.contains('.') && prefix.chars().any(is_letter);
            let nonbreaking =
                self.nonbreaking.contains(prefix) && !self.numeric_only.contains(prefix);
            let lowercase_follows = next
                .and_then(|word| word.chars().next())
                .is_some_and(is_lower);
            let number_follows = self.numeric_only.contains(prefix)
                && next.is_some_and(|word| word.starts_with(|c: char| c.is_ascii_digit()));
            if abbreviation || nonbreaking || lowercase_follows || number_follows {
                out.push((*token).to_owned());
            } else {
                out.push(format!("{prefix} ."));
            }
        }
        out.join(" ").chars().collect()
    }
}

/// Rewrites `text` as `re.sub` would: at each position `rule` either matches, writing the
/// replacement to `out` and returning how many characters it consumed, or returns 0 (and writes
/// nothing), and the character is kept.
fn substitute(
    text: &[char],
    mut rule: impl FnMut(&[char], usize, &mut Vec<char>) -> usize,
) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 4);
    let mut i = 0;
    while i < text.len() {
        match rule(text, i, &mut out) {
            0 => {
                out.push(text[i]);
                i += 1;
            }
            consumed => i += consumed,
        }
    }
    out
}

/// Whether `text[i..]` is `left`, `middle`, `right` (one character each).
fn triple(
    text: &[char],
    i: usize,
    left: impl Fn(char) -> bool,
    middle: char,
    right: impl Fn(char) -> bool,
) -> bool {
    matches!(text.get(i..i + 3), Some(&[a, b, c]) if left(a) && b == middle && right(c))
}

/// Every run of whitespace becomes one space (`\s+` → ` `).
fn collapse_whitespace(text: &[char]) -> Vec<char> {
    substitute(text, |text, i, out| {
        let run = text[i..]
            .iter()
            .take_while(|&&c| is_python_whitespace(c))
            .count();
        if run > 0 {
            out.push(' ');
        }
        run
    })
}

/// Without leading and trailing whitespace.
fn strip(text: &[char]) -> &[char] {
    let start = text
        .iter()
        .position(|&c| !is_python_whitespace(c))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&c| !is_python_whitespace(c))
        .map_or(start, |last| last + 1);
    &text[start..end]
}

/// Spaces around every character that is not a word character, whitespace or one of `.'`,-`.
fn pad_non_word_chars(text: &[char]) -> Vec<char> {
    substitute(text, |text, i, out| {
        let c = text[i];
        if is_word_char(c) || is_python_whitespace(c) || ".'`,-".contains(c) {
            return 0;
        }
        out.extend([' ', c, ' ']);
        1
    })
}

/// `a-b` → `a @-@ b` between word characters (the next word character is not consumed, so
/// `a-b-c` splits twice).
fn split_hyphens(text: &[char]) -> Vec<char> {
    substitute(text, |text, i, out| {
        if !triple(text, i, is_word_char, '-', is_word_char) {
            return 0;
        }
        out.push(text[i]);
        out.extend(" @-@ ".chars());
        2
    })
}

/// A run of k ≥ 2 dots becomes ` DOT…DOTMULTI` (k times `DOT`), with a space after it unless it
/// ends the text, so that the period rules leave it alone.
fn mark_dot_runs(text: &[char]) -> Vec<char> {
    substitute(text, |text, i, out| {
        let run = text[i..].iter().take_while(|&&c| c == '.').count();
        if run < 2 {
            return 0;
        }
        out.push(' ');
        for _ in 0..run {
            out.extend("DOT".chars());
        }
        out.extend("MULTI".chars());
        if i + run < text.len() {
            out.push(' ');
        }
        run
    })
}

/// `(DOT)+MULTI` → as many dots as `DOT`s (also where the input itself spelled it).
fn restore_dot_runs(text: &[char]) -> Vec<char> {
    substitute(text, |text, i, out| {
        let mut dots = 0;
        while text.get(i + 3 * dots..i + 3 * dots + 3) == Some(&['D', 'O', 'T']) {
            dots += 1;
        }
        let end = i + 3 * dots;
        if dots == 0 || text.get(end..end + 5) != Some(&['M', 'U', 'L', 'T', 'I']) {
            return 0;
        }
        out.extend(std::iter::repeat_n('.', dots));
        end + 5 - i
    })
}

/// Commas split off unless between numbers (`5,300` stays): after a non-number, before a
/// non-number, and at the end of the text.
fn separate_commas(text: &[char]) -> Vec<char> {
    let text = substitute(text, |text, i, out| match text.get(i..i + 2) {
        Some(&[c, ',']) if !is_number(c) => {
            out.extend([c, ' ', ',', ' ']);
            2
        }
        _ => 0,
    });
    let mut text = substitute(&text, |text, i, out| match text.get(i..i + 2) {
        Some(&[',', c]) if !is_number(c) => {
            out.extend([' ', ',', ' ', c]);
            2
        }
        _ => 0,
    });
    if let [.., number, ','] = text[..]
        && is_number(number)
    {
        text.pop();
        text.extend([' ', ',', ' ']);
    }
    text
}

/// English apostrophes: split off except inside a word, where the apostrophe starts the second
/// part (`Parkinson's` → `Parkinson 's`, `1's` → `1 's`).
fn split_apostrophes(text: &[char]) -> Vec<char> {
    let not_letter = |c: char| !is_letter(c);
    let neither = |c: char| !is_letter(c) && !is_number(c);
    let separate = |text: &[char], i: usize, out: &mut Vec<char>| {
        out.extend([text[i], ' ', '\'', ' ', text[i + 2]]);
        3
    };
    let attach = |text: &[char], i: usize, out: &mut Vec<char>| {
        out.extend([text[i], ' ', '\'', text[i + 2]]);
        3
    };
    let text = substitute(text, |text, i, out| {
        if triple(text, i, not_letter, '\'', not_letter) {
            separate(text, i, out)
        } else {
            0
        }
    });
    let text = substitute(&text, |text, i, out| {
        if triple(text, i, neither, '\'', is_letter) {
            separate(text, i, out)
        } else {
            0
        }
    });
    let text = substitute(&text, |text, i, out| {
        if triple(text, i, is_letter, '\'', not_letter) {
            separate(text, i, out)
        } else {
            0
        }
    });
    let text = substitute(&text, |text, i, out| {
        if triple(text, i, is_letter, '\'', is_letter) {
            attach(text, i, out)
        } else {
            0
        }
    });
    substitute(&text, |text, i, out| {
        if triple(text, i, is_number, '\'', |c| c == 's') {
            attach(text, i, out)
        } else {
            0
        }
    })
}

/// A text ending in `.'` ends in ` . ' ` instead.
fn split_trailing_dot_quote(mut text: Vec<char>) -> Vec<char> {
    if text.ends_with(&['.', '\'']) {
        text.truncate(text.len() - 2);
        text.extend(" . ' ".chars());
    }
    text
}

/// `& | < > ' " [ ]` as XML entities.
fn escape_xml(text: &[char]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for &c in text {
        match c {
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("&#124;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    fn string(text: &[char]) -> String {
        text.iter().collect()
    }

    fn moses(text: &str) -> Vec<String> {
        MosesTokenizer::english().tokenize(text)
    }

    #[test]
    fn whitespace_collapses_and_control_characters_vanish() {
        assert_eq!(
            string(&collapse_whitespace(&chars("a \t\n b\u{3000}c"))),
            "a b c"
        );
        assert_eq!(moses("  a\u{1}b\u{7f}  \u{1c}c\r\n"), ["ab", "\u{7f}", "c"]);
        assert_eq!(moses(" \t "), Vec::<String>::new());
    }

    #[test]
    fn non_word_characters_are_padded_except_dot_quote_backtick_comma_dash() {
        assert_eq!(
            string(&pad_non_word_chars(&chars("a/b(c)%.,'`-细³"))),
            "a / b ( c )  % .,'`- 细  ³ "
        );
    }

    #[test]
    fn hyphens_between_word_characters_split() {
        assert_eq!(
            string(&split_hyphens(&chars("a-b-c -d e- --"))),
            "a @-@ b @-@ c -d e- --"
        );
        assert_eq!(
            moses("IL-6-mediated -- x"),
            ["IL", "@-@", "6", "@-@", "mediated", "--", "x"]
        );
    }

    #[test]
    fn dot_runs_survive_as_one_token() {
        assert_eq!(
            string(&mark_dot_runs(&chars("a...b.."))),
            "a DOTDOTDOTMULTI b DOTDOTMULTI"
        );
        assert_eq!(
            string(&restore_dot_runs(&chars("DOTDOTMULTI xDOTMULTI DOTDOT"))),
            ".. x. DOTDOT"
        );
        assert_eq!(moses("sites... Wait"), ["sites", "...", "Wait"]);
    }

    #[test]
    fn commas_split_except_between_numbers() {
        assert_eq!(
            string(&separate_commas(&chars("1,000 a,b 1,a a,1 5,"))),
            "1,000 a  ,  b 1 , a a  ,  1 5 , "
        );
        assert_eq!(moses("A,B,C 1,5"), ["A", ",", "B", ",", "C", "1,5"]);
    }

    #[test]
    fn english_apostrophes_start_the_second_part() {
        assert_eq!(
            moses("Parkinson's isn't"),
            ["Parkinson", "&apos;s", "isn", "&apos;t"]
        );
        assert_eq!(moses("patients' data"), ["patients", "&apos;", "data"]);
        assert_eq!(moses("1's 5' x"), ["1", "&apos;s", "5", "&apos;", "x"]);
    }

    #[test]
    fn final_periods_split_unless_abbreviations() {
        assert_eq!(
            moses("Dr. Smith e.g. No. 5 no. 7 U.S."),
            ["Dr.", "Smith", "e.g.", "No.", "5", "no", ".", "7", "U.S."]
        );
        assert_eq!(
            moses("Fig. 2 and Fig. a"),
            ["Fig", ".", "2", "and", "Fig.", "a"]
        );
        assert_eq!(moses("pp. 4 pp. A"), ["pp.", "4", "pp", ".", "A"]);
    }

    #[test]
    fn a_final_dot_quote_splits() {
        assert_eq!(moses("no.'"), ["no", ".", "&apos;"]);
    }

    #[test]
    fn xml_characters_are_escaped() {
        assert_eq!(
            moses("a&b|c <d> \"e\" [f]"),
            [
                "a", "&amp;", "b", "&#124;", "c", "&lt;", "d", "&gt;", "&quot;", "e", "&quot;",
                "&#91;", "f", "&#93;"
            ]
        );
    }

    /// The embedded list is sacremoses' (the golden file's copy is checked there against the
    /// sha256 in the shared fixture reference).
    #[test]
    fn nonbreaking_prefixes_are_sacremoses_english_list() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/biogpt_tokenizer/golden.json");
        let golden: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let listed: Vec<&str> = ENGLISH_NONBREAKING_PREFIXES.lines().collect();
        assert_eq!(
            listed,
            golden["english_nonbreaking_prefixes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect::<Vec<_>>()
        );
        assert_eq!(listed.len(), 105);
        let tokenizer = MosesTokenizer::english();
        assert_eq!(
            tokenizer.nonbreaking.len() + tokenizer.numeric_only.len(),
            105
        );
        assert_eq!(
            tokenizer.numeric_only,
            ["No", "Art", "pp"].into_iter().collect()
        );
    }
}
