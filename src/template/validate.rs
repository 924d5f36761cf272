//! Checks of a template as a whole, returning every problem rather than the first.

use super::error::{TemplateError, TemplatePart};
use super::segments::{LABEL_VARIABLE, SegmentKind, is_identifier, parse_relation};
use super::source::source_variables;
use super::spec::TemplateSpec;
use std::collections::BTreeMap;

/// Every problem of `spec`: syntax of the source and relation templates, roles used exactly once,
/// `{{ label }}` present exactly when there is more than one label, distinct label words, merges
/// into known labels, and a separator that cannot be confused with sentence text.
///
/// An explicit `extractor` pattern is checked by `Extractor::derive`, not here.
pub fn validate(spec: &TemplateSpec) -> Vec<TemplateError> {
    let mut errors = Vec::new();
    if let Err(error) = source_variables(&spec.source) {
        errors.push(error);
    }
    check_roles(spec, &mut errors);
    check_relation(spec, &mut errors);
    check_labels(spec, &mut errors);
    check_texts(spec, &mut errors);
    errors
}

fn invalid(part: TemplatePart, message: String) -> TemplateError {
    TemplateError::Invalid { part, message }
}

fn check_roles(spec: &TemplateSpec, errors: &mut Vec<TemplateError>) {
    if spec.arguments.is_empty() {
        errors.push(invalid(
            TemplatePart::Arguments,
            "a template needs at least one argument role".into(),
        ));
    }
    for (index, role) in spec.arguments.iter().enumerate() {
        if !is_identifier(role) || role == LABEL_VARIABLE {
            errors.push(invalid(
                TemplatePart::Arguments,
                format!("`{role}` cannot name a role: use letters, digits and `_`, and not `{LABEL_VARIABLE}`"),
            ));
        }
        if spec.arguments[..index].contains(role) {
            errors.push(invalid(
                TemplatePart::Arguments,
                format!("role `{role}` is declared twice"),
            ));
        }
    }
}

