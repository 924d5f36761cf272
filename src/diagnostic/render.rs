//! rustc-style rendering of diagnostics, plain or coloured.

use super::{Diagnostic, Severity};
use crate::source::{Sources, Span};
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
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
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
    let paint = Paint { color: options.color };
    let (word, colour) = match diagnostic.code.severity() {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let mut out = String::new();
    let header = format!("{word}[{}]", diagnostic.code);
    let _ = writeln!(out, "{}{}", paint.paint(colour, &header), paint.paint("1", &format!(": {}", diagnostic.message)));

    let spans: Vec<(Span, &str, bool)> = diagnostic
        .primary
        .iter()
        .map(|(s, l)| (*s, l.as_str(), true))
        .chain(diagnostic.secondary.iter().map(|(s, l)| (*s, l.as_str(), false)))
        .collect();
    let gutter = spans
        .iter()
        .map(|(span, _, _)| sources.get(span.file).line_col(span.start).line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    let bar = paint.paint("1;34", "|");

    for (span, label, primary) in &spans {
        let file = sources.get(span.file);
        let start = file.line_col(span.start);
        let arrow = if *primary { "-->" } else { ":::" };
        let _ = writeln!(out, "{pad}{} {}:{}:{}", paint.paint("1;34", arrow), file.display, start.line, start.column);
        let _ = writeln!(out, "{pad} {bar}");
        let line_text = file.line_text(start.line);
        let end = file.line_col(span.end.max(span.start));
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            line_text.chars().count().saturating_sub(start.column - 1).max(1)
        };
        let number = format!("{:>gutter$}", start.line);
        let _ = writeln!(out, "{} {bar} {line_text}", paint.paint("1;34", &number));
        let marker = if *primary { "^" } else { "-" };
        let underline = format!("{}{}", marker.repeat(width), if label.is_empty() { String::new() } else { format!(" {label}") });
        let indent: String = line_text.chars().take(start.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let _ = writeln!(out, "{pad} {bar} {indent}{}", paint.paint(if *primary { colour } else { "1;34" }, &underline));
    }
    if !spans.is_empty() && (diagnostic.help.is_some() || diagnostic.note.is_some()) {
        let _ = writeln!(out, "{pad} {bar}");
    }
    for (kind, text) in [("help", &diagnostic.help), ("note", &diagnostic.note)] {
        if let Some(text) = text {
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("");
            let _ = writeln!(out, "{pad} {} {}: {first}", paint.paint("1;34", "="), paint.paint("1", kind));
            for line in lines {
                let _ = writeln!(out, "{pad}   {}  {line}", " ".repeat(kind.len()));
            }
        }
    }
    out
}
