//! Syntax: the pest grammar, the span-carrying AST, parse errors, and the canonical formatter.
//! Knows nothing of meaning.

pub mod ast;
mod error;
mod expected;
mod format;
mod parser;

pub use format::format;
pub use parser::parse;
