//! The abstract syntax tree of one `.exp` file: blocks of fields, every node with its span.

use crate::source::Span;
use serde::Serialize;

/// A parsed file: imports and blocks in source order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    /// `import "…"` statements.
    pub imports: Vec<Import>,
    /// Top-level blocks.
    pub blocks: Vec<Block>,
}

/// `import "path.exp"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Import {
    /// The path as written, relative to the importing file.
    pub path: Spanned<String>,
}

/// `kind name { … }`, e.g. `model t5_small { … }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// The block kind as written (`model`, `dataset`, …); checked later.
    pub kind: Spanned<String>,
    /// The declared name; absent for `study`.
    pub name: Option<Spanned<String>>,
    /// Fields in source order.
    pub fields: Vec<Field>,
    /// `when` overrides in source order.
    pub whens: Vec<When>,
    /// The whole block.
    pub span: Span,
}

impl Block {
    /// Where the block is named: its name, or its kind when it has none (`study`). Diagnostics
    /// about the block as a whole (a missing field) point here.
    pub fn name_span(&self) -> Span {
        self.name.as_ref().map_or(self.kind.span, |name| name.span)
    }
}

/// `key = value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The field name.
    pub key: Spanned<String>,
    /// The value.
    pub value: Value,
}

/// `when shots = 16, models = [a] { … }`: fields that override the block's for matching runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct When {
    /// The conditions, all of which must hold.
    pub conditions: Vec<Field>,
    /// The overriding fields.
    pub fields: Vec<Field>,
    /// The whole clause.
    pub span: Span,
}

/// A value with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Where it is written.
    pub span: Span,
}

/// The kinds of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ValueKind {
    /// `"…"` or `"""…"""`.
    String(String),
    /// `42`.
    Int(i64),
    /// `5e-5`, `0.1`.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `{ k = v }`.
    Object(Vec<Field>),
    /// A bare name: a declared model, task, … or a word such as `full`.
    Reference(String),
}

impl ValueKind {
    /// The value's type in words, for diagnostics.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::String(_) => "a string",
            ValueKind::Int(_) => "an integer",
            ValueKind::Float(_) => "a decimal number",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::List(_) => "a list",
            ValueKind::Object(_) => "an object",
            ValueKind::Reference(_) => "a name",
        }
    }
}

/// A node with its span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it is written.
    pub span: Span,
}
