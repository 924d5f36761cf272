//! The names of the files in a run folder, and what a run id may look like.

use super::error::StoreError;
use std::path::{Path, PathBuf};

/// The plan's `Run`, pretty JSON.
pub const SPEC: &str = "spec.json";
/// Training log lines.
pub const LOG: &str = "log.jsonl";
/// One prediction record per test document.
pub const PREDICTIONS: &str = "predictions.jsonl";
/// Scores and timing.
pub const METRICS: &str = "metrics.json";
/// The blake3 of `metrics.json`: the run is finished.
pub const DONE: &str = "DONE";
/// The trainer's checkpoint folder.
pub const CHECKPOINT: &str = "checkpoint";
/// Prefix of the temporary files of atomic writes.
pub const TEMPORARY_PREFIX: &str = ".tmp-";

/// Whether `id` is a run id: 64 lowercase hexadecimal digits (a blake3 hash), so that it names
/// a folder directly under the results folder and nothing else.
pub fn is_run_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The folder of run `id` under `results`.
pub fn run_folder(results: &Path, id: &str) -> Result<PathBuf, StoreError> {
    if is_run_id(id) {
        Ok(results.join(id))
    } else {
        Err(StoreError::InvalidRunId { id: id.into() })
    }
}

/// The blake3 of `bytes` as lowercase hex.
pub fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}
