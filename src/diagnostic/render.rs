//! rustc-style rendering of diagnostics, plain or coloured.

use super::{Diagnostic, Severity};
use crate::source::{FileId, LineCol, Sources, Span};
use std::fmt::Write;

/// How to render diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
}

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders several diagnostics, separated by blank lines, followed by a summary line.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources, options: RenderOptions) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, sources, options));
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => {}
        (0, w) => {
            let _ = writeln!(out, "{}", count(w, "warning"));
        }
        (e, 0) => {
            let _ = writeln!(out, "{}", count(e, "error"));
        }
        (e, w) => {
            let _ = writeln!(out, "{}, {}", count(e, "error"), count(w, "warning"));
        }
    }
    out
}

/// Renders one diagnostic: header, location, source line with carets, help and note.
pub fn render(diagnostic: &Diagnostic, sources: &Sources, options: RenderOptions) -> String {
    let paint = Paint {
        color: options.color,
    };
    let (word, colour) = match diagnostic.code.severity() {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let mut out = String::new();
    let header = format!("{word}[{}]", diagnostic.code);
    let _ = writeln!(
        out,
        "{}{}",
        paint.paint(colour, &header),
        paint.paint("1", &format!(": {}", diagnostic.message))
    );

    let labels: Vec<Label<'_>> = diagnostic
        .primary
        .iter()
        .map(|(span, text)| Label::new(sources, *span, text, true))
        .chain(
            diagnostic
                .secondary
                .iter()
                .map(|(span, text)| Label::new(sources, *span, text, false)),
        )
        .collect();
    let gutter = labels
        .iter()
        .map(|l| l.start.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    let bar = paint.paint("1;34", "|");

    // One snippet per file, the primary's first; in each, lines in order, each shown once with
    // its labels beneath, `...` where lines are skipped.
    let mut files: Vec<FileId> = Vec::new();
    for label in &labels {
        if !files.contains(&label.span.file) {
            files.push(label.span.file);
        }
    }
    for (index, file_id) in files.iter().enumerate() {
        let file = sources.get(*file_id);
        let mut in_file: Vec<&Label<'_>> =
            labels.iter().filter(|l| l.span.file == *file_id).collect();
        in_file.sort_by_key(|l| (l.start.line, l.start.column, !l.primary));
        let located = if index == 0 {
            in_file.iter().find(|l| l.primary).unwrap_or(&in_file[0])
        } else {
            &in_file[0]
        };
        let arrow = if index == 0 { "-->" } else { ":::" };
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            paint.paint("1;34", arrow),
            file.display,
            located.start.line,
            located.start.column
        );
        let _ = writeln!(out, "{pad} {bar}");
        let mut previous: Option<usize> = None;
        for label in &in_file {
            let line = label.start.line;
            let line_text = file.line_text(line);
            if previous != Some(line) {
                if previous.is_some_and(|p| line > p + 1) {
                    let _ = writeln!(out, "...");
                }
                let number = format!("{line:>gutter$}");
                let _ = writeln!(out, "{} {bar} {line_text}", paint.paint("1;34", &number));
                previous = Some(line);
            }
            let width = if label.end.line == line {
                label.end.column.saturating_sub(label.start.column).max(1)
            } else {
                line_text
                    .chars()
                    .count()
                    .saturating_sub(label.start.column - 1)
                    .max(1)
            };
            let marker = if label.primary { "^" } else { "-" };
            let text = if label.text.is_empty() {
                String::new()
            } else {
                format!(" {}", label.text)
            };
            let underline = format!("{}{text}", marker.repeat(width));
            let indent: String = line_text
                .chars()
                .take(label.start.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(
                out,
                "{pad} {bar} {indent}{}",
                paint.paint(if label.primary { colour } else { "1;34" }, &underline)
            );
        }
    }
    if !labels.is_empty() && (diagnostic.help.is_some() || diagnostic.note.is_some()) {
        let _ = writeln!(out, "{pad} {bar}");
    }
    for (kind, text) in [("help", &diagnostic.help), ("note", &diagnostic.note)] {
        if let Some(text) = text {
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("");
            let _ = writeln!(
                out,
                "{pad} {} {}: {first}",
                paint.paint("1;34", "="),
                paint.paint("1", kind)
            );
            for line in lines {
                let _ = writeln!(out, "{pad}   {}  {line}", " ".repeat(kind.len()));
            }
        }
    }
    out
}

/// A located label with its span resolved to lines and columns.
struct Label<'a> {
    span: Span,
    start: LineCol,
    end: LineCol,
    text: &'a str,
    primary: bool,
}

impl<'a> Label<'a> {
    fn new(sources: &Sources, span: Span, text: &'a str, primary: bool) -> Self {
        let file = sources.get(span.file);
        Self {
            span,
            start: file.line_col(span.start),
            end: file.line_col(span.end.max(span.start)),
            text,
            primary,
        }
    }
}
