//! A finished run read back from its folder, every file checked against the others.

use super::error::StoreError;
use super::files::{DONE, METRICS, PREDICTIONS, SPEC, blake3_hex};
use super::metrics::{Metrics, MetricsFile};
use super::prediction::{Prediction, Totals, parse_json_lines};
use crate::plan::Run;
use std::fs;
use std::path::Path;

/// What a finished run left.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The run as `spec.json` records it (tags may differ from another study's plan that
    /// shares the run).
    pub run: Run,
    /// Scores and timing.
    pub metrics: Metrics,
    /// One record per test document.
    pub predictions: Vec<Prediction>,
}

impl RunResult {
    /// Reads the finished run `id` from `folder`: `DONE` must hold the blake3 of
    /// `metrics.json`, which must name the run and hold the blake3 of `predictions.jsonl`,
    /// whose per-document counts must add up to the metrics.
    pub(crate) fn read(folder: &Path, id: &str) -> Result<Self, StoreError> {
        let not_done = || StoreError::NotDone {
            id: id.into(),
            path: folder.to_owned(),
        };
        let metrics_path = folder.join(METRICS);
        let (Ok(marker), Ok(metrics_bytes)) = (
            fs::read_to_string(folder.join(DONE)),
            fs::read(&metrics_path),
        ) else {
            return Err(not_done());
        };
        if marker.trim() != blake3_hex(&metrics_bytes) {
            return Err(not_done());
        }
        let file = MetricsFile::parse(&metrics_path, &metrics_bytes)?;
        if file.run != id {
            return Err(StoreError::corrupt(
                &metrics_path,
                format!("holds the metrics of run {}", file.run),
            ));
        }
        let run = Self::read_spec(folder, id)?;
        let predictions_path = folder.join(PREDICTIONS);
        let bytes = fs::read(&predictions_path)
            .map_err(|error| StoreError::io(&predictions_path, "read", &error))?;
        if blake3_hex(&bytes) != file.predictions_blake3 {
            return Err(StoreError::corrupt(
                &predictions_path,
                "changed after the run finished (its blake3 differs from metrics.json's record)",
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|error| StoreError::corrupt(&predictions_path, error.to_string()))?;
        let predictions = parse_json_lines(&predictions_path, &text)?;
        if let Some(message) = file.metrics.disagreement(&Totals::of(&predictions)) {
            return Err(StoreError::corrupt(&metrics_path, message));
        }
        Ok(RunResult {
            run,
            metrics: file.metrics,
            predictions,
        })
    }

    /// Reads `spec.json` of run `id` from `folder`.
    pub(crate) fn read_spec(folder: &Path, id: &str) -> Result<Run, StoreError> {
        let path = folder.join(SPEC);
        let text =
            fs::read_to_string(&path).map_err(|error| StoreError::io(&path, "read", &error))?;
        let run: Run = serde_json::from_str(&text)
            .map_err(|error| StoreError::corrupt(&path, error.to_string()))?;
        if run.id != id {
            return Err(StoreError::corrupt(
                &path,
                format!("describes run {}, not {id}", run.id),
            ));
        }
        Ok(run)
    }
}
