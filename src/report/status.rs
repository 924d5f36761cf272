//! The status table: every planned run with where it stands, and a count of each status.

use crate::plan::Run;
use crate::store::RunStatus;
use std::fmt::Write;

/// One line per run (id prefix, model, task, shots, seed, status, and why a blocked run is
/// blocked), then `24 runs: 18 done, 1 partial, 1 new, 4 blocked`.
pub fn render_status(runs: &[(&Run, RunStatus)]) -> String {
    let width = |f: &dyn Fn(&Run) -> usize, title: &str| {
        runs.iter()
            .map(|(run, _)| f(run))
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let model_w = width(&|r| r.model.len(), "model");
    let task_w = width(&|r| r.task.len(), "task");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12}  {:<model_w$}  {:<task_w$}  {:>5}  {:>4}  status",
        "id", "model", "task", "shots", "seed"
    );
    for (run, status) in runs {
        let status = match status {
            RunStatus::Blocked => format!("blocked: {}", run.blocked.join("; ")),
            RunStatus::Done | RunStatus::Partial | RunStatus::New => status.to_string(),
        };
        let _ = writeln!(
            out,
            "{:<12}  {:<model_w$}  {:<task_w$}  {:>5}  {:>4}  {status}",
            run.short_id(),
            run.model,
            run.task,
            run.shots.to_string(),
            run.seed
        );
    }
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
