//! expc: declare a study of generative relation extraction in one `.exp` file, check it, plan
//! it, diff plans, and run them.
//!
//! The stages, each in its own module (see `ARCHITECTURE.md`):
//! source → [`syntax`] (AST) → [`check`] (`Study`) → [`plan`] (`Plan`) → [`diff`].
//! The data side: [`corpus`] (documents), [`template`] (rendered prompts and targets),
//! [`extract`] (relations read back from text), [`score`] (strict precision/recall/F1).

pub mod check;
pub mod corpus;
pub mod diagnostic;
pub mod diff;
pub mod extract;
pub mod plan;
pub mod score;
pub mod source;
pub mod syntax;
pub mod template;
