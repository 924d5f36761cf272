//! Atomic file writes: a temporary file in the same folder, flushed to disk, renamed over the
//! target, then the folder flushed, so that a reader or a crash sees the old file or the new
//! one, never a part.

use super::error::StoreError;
use super::files::TEMPORARY_PREFIX;
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically and durably.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |name| name.to_string_lossy().into_owned());
    let temporary = folder.join(format!("{TEMPORARY_PREFIX}{}-{name}", std::process::id()));
    let written = File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .map_err(|error| StoreError::io(&temporary, "write", &error));
    let renamed = written.and_then(|()| {
        fs::rename(&temporary, path).map_err(|error| StoreError::io(path, "replace", &error))
    });
    if renamed.is_err() {
        // Best effort: the temporary file is a leftover either way, and `begin` clears those.
        let _ = fs::remove_file(&temporary);
    }
    renamed?;
    sync_folder(folder)
}

/// Flushes a folder's entries (creations, renames, removals) to disk.
pub fn sync_folder(folder: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        File::open(folder)
            .and_then(|handle| handle.sync_all())
            .map_err(|error| StoreError::io(folder, "flush", &error))
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}
