//! A results folder: the status of each run, starting a run, and reading finished runs back.

use super::atomic::{sync_folder, write_atomically};
use super::error::StoreError;
use super::files::{
    self, CHECKPOINT, DONE, LOG, METRICS, PREDICTIONS, SPEC, TEMPORARY_PREFIX, blake3_hex,
    run_folder,
};
use super::result::RunResult;
use super::status::RunStatus;
use super::writer::RunWriter;
use crate::plan::Run;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The results of runs under one folder, one subfolder per run id.
///
/// A run's result depends only on its id, so any folder may serve several studies: a study's
/// `results` is the default, and a shared folder works the same.
#[derive(Debug, Clone)]
pub struct RunStore {
    results: PathBuf,
}

impl RunStore {
    /// The store in `results` (created when the first run begins).
    pub fn open(results: impl Into<PathBuf>) -> Self {
        RunStore {
            results: results.into(),
        }
    }

    /// The results folder.
    pub fn results(&self) -> &Path {
        &self.results
    }

    /// The folder of `run`.
    pub fn folder(&self, run: &Run) -> Result<PathBuf, StoreError> {
        run_folder(&self.results, &run.id)
    }

    /// Where `run` stands: done when `DONE` holds the blake3 of `metrics.json` (whatever the
    /// plan says now); otherwise blocked when the plan says so, partial when its folder exists,
    /// new when it does not.
    pub fn status(&self, run: &Run) -> Result<RunStatus, StoreError> {
        let folder = self.folder(run)?;
        Ok(if is_done(&folder) {
            RunStatus::Done
        } else if !run.blocked.is_empty() {
            RunStatus::Blocked
        } else if folder.exists() {
            RunStatus::Partial
        } else {
            RunStatus::New
        })
    }

    /// Starts `run`: creates its folder, clears what an interrupted attempt left (the `DONE`
    /// marker first, then every file the store writes and the checkpoint folder; other files
    /// are left alone), and writes `spec.json`. A done run is an error: its result stands.
    pub fn begin(&self, run: &Run) -> Result<RunWriter, StoreError> {
        let folder = self.folder(run)?;
        if is_done(&folder) {
            return Err(StoreError::AlreadyDone {
                id: run.id.clone(),
                path: folder,
            });
        }
        fs::create_dir_all(&folder).map_err(|error| StoreError::io(&folder, "create", &error))?;
        sync_folder(&self.results)?;
        clear_leftovers(&folder)?;
        let spec = serde_json::to_string_pretty(run)
            .map_err(|error| StoreError::corrupt(folder.join(SPEC), error.to_string()))?;
        write_atomically(&folder.join(SPEC), format!("{spec}\n").as_bytes())?;
        RunWriter::create(folder, run.id.clone())
    }

    /// Reads a finished run back, checking every file against the others.
    pub fn load(&self, run: &Run) -> Result<RunResult, StoreError> {
        RunResult::read(&self.folder(run)?, &run.id)
    }

    /// The runs whose folders in the results folder are done, read from their `spec.json`, in
    /// id order; folders that are not run folders are ignored.
    pub fn finished_runs(&self) -> Result<Vec<Run>, StoreError> {
        let entries = fs::read_dir(&self.results)
            .map_err(|error| StoreError::io(&self.results, "read", &error))?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| StoreError::io(&self.results, "read", &error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if files::is_run_id(&name) && is_done(&entry.path()) {
                ids.push(name);
            }
        }
        ids.sort();
        ids.iter()
            .map(|id| RunResult::read_spec(&self.results.join(id), id))
            .collect()
    }
}

/// Whether `folder` holds a `DONE` marker with the blake3 of its `metrics.json`.
fn is_done(folder: &Path) -> bool {
    let (Ok(marker), Ok(metrics)) = (
        fs::read_to_string(folder.join(DONE)),
        fs::read(folder.join(METRICS)),
    ) else {
        return false;
    };
    marker.trim() == blake3_hex(&metrics)
}

/// Removes what an interrupted run left in `folder`, the `DONE` marker first so that no
/// moment of the clearing looks finished.
fn clear_leftovers(folder: &Path) -> Result<(), StoreError> {
    let remove = |name: &str| {
        let path = folder.join(name);
        match fs::remove_file(&path) {
            Err(error) if error.kind() != ErrorKind::NotFound => {
                Err(StoreError::io(&path, "remove", &error))
            }
            _ => Ok(()),
        }
    };
    remove(DONE)?;
    sync_folder(folder)?;
    for name in [METRICS, PREDICTIONS, LOG, SPEC] {
        remove(name)?;
    }
    let checkpoint = folder.join(CHECKPOINT);
    match fs::remove_dir_all(&checkpoint) {
        Err(error) if error.kind() != ErrorKind::NotFound => {
            return Err(StoreError::io(&checkpoint, "remove", &error));
        }
        _ => {}
    }
    let entries = fs::read_dir(folder).map_err(|error| StoreError::io(folder, "read", &error))?;
    for entry in entries {
        let entry = entry.map_err(|error| StoreError::io(folder, "read", &error))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMPORARY_PREFIX) {
            remove(&name)?;
        }
    }
    sync_folder(folder)
}
