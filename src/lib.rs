//! expc: declare a study of generative relation extraction in one `.exp` file, check it, plan
//! it, diff plans, and run them.
//!
//! The stages, each in its own module (see `ARCHITECTURE.md`):
//! source → [`syntax`] (AST) → [`check`] (`Study`) → [`plan`] (`Plan`) → [`diff`].
//! The data side: [`corpus`] (documents), [`template`] (rendered prompts and targets),
//! [`extract`] (relations read back from text), [`score`] (strict precision/recall/F1);
//! [`snapshot`] pins down what a study's templates and extractors do with its data.
//! The results: [`store`] (one folder per finished run) and [`report`] (Table 1, paired
//! comparisons and figures).
//! The runs: [`run`] (finetune, select, generate and score each planned run into the store).
//! The model side: [`model`] (T5, BART and GPT-2 on burn, from Hugging Face checkpoints) on the
//! device [`backend`] chooses.

pub mod backend;
pub mod bench;
pub mod check;
pub mod corpus;
pub mod diagnostic;
pub mod diff;
pub mod extract;
pub mod model;
pub mod plan;
pub mod report;
pub mod run;
pub mod score;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod syntax;
pub mod template;
