//! Where a planned run stands.

use std::fmt;

/// The status of a run in a results folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Finished: `DONE` holds the blake3 of `metrics.json` (even if the plan now says blocked).
    Done,
    /// Not done, and the plan says it cannot start (missing checkpoint or corpus).
    Blocked,
    /// Started but not finished: its folder exists without a valid `DONE`.
    Partial,
    /// Not started: no folder.
    New,
}

impl RunStatus {
    /// The word shown in tables.
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Done => "done",
            RunStatus::Blocked => "blocked",
            RunStatus::Partial => "partial",
            RunStatus::New => "new",
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
