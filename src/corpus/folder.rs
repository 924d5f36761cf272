//! Files of a corpus folder: a recursive, sorted listing by extension.

use super::CorpusError;
use std::fs;
use std::path::{Path, PathBuf};

/// Every file under `folder` (recursively) whose extension is `extension`, sorted by path so
/// that documents load in the same order on every platform.
pub(crate) fn files_with_extension(
    folder: &Path,
    extension: &str,
) -> Result<Vec<PathBuf>, CorpusError> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir)
            .map_err(|error| CorpusError::file(&dir, format!("cannot list folder: {error}")))?;
        for entry in entries {
            let path = entry
                .map_err(|error| CorpusError::file(&dir, format!("cannot list folder: {error}")))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|found| found == extension) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The file stem of `path` as a document id.
pub(crate) fn stem(path: &Path) -> Result<&str, CorpusError> {
    path.file_stem()
        .and_then(|stem| stem.to_str())
        .ok_or_else(|| CorpusError::file(path, "file name is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_recursively_and_sorted() {
        let root = tempfile::tempdir().expect("temporary folder");
        fs::create_dir_all(root.path().join("b/c")).expect("create folders");
        for name in ["b/c/z.xml", "b/a.xml", "a.xml", "b/note.txt"] {
            fs::write(root.path().join(name), "").expect("write file");
        }
        let files = files_with_extension(root.path(), "xml").expect("listing");
        let relative: Vec<_> = files
            .iter()
            .map(|file| file.strip_prefix(root.path()).expect("inside"))
            .collect();
        assert_eq!(
            relative,
            [
                Path::new("a.xml"),
                Path::new("b/a.xml"),
                Path::new("b/c/z.xml")
            ]
        );
    }

    #[test]
    fn missing_folder_is_an_error() {
        let error = files_with_extension(Path::new("/no/such/folder"), "xml").expect_err("missing");
        assert!(
            error
                .to_string()
                .starts_with("/no/such/folder: cannot list folder")
        );
    }
}
