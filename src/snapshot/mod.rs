//! Snapshot tests of a study's templates and extractors, for study authors.
//!
//! For every task, four snapshots pin down what the study's templates do with the data:
//! `prompts` (the source and target texts of a seeded sample of each split), `extractor` (the
//! pattern(s) the target template derives), `extraction` (the round trip of the whole corpus and
//! the relations read back from the sampled targets) and `examples` (the template's examples
//! and what is extracted from them). Each is a file in insta's format,
//! `<study>__<task>__<kind>.snap`, compared by content with what is stored; new or changed
//! snapshots are written as pending `.snap.new` files for review, or accepted. Contents name no
//! absolute path, hash or time, so they change only when what they show changes.

mod diff;
mod examples;
mod extraction;
mod extractor;
mod file;
mod folder;
mod prompts;
mod task;

pub use diff::unified_diff;
pub use file::{Snapshot, content_of, study_prefix};
pub use folder::{Comparison, Entry, Status, Written, pending_path};
pub use task::{SAMPLE_SEED, TaskSubject, task_snapshots};
