//! Content hashes of input files and folders, memoised for one planning session.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Hashes files and folders by content (blake3), each path at most once.
#[derive(Debug, Default)]
pub struct InputHasher {
    memo: HashMap<PathBuf, Option<String>>,
}

impl InputHasher {
    /// The hex blake3 of a file's bytes, or of a folder's sorted (relative path, file hash)
    /// list; `None` when the path does not exist or cannot be read.
    pub fn hash(&mut self, path: &Path) -> Option<String> {
        if let Some(known) = self.memo.get(path) {
            return known.clone();
        }
        let hash = hash_path(path).ok();
        self.memo.insert(path.to_path_buf(), hash.clone());
        hash
    }
}

fn hash_path(path: &Path) -> std::io::Result<String> {
    if path.is_dir() {
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        files.sort();
        let mut hasher = blake3::Hasher::new();
        for file in files {
            let relative = file.strip_prefix(path).unwrap_or(&file);
            hasher.update(relative.to_string_lossy().as_bytes());
            hasher.update(b"\0");
            hasher.update(hash_file(&file)?.as_bytes());
            hasher.update(b"\n");
        }
        Ok(hasher.finalize().to_hex().to_string())
    } else {
        hash_file(path)
    }
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}
