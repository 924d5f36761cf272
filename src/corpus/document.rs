//! The one document model every corpus loads into.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One unit of extraction: an abstract, a sentence, or a drug label, with its gold annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The corpus's own identifier (PMID, DCE `doc_id`, DDI file stem).
    pub id: String,
    /// The text a source template shows as `text`.
    pub text: String,
    /// Extra text fields of the format (e.g. `title`, `abstract`, `paragraph`), visible to templates.
    pub fields: BTreeMap<String, String>,
    /// Entities; for entity-level corpora (CDR) one entity groups all mentions of a concept.
    pub entities: Vec<Entity>,
    /// Gold relations over `entities`.
    pub relations: Vec<Relation>,
}

/// A concept or a single annotated span, with the places it is mentioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Identifier within the document: a normalized id (MeSH, or `-1#<n>` for an unnormalized
    /// CDR mention), or the annotation id (`T3`, DCE span id `0`, DDI `DDI-DrugBank.d0.s2.e0`).
    pub id: String,
    /// Entity type as the corpus names it (`Chemical`, `GENE-Y`, `drug`).
    pub kind: String,
    /// Mentions in document order; at least one.
    pub mentions: Vec<Mention>,
}

/// One occurrence of an entity in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The mention's surface string as annotated.
    pub text: String,
    /// Character (Unicode scalar) offsets into `Document::text`, end-exclusive; several for
    /// discontinuous mentions.
    pub spans: Vec<(usize, usize)>,
}

/// A gold relation: a label and its arguments (indices into `Document::entities`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The corpus label (`CID`, `CPR:4`, `MECHANISM`, `POS`).
    pub label: String,
    /// Argument entities, in role order for ordered relations.
    pub arguments: Vec<usize>,
    /// Whether the arguments form an unordered set (DCE's n-ary combinations).
    pub unordered: bool,
}
