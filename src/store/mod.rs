//! The run store: the results of runs, one folder per run id under a results folder, written so
//! that a run killed at any moment never leaves anything a later invocation takes for finished.
//!
//! ```text
//! RESULTS/<run id>/spec.json          the plan's Run (pretty JSON), written by `begin`
//!                  log.jsonl          training log, one LogEvent per line, appended
//!                  checkpoint/        optional, the trainer's own files
//!                  predictions.jsonl  one Prediction per test document
//!                  metrics.json       strict and paper Scores, timing, the predictions' blake3
//!                  DONE               blake3 of metrics.json, written last
//! ```
//!
//! Every file but the log is written atomically (a temporary file in the same folder, flushed,
//! renamed, then the folder flushed). A run is done only when `DONE` holds the blake3 of
//! `metrics.json`, whose own record of the predictions' blake3 is checked when the run is loaded.

mod atomic;
mod error;
mod evaluation;
mod files;
mod log;
mod metrics;
mod prediction;
mod result;
mod run_store;
mod status;
mod writer;

pub use atomic::write_atomically;
pub use error::StoreError;
pub use evaluation::{Evaluation, evaluate};
pub use log::LogEvent;
pub use metrics::{Metrics, Timing};
pub use prediction::{CountsByMode, Prediction};
pub use result::RunResult;
pub use run_store::RunStore;
pub use status::RunStatus;
pub use writer::RunWriter;

/// The version of the files a run folder holds (recorded in `metrics.json`); bumped on any
/// incompatible change.
pub const FORMAT_VERSION: u32 = 1;
