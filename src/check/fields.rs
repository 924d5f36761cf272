//! Typed access to the fields of a block or object, collecting diagnostics: duplicate fields,
//! unknown fields (with suggestions), wrong types and out-of-range values.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::syntax::ast::{Field, Value, ValueKind};
use std::collections::BTreeSet;

/// Reads the fields of one block or object. Call [`Fields::finish`] after the last read so
/// that missing required fields and fields nobody asked for are reported.
pub struct Fields<'a> {
    fields: &'a [Field],
    what: String,
    known: BTreeSet<&'static str>,
    anchor: Span,
    /// Required fields not given, with an example value, reported by `finish`.
    missing: Vec<(&'static str, String)>,
}

impl<'a> Fields<'a> {
    /// Starts reading `fields` of `what` (e.g. "model `t5_small`"); a missing required field is
    /// reported at `anchor` (the block's name, or the object). Reports duplicate keys right away.
    pub fn new(
        fields: &'a [Field],
        what: impl Into<String>,
        anchor: Span,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Self {
        let what = what.into();
        for (i, field) in fields.iter().enumerate() {
            if let Some(first) = fields[..i].iter().find(|f| f.key.node == field.key.node) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateField,
                        format!("field `{}` is given twice in {what}", field.key.node),
                    )
                    .at(field.key.span, "given again here")
                    .also(first.key.span, "first given here")
                    .help("keep one of them"),
                );
            }
        }
        Self {
            fields,
            what,
            known: BTreeSet::new(),
            anchor,
            missing: Vec::new(),
        }
    }

    /// The raw field `key`, marking it known.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Field> {
        self.known.insert(key);
        self.fields.iter().find(|f| f.key.node == key)
    }

    /// A required field; when it is missing, `finish` reports it with `example` as its value.
    pub fn require(&mut self, key: &'static str, example: &str) -> Option<&'a Field> {
        let field = self.get(key);
        if field.is_none() {
            self.missing.push((key, example.to_string()));
        }
        field
    }

    /// Reports every field that no reader asked for, then every missing required field, except
    /// one that an unknown field is a misspelling of (the unknown field's error says so).
    pub fn finish(self, diagnostics: &mut Vec<Diagnostic>) {
        let known: Vec<&str> = self.known.iter().copied().collect();
        let mut missing = self.missing;
        for field in self
            .fields
            .iter()
            .filter(|f| !self.known.contains(f.key.node.as_str()))
        {
            let name = field.key.node.as_str();
            missing.retain(|(key, _)| did_you_mean(name, [*key]).is_none());
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownField,
                    format!("{} has no field `{name}`", self.what),
                )
                .at(field.key.span, "unknown field")
                .maybe_help(did_you_mean(name, known.iter().copied()))
                .note(format!("fields of {}: {}", self.what, known.join(", "))),
            );
        }
        for (key, example) in missing {
            diagnostics.push(
                Diagnostic::new(Code::MissingField, format!("{} has no `{key}`", self.what))
                    .at(self.anchor, format!("`{key}` missing"))
                    .help(format!("add `{key} = {example}`")),
            );
        }
    }
}

/// A value of the wrong type.
pub fn wrong_type(value: &Value, expected: &str) -> Diagnostic {
    // A number or boolean in quotes: say how to write it.
    let wants_number = expected.contains("integer") || expected.contains("number");
    let unquoted = match &value.kind {
        ValueKind::String(s)
            if (wants_number && s.trim().parse::<f64>().is_ok())
                || (expected.contains("`true`") && matches!(s.as_str(), "true" | "false")) =>
        {
            Some(format!("write it without quotes: `{}`", s.trim()))
        }
        _ => None,
    };
    Diagnostic::new(
        Code::WrongType,
        format!("expected {expected}, found {}", value.kind.type_name()),
    )
    .at(value.span, format!("expected {expected}"))
    .maybe_help(unquoted)
}

/// A value outside its allowed range.
pub fn out_of_range(value: &Value, requirement: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutOfRange,
        format!("value out of range: {requirement}"),
    )
    .at(value.span, requirement.to_string())
}

