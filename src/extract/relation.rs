//! Relations read back from generated text.

use crate::template::{GoldRelation, TemplateSpec};
use serde::{Deserialize, Serialize};

/// One relation read from generated text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PredictedRelation {
    /// The label (after `merge_labels`), mapped back from its word.
    pub label: String,
    /// The argument strings in role order; for a set relation, its members sorted, each once.
    pub arguments: Vec<String>,
}

/// What an extractor reads from one generated text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// The relations, each once, in the order first written.
    pub relations: Vec<PredictedRelation>,
    /// Pieces of the text that match no relation sentence (trimmed), kept so they can be counted.
    pub unparseable: Vec<String>,
}

impl PredictedRelation {
    /// The relation a perfect extraction of `gold`'s rendered strings yields.
    pub fn expected(spec: &TemplateSpec, gold: &GoldRelation) -> Self {
        let mut arguments: Vec<String> =
            gold.arguments.iter().map(|a| a.rendered.clone()).collect();
        if spec.list_role().is_some() {
            arguments.sort();
            arguments.dedup();
        }
        Self {
            label: gold.label.clone(),
            arguments,
        }
    }
}
