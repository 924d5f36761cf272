//! A checked template: how a document becomes a prompt and its relations a target text.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a `template NAME { … }` block declares, after checking.
///
/// The target of a document is its relation sentences (each rendered from `relation`) joined by
/// `separator` and followed by `terminator`, or `null` when the document has no relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateSpec {
    /// minijinja text of the prompt; sees the document's fields (`id`, `text`, `entities`, …).
    pub source: String,
    /// minijinja text of one relation sentence; sees the argument roles and `label`.
    pub relation: String,
    /// Role names bound to a relation's arguments in order; one name for unordered (set)
    /// relations, whose members are rendered as one list.
    pub arguments: Vec<String>,
    /// Corpus label → label word written in the sentence (may be empty).
    pub labels: BTreeMap<String, String>,
    /// Corpus label → the label it is written and scored as (e.g. DCE `NEG` → `COMB`).
    pub merge_labels: BTreeMap<String, String>,
    /// Text between two relation sentences.
    pub separator: String,
    /// Text after the last relation sentence.
    pub terminator: String,
    /// The whole target of a document without relations.
    pub null: String,
    /// How a list of set members is joined.
    pub list: ListStyle,
    /// Which mention string stands for an entity with several mentions.
    pub mention: MentionChoice,
    /// How a predicted argument string is matched against a gold entity.
    pub matching: MentionMatch,
    /// Whether argument strings are lower-cased (in targets and for scoring).
    pub lowercase: bool,
    /// How decoder-only models join source and target: `source + decoder_join + target`.
    pub decoder_join: String,
    /// How the paper-compatible counting mode de-duplicates gold relations.
    pub paper_gold_dedup: GoldDedup,
    /// An explicit extractor pattern that replaces the generated one (escape hatch).
    pub extractor: Option<String>,
}

/// Joiners of a rendered list: "A", "A and B", "A, B, and C".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListStyle {
    /// Between the two members of a two-member list (" and ").
    pub pair: String,
    /// Between members of a longer list, except the last two (", ").
    pub separator: String,
    /// Before the last member of a list of three or more (", and ").
    pub last: String,
}

impl Default for ListStyle {
    fn default() -> Self {
        Self {
            pair: " and ".into(),
            separator: ", ".into(),
            last: ", and ".into(),
        }
    }
}

/// Which mention string represents an entity in a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MentionChoice {
    /// The first mention in document order.
    First,
    /// The longest mention (first among equals).
    Longest,
    /// The lexicographically largest mention string (Python's `max`), as the paper does for CDR.
    Largest,
}

/// How a predicted argument string must relate to a gold entity to match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MentionMatch {
    /// Equal to the string the target template writes for the entity.
    Rendered,
    /// Equal to any mention string of the entity (CDR).
    AnyMention,
}

/// Gold de-duplication of the paper-compatible counting mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoldDedup {
    /// Keep every gold relation, duplicates included (DDI).
    None,
    /// De-duplicate by exact (arguments, label).
    Exact,
    /// De-duplicate by lower-cased (arguments, label) (ChemProt).
    Lowercase,
}
