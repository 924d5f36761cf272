//! Syntax errors in words: what was expected and what was found, where an unclosed string, list
//! or block was opened, and a hint for the usual slips (a missing `=`, a keyword used as a name,
//! a Windows path in a string, a block left open before the next one).

use super::expected::describe;
use super::parser::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// The diagnostic of a pest error in `text`.
pub fn syntax_error(file: FileId, text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let offset = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let offset = floor_char_boundary(text, offset);
    let span = |start: usize, end: usize| Span::new(file, start, end);
    let open = Open::scan(text, offset);
    if let Some(start) = open.multiline {
        let at = end_of_content(text, offset);
        return Diagnostic::new(Code::Syntax, "unterminated multi-line string")
            .at(span(at, at), "expected `\"\"\"` before the end of the file")
            .also(span(start, start + 3), "the string starts here")
            .help("close the string with `\"\"\"`");
    }
    if let Some(start) = open.string {
        let rest = &text[offset..];
        if rest.starts_with("\\u") {
            return Diagnostic::new(Code::Syntax, "malformed Unicode escape in a string")
                .at(span(offset, offset + 2), "expected `\\u{HEX}`")
                .help("write `\\u{…}` with 1 to 6 hexadecimal digits, e.g. `\\u{e9}` for é");
        }
        if rest.starts_with('\\') {
            let escape: String = rest.chars().take(2).filter(|c| !c.is_control()).collect();
            return Diagnostic::new(
                Code::Syntax,
                format!("unknown escape `{escape}` in a string"),
            )
            .at(span(offset, offset + escape.len()), "not an escape")
            .help("the escapes are \\n \\t \\r \\\" \\\\ and \\u{…}; write paths with `/`");
        }
        return Diagnostic::new(Code::Syntax, "unterminated string")
            .at(span(offset, offset), "expected `\"` before the end of the line")
            .also(span(start, start + 1), "the string starts here")
            .help("strings are written \"…\" on one line; write \"\"\"…\"\"\" for text over several lines");
    }

    let expected = expected_names(&error.variant);
    let found = Found::at(text, offset);
    let at = if found.is_end {
        end_of_content(text, offset)
    } else {
        offset
    };
    let message = if expected.is_empty() {
        format!("unexpected {}", found.text.trim_start_matches("a "))
    } else {
        format!("expected {}, found {}", words(&expected), found.text)
    };
    let diagnostic = Diagnostic::new(Code::Syntax, message).at(span(at, at + found.len), "");
    let expects = |name: &str| expected.contains(&name);
    if let Some(keyword) = found
        .keyword()
        .filter(|_| expects("a name") || expects("a field name"))
    {
        let extra = if keyword == "import" {
            "; imports are written at the top of a file: `import \"models.exp\"`"
        } else {
            ""
        };
        return diagnostic.help(format!(
            "`{keyword}` is a keyword and cannot be a name{extra}"
        ));
    }
    match open.delimiters.last() {
        Some(&(start, '[')) if expects("`]`") => {
            return diagnostic
                .also(span(start, start + 1), "this list is not closed")
                .help("close the list with `]`; items are separated by `,`");
        }
        Some(&(start, '{')) if found.is_end => {
            return diagnostic
                .also(span(start, start + 1), "this `{` is never closed")
                .help("add the missing `}`");
        }
        Some(&(start, '{')) if looks_like_block_header(text, offset) => {
            return diagnostic
                .also(span(start, start + 1), "this block is not closed")
                .help("this line looks like the start of a new block: is the `}` of the block above missing?");
        }
        _ => {}
    }
    if expects("`=`") {
        return diagnostic.help("fields are written `name = value`, or `name { … }` for an object");
    }
    if found.text == "`;`" {
        return diagnostic.help(
            "`;` is not used in `.exp` files: a field ends at the end of its line, or at a `,`",
        );
    }
    if open.delimiters.is_empty() && (expected.is_empty() || expects("end of file")) {
        return diagnostic.help(
            "a file is made of `import \"FILE\"` lines and blocks such as `model NAME { … }`",
        );
    }
    diagnostic
}

