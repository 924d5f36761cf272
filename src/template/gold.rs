//! Gold relations as strings: what the target writes for each relation of a document, and which
//! predicted strings count as naming each argument.

use super::error::TemplateError;
use super::spec::{MentionChoice, MentionMatch, TemplateSpec};
use crate::corpus::document::{Document, Entity, Relation};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// One gold relation as the target template writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldRelation {
    /// The label after `merge_labels`.
    pub label: String,
    /// One argument per role, in role order; for a set relation (a single list role) one per
    /// member, in corpus order, members written alike kept once.
    pub arguments: Vec<GoldArgument>,
}

/// One argument of a gold relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldArgument {
    /// The string the target writes (chosen mention, lower-cased when the template lower-cases).
    pub rendered: String,
    /// The predicted strings that name this argument: `rendered` alone, or every mention string
    /// (lower-cased likewise) when matching is `AnyMention`.
    pub accepted: BTreeSet<String>,
}

/// The gold relations of `doc` in corpus order, duplicates included.
///
/// A relation whose label is in neither `labels` nor `merge_labels`, whose argument count does not
/// fit the roles, or that points at a missing or mention-less entity is an error naming the
/// document: nothing is silently dropped.
pub fn target_relations(
    spec: &TemplateSpec,
    doc: &Document,
) -> Result<Vec<GoldRelation>, TemplateError> {
    doc.relations
        .iter()
        .map(|relation| gold_relation(spec, doc, relation))
        .collect()
}

/// Every string the template may write for an entity of `doc`: all mention strings, lower-cased
/// when the template lower-cases. The extractor prefers splits into these strings.
pub fn known_strings(spec: &TemplateSpec, doc: &Document) -> BTreeSet<String> {
    mention_strings(spec, doc).map(Cow::into_owned).collect()
}

/// Every mention string of `doc`'s entities as the template writes it (lower-cased when the
/// template lower-cases), in corpus order, repeats included: what [`known_strings`] collects,
/// borrowed from the document when no case changes.
pub fn mention_strings<'d>(
    spec: &TemplateSpec,
    doc: &'d Document,
) -> impl Iterator<Item = Cow<'d, str>> {
    let lowercase = spec.lowercase;
    doc.entities
        .iter()
        .flat_map(|entity| &entity.mentions)
        .map(move |mention| {
            if lowercase {
                Cow::Owned(mention.text.to_lowercase())
            } else {
                Cow::Borrowed(mention.text.as_str())
            }
        })
}

/// Checks `relation` of `doc` against the template and walks its arguments: calls `argument`
/// with each argument's entity (its position in `doc.entities` and itself) and the position among
/// its mentions of the one the target writes, in argument order; the label after `merge_labels`.
///
/// A label in neither `labels` nor `merge_labels`, an argument count that does not fit the roles,
/// or an argument that is a missing or mention-less entity is an error naming the document.
pub fn walk_relation<'s, 'd>(
    spec: &'s TemplateSpec,
    doc: &'d Document,
    relation: &Relation,
    mut argument: impl FnMut(usize, &'d Entity, usize),
) -> Result<&'s str, TemplateError> {
    let label = spec
        .merged_label(&relation.label)
        .ok_or_else(|| TemplateError::UnknownLabel {
            document: doc.id.clone(),
            label: relation.label.clone(),
        })?;
    let bad = |message: String| TemplateError::BadRelation {
        document: doc.id.clone(),
        message,
    };
    let is_list = spec.list_role().is_some();
    if relation.arguments.is_empty()
        || (!is_list && relation.arguments.len() != spec.arguments.len())
    {
        return Err(bad(format!(
            "a `{}` relation has {} arguments but the template has the roles {}",
            relation.label,
            relation.arguments.len(),
            spec.arguments.join(", ")
        )));
    }
    for &index in &relation.arguments {
        let entity = doc.entities.get(index).ok_or_else(|| {
            bad(format!(
                "a `{}` relation points at entity {index}, which does not exist",
                relation.label
            ))
        })?;
        let chosen = chosen_mention(spec, entity)
            .ok_or_else(|| bad(format!("entity `{}` has no mention", entity.id)))?;
        argument(index, entity, chosen);
    }
    Ok(label)
}

fn gold_relation(
    spec: &TemplateSpec,
    doc: &Document,
    relation: &Relation,
) -> Result<GoldRelation, TemplateError> {
    let is_list = spec.list_role().is_some();
    let mut arguments: Vec<GoldArgument> = Vec::with_capacity(relation.arguments.len());
    let label = walk_relation(spec, doc, relation, |_, entity, chosen| {
        let argument = gold_argument(spec, entity, chosen);
        match arguments
            .iter_mut()
            .find(|known| is_list && known.rendered == argument.rendered)
        {
            Some(known) => known.accepted.extend(argument.accepted),
            None => arguments.push(argument),
        }
    })?;
    Ok(GoldRelation {
        label: label.to_owned(),
        arguments,
    })
}

