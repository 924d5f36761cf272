//! The declarations of a study by kind, and resolution of references to them.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::syntax::ast::{Value, ValueKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The kinds of top-level blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `study { … }`: the study's settings.
    Study,
    /// `model NAME { … }`.
    Model,
    /// `dataset NAME { … }`.
    Dataset,
    /// `template NAME { … }`.
    Template,
    /// `training NAME { … }`.
    Training,
    /// `task NAME { … }`.
    Task,
    /// `experiment NAME { … }`.
    Experiment,
}

impl Kind {
    /// Every kind, in the order of the language reference.
    pub const ALL: [Kind; 7] = [
        Kind::Study,
        Kind::Model,
        Kind::Dataset,
        Kind::Template,
        Kind::Training,
        Kind::Task,
        Kind::Experiment,
    ];

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Study => "study",
            Kind::Model => "model",
            Kind::Dataset => "dataset",
            Kind::Template => "template",
            Kind::Training => "training",
            Kind::Task => "task",
            Kind::Experiment => "experiment",
        }
    }

    /// The kind with this keyword.
    pub fn from_keyword(word: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Declared names per kind, with where each is declared.
#[derive(Debug, Default)]
pub struct Names {
    declared: BTreeMap<Kind, BTreeMap<String, Span>>,
    /// Names of blocks whose kind is unknown: references to them are not reported again.
    excused: BTreeSet<String>,
    /// Whether declarations may be missing (an import could not be read or parsed): unknown
    /// references are then not reported, as they are most likely declared there.
    incomplete: bool,
}

impl Names {
    /// Records the name of a block whose kind is unknown (already reported), so that references
    /// to it are not reported as unknown too.
    pub fn excuse(&mut self, name: &str) {
        self.excused.insert(name.to_string());
    }

    /// Records that some declarations could not be read, so that unknown references are not
    /// reported (they would follow from the unreadable file, already reported).
    pub fn set_incomplete(&mut self) {
        self.incomplete = true;
    }

    /// Declares `name`; reports a duplicate and returns false when it exists already.
    pub fn declare(
        &mut self,
        kind: Kind,
        name: &str,
        span: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let names = self.declared.entry(kind).or_default();
        if let Some(first) = names.get(name) {
            diagnostics.push(
                Diagnostic::new(
                    Code::Duplicate,
                    format!("{kind} `{name}` is declared twice"),
                )
                .at(span, "declared again here")
                .also(*first, "first declared here")
                .help("rename one of them, or remove the duplicate (imports share one namespace)"),
            );
            return false;
        }
        names.insert(name.to_string(), span);
        true
    }

    /// Resolves a reference to a declaration of `kind`, reporting unknown names (with a
    /// suggestion) and names of the wrong kind.
    pub fn resolve(
        &self,
        value: &Value,
        kind: Kind,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let ValueKind::Reference(name) = &value.kind else {
            let found = value.kind.type_name();
            let mut d = Diagnostic::new(
                Code::WrongType,
                format!("expected the name of a {kind}, found {found}"),
            )
            .at(value.span, format!("expected a {kind} name"));
            if let ValueKind::String(s) = &value.kind {
                d = d.help(format!("references are written without quotes: `{s}`"));
            }
            diagnostics.push(d);
            return None;
        };
        if self
            .declared
            .get(&kind)
            .is_some_and(|names| names.contains_key(name))
        {
            return Some(name.clone());
        }
        if let Some((other, span)) = self
            .declared
            .iter()
            .find_map(|(k, names)| names.get(name).map(|s| (*k, *s)))
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::WrongKind,
                    format!("`{name}` is a {other}, not a {kind}"),
                )
                .at(value.span, format!("expected a {kind}"))
                .also(span, format!("`{name}` is declared here as a {other}")),
            );
            return None;
        }
        if self.incomplete || self.excused.contains(name) {
            return None;
        }
        let candidates = self
            .declared
            .get(&kind)
            .into_iter()
            .flat_map(|n| n.keys().map(String::as_str));
        let help = did_you_mean(name, candidates);
        let declared: Vec<&str> = self
            .declared
            .get(&kind)
            .into_iter()
            .flat_map(|n| n.keys().map(String::as_str))
            .collect();
        let note = if declared.is_empty() {
            format!("no {kind} is declared")
        } else {
            format!("declared {kind}s: {}", declared.join(", "))
        };
        diagnostics.push(
            Diagnostic::new(Code::UnknownReference, format!("unknown {kind} `{name}`"))
                .at(value.span, format!("no {kind} of this name"))
                .maybe_help(help)
                .note(note),
        );
        None
    }
}
