//! The one error type of the corpus layer: where in which file, and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// A corpus file that cannot be read or does not follow its format.
///
/// Displays as `path:12: message`, or `path: message` when no line applies (a missing file, a
/// missing folder entry). XML errors carry the line of the offending element and name its id in
/// the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusError {
    /// The file (or folder) at fault.
    pub path: PathBuf,
    /// The 1-based line at fault, when one applies.
    pub line: Option<usize>,
    /// What is wrong, in a few words.
    pub message: String,
}

impl CorpusError {
    /// An error at one line of `path`.
    pub fn at(path: &Path, line: usize, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about `path` as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for CorpusError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_path_line_and_message() {
        let error = CorpusError::at(Path::new("a/b.txt"), 12, "bad offset");
        assert_eq!(error.to_string(), "a/b.txt:12: bad offset");
        let error = CorpusError::file(Path::new("a"), "no such folder");
        assert_eq!(error.to_string(), "a: no such folder");
    }
}
