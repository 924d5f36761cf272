//! A finished run's scores and timing: `metrics.json`.

use super::FORMAT_VERSION;
use super::error::StoreError;
use super::prediction::Totals;
use crate::score::{CountingMode, Scores};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a run measured: scores on the test split in both counting modes, and time taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// One-to-one matching.
    pub strict: Scores,
    /// The paper's counting.
    pub paper: Scores,
    /// Wall time.
    pub timing: Timing,
}

/// Wall time of a run's phases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Finetuning, validation included.
    pub training_seconds: f64,
    /// Generating on the test split.
    pub generation_seconds: f64,
}

impl Timing {
    /// The whole run.
    pub fn total_seconds(&self) -> f64 {
        self.training_seconds + self.generation_seconds
    }
}

impl Metrics {
    /// The scores of `mode`.
    pub fn scores(&self, mode: CountingMode) -> &Scores {
        match mode {
            CountingMode::Strict => &self.strict,
            CountingMode::Paper => &self.paper,
        }
    }

    /// Why these metrics are not those of the predictions that add up to `totals`, if they are
    /// not: the documents, unparseable pieces and micro counts of each mode must agree.
    pub(crate) fn disagreement(&self, totals: &Totals) -> Option<String> {
        for mode in [CountingMode::Strict, CountingMode::Paper] {
            let scores = self.scores(mode);
            let name = match mode {
                CountingMode::Strict => "strict",
                CountingMode::Paper => "paper",
            };
            if scores.documents != totals.documents {
                return Some(format!(
                    "{name} scores count {} documents, the predictions {}",
                    scores.documents, totals.documents
                ));
            }
            if scores.unparseable != totals.unparseable {
                return Some(format!(
                    "{name} scores count {} unparseable pieces, the predictions {}",
                    scores.unparseable, totals.unparseable
                ));
            }
            if scores.micro.counts() != totals.counts.get(mode) {
                return Some(format!(
                    "{name} micro counts {:?} differ from the sum of the per-document counts {:?}",
                    scores.micro.counts(),
                    totals.counts.get(mode)
                ));
            }
        }
        None
    }
}

/// The content of `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MetricsFile {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The run the metrics belong to.
    pub run: String,
    /// The blake3 of `predictions.jsonl`.
    pub predictions_blake3: String,
    /// The metrics.
    #[serde(flatten)]
    pub metrics: Metrics,
}

impl MetricsFile {
    /// Reads the text of `metrics.json`, checking its version; `path` names it in errors.
    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Self, StoreError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|error| StoreError::corrupt(path, error.to_string()))?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if found != u64::from(FORMAT_VERSION) {
            return Err(StoreError::Version {
                path: path.to_owned(),
                found,
            });
        }
        serde_json::from_value(value).map_err(|error| StoreError::corrupt(path, error.to_string()))
    }
}
