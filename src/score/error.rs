//! Errors of scoring: unreadable prediction files and predictions that do not fit the gold data.

use crate::template::TemplateError;
use std::path::PathBuf;

/// Why predictions cannot be read or scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The predictions file cannot be read.
    #[error("{}: cannot read: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's explanation.
        message: String,
    },
    /// A line that is not a JSON object.
    #[error("{}:{line}: not a JSON object: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's explanation.
        message: String,
    },
    /// A line without a required key.
    #[error("{}:{line}: missing key `{key}` (each line needs `id` and `generated`)", path.display())]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The missing key.
        key: String,
    },
    /// A key whose value has the wrong type.
    #[error("{}:{line}: `{key}` must be {expected}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The key.
        key: String,
        /// What it must be.
        expected: String,
    },
    /// A document predicted twice.
    #[error("{}:{line}: document `{id}` was already predicted on line {first_line}", path.display())]
    DuplicateId {
        /// The file.
        path: PathBuf,
        /// 1-based line number of the repetition.
        line: usize,
        /// The document id.
        id: String,
        /// 1-based line number of the first prediction.
        first_line: usize,
    },
    /// Predictions for documents the gold data does not have.
    #[error("predictions for {} document(s) not in the gold data: {}", ids.len(), ids.join(", "))]
    UnknownDocuments {
        /// The unknown ids, sorted.
        ids: Vec<String>,
    },
    /// A gold document the template cannot render.
    #[error(transparent)]
    Template(#[from] TemplateError),
}
