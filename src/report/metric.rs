//! What a report shows: which score, counted how.

use crate::score::{CountingMode, LabelScores};
use serde::Serialize;
use std::fmt;

/// The score a report's cells show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Micro F1.
    F1,
    /// Micro precision.
    Precision,
    /// Micro recall.
    Recall,
}

impl Metric {
    /// The metric of `scores`, in percent.
    pub fn percent(self, scores: &LabelScores) -> f64 {
        100.0
            * match self {
                Metric::F1 => scores.f1,
                Metric::Precision => scores.precision,
                Metric::Recall => scores.recall,
            }
    }

    /// The name shown in titles.
    pub fn name(self) -> &'static str {
        match self {
            Metric::F1 => "F1",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The choices a report is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// The score in the table's cells (comparisons always compare F1).
    pub metric: Metric,
    /// How matches are counted.
    pub mode: CountingMode,
}

impl Default for ReportOptions {
    /// F1 with strict counting.
    fn default() -> Self {
        ReportOptions {
            metric: Metric::F1,
            mode: CountingMode::Strict,
        }
    }
}
