//! A relation template read as segments: literal text, `{{ role }}` and `{{ label }}`.
//!
//! Nothing else is allowed (no blocks, comments, filters, expressions or whitespace control):
//! the extractor is derived from these segments, so every byte of a relation sentence must come
//! either from literal text or from one variable. Two variables must be separated by literal text,
//! or nothing would tell where one ends and the next begins.

use super::error::{TemplateError, TemplatePart};

/// One piece of a relation template, with its byte offset in the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset of the segment (of its `{{` for a variable).
    pub offset: usize,
    /// What the segment is.
    pub kind: SegmentKind,
}

/// The kinds of segment a relation template is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKind {
    /// Text written as is.
    Literal(String),
    /// `{{ role }}`: one argument (or, for a set relation, the list of its members).
    Role(String),
    /// `{{ label }}`: the label word.
    Label,
}

/// The variable name that stands for the label word.
pub const LABEL_VARIABLE: &str = "label";

/// Reads `text` as a relation template over `roles`, rejecting anything but literal text,
/// `{{ role }}` and `{{ label }}`.
pub fn parse_relation(text: &str, roles: &[String]) -> Result<Vec<Segment>, TemplateError> {
    let error = |offset: usize, message: String| {
        TemplateError::syntax(TemplatePart::Relation, text, offset, message)
    };
    let mut segments: Vec<Segment> = Vec::new();
    let mut position = 0;
    while position < text.len() {
        let rest = &text[position..];
        let Some(open) = next_tag(rest) else {
            segments.push(Segment {
                offset: position,
                kind: SegmentKind::Literal(rest.into()),
            });
            break;
        };
        if open > 0 {
            let literal = rest[..open].to_owned();
            segments.push(Segment {
                offset: position,
                kind: SegmentKind::Literal(literal),
            });
        }
        let start = position + open;
        match &text[start..start + 2] {
            "{%" => return Err(error(start, "blocks (`{% … %}`) are not allowed in a relation template; write literal text, `{{ role }}` or `{{ label }}`".into())),
            "{#" => return Err(error(start, "comments (`{# … #}`) are not allowed in a relation template".into())),
            _ => {}
        }
        let Some(close) = text[start + 2..].find("}}") else {
            return Err(error(start, "`{{` is never closed by `}}`".into()));
        };
        let inner = &text[start + 2..start + 2 + close];
        let kind = variable(inner, roles).map_err(|message| error(start, message))?;
        if let Some(previous) = segments
            .last()
            .filter(|s| !matches!(s.kind, SegmentKind::Literal(_)))
        {
            return Err(error(
                start,
                format!(
                    "`{{{{{inner}}}}}` directly follows `{}`: two variables need literal text between them, or the extractor cannot tell where one ends",
                    display(&previous.kind)
                ),
            ));
        }
        segments.push(Segment {
            offset: start,
            kind,
        });
        position = start + 2 + close + 2;
    }
    Ok(segments)
}

/// How a segment is written in a template.
pub fn display(kind: &SegmentKind) -> String {
    match kind {
        SegmentKind::Literal(text) => text.clone(),
        SegmentKind::Role(role) => format!("{{{{ {role} }}}}"),
        SegmentKind::Label => format!("{{{{ {LABEL_VARIABLE} }}}}"),
    }
}

/// Offset of the next `{{`, `{%` or `{#` in `text`.
fn next_tag(text: &str) -> Option<usize> {
    ["{{", "{%", "{#"]
        .iter()
        .filter_map(|tag| text.find(tag))
        .min()
}

/// The variable inside `{{ … }}`, or why it is not one this template may use.
fn variable(inner: &str, roles: &[String]) -> Result<SegmentKind, String> {
    if inner.starts_with(['-', '+']) || inner.ends_with(['-', '+']) {
        return Err(
            "whitespace control (`{{-`, `-}}`) is not allowed in a relation template".into(),
        );
    }
    let name = inner.trim();
    if !is_identifier(name) {
        let what = if name.contains('|') {
            "filters are"
        } else {
            "expressions are"
        };
        return Err(format!(
            "{what} not allowed in a relation template: write a bare role name or `label` inside `{{{{ }}}}`, found `{name}`"
        ));
    }
    if name == LABEL_VARIABLE {
        return Ok(SegmentKind::Label);
    }
    if roles.iter().any(|role| role == name) {
        return Ok(SegmentKind::Role(name.into()));
    }
    let mut known: Vec<&str> = roles.iter().map(String::as_str).collect();
    known.push(LABEL_VARIABLE);
    let suggestion = known
        .iter()
        .map(|candidate| (strsim::levenshtein(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2.max(name.len() / 3))
        .min()
        .map(|(_, candidate)| format!("; did you mean `{candidate}`?"))
        .unwrap_or_default();
    Err(format!(
        "unknown variable `{name}` in the relation template; it may use {}{suggestion}",
        known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Whether `name` is a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Vec<String> {
        vec!["chemical".into(), "disease".into()]
    }

    fn message(text: &str) -> String {
        parse_relation(text, &roles()).map_or_else(|e| e.to_string(), |s| format!("{s:?}"))
    }

    #[test]
    fn splits_literals_roles_and_label() {
        let segments = parse_relation("a {{chemical}} b {{ label }}", &roles()).unwrap_or_default();
        let kinds: Vec<SegmentKind> = segments.iter().map(|s| s.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                SegmentKind::Literal("a ".into()),
                SegmentKind::Role("chemical".into()),
                SegmentKind::Literal(" b ".into()),
                SegmentKind::Label,
            ]
        );
        assert_eq!(
            segments.iter().map(|s| s.offset).collect::<Vec<_>>(),
            vec![0, 2, 14, 17]
        );
    }

    #[test]
    fn rejects_everything_else_with_a_location() {
        assert_eq!(
            message("x {{ chemical | upper }}"),
            "relation template, line 1, column 3: filters are not allowed in a relation template: write a bare role name or `label` inside `{{ }}`, found `chemical | upper`"
        );
        assert_eq!(
            message("{{ chemcal }} and {{ disease }}"),
            "relation template, line 1, column 1: unknown variable `chemcal` in the relation template; it may use `chemical`, `disease`, `label`; did you mean `chemical`?"
        );
        assert_eq!(
            message("{{ chemical }}{{ disease }}"),
            "relation template, line 1, column 15: `{{ disease }}` directly follows `{{ chemical }}`: two variables need literal text between them, or the extractor cannot tell where one ends"
        );
        assert!(message("{% if x %}a{% endif %}").contains("blocks"));
        assert!(message("a {# note #}").contains("comments"));
        assert!(message("a {{ chemical").contains("never closed"));
        assert!(message("a {{- chemical }}").contains("whitespace control"));
    }
}
