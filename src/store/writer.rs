//! Writing a run's results while it runs: log lines, predictions, then metrics and `DONE`.

use super::FORMAT_VERSION;
use super::atomic::write_atomically;
use super::error::StoreError;
use super::files::{CHECKPOINT, DONE, LOG, METRICS, PREDICTIONS, blake3_hex};
use super::log::LogEvent;
use super::metrics::{Metrics, MetricsFile};
use super::prediction::{Prediction, Totals, to_json_lines};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A started run (from [`RunStore::begin`](super::RunStore::begin)). Nothing it writes makes
/// the run done until [`RunWriter::finish`] returns.
#[derive(Debug)]
pub struct RunWriter {
    folder: PathBuf,
    run_id: String,
    log: File,
    predictions: Option<WrittenPredictions>,
}

/// What `finish` checks the metrics against.
#[derive(Debug)]
struct WrittenPredictions {
    blake3: String,
    totals: Totals,
}

impl RunWriter {
    /// A writer for the cleared `folder` of run `run_id`, with an empty log.
    pub(super) fn create(folder: PathBuf, run_id: String) -> Result<Self, StoreError> {
        let path = folder.join(LOG);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|error| StoreError::io(&path, "create", &error))?;
        Ok(RunWriter {
            folder,
            run_id,
            log,
            predictions: None,
        })
    }

    /// The run's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The run's checkpoint folder, created if needed; the trainer owns its content.
    pub fn checkpoint_folder(&self) -> Result<PathBuf, StoreError> {
        let path = self.folder.join(CHECKPOINT);
        fs::create_dir_all(&path).map_err(|error| StoreError::io(&path, "create", &error))?;
        Ok(path)
    }

    /// Appends one line to `log.jsonl` (one write per line; flushed to disk by `finish`).
    pub fn log(&mut self, event: &LogEvent) -> Result<(), StoreError> {
        let path = self.folder.join(LOG);
        let mut line = serde_json::to_string(event)
            .map_err(|error| StoreError::corrupt(&path, error.to_string()))?;
        line.push('\n');
        self.log
            .write_all(line.as_bytes())
            .map_err(|error| StoreError::io(&path, "append to", &error))
    }

    /// Writes `predictions.jsonl` atomically: one record per test document, with its
    /// per-document counts in both modes. A second call replaces the first.
    pub fn write_predictions(&mut self, predictions: &[Prediction]) -> Result<(), StoreError> {
        let path = self.folder.join(PREDICTIONS);
        let text = to_json_lines(predictions)
            .map_err(|error| StoreError::corrupt(&path, error.to_string()))?;
        write_atomically(&path, text.as_bytes())?;
        self.predictions = Some(WrittenPredictions {
            blake3: blake3_hex(text.as_bytes()),
            totals: Totals::of(predictions),
        });
        Ok(())
    }

    /// Finishes the run: checks that `metrics` are those of the written predictions, flushes
    /// the log, writes `metrics.json` and then `DONE` with its blake3. The run is done once the
    /// rename of `DONE` reaches the disk.
    pub fn finish(mut self, metrics: Metrics) -> Result<(), StoreError> {
        let inconsistent = |message: String| StoreError::Inconsistent {
            id: self.run_id.clone(),
            message,
        };
        let Some(predictions) = self.predictions.take() else {
            return Err(inconsistent("no predictions were written".into()));
        };
        if let Some(message) = metrics.disagreement(&predictions.totals) {
            return Err(inconsistent(message));
        }
        let log = self.folder.join(LOG);
        self.log
            .sync_all()
            .map_err(|error| StoreError::io(&log, "flush", &error))?;
        let path = self.folder.join(METRICS);
        let file = MetricsFile {
            format_version: FORMAT_VERSION,
            run: self.run_id.clone(),
            predictions_blake3: predictions.blake3,
            metrics,
        };
        let text = serde_json::to_string_pretty(&file)
            .map_err(|error| StoreError::corrupt(&path, error.to_string()))?;
        let text = format!("{text}\n");
        write_atomically(&path, text.as_bytes())?;
        let marker = format!("{}\n", blake3_hex(text.as_bytes()));
        write_atomically(&self.folder.join(DONE), marker.as_bytes())
    }
}