/// A string value.
pub fn string(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match &value.kind {
        ValueKind::String(s) => Some(s.clone()),
        _ => {
            diagnostics.push(wrong_type(value, "a string"));
            None
        }
    }
}

/// A boolean value.
pub fn boolean(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<bool> {
    match value.kind {
        ValueKind::Bool(b) => Some(b),
        _ => {
            diagnostics.push(wrong_type(value, "`true` or `false`"));
            None
        }
    }
}

/// An integer in `min..=max`.
pub fn integer(
    value: &Value,
    min: i64,
    max: i64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<i64> {
    match value.kind {
        ValueKind::Int(i) if (min..=max).contains(&i) => Some(i),
        ValueKind::Int(i) => {
            let requirement = if i < min {
                format!("must be at least {min}")
            } else {
                format!("must be at most {max}")
            };
            diagnostics.push(out_of_range(value, &requirement));
            None
        }
        _ => {
            diagnostics.push(wrong_type(value, "an integer"));
            None
        }
    }
}

/// A `u32` of at least `min`.
pub fn count(value: &Value, min: u32, diagnostics: &mut Vec<Diagnostic>) -> Option<u32> {
    integer(value, i64::from(min), i64::from(u32::MAX), diagnostics)
        .and_then(|i| u32::try_from(i).ok())
}

/// The bounds a number must satisfy.
#[derive(Debug, Clone, Copy)]
pub enum Bound {
    /// `> 0`.
    Positive,
    /// `>= 0`.
    NonNegative,
    /// `0 <= x < 1`.
    UnitHalfOpen,
    /// `0 < x < 1`.
    UnitOpen,
    /// Any finite number.
    Any,
}

impl Bound {
    fn holds(self, x: f64) -> bool {
        match self {
            Bound::Positive => x > 0.0,
            Bound::NonNegative => x >= 0.0,
            Bound::UnitHalfOpen => (0.0..1.0).contains(&x),
            Bound::UnitOpen => x > 0.0 && x < 1.0,
            Bound::Any => true,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Bound::Positive => "must be greater than 0",
            Bound::NonNegative => "must be 0 or more",
            Bound::UnitHalfOpen => "must be in [0, 1)",
            Bound::UnitOpen => "must be strictly between 0 and 1",
            Bound::Any => "any number",
        }
    }
}

/// A number (integer or float) within `bound`.
pub fn number(value: &Value, bound: Bound, diagnostics: &mut Vec<Diagnostic>) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    let x = match value.kind {
        ValueKind::Float(f) => f,
        ValueKind::Int(i) => i as f64,
        _ => {
            diagnostics.push(wrong_type(value, "a number"));
            return None;
        }
    };
    if bound.holds(x) {
        Some(x)
    } else {
        diagnostics.push(out_of_range(value, bound.describe()));
        None
    }
}

/// One of a closed set of words, written as a string or a bare name.
pub fn option<T: Copy>(
    value: &Value,
    what: &str,
    choices: &[(&str, T)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let word = match &value.kind {
        ValueKind::String(s) | ValueKind::Reference(s) => s,
        _ => {
            diagnostics.push(wrong_type(value, &format!("a {what}")));
            return None;
        }
    };
    if let Some((_, choice)) = choices.iter().find(|(name, _)| name == word) {
        return Some(*choice);
    }
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    diagnostics.push(
        Diagnostic::new(Code::UnknownOption, format!("unknown {what} `{word}`"))
            .at(value.span, format!("not a {what}"))
            .maybe_help(did_you_mean(word, names.iter().copied()))
            .note(format!("expected one of: {}", names.join(", "))),
    );
    None
}

/// The items of a list value; a single non-list value counts as a one-item list.
pub fn items(value: &Value) -> Vec<&Value> {
    match &value.kind {
        ValueKind::List(items) => items.iter().collect(),
        _ => vec![value],
    }
}

/// The fields of an object value.
pub fn object<'v>(value: &'v Value, diagnostics: &mut Vec<Diagnostic>) -> Option<&'v [Field]> {
    match &value.kind {
        ValueKind::Object(fields) => Some(fields),
        _ => {
            diagnostics.push(wrong_type(value, "an object (`{ key = value }`)"));
            None
        }
    }
}