/// The position among `entity`'s mentions of the one the target writes (`None`: it has none).
fn chosen_mention(spec: &TemplateSpec, entity: &Entity) -> Option<usize> {
    let texts = entity
        .mentions
        .iter()
        .map(|mention| mention.text.as_str())
        .enumerate();
    let chosen = match spec.mention {
        MentionChoice::First => texts.take(1).next(),
        MentionChoice::Longest => texts.rev().max_by_key(|(_, text)| text.chars().count()),
        MentionChoice::Largest => texts.max_by_key(|&(_, text)| text),
    };
    chosen.map(|(position, _)| position)
}

fn gold_argument(spec: &TemplateSpec, entity: &Entity, chosen: usize) -> GoldArgument {
    let texts = entity.mentions.iter().map(|mention| mention.text.as_str());
    let rendered = cased(spec, &entity.mentions[chosen].text);
    let accepted = match spec.matching {
        MentionMatch::Rendered => {
            let mut only = BTreeSet::new();
            only.insert(rendered.clone());
            only
        }
        MentionMatch::AnyMention => texts.map(|text| cased(spec, text)).collect(),
    };
    GoldArgument { rendered, accepted }
}

fn cased(spec: &TemplateSpec, text: &str) -> String {
    if spec.lowercase {
        text.to_lowercase()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::document::Mention;
    use crate::template::spec::{GoldDedup, ListStyle};
    use std::collections::BTreeMap;

    fn spec(mention: MentionChoice, matching: MentionMatch, lowercase: bool) -> TemplateSpec {
        TemplateSpec {
            source: "{{ text }}".into(),
            relation: "{{ a }} and {{ b }}".into(),
            arguments: vec!["a".into(), "b".into()],
            labels: BTreeMap::from([("R".into(), String::new())]),
            merge_labels: BTreeMap::from([("S".into(), "R".into())]),
            separator: "; ".into(),
            terminator: ".".into(),
            null: "None.".into(),
            list: ListStyle::default(),
            mention,
            matching,
            lowercase,
            decoder_join: "\n\n".into(),
            paper_gold_dedup: GoldDedup::Exact,
            extractor: None,
        }
    }

    fn doc(relations: Vec<Relation>) -> Document {
        let entity = |id: &str, mentions: &[&str]| Entity {
            id: id.into(),
            kind: "x".into(),
            mentions: mentions
                .iter()
                .map(|&text| Mention {
                    text: text.into(),
                    spans: vec![],
                })
                .collect(),
        };
        Document {
            id: "d".into(),
            text: String::new(),
            fields: BTreeMap::new(),
            entities: vec![
                entity("e1", &["bb", "Ccc", "aaa"]),
                entity("e2", &["Q"]),
                entity("e3", &[]),
            ],
            relations,
        }
    }

    fn relation(label: &str, arguments: Vec<usize>) -> Relation {
        Relation {
            label: label.into(),
            arguments,
            unordered: false,
        }
    }

    fn rendered(spec: &TemplateSpec) -> Vec<String> {
        let gold =
            target_relations(spec, &doc(vec![relation("S", vec![0, 1])])).unwrap_or_default();
        gold.iter()
            .flat_map(|g| g.arguments.iter().map(|a| a.rendered.clone()))
            .collect()
    }

    #[test]
    fn chooses_mentions_and_cases_them() {
        let rendered_with =
            |mention, lowercase| rendered(&spec(mention, MentionMatch::Rendered, lowercase));
        assert_eq!(rendered_with(MentionChoice::First, false), vec!["bb", "Q"]);
        assert_eq!(
            rendered_with(MentionChoice::Longest, false),
            vec!["Ccc", "Q"]
        );
        assert_eq!(
            rendered_with(MentionChoice::Largest, false),
            vec!["bb", "Q"]
        );
        assert_eq!(rendered_with(MentionChoice::First, true), vec!["bb", "q"]);
        let any = spec(MentionChoice::First, MentionMatch::AnyMention, true);
        let gold =
            target_relations(&any, &doc(vec![relation("S", vec![0, 1])])).unwrap_or_default();
        assert_eq!(gold[0].label, "R");
        assert_eq!(
            gold[0].arguments[0].accepted,
            BTreeSet::from(["aaa".into(), "bb".into(), "ccc".into()])
        );
    }

    #[test]
    fn relations_that_do_not_fit_are_errors_naming_the_document() {
        let spec = spec(MentionChoice::First, MentionMatch::Rendered, false);
        let error = |relations| {
            target_relations(&spec, &doc(relations))
                .map_err(|e| e.to_string())
                .err()
        };
        assert_eq!(
            error(vec![relation("T", vec![0, 1])]),
            Some(
                "document `d`: relation label `T` is in neither `labels` nor `merge_labels`".into()
            )
        );
        assert_eq!(
            error(vec![relation("R", vec![0])]),
            Some(
                "document `d`: a `R` relation has 1 arguments but the template has the roles a, b"
                    .into()
            )
        );
        assert_eq!(
            error(vec![relation("R", vec![0, 7])]),
            Some("document `d`: a `R` relation points at entity 7, which does not exist".into())
        );
        assert_eq!(
            error(vec![relation("R", vec![0, 2])]),
            Some("document `d`: entity `e3` has no mention".into())
        );
    }
}
