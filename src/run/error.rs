//! Why a run failed.

use crate::corpus::CorpusError;
use crate::extract::ExtractError;
use crate::model::ModelError;
use crate::score::ScoreError;
use crate::store::StoreError;
use crate::template::TemplateError;

/// A run that could not finish; the run's folder, if begun, stays partial.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The plan marks the run blocked.
    #[error("blocked: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// The corpus could not be read.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The few-shot sample differs from the one planned.
    #[error(
        "the few-shot sample of {count} documents hashes to {found}, the plan says {planned}: the training split changed since planning; plan again"
    )]
    SampleChanged {
        /// Sample size.
        count: u32,
        /// The hash recorded in the plan.
        planned: String,
        /// The hash of today's sample.
        found: String,
    },
    /// A template could not be rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The extractor could not be derived.
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// Scoring failed.
    #[error(transparent)]
    Score(#[from] ScoreError),
    /// The checkpoint or the network failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The run store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The loss became NaN or infinite.
    #[error("the training loss is not finite ({loss}) at epoch {epoch}, step {step}")]
    NonFiniteLoss {
        /// 1-based epoch.
        epoch: u32,
        /// 1-based optimiser step.
        step: u64,
        /// The loss.
        loss: f64,
    },
    /// Something about the run's inputs that makes it impossible (no training documents, …).
    #[error("{0}")]
    Invalid(String),
}