fn check_relation(spec: &TemplateSpec, errors: &mut Vec<TemplateError>) {
    let segments = match parse_relation(&spec.relation, &spec.arguments) {
        Ok(segments) => segments,
        Err(error) => return errors.push(error),
    };
    let at = |offset: usize, message: String| {
        TemplateError::syntax(TemplatePart::Relation, &spec.relation, offset, message)
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for segment in &segments {
        let name = match &segment.kind {
            SegmentKind::Literal(_) => continue,
            SegmentKind::Role(role) => role.clone(),
            SegmentKind::Label => LABEL_VARIABLE.to_owned(),
        };
        let count = seen.entry(name.clone()).or_default();
        *count += 1;
        if *count == 2 {
            errors.push(at(
                segment.offset,
                format!("`{name}` is used more than once; each variable is written exactly once"),
            ));
        }
    }
    for role in spec
        .arguments
        .iter()
        .filter(|role| !seen.contains_key(*role))
    {
        errors.push(invalid(
            TemplatePart::Relation,
            format!("role `{role}` is never written by the relation template"),
        ));
    }
    let label_count = spec.labels.len();
    match (seen.contains_key(LABEL_VARIABLE), label_count > 1) {
        (false, true) => errors.push(invalid(
            TemplatePart::Relation,
            format!("there are {label_count} labels but the relation template has no `{{{{ {LABEL_VARIABLE} }}}}` to tell them apart"),
        )),
        (true, false) => errors.push(invalid(
            TemplatePart::Relation,
            format!("`{{{{ {LABEL_VARIABLE} }}}}` is written but there is only one label; leave it out"),
        )),
        _ => {}
    }
}

fn check_labels(spec: &TemplateSpec, errors: &mut Vec<TemplateError>) {
    if spec.labels.is_empty() {
        errors.push(invalid(
            TemplatePart::Labels,
            "a template needs at least one label".into(),
        ));
    }
    let mut by_word: BTreeMap<&str, &str> = BTreeMap::new();
    for (label, word) in &spec.labels {
        if let Some(other) = by_word.insert(word, label) {
            errors.push(invalid(
                TemplatePart::Labels,
                format!("labels `{other}` and `{label}` are both written as \"{word}\"; merge them with `merge_labels` instead"),
            ));
        }
    }
    for (source, target) in &spec.merge_labels {
        if spec.labels.contains_key(source) {
            errors.push(invalid(
                TemplatePart::MergeLabels,
                format!("`{source}` has a label word and is also merged into `{target}`"),
            ));
        }
        if !spec.labels.contains_key(target) {
            errors.push(invalid(
                TemplatePart::MergeLabels,
                format!("`{source}` is merged into `{target}`, which has no label word"),
            ));
        }
    }
}

fn check_texts(spec: &TemplateSpec, errors: &mut Vec<TemplateError>) {
    if spec.separator.trim().is_empty() {
        errors.push(invalid(
            TemplatePart::Separator,
            "the separator needs a visible character (e.g. \"; \")".into(),
        ));
    }
    if spec.null.trim().is_empty() {
        errors.push(invalid(
            TemplatePart::Null,
            "the null sentence cannot be empty".into(),
        ));
    }
    let mark = spec.separator.trim();
    let literal_clash = parse_relation(&spec.relation, &spec.arguments).is_ok_and(|segments| {
        segments
            .iter()
            .any(|s| matches!(&s.kind, SegmentKind::Literal(text) if text.contains(mark)))
    });
    if !mark.is_empty() && literal_clash {
        errors.push(invalid(
            TemplatePart::Separator,
            format!("the relation template's text contains the separator \"{mark}\""),
        ));
    }
    for (label, word) in spec
        .labels
        .iter()
        .filter(|(_, word)| !mark.is_empty() && word.contains(mark))
    {
        errors.push(invalid(
            TemplatePart::Labels,
            format!("the word \"{word}\" of `{label}` contains the separator \"{mark}\""),
        ));
    }
    let ends_with_terminator = parse_relation(&spec.relation, &spec.arguments).is_ok_and(|segments| {
        matches!(segments.last().map(|s| &s.kind), Some(SegmentKind::Literal(text)) if text.ends_with(spec.terminator.as_str()))
    });
    if !spec.terminator.is_empty() && ends_with_terminator {
        errors.push(invalid(
            TemplatePart::Terminator,
            format!("the relation template already ends with the terminator \"{}\"; stripping it from a target would cut the last sentence", spec.terminator),
        ));
    }
    let list = &spec.list;
    if spec.list_role().is_some()
        && [&list.pair, &list.separator, &list.last]
            .iter()
            .any(|j| j.is_empty())
    {
        errors.push(invalid(
            TemplatePart::List,
            "list joiners cannot be empty".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::spec::{GoldDedup, ListStyle, MentionChoice, MentionMatch};

    fn spec() -> TemplateSpec {
        TemplateSpec {
            source: "{{ text }}".into(),
            relation: "{{ drugs }} combine as {{ label }}".into(),
            arguments: vec!["drugs".into()],
            labels: BTreeMap::from([
                ("POS".into(), "good".into()),
                ("COMB".into(), String::new()),
            ]),
            merge_labels: BTreeMap::from([("NEG".into(), "COMB".into())]),
            separator: "; ".into(),
            terminator: ".".into(),
            null: "None.".into(),
            list: ListStyle::default(),
            mention: MentionChoice::First,
            matching: MentionMatch::Rendered,
            lowercase: false,
            decoder_join: "\n\n".into(),
            paper_gold_dedup: GoldDedup::Exact,
            extractor: None,
        }
    }

    fn messages(spec: &TemplateSpec) -> Vec<String> {
        validate(spec).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_consistent_template_has_no_problem() {
        assert_eq!(messages(&spec()), Vec::<String>::new());
    }

    #[test]
    fn reports_every_problem_of_texts_labels_and_merges() {
        let broken = TemplateSpec {
            source: "{{ text ".into(),
            relation: "{{ drugs }} combine; as {{ label }}.".into(),
            labels: BTreeMap::from([
                ("POS".into(), "good;".into()),
                ("COMB".into(), String::new()),
            ]),
            merge_labels: BTreeMap::from([
                ("NEG".into(), "BAD".into()),
                ("POS".into(), "COMB".into()),
            ]),
            separator: " ".into(),
            null: " ".into(),
            list: ListStyle {
                pair: String::new(),
                ..ListStyle::default()
            },
            ..spec()
        };
        assert_eq!(
            messages(&broken),
            vec![
                "source template, line 1, column 4: syntax error: unexpected end of input, expected end of variable block",
                "merge_labels: `NEG` is merged into `BAD`, which has no label word",
                "merge_labels: `POS` has a label word and is also merged into `COMB`",
                "separator: the separator needs a visible character (e.g. \"; \")",
                "null: the null sentence cannot be empty",
                "terminator: the relation template already ends with the terminator \".\"; stripping it from a target would cut the last sentence",
                "list: list joiners cannot be empty",
            ]
        );
        let clash = TemplateSpec {
            relation: "{{ drugs }} combine; as {{ label }}.".into(),
            labels: BTreeMap::from([
                ("POS".into(), "good;".into()),
                ("COMB".into(), String::new()),
            ]),
            ..spec()
        };
        assert_eq!(
            messages(&clash),
            vec![
                "separator: the relation template's text contains the separator \";\"",
                "labels: the word \"good;\" of `POS` contains the separator \";\"",
                "terminator: the relation template already ends with the terminator \".\"; stripping it from a target would cut the last sentence",
            ]
        );
    }

    #[test]
    fn label_is_written_exactly_when_labels_differ() {
        let single = TemplateSpec {
            labels: BTreeMap::from([("COMB".into(), String::new())]),
            merge_labels: BTreeMap::new(),
            ..spec()
        };
        assert_eq!(
            messages(&single),
            vec!["relation: `{{ label }}` is written but there is only one label; leave it out"]
        );
        let roles = TemplateSpec {
            arguments: vec!["label".into(), "a b".into(), "a b".into()],
            ..spec()
        };
        let found = messages(&roles);
        assert!(
            found.contains(&"arguments: role `a b` is declared twice".to_owned()),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("arguments: `label` cannot name a role")),
            "{found:?}"
        );
    }
}
