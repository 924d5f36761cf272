//! expc: declare a study of generative relation extraction in one `.exp` file, check it, plan
//! it, diff plans, and run them.
//!
//! The stages, each in its own module (see `ARCHITECTURE.md`):
//! source → [`syntax`] (AST) → [`check`] (`Study`) → [`plan`] (`Plan`) → [`diff`].
//! The data side: [`corpus`] (documents), [`template`] (rendered prompts and targets),
//! [`extract`] (relations read back from text), [`score`] (strict precision/recall/F1).
//! The model side: [`model`] (T5, BART and GPT-2 on burn, from Hugging Face checkpoints) on the
//! device [`backend`] chooses.

pub mod corpus;
pub mod extract;
pub mod score;
pub mod template;
pub mod diagnostic;
pub mod source;
pub mod syntax;
pub mod check;
pub mod plan;
pub mod diff;
pub mod backend;
pub mod model;
