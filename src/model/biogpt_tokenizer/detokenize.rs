//! The Moses detokenizer as BioGPT calls it: sacremoses' `MosesDetokenizer(lang="en")
//! .detokenize(tokens)`. It undoes the dash splits and the XML escapes, then decides token by
//! token whether a space goes before it (punctuation attaches to the left, currency and opening
//! brackets to the right, quotes alternate, English contractions attach to the left).

use super::char_class::{is_cjk, is_currency, is_perl_alpha, split_python_whitespace};
use std::collections::HashMap;

/// The XML entities Moses writes (and older Moses versions wrote), undone in this order.
const UNESCAPES: [(&str, &str); 11] = [
    ("&bar;", "|"),
    ("&#124;", "|"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&bra;", "["),
    ("&ket;", "]"),
    ("&quot;", "\""),
    ("&apos;", "'"),
    ("&#91;", "["),
    ("&#93;", "]"),
    ("&amp;", "&"),
];

/// The text of Moses tokens, as the English Moses detokenizer writes it.
pub fn detokenize<S: AsRef<str>>(tokens: &[S]) -> String {
    let joined: Vec<&str> = tokens.iter().map(AsRef::as_ref).collect();
    let mut text = format!(" {} ", joined.join(" ")).replace(" @-@ ", "-");
    for (entity, character) in UNESCAPES {
        text = text.replace(entity, character);
    }
    let tokens: Vec<&str> = split_python_whitespace(&text).collect();
    let mut quotes: HashMap<&str, usize> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    let mut space = " ";
    for (i, &token) in tokens.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| tokens[p]);
        let first = token.chars().next().unwrap_or(' ');
        if is_cjk(first) {
            if previous.and_then(|p| p.chars().last()).is_some_and(is_cjk) {
                out.push_str(token);
            } else {
                out.push_str(space);
                out.push_str(token);
            }
            space = " ";
        } else if token.chars().all(|c| is_currency(c) || "([{¿¡".contains(c)) {
            out.push_str(space);
            out.push_str(token);
            space = "";
        } else if token.chars().all(|c| ",.?!:;\\%}])".contains(c))
            || (previous.is_some() && is_contraction(token))
        {
            // Punctuation, and English contractions (`'s`) after a word, attach to the left.
            out.push_str(token);
            space = " ";
        } else if token.chars().all(|c| "'\"„“`".contains(c)) {
            let kind = if token.chars().all(|c| "„“”".contains(c)) {
                "\""
            } else {
                token
            };
            let count = quotes.entry(kind).or_insert(0);
            let possessive = token == "'" && previous.is_some_and(|p| p.ends_with('s'));
            if *count % 2 == 1 {
                out.push_str(token);
                space = " ";
                *count += 1;
            } else if possessive {
                out.push_str(token);
                space = " ";
            } else {
                out.push_str(space);
                out.push_str(token);
                space = "";
                *count += 1;
            }
        } else {
            out.push_str(space);
            out.push_str(token);
            space = " ";
        }
    }
    collapse_spaces(&out).trim_matches(' ').to_owned()
}

/// `'s`, `'ll`, …: an apostrophe followed by a letter.
fn is_contraction(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next() == Some('\'') && chars.next().is_some_and(is_perl_alpha)
}

/// Runs of two or more spaces as one.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::detokenize;

    #[test]
    fn dash_splits_and_escapes_are_undone() {
        assert_eq!(
            detokenize(&["anti", "@-@", "TNF", "&lt;", "&amp;lt;", "&#124;"]),
            "anti-TNF < &lt; |"
        );
    }

    #[test]
    fn punctuation_attaches_left_and_currency_right() {
        assert_eq!(
            detokenize(&["costs", "$", "5", ",", "(", "a", ")", "."]),
            "costs $5, (a)."
        );
    }

    #[test]
    fn quotes_alternate_and_possessives_attach() {
        assert_eq!(
            detokenize(&["&quot;", "stop", "&quot;", "now"]),
            "\"stop\" now"
        );
        assert_eq!(
            detokenize(&["patients", "&apos;", "data"]),
            "patients' data"
        );
        assert_eq!(detokenize(&["Parkinson", "&apos;s", "x"]), "Parkinson's x");
    }

    #[test]
    fn consecutive_cjk_tokens_join() {
        assert_eq!(detokenize(&["a", "细", "胞", "b"]), "a 细胞 b");
    }

    #[test]
    fn nothing_gives_nothing() {
        assert_eq!(detokenize::<&str>(&[]), "");
    }
}
