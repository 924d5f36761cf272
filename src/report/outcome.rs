//! Each planned run with its status and, when done, its result.

use crate::plan::Run;
use crate::store::{RunResult, RunStatus, RunStore, StoreError};

/// A planned run and what the store holds for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The run as the plan has it (its tags name the model in the report).
    pub run: Run,
    /// Done, blocked, partial or new.
    pub status: RunStatus,
    /// The finished run's result (done runs only).
    pub result: Option<RunResult>,
}

/// The outcome of every run in `runs`, in order, reading done runs from `store`.
pub fn collect(store: &RunStore, runs: &[Run]) -> Result<Vec<Outcome>, StoreError> {
    runs.iter()
        .map(|run| {
            let status = store.status(run)?;
            let result = match status {
                RunStatus::Done => Some(store.load(run)?),
                RunStatus::Blocked | RunStatus::Partial | RunStatus::New => None,
            };
            Ok(Outcome {
                run: run.clone(),
                status,
                result,
            })
        })
        .collect()
}