/// The names of the rules pest expected, most descriptive first, punctuation last.
fn expected_names(variant: &ErrorVariant<Rule>) -> Vec<&'static str> {
    let ErrorVariant::ParsingError { positives, .. } = variant else {
        return Vec::new();
    };
    let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
    let rank = |name: &str| match name {
        "`,`" => 3,
        "`import`" | "`when`" => 1,
        n if n.starts_with('`') => 2,
        _ => 0,
    };
    names.sort_unstable_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    names.dedup();
    names
}

fn words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands at the error position, in words, and how many bytes to underline.
struct Found {
    text: String,
    len: usize,
    is_end: bool,
}

impl Found {
    fn at(text: &str, offset: usize) -> Self {
        let rest = &text[offset..];
        let line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
        match rest.chars().next() {
            None => Found {
                text: "end of file".into(),
                len: 0,
                is_end: true,
            },
            Some('\n' | '\r') => Found {
                text: "end of line".into(),
                len: 0,
                is_end: false,
            },
            Some(c) if c.is_alphanumeric() || c == '_' => {
                let token: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
                    .collect();
                Found {
                    text: format!("`{token}`"),
                    len: token.len(),
                    is_end: false,
                }
            }
            Some('"') if rest.starts_with("\"\"\"") => Found {
                text: "a multi-line string".into(),
                len: 3,
                is_end: false,
            },
            Some('"') => {
                let len = line[1..].find('"').map_or(1, |close| close + 2);
                Found {
                    text: "a string".into(),
                    len,
                    is_end: false,
                }
            }
            Some(c) => Found {
                text: format!("`{c}`"),
                len: c.len_utf8(),
                is_end: false,
            },
        }
    }

    /// The keyword found, when it is one.
    fn keyword(&self) -> Option<&'static str> {
        ["import", "when"]
            .into_iter()
            .find(|k| self.text == format!("`{k}`"))
    }
}

/// Strings and delimiters still open at some offset.
#[derive(Default)]
struct Open {
    /// Start of an unterminated `"…"`.
    string: Option<usize>,
    /// Start of an unterminated `"""…"""`.
    multiline: Option<usize>,
    /// Unclosed `{` and `[`, innermost last.
    delimiters: Vec<(usize, char)>,
}

impl Open {
    /// Scans `text` up to `end` the way the grammar reads it (comments and strings skipped).
    /// Works on bytes: every delimiter is ASCII, which never occurs inside a multi-byte character.
    fn scan(text: &str, end: usize) -> Self {
        let bytes = &text.as_bytes()[..end];
        let mut open = Open::default();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            if rest.starts_with(b"\"\"\"") {
                match find(bytes, i + 3, b"\"\"\"") {
                    Some(close) => i = close + 3,
                    None => {
                        open.multiline = Some(i);
                        break;
                    }
                }
            } else if rest[0] == b'"' {
                let start = i;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() {
                    open.string = Some(start);
                    break;
                }
                i += 1;
            } else if rest.starts_with(b"//") || rest[0] == b'#' {
                i = find(bytes, i, b"\n").unwrap_or(bytes.len());
            } else if rest.starts_with(b"/*") {
                i = find(bytes, i + 2, b"*/").map_or(bytes.len(), |close| close + 2);
            } else {
                match rest[0] {
                    b'{' => open.delimiters.push((i, '{')),
                    b'[' => open.delimiters.push((i, '[')),
                    b'}' | b']' => {
                        open.delimiters.pop();
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        open
    }
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Whether the error at `offset` is the second word of a line reading `word word {`.
fn looks_like_block_header(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let mut words = before.split_whitespace();
    let is_word = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    let header_word = matches!((words.next(), words.next()), (Some(w), None) if is_word(w) && before.ends_with(char::is_whitespace));
    let after = text[offset..].split('\n').next().unwrap_or("");
    let name_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
        .unwrap_or(after.len());
    header_word && name_len > 0 && after[name_len..].trim_start().starts_with('{')
}

/// The offset just after the last non-blank character before `offset`: where an error about the
/// end of the file is shown, rather than on an empty last line.
fn end_of_content(text: &str, offset: usize) -> usize {
    text[..offset].trim_end().len()
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
