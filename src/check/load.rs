//! Reading the root file and, transitively, its imports; each file parsed once.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{FileId, Sources, Span};
use crate::syntax::{self, ast};
use std::path::{Path, PathBuf};

/// Every parsed file of a study.
pub struct Loaded {
    /// The files' texts.
    pub sources: Sources,
    /// Parsed files, each after the files it imports (so the root comes last); files with
    /// syntax errors are left out.
    pub files: Vec<(FileId, ast::File)>,
    /// Whether some imported file could not be read or parsed, so that its declarations are
    /// missing (references to them are then not reported as unknown).
    pub incomplete: bool,
}

/// Loads `root` and its imports, reporting unreadable files, syntax errors and cycles.
pub fn load(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Loaded {
    let root = absolute(root);
    match read(&root) {
        Ok((text, invalid)) => {
            let mut loaded = empty();
            let id = loaded.sources.add(root.clone(), text);
            if let Some(at) = invalid {
                diagnostics.push(not_utf8(id, at));
            }
            visit(id, &mut loaded, &mut vec![root], diagnostics);
            loaded
        }
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::ImportNotFound,
                    format!("cannot read the study `{}`: {error}", root.display()),
                )
                .note(format!("resolved path: {}", root.display())),
            );
            empty()
        }
    }
}

/// Loads a root file whose text is given (imports are still read from disk, relative to `root`).
pub fn load_text(root: &Path, text: String, diagnostics: &mut Vec<Diagnostic>) -> Loaded {
    let mut loaded = empty();
    let root = absolute(root);
    let id = loaded.sources.add(root.clone(), text);
    visit(id, &mut loaded, &mut vec![root], diagnostics);
    loaded
}

fn empty() -> Loaded {
    Loaded {
        sources: Sources::default(),
        files: Vec::new(),
        incomplete: false,
    }
}

/// A file's text, with invalid UTF-8 replaced, and the byte offset of the first invalid byte.
fn read(path: &Path) -> std::io::Result<(String, Option<usize>)> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                Some(at),
            )
        }
    })
}

fn not_utf8(file: FileId, at: usize) -> Diagnostic {
    // The invalid bytes read as U+FFFD, three bytes long.
    Diagnostic::new(Code::Syntax, "the file is not valid UTF-8")
        .at(Span::new(file, at, at + 3), "not UTF-8")
        .help("save the file as UTF-8")
}

fn visit(
    id: FileId,
    loaded: &mut Loaded,
    stack: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let text = loaded.sources.get(id).text.clone();
    let file = match syntax::parse(id, &text) {
        Ok(file) => file,
        Err(error) => {
            diagnostics.push(*error);
            loaded.incomplete = true;
            return;
        }
    };
    let dir = loaded
        .sources
        .get(id)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for import in &file.imports {
        let path = normalize(&dir.join(&import.path.node));
        if let Some(position) = stack.iter().position(|p| *p == path) {
            let chain: Vec<String> = stack[position..]
                .iter()
                .chain([&path])
                .map(|p| file_name(p))
                .collect();
            let (label, help) = if position + 1 == stack.len() {
                ("imports the file it is written in", "remove this import")
            } else {
                (
                    "imports a file that imports this one",
                    "move the shared declarations into a file that both import",
                )
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::ImportCycle,
                    format!("import cycle: {}", chain.join(" → ")),
                )
                .at(import.path.span, label)
                .help(help),
            );
            continue;
        }
        if loaded.sources.find(&path).is_some() {
            continue; // already loaded through another import: its declarations are in
        }
        match read(&path) {
            Ok((text, invalid)) => {
                let child = loaded.sources.add(path.clone(), text);
                if let Some(at) = invalid {
                    diagnostics.push(not_utf8(child, at));
                }
                stack.push(path);
                visit(child, loaded, stack, diagnostics);
                stack.pop();
            }
            Err(error) => {
                diagnostics.push(not_found(
                    import.path.span,
                    &import.path.node,
                    &path,
                    &error,
                ));
                loaded.incomplete = true;
            }
        }
    }
    loaded.files.push((id, file));
}

fn not_found(span: Span, written: &str, path: &Path, error: &std::io::Error) -> Diagnostic {
    let message = if error.kind() == std::io::ErrorKind::NotFound {
        format!("imported file `{written}` does not exist")
    } else {
        format!("cannot read imported file `{written}`: {error}")
    };
    Diagnostic::new(Code::ImportNotFound, message)
        .at(span, "imported here")
        .help(
            sibling(written, path).unwrap_or_else(|| {
                "imports are relative to the file that imports them".to_string()
            }),
        )
        .note(format!("resolved path: {}", path.display()))
}

/// "Did you mean …" among the `.exp` files in the folder where `written` (resolved to `path`)
/// was looked for, spelled as the import would spell them.
fn sibling(written: &str, path: &Path) -> Option<String> {
    let written_folder = Path::new(written).parent().unwrap_or(Path::new(""));
    let candidates: Vec<String> = std::fs::read_dir(path.parent()?)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".exp"))
        .map(|name| written_folder.join(name).display().to_string())
        .collect();
    did_you_mean(written, candidates.iter().map(String::as_str))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
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
