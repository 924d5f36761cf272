//! Syntax: the pest grammar, the span-carrying AST, and parse errors. Knows nothing of meaning.

pub mod ast;
mod expected;
mod parser;

pub use parser::parse;
