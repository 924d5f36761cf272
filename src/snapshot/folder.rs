//! A study's snapshots against a snapshot folder: which are unchanged, changed, new or obsolete,
//! and writing them (accepted `.snap` files, or pending `.snap.new` files to review).

use super::file::{Snapshot, content_of};
use crate::check::absolute;
use std::io;
use std::path::{Component, Path, PathBuf};

/// How a new snapshot compares with the stored one (by content, as insta compares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The stored snapshot has the same content.
    Unchanged,
    /// The stored snapshot has other content.
    Changed,
    /// Nothing is stored under this name.
    New,
}

/// A new snapshot beside what is stored for it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The new snapshot.
    pub snapshot: Snapshot,
    /// Its `.snap` file.
    pub path: PathBuf,
    /// The stored file's text, when there is one.
    pub stored: Option<String>,
    /// How the two compare.
    pub status: Status,
    /// The new file's text.
    pub text: String,
}

/// Every snapshot of a study compared with a folder.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The new snapshots, in the order made.
    pub entries: Vec<Entry>,
    /// Stored `.snap` files of the study that no snapshot has the name of any more.
    pub obsolete: Vec<PathBuf>,
    /// Pending `.snap.new` files of the study found in the folder.
    pub pending: Vec<PathBuf>,
}

/// What writing changed in the folder.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files removed.
    pub removed: Vec<PathBuf>,
}

impl Comparison {
    /// Compares `snapshots` of the study at `study_file` (file names starting with `prefix`)
    /// with the folder `dir`, which need not exist.
    pub fn new(
        dir: &Path,
        study_file: &Path,
        prefix: &str,
        snapshots: Vec<Snapshot>,
    ) -> io::Result<Self> {
        let source = relative_path(&absolute(dir), &absolute(study_file));
        let mut entries = Vec::new();
        for snapshot in snapshots {
            let path = dir.join(format!("{}.snap", snapshot.name));
            let stored = read_if_present(&path)?;
            let status = match stored.as_deref().map(content_of) {
                None => Status::New,
                Some(Some(content)) if content == snapshot.content => Status::Unchanged,
                Some(_) => Status::Changed,
            };
            let text = snapshot.file_text(&source);
            entries.push(Entry {
                snapshot,
                path,
                stored,
                status,
                text,
            });
        }
        let (mut obsolete, mut pending) = (Vec::new(), Vec::new());
        for path in study_files(dir, prefix)? {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            match name.as_deref() {
                Some(name) if name.ends_with(".snap.new") => pending.push(path),
                Some(name) if !entries.iter().any(|e| e.path.ends_with(name)) => {
                    obsolete.push(path);
                }
                _ => {}
            }
        }
        Ok(Self {
            entries,
            obsolete,
            pending,
        })
    }

    /// Whether every snapshot is stored with the same content and none is obsolete.
    pub fn is_clean(&self) -> bool {
        self.obsolete.is_empty() && self.entries.iter().all(|e| e.status == Status::Unchanged)
    }

    /// How many entries have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    /// Writes every snapshot whose file text differs as `.snap`, removes every pending
    /// `.snap.new` and every obsolete `.snap` of the study.
    pub fn accept(&self, dir: &Path) -> io::Result<Written> {
        std::fs::create_dir_all(dir)?;
        let mut done = Written::default();
        for entry in &self.entries {
            if entry.stored.as_deref() != Some(entry.text.as_str()) {
                std::fs::write(&entry.path, &entry.text)?;
                done.written.push(entry.path.clone());
            }
        }
        for path in self.pending.iter().chain(&self.obsolete) {
            std::fs::remove_file(path)?;
            done.removed.push(path.clone());
        }
        Ok(done)
    }

    /// Writes each new or changed snapshot as a pending `.snap.new` beside its `.snap`, and
    /// removes pending files that no longer differ from what is stored.
    pub fn write_pending(&self, dir: &Path) -> io::Result<Written> {
        let mut done = Written::default();
        let mut keep = Vec::new();
        for entry in self
            .entries
            .iter()
            .filter(|e| e.status != Status::Unchanged)
        {
            std::fs::create_dir_all(dir)?;
            let path = pending_path(&entry.path);
            std::fs::write(&path, &entry.text)?;
            done.written.push(path.clone());
            keep.push(path);
        }
        for path in self.pending.iter().filter(|p| !keep.contains(p)) {
            std::fs::remove_file(path)?;
            done.removed.push(path.clone());
        }
        Ok(done)
    }
}

/// The pending file of a `.snap` file: `NAME.snap.new`.
pub fn pending_path(snap: &Path) -> PathBuf {
    let mut name = snap.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn read_if_present(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// The `.snap` and `.snap.new` files in `dir` whose names start with `prefix`, sorted.
fn study_files(dir: &Path, prefix: &str) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && (name.ends_with(".snap") || name.ends_with(".snap.new")) {
            files.push(dir.join(name));
        }
    }
    files.sort();
    Ok(files)
}

/// `file` relative to the folder `dir` (both absolute), with `/` separators.
fn relative_path(dir: &Path, file: &Path) -> String {
    let dir: Vec<Component<'_>> = dir.components().collect();
    let file: Vec<Component<'_>> = file.components().collect();
    let common = dir.iter().zip(&file).take_while(|(a, b)| a == b).count();
    let up = std::iter::repeat_n("..".to_owned(), dir.len() - common);
    let down = file[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    up.chain(down).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_folder() {
        let relative = |dir: &str, file: &str| relative_path(Path::new(dir), Path::new(file));
        assert_eq!(relative("/a/b/snapshots", "/a/b/study.exp"), "../study.exp");
        assert_eq!(relative("/a/b", "/a/b/study.exp"), "study.exp");
        assert_eq!(relative("/x/y", "/a/study.exp"), "../../a/study.exp");
        assert_eq!(
            pending_path(Path::new("s/a.snap")),
            PathBuf::from("s/a.snap.new")
        );
    }
}
