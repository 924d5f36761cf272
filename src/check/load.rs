//! Reading the root file and, transitively, its imports; each file parsed once.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Sources, Span};
use crate::syntax::{self, ast};
use std::path::{Path, PathBuf};

/// Every parsed file of a study, root first.
pub struct Loaded {
    /// The files' texts.
    pub sources: Sources,
    /// Parsed files (files with syntax errors are left out).
    pub files: Vec<(FileId, ast::File)>,
}

/// Loads `root` and its imports, reporting unreadable files, syntax errors and cycles.
pub fn load(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Loaded {
    let root = absolute(root);
    match std::fs::read_to_string(&root) {
        Ok(text) => load_text(&root, text, diagnostics),
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(Code::ImportNotFound, format!("cannot read the study `{}`: {error}", root.display()))
                    .note(format!("resolved path: {}", root.display())),
            );
            Loaded { sources: Sources::default(), files: Vec::new() }
        }
    }
}

/// Loads a root file whose text is given (imports are still read from disk, relative to `root`).
pub fn load_text(root: &Path, text: String, diagnostics: &mut Vec<Diagnostic>) -> Loaded {
    let mut loaded = Loaded { sources: Sources::default(), files: Vec::new() };
    let root = absolute(root);
    let id = loaded.sources.add(root.clone(), text);
    visit(id, &mut loaded, &mut vec![root], diagnostics);
    loaded
}

fn visit(id: FileId, loaded: &mut Loaded, stack: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let text = loaded.sources.get(id).text.clone();
    let file = match syntax::parse(id, &text) {
        Ok(file) => file,
        Err(error) => {
            diagnostics.push(error);
            return;
        }
    };
    let dir = loaded.sources.get(id).path.parent().map(Path::to_path_buf).unwrap_or_default();
    let imports = file.imports.clone();
    loaded.files.push((id, file));
    for import in imports {
        let path = normalize(&dir.join(&import.path.node));
        if let Some(position) = stack.iter().position(|p| *p == path) {
            let chain: Vec<String> = stack[position..].iter().chain([&path]).map(|p| file_name(p)).collect();
            diagnostics.push(
                Diagnostic::new(Code::ImportCycle, format!("import cycle: {}", chain.join(" → ")))
                    .at(import.path.span, "imports a file that imports this one")
                    .help("move the shared declarations into a file that both import"),
            );
            continue;
        }
        if loaded.sources.find(&path).is_some() {
            continue; // already loaded through another import: its declarations are in
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let child = loaded.sources.add(path.clone(), text);
                stack.push(path);
                visit(child, loaded, stack, diagnostics);
                stack.pop();
            }
            Err(error) => diagnostics.push(not_found(import.path.span, &path, &error)),
        }
    }
}

fn not_found(span: Span, path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(Code::ImportNotFound, format!("cannot read imported file: {error}"))
        .at(span, "imported here")
        .note(format!("resolved path: {}", path.display()))
        .help("imports are relative to the file that imports them")
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// `path` made absolute against the working directory, without touching the file system.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// Removes `.` and `..` components lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
