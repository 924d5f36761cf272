//! Examples of a template: model outputs, each with the relations the template's extractor must
//! read from it ("doctests for extractors"). `expc check` runs them; `expc snapshot` shows them.
//! They are not part of [`TemplateSpec`](crate::template::TemplateSpec), so they never change a
//! run's identity.

use crate::extract::{Extraction, Extractor, PredictedRelation};
use crate::source::Span;
use std::collections::BTreeSet;

/// `{ output = "…", relations = […], unparseable = N, mentions = […], note = "…" }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateExample {
    /// The model output the extractor reads.
    pub output: String,
    /// The relations it must read: labels resolved (merged), set members sorted, each once.
    pub relations: BTreeSet<PredictedRelation>,
    /// How many pieces of the output must be unparseable.
    pub unparseable: usize,
    /// The strings the source document mentions, when given: ambiguous sentences are then read
    /// as scoring reads them (the first reading made of these strings).
    pub mentions: Option<BTreeSet<String>>,
    /// What the example shows.
    pub note: Option<String>,
    /// Where `output` is written.
    pub span: Span,
}

impl TemplateExample {
    /// What `extractor` reads from the output.
    pub fn extract(&self, extractor: &Extractor) -> Extraction {
        match &self.mentions {
            Some(known) => extractor.extract_in(&self.output, known),
            None => extractor.extract(&self.output),
        }
    }

    /// Whether `extraction` has exactly the declared relations and unparseable count.
    pub fn holds(&self, extraction: &Extraction) -> bool {
        extraction.unparseable.len() == self.unparseable
            && extraction.relations.len() == self.relations.len()
            && extraction
                .relations
                .iter()
                .all(|relation| self.relations.contains(relation))
    }
}

/// Relations as examples show them: `CPR:3 ("aspirin", "COX-1"); CID ("a", "b")`, or `none`.
pub fn describe_relations<'r>(
    relations: impl IntoIterator<Item = &'r PredictedRelation>,
) -> String {
    let described: Vec<String> = relations
        .into_iter()
        .map(|relation| {
            let arguments: Vec<String> = relation
                .arguments
                .iter()
                .map(|argument| format!("{argument:?}"))
                .collect();
            format!("{} ({})", relation.label, arguments.join(", "))
        })
        .collect();
    if described.is_empty() {
        "none".to_owned()
    } else {
        described.join("; ")
    }
}

/// Unparseable pieces as examples show them: `"the relation", "x"`, or `none`.
pub fn describe_unparseable(pieces: &[String]) -> String {
    if pieces.is_empty() {
        return "none".to_owned();
    }
    let quoted: Vec<String> = pieces.iter().map(|piece| format!("{piece:?}")).collect();
    quoted.join(", ")
}
