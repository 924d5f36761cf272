//! Errors of the run store; each names the file or run it is about.

use super::FORMAT_VERSION;
use std::path::PathBuf;

/// Why a run folder cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file-system operation failed.
    #[error("{}: cannot {action}: {message}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was attempted (`read`, `create`, `rename`, …).
        action: &'static str,
        /// The system's explanation.
        message: String,
    },
    /// A file whose content is not what the store wrote.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A line of a JSON-lines file that is not what the store wrote.
    #[error("{}:{line}: {message}", path.display())]
    CorruptLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Written by an incompatible version of expc.
    #[error(
        "{}: results format version {found} is not supported (this expc reads version {FORMAT_VERSION})",
        path.display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u64,
    },
    /// `begin` on a run that is already done.
    #[error("run {id} is already done ({}); remove its folder to run it again", path.display())]
    AlreadyDone {
        /// The run id.
        id: String,
        /// Its folder.
        path: PathBuf,
    },
    /// `load` on a run that is not done.
    #[error("run {id} is not done ({})", path.display())]
    NotDone {
        /// The run id.
        id: String,
        /// Its folder.
        path: PathBuf,
    },
    /// A run id that is not a blake3 hash, which could name a folder outside the results.
    #[error("`{id}` is not a run id (64 lowercase hexadecimal digits)")]
    InvalidRunId {
        /// The id.
        id: String,
    },
    /// `finish` with results that do not fit together.
    #[error("run {id} cannot finish: {message}")]
    Inconsistent {
        /// The run id.
        id: String,
        /// What does not fit.
        message: String,
    },
}

impl StoreError {
    /// An I/O error on `path` while doing `action`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, error: &std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            action,
            message: error.to_string(),
        }
    }

    /// A corrupt file.
    pub fn corrupt(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        StoreError::Corrupt {
            path: path.into(),
            message: message.into(),
        }
    }
}
