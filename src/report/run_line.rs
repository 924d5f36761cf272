//! Per-run detail: coordinates, status and scores of every planned run.

use super::metric::{Metric, ReportOptions};
use super::outcome::Outcome;
use crate::check::study::Shots;
use crate::store::RunStatus;
use serde::Serialize;

/// One run of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLine {
    /// The run id.
    pub id: String,
    /// Model name.
    pub model: String,
    /// Task name.
    pub task: String,
    /// Shot setting.
    pub shots: Shots,
    /// Seed.
    pub seed: u64,
    /// Done, blocked, partial or new.
    pub status: RunStatus,
    /// Scores of a done run.
    pub scores: Option<RunScores>,
}

/// What a done run measured, in the report's counting mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunScores {
    /// Micro precision, percent.
    pub precision: f64,
    /// Micro recall, percent.
    pub recall: f64,
    /// Micro F1, percent.
    pub f1: f64,
    /// Pieces of generated text that were no relation sentence.
    pub unparseable: usize,
    /// Training and generation wall time.
    pub wall_seconds: f64,
}

impl RunLine {
    /// The line of `outcome`.
    pub fn of(outcome: &Outcome, options: ReportOptions) -> RunLine {
        let run = &outcome.run;
        RunLine {
            id: run.id.clone(),
            model: run.model.clone(),
            task: run.task.clone(),
            shots: run.shots,
            seed: run.seed,
            status: outcome.status,
            scores: outcome.result.as_ref().map(|result| {
                let scores = result.metrics.scores(options.mode);
                RunScores {
                    precision: Metric::Precision.percent(&scores.micro),
                    recall: Metric::Recall.percent(&scores.micro),
                    f1: Metric::F1.percent(&scores.micro),
                    unparseable: scores.unparseable,
                    wall_seconds: result.metrics.timing.total_seconds(),
                }
            }),
        }
    }

    /// The short id shown in tables.
    pub fn short_id(&self) -> &str {
        self.id.get(..12).unwrap_or(&self.id)
    }
}
