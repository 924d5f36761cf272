//! The record of one test document: `predictions.jsonl` holds one per line.

use super::error::StoreError;
use crate::extract::PredictedRelation;
use crate::score::{CountingMode, Counts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// What a run made of one test document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The document's id.
    pub id: String,
    /// The source text the model was given.
    pub source: String,
    /// The text the model generated.
    pub generated: String,
    /// The relations read from `generated`.
    pub extracted: Vec<PredictedRelation>,
    /// Pieces of `generated` that are no relation sentence.
    pub unparseable: Vec<String>,
    /// The gold relations, as a perfect extraction of the gold target reads them.
    pub gold: Vec<PredictedRelation>,
    /// The document's counts in each counting mode: what paired bootstrap resamples.
    pub counts: CountsByMode,
}

/// A document's counts in both counting modes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsByMode {
    /// One-to-one matching.
    pub strict: Counts,
    /// The paper's counting.
    pub paper: Counts,
}

impl CountsByMode {
    /// The counts of `mode`.
    pub fn get(&self, mode: CountingMode) -> Counts {
        match mode {
            CountingMode::Strict => self.strict,
            CountingMode::Paper => self.paper,
        }
    }
}

/// The sums of a prediction file's counts, checked against `metrics.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Documents.
    pub documents: usize,
    /// Unparseable pieces.
    pub unparseable: usize,
    /// Summed counts.
    pub counts: CountsByMode,
}

impl Totals {
    /// The totals of `predictions`.
    pub(crate) fn of(predictions: &[Prediction]) -> Self {
        Totals {
            documents: predictions.len(),
            unparseable: predictions.iter().map(|p| p.unparseable.len()).sum(),
            counts: CountsByMode {
                strict: predictions.iter().map(|p| p.counts.strict).sum(),
                paper: predictions.iter().map(|p| p.counts.paper).sum(),
            },
        }
    }
}

/// The text of a predictions file: one JSON object per line.
pub(crate) fn to_json_lines(predictions: &[Prediction]) -> Result<String, serde_json::Error> {
    let mut text = String::new();
    for prediction in predictions {
        text.push_str(&serde_json::to_string(prediction)?);
        text.push('\n');
    }
    Ok(text)
}

/// Reads the text of a predictions file; `path` names it in errors. Document ids are unique.
pub(crate) fn parse_json_lines(path: &Path, text: &str) -> Result<Vec<Prediction>, StoreError> {
    let mut predictions = Vec::new();
    let mut ids = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let corrupt = |message: String| StoreError::CorruptLine {
            path: path.to_owned(),
            line: index + 1,
            message,
        };
        let prediction: Prediction =
            serde_json::from_str(line).map_err(|error| corrupt(error.to_string()))?;
        if !ids.insert(prediction.id.clone()) {
            return Err(corrupt(format!(
                "document `{}` appears twice",
                prediction.id
            )));
        }
        predictions.push(prediction);
    }
    Ok(predictions)
}
