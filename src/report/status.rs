//! The status table: every planned run with where it stands, and a count of each status.

use crate::plan::{Run, blocked, render_runs};
use crate::store::RunStatus;
use std::fmt::Write;

/// One line per run (id prefix, model, task, shots, seed, status, and why a blocked run is
/// blocked), then `24 runs: 18 done, 1 partial, 1 new, 4 blocked`.
pub fn render_status(runs: &[(&Run, RunStatus)]) -> String {
    let mut out = render_runs(runs.iter().map(|(run, status)| {
        let status = match status {
            RunStatus::Blocked => blocked(run),
            RunStatus::Done | RunStatus::Partial | RunStatus::New => status.to_string(),
        };
        (*run, status)
    }));
    let count = |wanted: RunStatus| runs.iter().filter(|(_, s)| *s == wanted).count();
    let _ = writeln!(
        out,
        "\n{} run{}: {} done, {} partial, {} new, {} blocked",
        runs.len(),
        if runs.len() == 1 { "" } else { "s" },
        count(RunStatus::Done),
        count(RunStatus::Partial),
        count(RunStatus::New),
        count(RunStatus::Blocked)
    );
    out
}
