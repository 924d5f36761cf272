//! One diagnostic type for every stage: a code, a message, a located primary label, optional
//! secondary labels, help and note. Rendering lives in [`render`]; explanations in [`code`].

mod code;
mod render;
mod suggest;

pub use code::{Code, Severity};
pub use render::{RenderOptions, render, render_all};
pub use suggest::did_you_mean;

use crate::source::Span;

/// A located message about a study.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What kind of problem this is; decides the severity.
    pub code: Code,
    /// One-line description.
    pub message: String,
    /// Where the problem is, with the text shown under the carets.
    pub primary: Option<(Span, String)>,
    /// Other places worth showing ("first declared here").
    pub secondary: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
    /// Extra context (resolved paths, allowed values).
    pub note: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a code and message, not yet located.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            note: None,
        }
    }

    /// Locates the diagnostic with a label under the span.
    #[must_use]
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some((span, label.into()));
        self
    }

    /// Adds a secondary location.
    #[must_use]
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    /// Adds a help line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line only when there is one.
    #[must_use]
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a note line.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether this diagnostic stops the study from compiling.
    pub fn is_error(&self) -> bool {
        self.code.severity() == Severity::Error
    }
}
