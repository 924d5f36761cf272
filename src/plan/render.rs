//! The human view of a plan: a compact table and a summary line.

use super::{Plan, Run};
use std::collections::BTreeSet;
use std::fmt::Write;

/// One line per run: id prefix, model, task, shots, seed, and why it is blocked.
pub fn render_table(plan: &Plan) -> String {
    render_runs(plan.runs.iter().map(|run| {
        let status = if run.blocked.is_empty() {
            "ready".to_string()
        } else {
            blocked(run)
        };
        (run, status)
    }))
}

/// "blocked: " and the run's reasons.
pub fn blocked(run: &Run) -> String {
    format!("blocked: {}", run.blocked.join("; "))
}

/// The run table with a status column chosen by the caller (readiness here, progress in the
/// results folder for `expc status`).
pub fn render_runs<'a>(rows: impl IntoIterator<Item = (&'a Run, String)>) -> String {
    let rows: Vec<(&Run, String)> = rows.into_iter().collect();
    let width = |f: &dyn Fn(&Run) -> usize, title: &str| {
        rows.iter()
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
    for (run, status) in &rows {
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
    out
}

/// "336 runs: 19 models × 4 tasks, shots 16/64/full, 5 seeds; 0 ready, 336 blocked".
pub fn summary(plan: &Plan) -> String {
    // Inserted one by one (not collected, which sorts every run's value): the sets are small.
    let (mut models, mut tasks, mut shots, mut seeds) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    for run in &plan.runs {
        models.insert(run.model.as_str());
        tasks.insert(run.task.as_str());
        shots.insert(run.shots);
        seeds.insert(run.seed);
    }
    let blocked = plan.runs.iter().filter(|r| !r.blocked.is_empty()).count();
    let shots: Vec<String> = shots.iter().map(ToString::to_string).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {} × {}, shots {}, {}; {} ready, {} blocked",
        plural(plan.runs.len(), "run"),
        plural(models.len(), "model"),
        plural(tasks.len(), "task"),
        shots.join("/"),
        plural(seeds.len(), "seed"),
        plan.runs.len() - blocked,
        blocked
    )
}
