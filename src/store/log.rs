//! The training log: one JSON object per line of `log.jsonl`.

use serde::{Deserialize, Serialize};

/// One line of a run's training log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum LogEvent {
    /// An optimiser step.
    Step {
        /// 1-based epoch.
        epoch: u32,
        /// 1-based optimiser step, counted over the whole run.
        step: u64,
        /// Training loss of the step.
        loss: f64,
        /// Learning rate of the step.
        learning_rate: f64,
        /// Training throughput since the previous step.
        tokens_per_second: f64,
        /// Wall time since the run began.
        elapsed_seconds: f64,
    },
    /// The validation score at the end of an epoch.
    Validation {
        /// 1-based epoch.
        epoch: u32,
        /// Micro F1 on the validation split, from generated text (strict counting).
        f1: f64,
        /// Wall time since the run began.
        elapsed_seconds: f64,
    },
}
